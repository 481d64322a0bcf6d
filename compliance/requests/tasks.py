"""Background work for data-subject requests. Thin: ids in, one service call."""

from celery import shared_task


@shared_task(ignore_result=True, acks_late=True)
def build_access_export(export_id: int) -> None:
    """Build one access/portability package (started after the request for it commits)."""
    from compliance.requests.access import access_export_build

    access_export_build(export_id=export_id)


@shared_task(ignore_result=True, acks_late=True)
def send_request_reminders() -> int:
    """Nightly: remind assignees of requests due soon or overdue, each reminder once."""
    from compliance.requests.services import request_reminders_send

    return request_reminders_send()


@shared_task(ignore_result=True, acks_late=True)
def expire_access_exports() -> int:
    """Nightly: expire packages whose link has lapsed, deleting their files."""
    from compliance.requests.access import access_exports_expire

    return access_exports_expire()
