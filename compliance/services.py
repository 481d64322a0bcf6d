"""Writes for the DPO's records: staff training and access-review certifications."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit
from compliance.models import AccessReview, TrainingRecord


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@transaction.atomic
def training_record_save(*, actor, record: TrainingRecord) -> TrainingRecord:
    """Record a completed course. Validity defaults to the course's period."""
    if record.completed_on and record.completed_on > timezone.localdate():
        raise ValidationError({"completed_on": [_("The completion date cannot be in the future.")]})
    if record.valid_until is None and record.completed_on and record.course_id:
        record.valid_until = _add_months(record.completed_on, record.course.validity_months)
    record.recorded_by = actor
    record.full_clean()
    record.save()
    audit.training_recorded(actor=actor, record=record)
    return record


@transaction.atomic
def access_review_certify(
    *, actor, period_start: date, period_end: date, rows: list[dict], notes: str = ""
) -> AccessReview:
    """The DPO certifies that they reviewed everyone's access for the period. The figures
    they saw are kept with the certification."""
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."))
    summary = [
        {
            "user": r["user"].username,
            "roles": r["roles"],
            "active": r["is_active"],
            "last_login": r["last_login"].isoformat() if r["last_login"] else None,
            **{k: r[k] for k in ("logins", "viewed", "exports", "reveals", "denied")},
        }
        for r in rows
    ]
    review = AccessReview.objects.create(
        period_start=period_start,
        period_end=period_end,
        certified_by=actor,
        certified_at=timezone.now(),
        notes=notes.strip(),
        summary=summary,
    )
    audit.access_review_certified(actor=actor, review=review)
    return review
