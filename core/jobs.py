"""The background job framework: every nightly job runs through here.

A job walks a set of keys (usually primary keys) in order, a chunk at a time. Each chunk
and the run's cursor commit together, so a crash loses at most the chunk under way, and
the next run continues after the cursor. Two runs of one job never overlap: ``run`` takes a
lock that dies with its holder. Every run leaves a ``JobRun`` row (admin console: Job runs).

Writing a job
-------------

1. Subclass ``Job`` (or ``ModelJob`` when the keys are a queryset's primary keys)::

       class ExpireConsentsJob(jobs.ModelJob):
           name = "compliance.expire_consents"   # unique; the lock and the run rows use it
           chunk_size = 200

           def queryset(self):
               # Whatever is due now. ``self.now`` is fixed when the run starts.
               return ConsentState.objects.filter(expires_at__lt=self.now, ...)

           def process_one(self, key) -> bool:
               # Call one service. True: changed something; False: nothing to do.
               return consent_expire(state=..., now=self.now) is not None

   ``process_one`` must be idempotent: a chunk may be redone after a crash, and a key can
   be seen again in a later run. Re-check under a row lock inside the service; never trust
   what ``keys`` saw. For set-based work, override ``process(chunk) -> Counts`` instead and
   handle the whole chunk in a few queries.

2. Register it in your app's ``AppConfig.ready()``: ``jobs.register(ExpireConsentsJob)``.

3. Schedule it in ``crm/settings/base.py`` ``CELERY_BEAT_SCHEDULE`` with the one generic
   task (``args`` is the job's name)::

       "compliance.expire_consents": {
           "task": "core.tasks.run_job",
           "args": ("compliance.expire_consents",),
           "schedule": crontab(hour=1, minute=30),
       },

   A job meant only for hand runs sets ``scheduled = False`` (a test checks the rest are in
   beat). Run any job now with ``manage.py run_job <name>`` (``--list`` lists them).

Rules
-----

- ``keys(after=..., limit=...)`` returns at most ``limit`` keys strictly after ``after``
  (``None``: from the start), in one stable order: keyset pagination, never OFFSET, never
  every id in memory. Keys must be JSON values (ints or strings); the cursor stores the last.
- Each chunk runs in one transaction with the cursor update. ``process_one`` runs each key
  in a savepoint: an exception listed in ``row_errors`` (default ``ValidationError``) is
  counted in ``errors`` and the key skipped; any other exception rolls the chunk back and
  fails the run, which the next run resumes from the cursor.
- Nothing personal goes into the run row: counts, keys and the error's type and place only.
- Keep chunks short (a few seconds): a chunk holds its row locks until it commits.
- PostgreSQL: the lock is a session-level advisory lock on the job's own connection, so it
  needs a direct connection (no transaction-pooling proxy in between).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import socket
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.models import JobRun

logger = logging.getLogger(__name__)

# The first key of every job lock (PostgreSQL's two-key advisory locks: "jobs"). Two-key
# locks never collide with single-key ones such as the audit sealer's.
LOCK_NAMESPACE = 0x6A6F6273


class JobError(Exception):
    """Base of the framework's own errors."""


class UnknownJob(JobError, KeyError):
    """No job is registered under that name."""


class JobAlreadyRunning(JobError):
    """Another run of the job holds its lock; this one did nothing."""


@dataclass
class Counts:
    """What a run (or a chunk) did. ``seen`` = keys looked at; the others say what became
    of them."""

    seen: int = 0
    changed: int = 0
    skipped: int = 0
    errors: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            seen=self.seen + other.seen,
            changed=self.changed + other.changed,
            skipped=self.skipped + other.skipped,
            errors=self.errors + other.errors,
        )

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Counts:
        data = data or {}
        return cls(**{k: int(data.get(k, 0)) for k in ("seen", "changed", "skipped", "errors")})


