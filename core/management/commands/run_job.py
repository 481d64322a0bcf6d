"""Run a registered background job now, in this process: ``manage.py run_job <name>``."""

from django.core.management.base import BaseCommand, CommandError

from core import jobs
from core.models import JobRun


class Command(BaseCommand):
    help = "Run a registered background job now (resuming an unfinished run), or list them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", nargs="?", help="the job's name (see --list)")
        parser.add_argument("--list", action="store_true", help="list the registered jobs")
        parser.add_argument(
            "--from-start",
            action="store_true",
            help="ignore the cursor of an unfinished run and start from the beginning",
        )

    def handle(self, *args, name=None, list=False, from_start=False, **options) -> None:
        if list:
            self._list()
            return
        if not name:
            raise CommandError("Name a job, or use --list.")
        try:
            record = jobs.run_job(name, triggered_by=JobRun.Trigger.COMMAND, from_start=from_start)
        except jobs.UnknownJob:
            raise CommandError(f"No job is named {name!r}; see --list.") from None
        except jobs.JobAlreadyRunning:
            raise CommandError(f"{name} is already running; nothing done.") from None
        except Exception as exc:
            raise CommandError(f"{name} failed: {jobs.error_summary(exc)}") from exc
        counts = jobs.Counts.from_dict(record.counts)
        resumed = " (resumed)" if record.resumed_from_id else ""
        self.stdout.write(
            f"{name} {record.status}{resumed}: {counts.seen} seen, {counts.changed} changed, "
            f"{counts.skipped} skipped, {counts.errors} errors in {record.chunks_done} chunks, "
            f"{record.duration.total_seconds():.1f} s"
        )

    def _list(self) -> None:
        for job in jobs.registered():
            last = JobRun.objects.filter(job_name=job.name).first()
            state = (
                f"last run {last.started_at:%Y-%m-%d %H:%M} {last.status}" if last else "never run"
            )
            self.stdout.write(f"{job.name}\t{state}")
