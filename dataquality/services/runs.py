"""Whole-book data-quality runs: keyset chunks of contact ids, each scored in its own
transaction, then a per-RM snapshot for the dashboard's trend.

A full run reads every contact; an incremental run reads only contacts whose summary is out
of date (``Contact.objects.quality_pending``: changed since scored, or due by date), so a
night after 1% of the book changed touches that 1%.
"""

import functools
from collections.abc import Iterator
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.models import Contact
from dataquality.models import QualityIssue, QualityRun, QualitySnapshot, ReviewTask
from dataquality.services.facts import hnw_tag_ids, tag_codes_by_id
from dataquality.services.scoring import ChunkResult, run_config, score_chunk

DEFAULT_CHUNK_SIZE = 5000


def chunk_size() -> int:
    return getattr(settings, "DATAQUALITY_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)


def pending_ids(*, today: date, after: int | None, limit: int) -> list[int]:
    """The next ``limit`` ids (after ``after``) of contacts whose summary is out of date.

    ``quality_pending`` is an OR of two conditions, which PostgreSQL can only answer by
    walking the primary key over the whole book (1.5 s at a million contacts, for every
    chunk). Each half has its own index (the partial ``contact_quality_pending`` and
    ``contact_quality_due``), so ask them apart and merge: a few milliseconds."""
    halves = (
        Contact.objects.filter(quality_version__lt=F("version")),
        Contact.objects.filter(quality_due_on__lte=today),
    )
    ids: set[int] = set()
    for half in halves:
        if after is not None:
            half = half.filter(pk__gt=after)
        ids.update(half.order_by("pk").values_list("pk", flat=True)[:limit])
    return sorted(ids)[:limit]


def contact_id_chunks(
    *, kind: str, today: date, after: int = 0, size: int | None = None
) -> Iterator[list[int]]:
    """Keyset pages of contact ids (``id > after``), in id order, so a run can resume."""
    size = size or chunk_size()
    last = after
    while True:
        if kind == QualityRun.Kind.INCREMENTAL:
            ids = pending_ids(today=today, after=last, limit=size)
        else:
            ids = list(
                Contact.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:size]
            )
        if not ids:
            return
        yield ids
        last = ids[-1]


def score_ids(ids: list[int], *, today: date, run: QualityRun | None = None) -> ChunkResult:
    """One chunk of a run: score, then add its counts to the run row."""
    result = score_chunk(
        ids,
        today=today,
        config=run_config(),
        hnw_tags=hnw_tag_ids(),
        tag_codes=tag_codes_by_id(),
        run=str(run.pk) if run else "",
    )
    if run is not None:
        QualityRun.objects.filter(pk=run.pk).update(
            contacts_read=F("contacts_read") + result.read,
            contacts_written=F("contacts_written") + result.written,
            contacts_skipped=F("contacts_skipped") + result.skipped,
            issues_opened=F("issues_opened") + result.issues_opened,
            issues_resolved=F("issues_resolved") + result.issues_resolved,
        )
        run.refresh_from_db()
    return result


def quality_run(*, kind: str, today: date | None = None, size: int | None = None) -> QualityRun:
    """Run a full or incremental scoring over the book and take the snapshot."""
    today = today or timezone.localdate()
    run = QualityRun.objects.create(kind=kind)
    for ids in contact_id_chunks(kind=kind, today=today, size=size):
        score_ids(ids, today=today, run=run)
    run_finish(run=run)
    return run


@transaction.atomic
def run_finish(*, run: QualityRun) -> QualityRun:
    """Close the run and record each RM's book as it now stands: two grouped queries."""
    per_owner = {
        row["owner_id"]: row
        for row in Contact.objects.order_by()
        .values("owner_id")
        .annotate(
            contacts=Count("id"),
            score_sum=Sum("quality_score"),
            blocking=Count("id", filter=Q(has_blocking_issue=True)),
        )
    }
    issues = dict(
        QualityIssue.objects.filter(resolved_on__isnull=True)
        .order_by()
        .values("contact__owner_id")
        .annotate(n=Count("id"))
        .values_list("contact__owner_id", "n")
    )
    QualitySnapshot.objects.bulk_create(
        [
            QualitySnapshot(
                run=run,
                owner_id=owner_id,
                contacts=row["contacts"],
                score_sum=row["score_sum"] or 0,
                blocking=row["blocking"],
                open_issues=issues.get(owner_id, 0),
            )
            for owner_id, row in per_owner.items()
        ]
    )
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return run


def review_reminders_send(
    *, today: date | None = None, assignee_ids: list[int] | None = None
) -> int:
    """Email each RM a digest of their data-quality tasks: new since the last reminder, and
    overdue ones not reminded of for a week. Counts and a link only: no client data in mail.
    Returns the number of emails sent."""
    today = today or timezone.localdate()
    week_ago = today.toordinal() - 7
    due = ReviewTask.objects.filter(completed_at__isnull=True).filter(
        Q(reminded_on__isnull=True)
        | Q(due_on__lt=today, reminded_on__lte=date.fromordinal(week_ago))
    )
    if assignee_ids is not None:
        due = due.filter(assignee_id__in=assignee_ids)
    rows = (
        due.order_by()
        .values("assignee_id", "assignee__email", "assignee__preferred_language")
        .annotate(
            new=Count("id", filter=Q(reminded_on__isnull=True)),
            overdue=Count("id", filter=Q(due_on__lt=today)),
        )
    )
    sent = 0
    for row in rows:
        if not row["assignee__email"]:
            continue
        with translation.override(row["assignee__preferred_language"] or settings.LANGUAGE_CODE):
            subject = _("Prudence: data-quality reviews waiting for you")
            body = _(
                "New data-quality review tasks: %(new)d. Overdue: %(overdue)d.\n"
                "Open your task list: %(url)s"
            ) % {
                "new": row["new"],
                "overdue": row["overdue"],
                "url": getattr(settings, "SITE_URL", "").rstrip("/") + reverse("dataquality:tasks"),
            }
        due.filter(assignee_id=row["assignee_id"]).update(reminded_on=today)
        # Sent once the reminder is on record: a rolled-back chunk sends nothing.
        transaction.on_commit(
            functools.partial(
                send_mail,
                subject=subject,
                message=body,
                from_email=None,
                recipient_list=[row["assignee__email"]],
            )
        )
        sent += 1
    return sent
