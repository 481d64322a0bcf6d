"""Privacy training as a gate: without current training a user cannot export, import,
bulk-edit or reveal masked values. One place decides, and says why."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError


class TrainingRequired(ApplicationError):
    """The user's privacy training is missing or has expired."""


@dataclass(frozen=True)
class TrainingStatus:
    is_current: bool
    valid_until: date | None


def training_status(user, *, on: date | None = None) -> TrainingStatus:
    from compliance.models import TrainingRecord

    on = on or timezone.localdate()
    latest = (
        TrainingRecord.objects.filter(user=user, course__is_privacy_course=True)
        .order_by("-valid_until")
        .values_list("valid_until", flat=True)
        .first()
    )
    return TrainingStatus(is_current=latest is not None and latest >= on, valid_until=latest)


def require_current_training(user) -> None:
    status = training_status(user)
    if status.is_current:
        return
    if status.valid_until is None:
        raise TrainingRequired(
            _("You have no privacy training on record, so you cannot do this yet. Ask your DPO.")
        )
    raise TrainingRequired(
        _(
            "Your privacy training expired on %(date)s, so you cannot do this until you renew "
            "it. Ask your DPO."
        )
        % {"date": status.valid_until.isoformat()}
    )
