"""The nightly data-quality jobs, on the job framework (``core.jobs``).

- ``dataquality.score_incremental`` (nightly): contacts changed since they were scored or
  due by date (a review cadence or a risk assessment running out, an employment ending):
  re-normalise names, re-validate contact points, apply the stale-data rules, recompute
  scores and issues, open review tasks.
- ``dataquality.score_full`` (weekly): the same over the whole book, which also refreshes
  the slow decay of the freshness score.
- ``dataquality.review_reminders`` (daily): one digest email per RM with tasks waiting.
- ``dataquality.verify_deliverability`` (weekly): the DNS check of email domains.

Each chunk is a handful of set-based queries over ``DATAQUALITY_CHUNK_SIZE`` contact ids;
writes go through the contacts service guarded by version, so a person's edit made while a
job runs is never overwritten.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from contacts.models import Contact, ContactPoint, ContactPointKind, ContactPointStatus
from core import jobs
from dataquality.models import QualityRun, ReviewTask
from dataquality.services.runs import (
    DEFAULT_CHUNK_SIZE,
    pending_ids,
    review_reminders_send,
    run_finish,
    score_ids,
)


class ScoreJob(jobs.Job):
    """Score contacts in keyset chunks, then record each RM's book for the trend."""

    kind = QualityRun.Kind.FULL
    scheduled = False
    chunk_size = DEFAULT_CHUNK_SIZE

    def __init__(self) -> None:
        super().__init__()
        self.chunk_size = getattr(settings, "DATAQUALITY_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)
        self.quality_run: QualityRun | None = None

    @property
    def today(self):
        return timezone.localdate(self.now)

    def keys(self, *, after: Any, limit: int) -> Sequence:
        if self.kind == QualityRun.Kind.INCREMENTAL:
            return pending_ids(today=self.today, after=after, limit=limit)
        rows = Contact.objects.all()
        if after is not None:
            rows = rows.filter(pk__gt=after)
        return list(rows.order_by("pk").values_list("pk", flat=True)[:limit])

    def process(self, chunk: Sequence) -> jobs.Counts:
        if self.quality_run is None:
            self.quality_run = QualityRun.objects.create(kind=self.kind, started_at=self.now)
        result = score_ids(list(chunk), today=self.today, run=self.quality_run)
        return jobs.Counts(seen=result.read, changed=result.written, skipped=result.skipped)

    def run(self, **kwargs):
        record = super().run(**kwargs)
        if self.quality_run is None:
            self.quality_run = QualityRun.objects.create(kind=self.kind, started_at=self.now)
        run_finish(run=self.quality_run)
        return record


class ScoreIncrementalJob(ScoreJob):
    name = "dataquality.score_incremental"
    kind = QualityRun.Kind.INCREMENTAL
    scheduled = True


class ScoreFullJob(ScoreJob):
    name = "dataquality.score_full"
    kind = QualityRun.Kind.FULL
    scheduled = True


class ReviewRemindersJob(jobs.ModelJob):
    """A digest per RM with data-quality tasks new or overdue; sent after each chunk
    commits, so a rolled-back chunk sends nothing and marks nothing reminded."""

    name = "dataquality.review_reminders"
    chunk_size = 200

    def queryset(self):
        waiting = ReviewTask.objects.filter(completed_at__isnull=True).values("assignee_id")
        return get_user_model().objects.filter(pk__in=waiting, is_active=True)

    def process(self, chunk: Sequence) -> jobs.Counts:
        sent = review_reminders_send(today=timezone.localdate(self.now), assignee_ids=list(chunk))
        return jobs.Counts(seen=len(chunk), changed=sent, skipped=len(chunk) - sent)


class DeliverabilityJob(jobs.ModelJob):
    """Check that email domains still accept mail (MX or A record), recording each result.
    Off unless ``DATAQUALITY_DELIVERABILITY_CHECK`` (always off in tests: no network)."""

    name = "dataquality.verify_deliverability"
    chunk_size = 500

    def queryset(self):
        if not getattr(settings, "DATAQUALITY_DELIVERABILITY_CHECK", False):
            return ContactPoint.objects.none()
        return ContactPoint.objects.filter(
            kind=ContactPointKind.EMAIL, status=ContactPointStatus.VALID
        )

    def process(self, chunk: Sequence) -> jobs.Counts:
        from dataquality.services.verification import verify_points

        outcomes = verify_points(point_ids=list(chunk))
        return jobs.Counts(seen=len(chunk), changed=outcomes.get("undeliverable", 0))


def register_all() -> None:
    for job in (ScoreIncrementalJob, ScoreFullJob, ReviewRemindersJob, DeliverabilityJob):
        jobs.register(job)
