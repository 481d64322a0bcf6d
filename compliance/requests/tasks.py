"""Background work for data-subject requests. Thin: ids in, one service call."""

from celery import shared_task


@shared_task(ignore_result=True, acks_late=True)
def build_access_export(export_id: int) -> None:
    """Build one access/portability package (started after the request for it commits)."""
    from compliance.requests.access import access_export_build

    access_export_build(export_id=export_id)


# The nightly reminders and the expiry of access packages are jobs of the framework
# (compliance.jobs: RequestRemindersJob, ExpireAccessExportsJob), run by core.tasks.run_job.
