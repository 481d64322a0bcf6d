"""Benchmark: what one audit event adds to a write, on PostgreSQL.

Creates a scratch database and times, 5,000 times each and interleaved, a small business
transaction (update one contact) without and with its audit event
(``audit.record_updated``), plus the audit call alone. Two modes:

- ``redis``: production. After commit the sealing task is enqueued on Redis; nothing is
  sealed in the request.
- ``eager``: the quick start with no broker. After commit the sealer runs inline.

    .venv/bin/python bench/audit_overhead.py [--iterations 5000] [--mode redis|eager|both]

Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) and, for ``redis``, Redis on
127.0.0.1:6379 (database 14 is used and its Celery queue purged afterwards).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]
REDIS_URL = "redis://127.0.0.1:6379/14"


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Our own fixed commands only (psql, manage.py, this script)."""
    return subprocess.run(command, **kwargs)  # noqa: S603


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{name:<36} p50 {percentile(ms, 50):6.3f} ms   p95 {percentile(ms, 95):6.3f} ms   "
        f"p99 {percentile(ms, 99):6.3f} ms   mean {statistics.fmean(ms):6.3f} ms"
    )


def measure(iterations: int, mode: str) -> None:
    """Runs inside a process whose environment already points at the scratch database."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from compliance import audit
    from compliance.models import AuditEvent, AuditSeal
    from contacts.models import Contact
    from contacts.services.contacts import contact_create

    user = get_user_model().objects.create_user(username="bench_rm", password=None)
    contact = contact_create(
        actor=user, owner=user, family_name="Chen", given_name="Yi-Chun", lifecycle_stage="client"
    )
    timings: dict[str, list[float]] = {}

    def timed(name: str, warm: bool, fn) -> None:
        started = time.perf_counter()
        fn()
        if not warm:
            timings.setdefault(name, []).append(time.perf_counter() - started)

    def business_write(i: int) -> None:
        Contact.objects.filter(pk=contact.pk).update(notes=f"call {i}", version=i)

    def record_update(i: int) -> None:
        audit.record_updated(
            actor=user,
            obj=contact,
            contact_id=contact.pk,
            changes={"notes": (f"call {i - 1}", f"call {i}"), "version": (i - 1, i)},
        )

    for i in range(iterations + 200):  # the first 200 of each warm up and are dropped
        warm = i < 200

        def plain(i=i):
            with transaction.atomic():
                business_write(i)

        def audited(i=i, warm=warm):
            with transaction.atomic():
                business_write(i)
                timed("record_updated() call alone", warm, lambda: record_update(i))

        def viewed(warm=warm):
            with transaction.atomic():
                timed(
                    "contact_viewed() call alone",
                    warm,
                    lambda: audit.contact_viewed(actor=user, contact=contact),
                )

        timed("update, no audit (baseline)", warm, plain)
        timed("update + record_updated, commit", warm, audited)
        timed("page view: contact_viewed, commit", warm, viewed)

    base, audited_times = (
        timings["update, no audit (baseline)"],
        timings["update + record_updated, commit"],
    )
    delta = [a - b for a, b in zip(sorted(audited_times), sorted(base), strict=True)]
    print(f"mode {mode}: {iterations:,} iterations")
    for name, values in timings.items():
        print("   " + summary(name, values))
    print("   " + summary("update: added by its audit event", delta))
    sealed = AuditSeal.objects.count()
    print(f"   events {AuditEvent.objects.count():,}, sealed after commit in-process {sealed:,}")
    if mode == "redis":
        from crm.celery import app

        print(f"   purged {app.control.purge()} queued sealing tasks")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    parser.add_argument("--mode", choices=["redis", "eager", "both"], default="both")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, str(ROOT))
        measure(args.iterations, args.mode)
        return 0

    for mode in ["redis", "eager"] if args.mode == "both" else [args.mode]:
        name = f"prudence_bench_overhead_{mode}_{os.getpid()}"
        env = os.environ | {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
            "DJANGO_SETTINGS_MODULE": "crm.settings.local",
            "DEBUG": "false",
        }
        env.pop("REDIS_URL", None)
        if mode == "redis":
            env["REDIS_URL"] = REDIS_URL
        run([*PG, "-c", f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"], check=True)
        try:
            manage = [sys.executable, "manage.py"]
            run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
            script = [sys.executable, __file__, "--measure", "--mode", mode]
            run([*script, "--iterations", str(args.iterations)], cwd=ROOT, env=env, check=True)
        finally:
            run([*PG, "-c", f"DROP DATABASE IF EXISTS {name}"], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
