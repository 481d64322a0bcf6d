"""The one task every scheduled job runs through (``core.jobs``). Thin: a name in, one run."""

import logging

from celery import shared_task

from core import jobs

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def run_job(name: str, triggered_by: str = "beat", requested_by_id: int | None = None) -> str:
    """Run the registered job ``name``. Acknowledged only when done, so a killed worker's run
    is redelivered; the redelivered run finds the dead one's cursor and continues from it.
    Another run holding the job's lock makes this one a no-op."""
    requested_by = None
    if requested_by_id is not None:
        from django.contrib.auth import get_user_model

        requested_by = get_user_model().objects.filter(pk=requested_by_id).first()
    try:
        record = jobs.run_job(name, triggered_by=triggered_by, requested_by=requested_by)
    except jobs.JobAlreadyRunning:
        logger.info("job %s is already running; this run did nothing", name)
        return "already running"
    return record.status
