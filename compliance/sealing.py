"""Sealing, verifying and archiving the audit log's hash chain.

Writers never touch the chain. ``compliance.audit`` inserts an event inside the business
transaction; a database trigger queues its id (``AuditSealQueue``) in that same transaction;
after commit a task runs ``audit_seal_pending``, which links queued events into
``AuditSeal`` rows under a lock only sealers take.

Order: the chain follows *sealing* order, which is commit order, not id order. Ids come from
a sequence when the row is inserted, so transactions can commit out of id order (event 10
commits after event 11 was sealed). Because the queue row commits with its event, the sealer
sees event 10 as soon as it is visible and seals it at the next sequence; nothing is skipped
and nothing waits for slow transactions. Within one run, queued events are sealed in id order.

The audit tables refuse UPDATE, DELETE and TRUNCATE (triggers, migration 0003). The one way
through is ``audit_maintenance()``, open for a single transaction: archiving uses it, and the
test suite uses it to flush the database (``compliance.testing``).
"""

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from compliance import audit, chain
from compliance.models import AuditArchive, AuditEvent, AuditSeal, AuditSealQueue

logger = logging.getLogger(__name__)

# The key of the PostgreSQL advisory lock only sealers and the archiver take ("prud").
SEAL_LOCK_KEY = 0x70727564
# Rows per statement: stays well under SQLite's 32,766-variable limit.
_BATCH = 1000
MAINTENANCE_GUC = "prudence.audit_maintenance"
SQLITE_GUARD_TABLE = "compliance_auditmaintenance"

EVENTS = AuditEvent._meta.db_table
SEALS = AuditSeal._meta.db_table
QUEUE = AuditSealQueue._meta.db_table
_EVENT_COLUMNS = (
    "e.id, e.occurred_at, e.actor_id, e.action, e.object_type, e.object_id, e.contact_id, "
    "e.changes, e.detail, e.ip_address, e.request_id, e.via"
)


class ChainError(Exception):
    """The chain does not hold where an operation needs it to (e.g. before archiving)."""


# -- the maintenance hatch ----------------------------------------------------------------


def maintenance_sql(conn=connection) -> tuple[list[str], list[str]]:
    """SQL that opens, and closes, the audit tables to DELETE/TRUNCATE in this transaction.

    PostgreSQL: a transaction-local setting the triggers read. SQLite: a row in a guard
    table the triggers look for (created by migration 0003; the quick start only).
    """
    if conn.vendor == "postgresql":
        return (
            [f"SELECT set_config('{MAINTENANCE_GUC}', 'on', true)"],
            [f"SELECT set_config('{MAINTENANCE_GUC}', 'off', true)"],
        )
    if conn.vendor == "sqlite":
        return (
            [f"INSERT INTO {SQLITE_GUARD_TABLE} (enabled) VALUES (1)"],  # noqa: S608
            [f"DELETE FROM {SQLITE_GUARD_TABLE}"],  # noqa: S608
        )
    return [], []


@contextmanager
def audit_maintenance():
    """Let the enclosing transaction delete from the audit tables. Never UPDATE.

    Only for archival of sealed segments (and the test suite's flush). If the block fails,
    the transaction's rollback closes the hatch with everything else.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_maintenance() must run inside transaction.atomic()")
    opening, closing = maintenance_sql(connection)
    with connection.cursor() as cursor:
        for sql in opening:
            cursor.execute(sql)
    yield
    with connection.cursor() as cursor:
        for sql in closing:
            cursor.execute(sql)


# -- reading events as the chain sees them ----------------------------------------------------


def _json(value):
    if value == "{}":  # most events leave changes or detail empty
        return {}
    return json.loads(value) if isinstance(value, str | bytes) else value


def _moment(value) -> datetime:
    return parse_datetime(value) if isinstance(value, str) else value


def event_from_row(row, offset: int = 0) -> dict | None:
    """``_EVENT_COLUMNS`` read raw (no model instances) -> the chain's canonical event."""
    if row[offset] is None:
        return None
    return chain.canonical_event(
        id=row[offset],
        occurred_at=_moment(row[offset + 1]),
        actor_id=row[offset + 2],
        action=row[offset + 3],
        object_type=row[offset + 4],
        object_id=row[offset + 5],
        contact_id=row[offset + 6],
        changes=_json(row[offset + 7]),
        detail=_json(row[offset + 8]),
        ip=row[offset + 9],
        request_id=row[offset + 10],
        via=row[offset + 11],
    )


