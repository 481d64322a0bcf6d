"""Background work on the audit log. Thin: each task calls one service."""

from celery import shared_task

from compliance import sealing


@shared_task(ignore_result=True, acks_late=True)
def seal_audit_log() -> int:
    """Link committed events into the hash chain. Started after every audit write's commit
    and by beat every few seconds; a run that finds another sealing returns at once."""
    return sealing.audit_seal_pending()


@shared_task(ignore_result=True, acks_late=True)
def checkpoint_audit_log() -> str:
    """Daily: append the chain head to ``AUDIT_CHECKPOINT_FILE``, outside the database."""
    return sealing.audit_checkpoint_write().line().strip()


@shared_task(ignore_result=True, acks_late=True)
def archive_expired_audit_log() -> int:
    """Monthly: archive the segments of the chain older than the retention period."""
    archive = sealing.audit_archive_expired()
    return archive.event_count if archive else 0


# Celery discovers ``compliance.tasks``; the request tasks live beside their services.
from compliance.requests import tasks as _request_tasks  # noqa: E402, F401