class Job:
    """A chunked, resumable, single-instance background job. See the module docstring."""

    name: ClassVar[str] = ""
    chunk_size: ClassVar[int] = 500
    # False: run by hand only (no beat entry expected).
    scheduled: ClassVar[bool] = True
    # Exceptions from ``process_one`` that count as an error on that key and move on.
    row_errors: ClassVar[tuple[type[BaseException], ...]] = (ValidationError,)

    def __init__(self) -> None:
        # Fixed when a run starts, so every chunk of a run judges "due" against one moment.
        self.now = timezone.now()

    def keys(self, *, after: Any, limit: int) -> Sequence:
        """Up to ``limit`` keys after ``after`` (None: from the start), in order."""
        raise NotImplementedError

    def process(self, chunk: Sequence) -> Counts:
        """Handle one chunk of keys; runs inside the chunk's transaction."""
        counts = Counts(seen=len(chunk))
        for key in chunk:
            try:
                with transaction.atomic():
                    changed = self.process_one(key)
            except self.row_errors as exc:
                counts.errors += 1
                logger.warning("job %s: key %s: %s", self.name, key, type(exc).__name__)
                continue
            if changed:
                counts.changed += 1
            else:
                counts.skipped += 1
        return counts

    def process_one(self, key) -> bool:
        """Handle one key; True if it changed something."""
        raise NotImplementedError

    def run(
        self,
        *,
        triggered_by: str,
        requested_by=None,
        from_start: bool = False,
    ):
        """Run the job to the end under its lock and return its ``JobRun``.

        Resumes after the cursor of the job's last run if that one failed or died, unless
        ``from_start``. Raises ``JobAlreadyRunning`` if another run holds the lock; any
        other exception is recorded on the run row (status failed) and raised again.
        """
        with job_lock(self.name):
            self.now = timezone.now()
            record = _open_run(
                self, triggered_by=triggered_by, requested_by=requested_by, from_start=from_start
            )
            try:
                self._walk(record)
            except BaseException as exc:
                _record_failure(record, exc)
                raise
            record.status = JobRun.Status.SUCCEEDED
            record.finished_at = timezone.now()
            record.save(update_fields=["status", "finished_at", "updated_at"])
            return record

    def _walk(self, record) -> None:
        cursor = record.cursor
        while True:
            chunk = list(self.keys(after=cursor, limit=self.chunk_size))
            if not chunk:
                return
            with transaction.atomic():
                counts = self.process(chunk)
                cursor = chunk[-1]
                record.cursor = cursor
                record.counts = (Counts.from_dict(record.counts) + counts).as_dict()
                record.chunks_done += 1
                record.save(update_fields=["cursor", "counts", "chunks_done", "updated_at"])


class ModelJob(Job):
    """A job over a queryset's primary keys, in primary-key order."""

    def queryset(self):
        raise NotImplementedError

    def keys(self, *, after: Any, limit: int) -> Sequence:
        rows = self.queryset()
        if after is not None:
            rows = rows.filter(pk__gt=after)
        return list(rows.order_by("pk").values_list("pk", flat=True)[:limit])


# --- the registry --------------------------------------------------------------------------------

_registry: dict[str, type[Job]] = {}


def register(job_class: type[Job]) -> type[Job]:
    """Register a job class under its ``name`` (usable as a class decorator)."""
    if not job_class.name:
        raise ValueError(f"{job_class.__qualname__} has no name")
    existing = _registry.get(job_class.name)
    if existing is not None and existing is not job_class:
        raise ValueError(f"two jobs are named {job_class.name!r}")
    _registry[job_class.name] = job_class
    return job_class


def unregister(name: str) -> None:
    _registry.pop(name, None)


def get(name: str) -> type[Job]:
    try:
        return _registry[name]
    except KeyError:
        raise UnknownJob(name) from None


def registered() -> list[type[Job]]:
    return [_registry[name] for name in sorted(_registry)]


def run_job(name: str, *, triggered_by: str, requested_by=None, from_start: bool = False):
    """Run the job registered as ``name`` now, in this process (tasks and commands call this)."""
    return get(name)().run(
        triggered_by=triggered_by, requested_by=requested_by, from_start=from_start
    )


# --- run rows ------------------------------------------------------------------------------------


