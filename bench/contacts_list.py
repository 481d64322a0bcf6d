"""Benchmark: the contact list, search and contact page at 1,000,000 contacts on PostgreSQL.

Issues real requests through ``django.test.Client`` against the real views, in process: the
time of one ``client.get`` is the server time (middleware, session, view, queries, template
rendering, the audit event a contact page writes and its after-commit sealing), with no
network in it. Two users: a compliance officer, who sees every book, and a relationship
manager with a book of about 10,000 contacts. Scenarios, each ``--runs`` times after
``--warmup`` rounds, interleaved round by round so load on a shared host falls on all alike:

- the list filtered by a tag subtree (Client segment › Individual, with all narrower tags)
  and lifecycle stage "client", page 1 and page 500 (25 per page);
- a search for a two-character Chinese given name (怡君), page 1;
- the contact page, rotating through a fixed sample of contacts in the RM's book.

Then it prints EXPLAIN (ANALYZE, BUFFERS) of the slowest SELECTs of the slowest scenario.

Load the data first (scratch database, never a real one)::

    createdb -h 127.0.0.1 -U postgres -E UTF8 -T template0 prudence_bench
    export DJANGO_SETTINGS_MODULE=crm.settings.local
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/prudence_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_demo --contacts 1000000 --seed 2026
    psql -h 127.0.0.1 -U postgres -d prudence_bench -c "VACUUM ANALYZE"
    .venv/bin/python bench/contacts_list.py [--runs 50] [--pg-set NAME=VALUE]

``--pg-set`` applies a PostgreSQL setting to the benchmark's own session only (the test
client keeps one connection), e.g. ``max_parallel_workers_per_gather=0``. Each run adds
sessions and ``contact.viewed`` audit events to the database, as real page views would.
Figures and how to read them: docs/BENCHMARKS.md, "Contact list and search at 1,000,000
contacts" and "Contact page".

The demo spreads its book over ten RMs (about 100,000 contacts each), so the first run
gives a dedicated RM, ``bench_rm_10k``, every hundredth contact (a direct ``UPDATE``: bench
data, not app data), then runs ``VACUUM ANALYZE`` on the contact table. Later runs find
that book in place and leave it.
"""

import argparse
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/prudence_bench"
BENCH_RM = "bench_rm_10k"
TAG_CODE = "segment-individual"
STAGE = "client"
SEARCH = "怡君"
DEEP_PAGE = 500
DETAIL_SAMPLE = 50


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine(connection) -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line),
        platform.processor(),
    )
    mem_kb = next(int(line.split()[1]) for line in meminfo if "MemTotal" in line)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        knobs = []
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost"):
            cursor.execute(f"SHOW {name}")
            knobs.append(f"{name}={cursor.fetchone()[0]}")
        knobs = ", ".join(knobs)
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, "
        f"PostgreSQL {server} ({knobs}), Python {platform.python_version()}"
    )


def prepare_environment(database_url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "false")
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
    os.environ["ALLOWED_HOSTS"] = ",".join([*hosts, "testserver"])
    sys.path.insert(0, str(ROOT))


