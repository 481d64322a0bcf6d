"""Benchmark: seal and verify 1,000,000 audit events on PostgreSQL.

Creates a scratch database, migrates it, inserts the events in one INSERT ... SELECT
generate_series (the database trigger queues them for sealing), seals them with the real
sealer, then times ``manage.py verify_audit_log`` as an operator would run it. The scratch
database is dropped at the end.

    .venv/bin/python bench/audit_verify.py [--events 1000000] [--runs 2]

Needs PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres (as in CI).
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]

INSERT_EVENTS = """
INSERT INTO compliance_auditevent
    (occurred_at, actor_id, action, object_type, object_id, contact_id, changes, detail,
     ip_address, request_id, via)
SELECT now() - make_interval(secs => %(n)s - g),
       %(actor)s,
       (ARRAY['contact.viewed', 'contact.updated', 'record.created', 'batch'])[1 + g %% 4],
       'contacts.Contact', g::text, g,
       CASE WHEN g %% 4 = 1 THEN jsonb_build_object(
           'national_id', jsonb_build_object('old', 'h:' || md5(g::text), 'new', ''),
           'lifecycle_stage', jsonb_build_object('old', 'prospect', 'new', 'client'),
           'next_review_due', jsonb_build_object('old', NULL, 'new', '2027-03-31'))
       ELSE '{}'::jsonb END,
       CASE WHEN g %% 4 = 3 THEN jsonb_build_object(
           'operation', 'export', 'count', 3, 'contact_ids', jsonb_build_array(g, g + 1, g + 2))
       ELSE '{}'::jsonb END,
       ('10.0.' || (g %% 250) || '.' || (g %% 200))::inet,
       md5(g::text), 'web'
FROM generate_series(1, %(n)s) AS g
"""


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Our own fixed commands only (psql, manage.py)."""
    return subprocess.run(command, **kwargs)  # noqa: S603


def psql(sql: str) -> None:
    run([*PG, "-c", sql], check=True)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line),
        platform.processor(),
    )
    mem_kb = next(int(line.split()[1]) for line in meminfo if "MemTotal" in line)
    server = run(
        [*PG, "-At", "-c", "SHOW server_version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, PostgreSQL {server}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    name = f"prudence_bench_verify_{os.getpid()}"
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    env = os.environ | {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "crm.settings.local",
        "DEBUG": "false",
    }
    env.pop("REDIS_URL", None)
    psql(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
    try:
        manage = [sys.executable, "manage.py"]
        run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")})
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.db import connection

        from compliance import sealing

        actor = get_user_model().objects.create_user(username="bench", password=None)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(INSERT_EVENTS, {"n": args.events, "actor": actor.pk})
            cursor.execute("ANALYZE")
        inserted = time.perf_counter() - started

        started = time.perf_counter()
        sealed = sealing.audit_seal_pending(chunk_size=10_000)
        sealing_s = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()

        print(f"machine: {machine()}")
        print(f"inserted {args.events:,} events in {inserted:.1f}s")
        print(f"sealed {sealed:,} events in {sealing_s:.1f}s ({sealed / sealing_s:,.0f}/s)")
        for attempt in range(1, args.runs + 1):
            started = time.perf_counter()
            result = run(
                [*manage, "verify_audit_log"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - started
            print(f"verify run {attempt}: {elapsed:.1f}s wall (exit {result.returncode})")
            print("   " + (result.stdout + result.stderr).strip().replace("\n", "\n   "))
            if result.returncode:
                return 1
        return 0
    finally:
        try:
            from django.db import connection

            connection.close()
        except Exception:  # noqa: S110 - Django may never have been set up
            pass
        psql(f"DROP DATABASE IF EXISTS {name}")


if __name__ == "__main__":
    sys.exit(main())