def _open_run(job: Job, *, triggered_by: str, requested_by, from_start: bool):
    """Start the run's row. Holding the lock, any row still marked running belongs to a run
    that died (its lock died with it): mark it interrupted. Resume after the cursor of the
    last run if it did not finish."""
    last = JobRun.objects.filter(job_name=job.name).order_by("-started_at", "-pk").first()
    for dead in JobRun.objects.filter(job_name=job.name, status=JobRun.Status.RUNNING):
        dead.status = JobRun.Status.INTERRUPTED
        dead.finished_at = dead.updated_at
        dead.save(update_fields=["status", "finished_at"])
        if last is not None and dead.pk == last.pk:
            last = dead
    resume = (
        not from_start
        and last is not None
        and last.status in (JobRun.Status.FAILED, JobRun.Status.INTERRUPTED)
        and last.cursor is not None
    )
    record = JobRun(
        job_name=job.name,
        status=JobRun.Status.RUNNING,
        triggered_by=triggered_by,
        requested_by=requested_by,
        started_at=job.now,
        counts=Counts().as_dict(),
        cursor=last.cursor if resume else None,
        resumed_from=last if resume else None,
        worker=f"{socket.gethostname()}:{os.getpid()}"[:100],
    )
    record.full_clean()
    record.save()
    return record


def _record_failure(record, exc: BaseException) -> None:
    """Mark the run failed (an error) or interrupted (a shutdown), keeping the cursor of the
    last chunk that committed. Never hides the original exception."""
    try:
        record.refresh_from_db(fields=["cursor", "counts", "chunks_done"])
        record.status = (
            JobRun.Status.FAILED if isinstance(exc, Exception) else JobRun.Status.INTERRUPTED
        )
        record.finished_at = timezone.now()
        record.error_summary = error_summary(exc)
        record.save(update_fields=["status", "finished_at", "error_summary", "updated_at"])
    except DatabaseError:
        logger.exception("job %s: could not record its failure", record.job_name)
        return
    logger.error(
        "job %s %s after %s chunks: %s",
        record.job_name,
        record.status,
        record.chunks_done,
        record.error_summary,
    )


def error_summary(exc: BaseException) -> str:
    """The exception's type and where it was raised: never its message, which can hold
    personal data (a name in a validation error, a value in a database error)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        frame = frames[-1]
        where = f" at {Path(frame.filename).name}:{frame.lineno} in {frame.name}"
    return f"{type(exc).__module__}.{type(exc).__qualname__}{where}"[:255]


# --- the lock ------------------------------------------------------------------------------------


def lock_key(name: str) -> tuple[int, int]:
    """The PostgreSQL advisory lock key of the job ``name``: (namespace, signed 32-bit hash)."""
    digest = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)
    return LOCK_NAMESPACE, digest


def lock_path(name: str) -> Path:
    """The lock file of the job ``name`` (SQLite and other databases without advisory locks)."""
    directory = Path(getattr(settings, "JOB_LOCK_DIR", "") or Path(settings.VAR_DIR) / "locks")
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return directory / f"job-{safe}.lock"


@contextmanager
def job_lock(name: str) -> Iterator[None]:
    """Hold the job's lock for the block, or raise ``JobAlreadyRunning`` at once.

    PostgreSQL: ``pg_try_advisory_lock`` at session level on this connection, released at
    the end, or by the server when the connection dies with its process. Elsewhere (the
    SQLite quick start, one machine): ``flock`` on a file under ``VAR_DIR``, released by the
    kernel when the process dies.
    """
    if connection.vendor == "postgresql":
        with _advisory_lock(name):
            yield
    else:
        with _file_lock(name):
            yield


@contextmanager
def _advisory_lock(name: str) -> Iterator[None]:
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        if not cursor.fetchone()[0]:
            raise JobAlreadyRunning(name)
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        except DatabaseError:
            # The connection is gone, and the server released the lock with it.
            logger.warning("job %s: could not release its lock; connection lost", name)


@contextmanager
def _file_lock(name: str) -> Iterator[None]:
    path = lock_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise JobAlreadyRunning(name) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
