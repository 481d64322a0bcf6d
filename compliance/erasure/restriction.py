"""Restriction of processing (GDPR Art. 18, PDPA Art. 11): while a restriction is in force
the contact stays in its RM's book, marked, but the may-contact door
(``compliance.consent.rules``) refuses every purpose on every channel."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit
from compliance.consent.rules import RestrictionKind
from compliance.models import ContactRestriction


def active_restrictions(contact_id: int, *, kind: str = RestrictionKind.RESTRICTED):
    now = timezone.now()
    return ContactRestriction.objects.filter(
        contact_id=contact_id, kind=kind, since__lte=now, lifted_at__isnull=True
    )


@transaction.atomic
def restriction_apply(*, actor, contact, reason: str) -> ContactRestriction:
    """Restrict all processing of ``contact`` from now on, for ``reason`` (e.g. "accuracy
    contested, request 2025-014")."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the restriction.")]})
    if active_restrictions(contact.pk).exists():
        raise ValidationError(_("Processing of this contact is already restricted."))
    restriction = ContactRestriction(
        contact_id=contact.pk,
        kind=RestrictionKind.RESTRICTED,
        reason=reason.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    restriction.full_clean()
    restriction.save()
    audit.restriction_applied(actor=actor, restriction=restriction)
    return restriction


@transaction.atomic
def restriction_lift(*, actor, restriction: ContactRestriction) -> ContactRestriction:
    """End a restriction. An erasure's mark is never lifted."""
    restriction = ContactRestriction.objects.select_for_update().get(pk=restriction.pk)
    if restriction.kind != RestrictionKind.RESTRICTED:
        raise ValidationError(_("An erased contact's restriction cannot be lifted."))
    if restriction.lifted_at is not None:
        raise ValidationError(_("This restriction was already lifted."))
    restriction.lifted_at = timezone.now()
    restriction.full_clean()
    restriction.save(update_fields=["lifted_at"])
    audit.restriction_lifted(actor=actor, restriction=restriction)
    return restriction
