"""Reads for the DPO: the audit log's standard questions, and training status."""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from compliance.models import AuditAction, AuditEvent, TrainingRecord

# What "saw or took" means for a breach report: pages viewed, values revealed, exports.
EXPOSURE_ACTIONS = (AuditAction.CONTACT_VIEWED, AuditAction.REVEALED, AuditAction.EXPORTED)


def account_activity(*, user, start: datetime, end: datetime) -> QuerySet:
    """Everything this account viewed, revealed or exported between two moments: one query,
    for a breach report or an access review."""
    return (
        AuditEvent.objects.filter(
            actor=user, occurred_at__gte=start, occurred_at__lt=end, action__in=EXPOSURE_ACTIONS
        )
        .select_related("actor")
        .order_by("occurred_at", "id")
    )


def training_overdue(*, on: date | None = None) -> QuerySet:
    """Active staff without current privacy training, with when it lapsed (or never)."""
    on = on or timezone.localdate()
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(
            privacy_valid_until=Max(
                "training_records__valid_until",
                filter=Q(training_records__course__is_privacy_course=True),
            )
        )
        .filter(Q(privacy_valid_until__lt=on) | Q(privacy_valid_until__isnull=True))
        .order_by("privacy_valid_until", "username")
    )


def access_review_rows(*, start: datetime, end: datetime) -> list[dict]:
    """Per user for a period: roles, last log-in, contacts viewed, exports, reveals and
    denied attempts. One aggregate query over the audit log, one over users."""
    counts = {
        row["actor"]: row
        for row in AuditEvent.objects.filter(
            occurred_at__gte=start, occurred_at__lt=end, actor__isnull=False
        )
        .values("actor")
        .annotate(
            viewed=Count("contact_id", filter=Q(action=AuditAction.CONTACT_VIEWED), distinct=True),
            exports=Count("id", filter=Q(action=AuditAction.EXPORTED)),
            reveals=Count("id", filter=Q(action=AuditAction.REVEALED)),
            denied=Count("id", filter=Q(action=AuditAction.ACCESS_DENIED)),
            logins=Count("id", filter=Q(action=AuditAction.LOGIN)),
        )
    }
    rows = []
    users = get_user_model().objects.prefetch_related("groups").order_by("username")
    for user in users:
        tally = counts.get(user.pk, {})
        rows.append(
            {
                "user": user,
                "roles": sorted(g.name for g in user.groups.all()),
                "is_active": user.is_active,
                "last_login": user.last_login,
                "logins": tally.get("logins", 0),
                "viewed": tally.get("viewed", 0),
                "exports": tally.get("exports", 0),
                "reveals": tally.get("reveals", 0),
                "denied": tally.get("denied", 0),
            }
        )
    return rows


def current_training(user) -> TrainingRecord | None:
    return (
        TrainingRecord.objects.filter(user=user, course__is_privacy_course=True)
        .order_by("-valid_until")
        .first()
    )