def _links(
    cursor, *, first: int | None = None, last: int | None = None, batch: int = 10_000
) -> Iterator[tuple[int, int, str, str, dict | None]]:
    """Stream seals joined to their events, in sequence order: (seq, event id, prev, hash,
    event or None when the event is gone)."""
    where, params = [], []
    if first is not None:
        where.append("s.sequence >= %s")
        params.append(first)
    if last is not None:
        where.append("s.sequence <= %s")
        params.append(last)
    cursor.execute(
        f"SELECT s.sequence, s.event_id, s.prev_hash, s.hash, {_EVENT_COLUMNS} "  # noqa: S608
        f"FROM {SEALS} s LEFT JOIN {EVENTS} e ON e.id = s.event_id "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY s.sequence",
        params,
    )
    while rows := cursor.fetchmany(batch):
        for row in rows:
            yield row[0], row[1], row[2], row[3], event_from_row(row, 4)


# -- the head and the sealer ------------------------------------------------------------


def _archived_end() -> tuple[int, str]:
    last = AuditArchive.objects.order_by("-last_sequence").first()
    return (last.last_sequence, last.end_hash) if last else (0, chain.GENESIS_HASH)


def chain_head() -> tuple[int, str]:
    """(sequence, hash) of the newest link: in the database, else the last archive's end."""
    head = AuditSeal.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return tuple(head) if head else _archived_end()