def bench_rm_ensure(book_size: int):
    """The RM with a ~10,000-contact book: every n-th contact by id, moved by one UPDATE."""
    from django.contrib.auth.models import Group
    from django.db import connection

    from contacts.models import Contact
    from core import roles
    from core.models import User

    rm, _ = User.objects.get_or_create(
        username=BENCH_RM, defaults={"first_name": "Bench", "last_name": "RM"}
    )
    rm.groups.set([Group.objects.get(name=roles.RELATIONSHIP_MANAGER)])
    if Contact.objects.filter(owner=rm).count() == book_size:
        return rm
    total = Contact.objects.count()
    step = max(1, total // book_size)
    print(f"setup: giving {BENCH_RM} every {step}th contact ({book_size:,} of {total:,})")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_contact SET owner_id = %s WHERE id IN ("
            "  SELECT id FROM contacts_contact WHERE id %% %s = 0 ORDER BY id LIMIT %s)",
            [rm.pk, step, book_size],
        )
        cursor.execute("VACUUM ANALYZE contacts_contact")
    print(f"setup: done in {time.perf_counter() - started:.1f} s")
    return rm


class SqlTimer:
    """Counts and times every statement a request runs (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.statements: list[tuple[float, str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((time.perf_counter() - started, sql, params))

    @property
    def seconds(self) -> float:
        return sum(s for s, *_ in self.statements)


def dataset(connection, users: dict) -> list[str]:
    from contacts.models import Contact, ContactTag, Tag

    tag = Tag.objects.get(code=TAG_CODE)
    subtree = list(Tag.objects.subtree(tag).values_list("pk", flat=True))
    matching = Contact.objects.filter(
        lifecycle_stage=STAGE,
        pk__in=ContactTag.objects.filter(tag_id__in=subtree).values("contact_id"),
    )
    lines = [
        f"contacts {Contact.objects.count():,}, tags {Tag.objects.count():,}, "
        f"tag assignments {ContactTag.objects.count():,}",
        f"tag subtree '{tag.label_en}' ({len(subtree)} tags) + stage '{STAGE}': "
        f"{matching.count():,} contacts",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.username, count(*) FROM contacts_contact c "
            "JOIN core_user u ON u.id = c.owner_id GROUP BY u.username ORDER BY 2 DESC"
        )
        books = ", ".join(f"{name} {n:,}" for name, n in cursor.fetchall())
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    lines.append(f"books: {books}")
    lines.append(f"database size {size}")
    for label, user in users.items():
        visible = Contact.objects.visible_to(user)
        lines.append(
            f"{label} ({user.username}): sees {visible.count():,}; filter matches "
            f"{visible.filter(pk__in=matching.values('pk')).count():,}; "
            f"search '{SEARCH}' matches "
            f"{visible.filter(search_tokens__has_tokens=[SEARCH]).count():,}"
        )
    return lines


def explain(connection, statements: list[tuple[float, str, tuple]], top: int) -> None:
    selects = [s for s in statements if s[1].lstrip().upper().startswith("SELECT")]
    for seconds, sql, params in sorted(selects, key=lambda s: s[0], reverse=True)[:top]:
        try:
            shown = sql % tuple(_quoted(params))
        except (TypeError, ValueError):
            shown = f"{sql}\n-- params: {params!r}"
        print(f"\n-- {seconds * 1000:.1f} ms in the request\n{shown}\n")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))


def _quoted(params) -> list[str]:
    """Parameters spelled for reading only (the EXPLAIN itself binds them properly)."""
    out = []
    for p in params or ():
        if isinstance(p, str):
            out.append("'" + p.replace("'", "''") + "'")
        elif isinstance(p, list | tuple):
            out.append("ARRAY[" + ", ".join(_quoted(p)) + "]")
        else:
            out.append(str(p))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rm-book", type=int, default=10_000)
    parser.add_argument("--explain", type=int, default=2, help="slowest SELECTs to EXPLAIN")
    parser.add_argument(
        "--only", default="", help="run only scenarios whose name contains this text"
    )
    parser.add_argument(
        "--pg-set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the benchmark's session only, e.g. "
        "max_parallel_workers_per_gather=0 (repeatable)",
    )
    args = parser.parse_args()

    prepare_environment(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import TextField
    from django.db.models.functions import MD5, Cast
    from django.test import Client
    from django.urls import reverse

    from contacts.models import Contact, Tag
    from core import roles
    from core.models import User
    from core.testing import login_verified

    if connection.vendor != "postgresql":
        print("needs PostgreSQL: set DATABASE_URL", file=sys.stderr)
        return 2
    rm = bench_rm_ensure(args.rm_book)
    # The test client keeps this one connection for every request, so a session setting holds.
    with connection.cursor() as cursor:
        for item in args.pg_set:
            name, _, value = item.partition("=")
            cursor.execute("SELECT set_config(%s, %s, false)", [name.strip(), value.strip()])
    compliance = (
        User.objects.filter(is_active=True, groups__name=roles.COMPLIANCE).order_by("pk").first()
    )
    users = {"compliance": compliance, "RM": rm}
    clients = {}
    for label, user in users.items():
        client = Client()
        if roles.needs_second_factor(user):
            login_verified(client, user)
        else:
            client.force_login(user)
        clients[label] = client

    tag = Tag.objects.get(code=TAG_CODE)
    sample = list(
        Contact.objects.filter(owner=rm)
        .order_by(MD5(Cast("pk", TextField())))  # a fixed pseudo-random sample
        .values_list("pk", flat=True)[:DETAIL_SAMPLE]
    )
    list_url = reverse("contacts:list")
    filtered = f"{list_url}?tag={tag.pk}&lifecycle_stage={STAGE}"
    scenarios = [
        ("list: tag subtree + stage, page 1", lambda i: filtered),
        (f"list: tag subtree + stage, page {DEEP_PAGE}", lambda i: f"{filtered}&page={DEEP_PAGE}"),
        (f"search q={SEARCH}, page 1", lambda i: f"{list_url}?q={SEARCH}"),
        ("contact page", lambda i: reverse("contacts:detail", args=[sample[i % len(sample)]])),
    ]
    scenarios = [s for s in scenarios if args.only in s[0]]

    print(f"machine: {machine(connection)}")
    print(f"sealing: {'Redis broker' if os.environ.get('REDIS_URL') else 'inline (no broker)'}")
    if args.pg_set:
        print(f"session settings: {', '.join(args.pg_set)}")
    for line in dataset(connection, users):
        print(line)
    print(f"load average before: {loadavg()}")

    timings: dict[tuple[str, str], list[float]] = {}
    sql_ms: dict[tuple[str, str], list[float]] = {}
    queries: dict[tuple[str, str], int] = {}
    shown: dict[tuple[str, str], str] = {}
    for i in range(args.warmup + args.runs):
        for name, url in scenarios:
            for label, client in clients.items():
                timer = SqlTimer()
                with connection.execute_wrapper(timer):
                    started = time.perf_counter()
                    response = client.get(url(i))
                    elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    print(f"{name} as {label}: HTTP {response.status_code}", file=sys.stderr)
                    return 1
                if i < args.warmup:
                    if name.startswith(("list", "search")):
                        shown[name, label] = _list_summary(response.content.decode())
                    continue
                timings.setdefault((name, label), []).append(elapsed)
                sql_ms.setdefault((name, label), []).append(timer.seconds * 1000)
                queries[name, label] = len(timer.statements)
    print(f"load average after: {loadavg()}")
    for item in args.pg_set:
        name = item.partition("=")[0].strip()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting(%s)", [name])
            print(f"still in force after the runs: {name} = {cursor.fetchone()[0]}")

    print(f"\n{args.runs} runs per row after {args.warmup} warm-up rounds; ms of server time\n")
    print("| scenario | user | what the page showed | p50 | p95 | max | queries | SQL p50 |")
    print("|---|---|---|--:|--:|--:|--:|--:|")
    for (name, label), values in timings.items():
        ms = [v * 1000 for v in values]
        print(
            f"| {name} | {label} | {shown.get((name, label), 'one contact')} | "
            f"{percentile(ms, 50):.1f} | {percentile(ms, 95):.1f} | {max(ms):.1f} | "
            f"{queries[name, label]} | {statistics.median(sql_ms[name, label]):.1f} |"
        )

    if args.explain and timings:
        (name, label), _ = max(timings.items(), key=lambda kv: percentile(kv[1], 95))
        url = dict(scenarios)[name]
        print(f"\nSlowest at p95: {name} as {label}. Its slowest SELECTs, EXPLAIN ANALYZE:")
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            clients[label].get(url(0))
        explain(connection, timer.statements, args.explain)
    return 0


def _list_summary(html: str) -> str:
    rows = html.count('class="form-check-input row-select"')
    count = re.search(r'data-testid="result-count">\s*(.*?)\s*</p>', html, re.S)
    page = re.search(r'<span class="page-link">\s*(.*?)\s*</span>', html, re.S)
    parts = [re.sub(r"\s+", " ", m.group(1)) for m in (count, page) if m]
    return f"{rows} rows; " + "; ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
