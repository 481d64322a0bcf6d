"""Retention: erase contacts whose category's retention period has run out.

The categories (and the SQL that finds who is due) are registered by the contacts app
(``registry.register_retention_category``); the periods are ``RetentionPolicy`` rows the DPO
edits. The nightly job (``compliance.jobs.ApplyRetentionJob``) erases each due contact with
``erasure_execute``, so legal holds and the statutory KYC hold apply as for any erasure.
``retention_preview`` shows what the next run will do.
"""

from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit, registry
from compliance.erasure.services import erasure_execute
from compliance.models import ErasureRecord, RetentionPolicy


def _contact_model():
    return next(e.model for e in registry.entries() if e.contact_path == "")


def _not_erased(contacts: QuerySet) -> QuerySet:
    return contacts.exclude(Exists(ErasureRecord.objects.filter(contact_id=OuterRef("pk"))))


def due_for(policy: RetentionPolicy, *, today: date) -> QuerySet:
    """The contacts ``policy`` would erase on ``today``."""
    category = registry.retention_categories().get(policy.category)
    if category is None or not policy.is_active:
        return _contact_model().objects.none()
    return _not_erased(category.due(policy.years, today))


def contacts_due(*, today: date) -> QuerySet:
    """Every contact some active policy would erase on ``today``: one query."""
    model = _contact_model()
    conditions = [
        Q(pk__in=due_for(p, today=today).values("pk"))
        for p in RetentionPolicy.objects.filter(is_active=True)
    ]
    if not conditions:
        return model.objects.none()
    return model.objects.filter(reduce(or_, conditions))


@dataclass(frozen=True)
class PolicyPreview:
    policy: RetentionPolicy
    label: str
    count: int
    sample: list[int]


def retention_preview(*, today: date | None = None, sample: int = 20) -> list[PolicyPreview]:
    """What the next run will do, per policy: how many contacts, and the first numbers."""
    today = today or timezone.localdate()
    categories = registry.retention_categories()
    previews = []
    for policy in RetentionPolicy.objects.order_by("category"):
        due = due_for(policy, today=today)
        label = categories[policy.category].label if policy.category in categories else ""
        previews.append(
            PolicyPreview(
                policy=policy,
                label=str(label),
                count=due.count(),
                sample=list(due.order_by("pk").values_list("pk", flat=True)[:sample]),
            )
        )
    return previews


def retention_apply_one(*, contact_id: int, today: date) -> ErasureRecord | None:
    """Erase ``contact_id`` if an active policy still makes it due (checked again here: the
    contact may have had an interaction since the run listed it); None otherwise."""
    for policy in RetentionPolicy.objects.filter(is_active=True).order_by("category"):
        contact = due_for(policy, today=today).filter(pk=contact_id).first()
        if contact is not None:
            return erasure_execute(
                contact=contact,
                by=None,
                reason=f"retention: {policy.category}, {policy.years} years",
            )
    return None


@transaction.atomic
def retention_policy_save(*, actor, policy: RetentionPolicy) -> RetentionPolicy:
    if policy.category not in registry.retention_categories():
        raise ValidationError({"category": [_("Choose a known category.")]})
    created = policy._state.adding
    policy.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    policy.full_clean()
    policy.save()
    audit.retention_policy_saved(actor=actor, policy=policy, created=created)
    return policy