def _take_seal_lock(*, wait: bool) -> bool:
    """The sealers' lock, held until the transaction ends. SQLite has one writer anyway:
    a racing sealer fails on the unique sequence and stops."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _seal_chunk(chunk_size: int, after: int) -> tuple[int, int, int] | None:
    """Seal up to ``chunk_size`` queued events with ids above ``after``, in one transaction.

    Returns (queue rows read, events sealed, last id read), or None if another sealer holds
    the lock.
    """
    with transaction.atomic():
        if not _take_seal_lock(wait=False):
            return None
        with connection.cursor() as cursor:
            # Simple lookups, not one join: the queue churns, so its statistics are always
            # stale, and a join planned on them can scan the whole event table.
            cursor.execute(
                f"SELECT event_id FROM {QUEUE} WHERE event_id > %s "  # noqa: S608
                "ORDER BY event_id LIMIT %s",
                [after, chunk_size],
            )
            ids = [row[0] for row in cursor.fetchall()]
            rows = []
            for start in range(0, len(ids), _BATCH):
                batch = ids[start : start + _BATCH]
                cursor.execute(
                    f"SELECT e.id, s.sequence, {_EVENT_COLUMNS} FROM {EVENTS} e "  # noqa: S608
                    f"LEFT JOIN {SEALS} s ON s.event_id = e.id "
                    f"WHERE e.id IN ({', '.join(['%s'] * len(batch))})",
                    batch,
                )
                rows += cursor.fetchall()
        if not ids:
            return 0, 0, after
        # A queued id whose event is gone stays queued for the verifier to report.
        rows.sort(key=lambda row: row[0])
        sequence, prev_hash = chain_head()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        seals = []
        for row in rows:
            if row[1] is not None:  # sealed already; only the queue row was left
                continue
            link = chain.link_hash(prev_hash, event_from_row(row, 2))
            sequence += 1
            seals.append((sequence, row[0], prev_hash, link, now))
            prev_hash = link
        done = [row[0] for row in rows]
        with connection.cursor() as cursor:
            # Plain multi-row statements: no model instances, few round trips per chunk.
            for start in range(0, len(seals), _BATCH):
                batch = seals[start : start + _BATCH]
                cursor.execute(
                    f"INSERT INTO {SEALS} (sequence, event_id, prev_hash, hash, sealed_at) "  # noqa: S608
                    f"VALUES {', '.join(['(%s, %s, %s, %s, %s)'] * len(batch))}",
                    [value for seal in batch for value in seal],
                )
            for start in range(0, len(done), _BATCH):
                batch = done[start : start + _BATCH]
                cursor.execute(
                    f"DELETE FROM {QUEUE} WHERE event_id IN ({', '.join(['%s'] * len(batch))})",  # noqa: S608
                    batch,
                )
        return len(ids), len(seals), ids[-1]


def audit_seal_pending(*, chunk_size: int = 1000, max_chunks: int | None = None) -> int:
    """Link every queued event into the chain, ``chunk_size`` per transaction.

    Idempotent and safe to run concurrently: a sealer that finds the lock taken returns at
    once (the holder, or the next periodic run, seals what is left). Returns the number of
    events sealed.
    """
    sealed = chunks = 0
    after = 0
    while max_chunks is None or chunks < max_chunks:
        try:
            done = _seal_chunk(chunk_size, after)
        except IntegrityError:
            # Another sealer (SQLite) took the same sequence first; it will carry on.
            logger.info("audit sealer raced another sealer; stopping")
            break
        if done is None:
            break
        read, count, after = done
        sealed += count
        chunks += 1
        if read < chunk_size:
            break
    return sealed


# -- checkpoints outside the database -------------------------------------------------------


def checkpoint_path() -> Path:
    return Path(
        getattr(settings, "AUDIT_CHECKPOINT_FILE", None)
        or Path(settings.VAR_DIR) / "audit-checkpoints.log"
    )


def audit_checkpoint_write(*, path: Path | str | None = None) -> chain.Checkpoint:
    """Seal what is queued, then append the chain head to a file outside the database.

    Keep that file (or the log line) where whoever can edit the database cannot: a truncated
    tail or a restored older copy then shows as a head behind, or unlike, the checkpoint.
    """
    audit_seal_pending()
    sequence, head_hash = chain_head()
    point = chain.Checkpoint(sequence, head_hash, chain.iso_utc(timezone.now()))
    path = Path(path) if path else checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="ascii") as handle:
        handle.write(point.line())
        handle.flush()
        os.fsync(handle.fileno())
    logger.info("audit checkpoint %s", point.line().strip())
    return point


def read_checkpoint(path: Path | str) -> chain.Checkpoint | None:
    return chain.last_checkpoint(Path(path).read_text(encoding="ascii").splitlines())


# -- verification -------------------------------------------------------------------------


@dataclass
class Verification:
    """What ``verify_chain`` found: the first problem, or how much it checked."""

    problem: chain.Problem | None = None
    verified: int = 0
    archived: int = 0
    head_sequence: int = 0
    head_hash: str = chain.GENESIS_HASH
    pending: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None


def _problem(message: str, kind: str, *, sequence=None, event_id=None) -> chain.Problem:
    return chain.Problem(sequence, event_id, kind, message)


def _check_archives(result: Verification, *, files: bool) -> tuple[int, str] | None:
    expected, prev_hash = 1, chain.GENESIS_HASH
    for archive in AuditArchive.objects.order_by("first_sequence"):
        if archive.first_sequence != expected or archive.start_hash != prev_hash:
            result.problem = _problem(
                f"Archived segment {archive.first_sequence}-{archive.last_sequence} does not "
                f"follow on from sequence {expected - 1} ({prev_hash[:16]}…).",
                "archive",
                sequence=archive.first_sequence,
            )
            return None
        if files:
            problem = verify_archive_file(archive)
            if problem:
                result.problem = problem
                return None
        result.archived += archive.event_count
        expected, prev_hash = archive.last_sequence + 1, archive.end_hash
    return expected, prev_hash


def _check_checkpoint(
    result: Verification, point: chain.Checkpoint, seen_hash: str | None, archived_to: int
) -> None:
    where = f"checkpoint {point.sequence} {point.hash[:16]}… of {point.written_at}"
    if result.head_sequence < point.sequence:
        result.problem = _problem(
            f"The chain ends at sequence {result.head_sequence}, before the {where}: its tail "
            "was cut off or an older copy of the database was restored.",
            "checkpoint",
            sequence=point.sequence,
        )
    elif point.sequence <= archived_to:
        end = AuditArchive.objects.filter(last_sequence=point.sequence).first()
        if end is None:
            result.notes.append(f"The {where} lies inside an archived segment; not compared.")
        elif end.end_hash != point.hash:
            result.problem = _problem(
                f"Archived sequence {point.sequence} has hash {end.end_hash[:16]}…, "
                f"not the {where}.",
                "checkpoint",
                sequence=point.sequence,
            )
    elif point.sequence and seen_hash != point.hash:
        result.problem = _problem(
            f"Sequence {point.sequence} has hash {(seen_hash or '')[:16]}…, not the {where}: "
            "the chain was rewritten after the checkpoint.",
            "checkpoint",
            sequence=point.sequence,
        )


def _check_unchained(result: Verification, cursor) -> None:
    cursor.execute(
        f"SELECT e.id, q.event_id FROM {EVENTS} e "  # noqa: S608
        f"LEFT JOIN {SEALS} s ON s.event_id = e.id "
        f"LEFT JOIN {QUEUE} q ON q.event_id = e.id "
        "WHERE s.event_id IS NULL ORDER BY e.id"
    )
    while rows := cursor.fetchmany(10_000):
        for event_id, queued in rows:
            if queued is None:
                result.problem = _problem(
                    f"Event {event_id} is neither sealed nor waiting to be sealed: its seal "
                    "was removed or it was inserted behind the triggers' back.",
                    "unsealed",
                    event_id=event_id,
                )
                return
            result.pending += 1
    cursor.execute(
        f"SELECT q.event_id FROM {QUEUE} q LEFT JOIN {EVENTS} e ON e.id = q.event_id "  # noqa: S608
        "WHERE e.id IS NULL ORDER BY q.event_id"
    )
    orphan = cursor.fetchone()
    if orphan:
        result.problem = _problem(
            f"Event {orphan[0]} was deleted before it was sealed.", "deleted", event_id=orphan[0]
        )


def verify_chain(
    *, checkpoint: chain.Checkpoint | None = None, archive_files: bool = False
) -> Verification:
    """Check every link, order, gap and event, streaming rows without building models.

    Stops at the first problem. One snapshot throughout (REPEATABLE READ on PostgreSQL), so
    sealing that runs meanwhile cannot make good links look broken.
    """
    result = Verification()
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        start = _check_archives(result, files=archive_files)
        if start is None:
            return result
        verifier = chain.ChainVerifier(start_sequence=start[0], start_hash=start[1])
        seen_hash = None
        with connection.chunked_cursor() as cursor:
            for sequence, event_id, prev_hash, link, event in _links(cursor):
                problem = verifier.check(
                    sequence=sequence,
                    event_id=event_id,
                    prev_hash=prev_hash,
                    hash=link,
                    event=event,
                )
                if problem:
                    result.problem = problem
                    return result
                if checkpoint and sequence == checkpoint.sequence:
                    seen_hash = link
        result.verified = verifier.count
        result.head_sequence, result.head_hash = verifier.head_sequence, verifier.head_hash
        if checkpoint:
            _check_checkpoint(result, checkpoint, seen_hash, start[0] - 1)
            if result.problem:
                return result
        with connection.cursor() as cursor:
            _check_unchained(result, cursor)
    return result


# -- archiving whole segments -------------------------------------------------------------


def archive_dir() -> Path:
    return Path(
        getattr(settings, "AUDIT_ARCHIVE_DIR", None) or Path(settings.VAR_DIR) / "audit-archive"
    )


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def verify_archive_file(archive: AuditArchive) -> chain.Problem | None:
    """The archived file is the one recorded, and its links recompute end to end."""
    path = Path(archive.file_path)
    label = f"Archive {archive.first_sequence}-{archive.last_sequence} ({path})"
    if not path.is_file():
        return _problem(f"{label} is missing.", "archive", sequence=archive.first_sequence)
    if _sha256_file(path) != archive.file_sha256:
        return _problem(f"{label} was changed.", "archive", sequence=archive.first_sequence)
    verifier = chain.ChainVerifier(
        start_sequence=archive.first_sequence, start_hash=archive.start_hash
    )
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if "segment" in record:
                break
            problem = verifier.check(
                sequence=record["sequence"],
                event_id=record["event"]["id"],
                prev_hash=record["prev_hash"],
                hash=record["hash"],
                event=record["event"],
            )
            if problem:
                return _problem(f"{label}: {problem}", problem.kind, sequence=problem.sequence)
    if verifier.head_sequence != archive.last_sequence or verifier.head_hash != archive.end_hash:
        return _problem(f"{label} ends short.", "archive", sequence=verifier.head_sequence)
    return None


@transaction.atomic
def audit_archive_segment(*, before_sequence: int, actor=None) -> AuditArchive:
    """Move the sealed links before ``before_sequence`` to a JSONL file, then delete them.

    The segment is verified before it is written; the file ends with a ``segment`` line
    (first/last sequence, start and end hash). Rows are deleted through the maintenance
    hatch in this one transaction, and an ``AuditArchive`` row keeps the end hash, so
    verification carries on from it. Whole segments only: every link from the last archive
    up to ``before_sequence - 1``.
    """
    _take_seal_lock(wait=True)
    first, start_hash = _archived_end()
    first += 1
    head, _ = chain_head()
    last = min(before_sequence - 1, head)
    if last < first:
        raise ChainError(f"nothing to archive before sequence {before_sequence}")
    directory = archive_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-{first:012d}-{last:012d}.jsonl"
    partial = path.with_suffix(".partial")
    verifier = chain.ChainVerifier(start_sequence=first, start_hash=start_hash)
    with partial.open("w", encoding="utf-8") as handle, connection.chunked_cursor() as cursor:
        for sequence, event_id, prev_hash, link, event in _links(cursor, first=first, last=last):
            problem = verifier.check(
                sequence=sequence, event_id=event_id, prev_hash=prev_hash, hash=link, event=event
            )
            if problem:
                raise ChainError(f"refusing to archive a broken chain: {problem}")
            record = {"sequence": sequence, "prev_hash": prev_hash, "hash": link, "event": event}
            handle.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
        if verifier.head_sequence != last:
            raise ChainError(f"sequences {verifier.head_sequence + 1}-{last} are missing")
        segment = {
            "first_sequence": first,
            "last_sequence": last,
            "start_hash": start_hash,
            "end_hash": verifier.head_hash,
            "events": verifier.count,
        }
        handle.write(json.dumps({"segment": segment}, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
    with audit_maintenance(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {EVENTS} WHERE id IN "  # noqa: S608
            f"(SELECT event_id FROM {SEALS} WHERE sequence BETWEEN %s AND %s)",
            [first, last],
        )
        cursor.execute(f"DELETE FROM {SEALS} WHERE sequence BETWEEN %s AND %s", [first, last])  # noqa: S608
    archive = AuditArchive.objects.create(
        first_sequence=first,
        last_sequence=last,
        start_hash=start_hash,
        end_hash=verifier.head_hash,
        event_count=verifier.count,
        file_path=str(path),
        file_sha256=_sha256_file(path),
    )
    audit.audit_archived(actor=actor, archive=archive)
    return archive


def audit_archive_expired(*, retention_years: int | None = None, actor=None) -> AuditArchive | None:
    """Archive every whole sealed segment older than the legal retention period.

    The audit log is itself kept as a legal obligation (``AUDIT_RETENTION_YEARS``); past it,
    the oldest links move to an archive file whose end hash keeps the rest verifiable.
    Idempotent: with nothing old enough, it does nothing.
    """
    years = retention_years if retention_years is not None else settings.AUDIT_RETENTION_YEARS
    now = timezone.now()
    try:
        cutoff = now.replace(year=now.year - years)
    except ValueError:  # 29 February
        cutoff = now.replace(year=now.year - years, day=28)
    archived_until, _ = _archived_end()
    last_old = (
        AuditSeal.objects.filter(
            sequence__gt=archived_until,
            event_id__in=AuditEvent.objects.filter(occurred_at__lt=cutoff).values("id"),
        )
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    if last_old is None:
        return None
    return audit_archive_segment(before_sequence=last_old + 1, actor=actor)
