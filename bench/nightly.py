"""Benchmark: the nightly data-quality jobs, full and incremental, on PostgreSQL.

Runs the real jobs through the job framework (``core.jobs.run_job``), in process, against
the database in DATABASE_URL, and times:

1. a full run over the whole book (``dataquality.score_full``, from the start);
2. an incremental run after 1% of the contacts changed (``--changed``, default 1%: every
   hundredth contact gets its version bumped, as an edit would);
3. an incremental run with nothing changed (it should read nothing).

For each: wall time, contacts read and written, chunks, SQL statements and SQL time, and the
rate in contacts per second. Then EXPLAIN (ANALYZE, BUFFERS) of the incremental run's
work-list query. Targets (2 cores, 1,000,000 contacts): full < 10 min, incremental < 1 min.

Load the data first (scratch database, never a real one)::

    createdb -h 127.0.0.1 -U postgres -E UTF8 -T template0 prudence_bench
    export DJANGO_SETTINGS_MODULE=crm.settings.local
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/prudence_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_demo --contacts 1000000 --seed 2026
    psql -h 127.0.0.1 -U postgres -d prudence_bench -c "VACUUM ANALYZE"
    .venv/bin/python bench/nightly.py [--chunk-size 5000] [--changed 0.01] [--skip-full]

The runs write what the jobs write (summaries, issues, review tasks, batch audit events,
a run row and snapshots): bench data. ``--skip-full`` times only the incremental runs on a
book already scored. No broker configured: audit sealing runs inline after each chunk
commits, as in the quick start; with REDIS_URL set it is queued instead.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/prudence_bench"


def prepare_environment(database_url: str, chunk_size: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
    os.environ["DATABASE_URL"] = database_url
    os.environ["DATAQUALITY_CHUNK_SIZE"] = str(chunk_size)
    # Never the network from a benchmark.
    os.environ["DATAQUALITY_DELIVERABILITY_CHECK"] = "false"
    sys.path.insert(0, str(ROOT))


class SqlTimer:
    """Counts and times every statement (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def machine(connection) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return f"{os.cpu_count()} CPUs ({cpu}), PostgreSQL {server}, Python {platform.python_version()}"


def timed_run(name: str, label: str) -> dict:
    from django.db import connection

    from core import jobs

    timer = SqlTimer()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        record = jobs.run_job(name, triggered_by="command", from_start=True)
    elapsed = time.perf_counter() - started
    counts = record.counts
    return {
        "label": label,
        "seconds": elapsed,
        "read": counts["seen"],
        "written": counts["changed"],
        "skipped": counts["skipped"],
        "chunks": record.chunks_done,
        "statements": timer.count,
        "sql_seconds": timer.seconds,
        "status": record.status,
    }


def bump_versions(fraction: float) -> int:
    """Simulate edits: every n-th contact's version goes up by one (bench data only)."""
    from django.db import connection

    step = max(1, round(1 / fraction))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_contact SET version = version + 1 WHERE id %% %s = 0", [step]
        )
        return cursor.rowcount


def explain_pending() -> None:
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from contacts.models import Contact

    # The work list is asked in two halves, each on its own index (runs.pending_ids).
    for half in (
        Contact.objects.filter(quality_version__lt=F("version")),
        Contact.objects.filter(quality_due_on__lte=timezone.localdate()),
    ):
        sql, params = (
            half.order_by("pk").values_list("pk", flat=True)[:5000].query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunk-size", type=int, default=5000)
    parser.add_argument("--changed", type=float, default=0.01, help="share of contacts edited")
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()

    prepare_environment(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), args.chunk_size)
    import django

    django.setup()
    from django.db import connection

    from contacts.models import Contact

    if connection.vendor != "postgresql":
        print("needs PostgreSQL: set DATABASE_URL", file=sys.stderr)
        return 2
    total = Contact.objects.count()
    print(f"machine: {machine(connection)}")
    print(f"contacts: {total:,}; chunk size {args.chunk_size:,}")
    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")

    results = []
    if not args.skip_full:
        results.append(timed_run("dataquality.score_full", "full"))
    changed = bump_versions(args.changed)
    print(f"edited {changed:,} contacts ({args.changed:.1%})")
    results.append(timed_run("dataquality.score_incremental", f"incremental after {changed:,}"))
    results.append(timed_run("dataquality.score_incremental", "incremental, nothing changed"))
    print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")

    print("\n| run | wall s | read | written | skipped | chunks | SQL stmts | SQL s | /s |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in results:
        rate = r["read"] / r["seconds"] if r["seconds"] else 0
        print(
            f"| {r['label']} | {r['seconds']:.1f} | {r['read']:,} | {r['written']:,} | "
            f"{r['skipped']:,} | {r['chunks']} | {r['statements']:,} | "
            f"{r['sql_seconds']:.1f} | {rate:,.0f} |"
        )
    print("\nThe incremental run's work list:")
    explain_pending()
    return 0 if all(r["status"] == "succeeded" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
