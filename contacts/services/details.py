"""A contact's details: contact points, risk assessments, employment, relationships,
interactions. Each change bumps the contact's version and is audited."""

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit
from compliance.crypto import lookup_hash
from compliance.sensitive import flag_codes
from contacts import validators
from contacts.models import (
    Account,
    ChangeKind,
    Contact,
    ContactPoint,
    ContactPointKind,
    ContactPointStatus,
    Employment,
    Interaction,
    Organisation,
    PendingChange,
    Relationship,
    RiskAssessment,
    may_read_restricted,
)
from contacts.models.entry import ReviewSubject
from contacts.services import holds
from contacts.services.contacts import (
    _save_tokens,
    contact_bump_version,
    refuse_if_suppressed,
)
from contacts.services.policies import contact_facts, contact_refresh_for_rules, policy_enforce


def _normalise_point(*, kind: str, value: str, country: str, postal_code: str) -> dict:
    if kind == ContactPointKind.EMAIL:
        return {"normalized": validators.normalize_email(value)}
    if kind == ContactPointKind.PHONE:
        try:
            phone = validators.parse_phone(value)
        except ValidationError as error:
            raise ValidationError({"value": error.messages}) from error
        return {"normalized": phone.e164, "phone_type": phone.phone_type}
    if kind == ContactPointKind.ADDRESS:
        address = " ".join(validators.to_half_width(value).split())
        if not address:
            raise ValidationError({"value": [_("Enter the address.")]})
        try:
            code = validators.normalize_postal_code(postal_code, country=country)
        except ValidationError as error:
            raise ValidationError({"postal_code": error.messages}) from error
        return {"normalized": address[:320], "postal_code": code}
    raise ValidationError({"kind": [_("Choose email, phone or postal address.")]})


@transaction.atomic
def contact_point_add(
    *,
    actor,
    contact: Contact,
    kind: str,
    value: str,
    label: str = "",
    is_primary: bool = False,
    postal_code: str = "",
    country: str = "",
    verified_on: date | None = None,
    review: PendingChange | None = None,
) -> ContactPoint | PendingChange:
    """Add a contact point; for a contact whose points need review, it is held instead
    (the ``PendingChange`` is returned) once its value has been checked."""
    try:
        extra = _normalise_point(
            kind=kind, value=value, country=country or "TW", postal_code=postal_code
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise ValidationError({"value": error.messages}) from error
        raise
    if kind in (ContactPointKind.EMAIL, ContactPointKind.PHONE):
        refuse_if_suppressed(
            acquisition_source=contact.acquisition_source,
            field="value",
            **{kind: extra["normalized"]},
        )
    contact_refresh_for_rules(contact)
    if holds.needs_review(contact=contact, subject=ReviewSubject.CONTACT_POINTS, review=review):
        return holds.change_hold(
            actor=actor,
            contact=contact,
            kind=ChangeKind.POINT_ADD,
            values={
                "kind": kind,
                "value": value.strip(),
                "label": label,
                "is_primary": is_primary,
                "postal_code": postal_code,
                "country": country,
                "verified_on": verified_on,
            },
        )
    siblings = contact.contact_points.filter(kind=kind)
    if not siblings.exists():
        is_primary = True
    if is_primary:
        siblings.filter(is_primary=True).update(is_primary=False)
    point = ContactPoint(
        contact=contact,
        kind=kind,
        value=value.strip(),
        label=label,
        is_primary=is_primary,
        country=country if kind == ContactPointKind.ADDRESS else "",
        verified_on=verified_on,
        **extra,
    )
    point.full_clean()
    point.save()
    _save_tokens(contact)
    contact_bump_version(contact)
    audit.record_created(
        actor=actor,
        obj=point,
        contact_id=contact.pk,
        values={"kind": kind, "value": point.value, "normalized": point.normalized},
    )
    return point


@transaction.atomic
def contact_point_remove(
    *, actor, point: ContactPoint, review: PendingChange | None = None
) -> PendingChange | None:
    """Remove a contact point, unless that leaves a blocking rule broken (a client's last
    valid point, where the rule blocks). Held for review where points need it."""
    contact = contact_refresh_for_rules(point.contact)
    if holds.needs_review(contact=contact, subject=ReviewSubject.CONTACT_POINTS, review=review):
        facts = contact_facts(contact)
        lost = 1 if point.status == ContactPointStatus.VALID else 0
        after = contact_facts(contact, valid_contact_points=facts.valid_contact_points - lost)
        policy_enforce(after=after, before=facts)
        return holds.change_hold(
            actor=actor,
            contact=contact,
            kind=ChangeKind.POINT_REMOVE,
            values={"point": point.pk, "kind": point.kind, "value": point.value},
        )
    facts_before = contact_facts(contact)
    audit.record_deleted(actor=actor, obj=point, contact_id=contact.pk)
    was_primary = point.is_primary
    point.delete()
    if was_primary:
        successor = contact.contact_points.filter(kind=point.kind).order_by("id").first()
        if successor:
            successor.is_primary = True
            successor.save(update_fields=["is_primary", "updated_at"])
    policy_enforce(after=contact_facts(contact), before=facts_before)
    _save_tokens(contact)
    contact_bump_version(contact)
    return None


@transaction.atomic
def risk_assessment_record(
    *,
    actor,
    contact: Contact,
    level: str,
    assessed_on: date,
    valid_until: date,
    is_professional_investor: bool = False,
    review: PendingChange | None = None,
) -> RiskAssessment | PendingChange:
    """Add an assessment to the history; the contact's current profile follows the latest
    one that is still valid. Held for review where risk assessments need it."""
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": [_("The assessment date cannot be in the future.")]})
    if valid_until <= assessed_on:
        raise ValidationError(
            {"valid_until": [_("An assessment must stay valid after the day it was made.")]}
        )
    contact_refresh_for_rules(contact)
    if holds.needs_review(contact=contact, subject=ReviewSubject.RISK_ASSESSMENT, review=review):
        return holds.change_hold(
            actor=actor,
            contact=contact,
            kind=ChangeKind.RISK_RECORD,
            values={
                "level": level,
                "assessed_on": assessed_on,
                "valid_until": valid_until,
                "is_professional_investor": is_professional_investor,
            },
        )
    assessment = RiskAssessment(
        contact=contact,
        level=level,
        assessed_on=assessed_on,
        valid_until=valid_until,
        is_professional_investor=is_professional_investor,
        assessed_by=actor,
    )
    assessment.full_clean()
    assessment.save()
    contact_refresh_risk(contact)
    audit.record_created(
        actor=actor,
        obj=assessment,
        contact_id=contact.pk,
        values={"level": level, "assessed_on": assessed_on, "valid_until": valid_until},
    )
    return assessment


def contact_refresh_risk(contact: Contact) -> None:
    """Copy the latest valid assessment onto the contact, so lists filter in one index."""
    latest = (
        contact.risk_assessments.filter(valid_until__gte=timezone.localdate())
        .order_by("-assessed_on", "-id")
        .first()
    ) or contact.risk_assessments.order_by("-assessed_on", "-id").first()
    level = latest.level if latest else ""
    valid_until = latest.valid_until if latest else None
    Contact.objects.filter(pk=contact.pk).update(risk_level=level, risk_valid_until=valid_until)
    contact.risk_level, contact.risk_valid_until = level, valid_until
    contact_bump_version(contact)


@transaction.atomic
def employment_add(
    *,
    actor,
    contact: Contact,
    organisation: Organisation,
    title: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
) -> Employment:
    employment = Employment(
        contact=contact,
        organisation=organisation,
        title=title.strip(),
        started_on=started_on,
        ended_on=ended_on,
    )
    employment.full_clean()
    employment.save()
    contact_bump_version(contact)
    audit.record_created(
        actor=actor,
        obj=employment,
        contact_id=contact.pk,
        values={"organisation": organisation.pk, "title": title, "ended_on": ended_on},
    )
    return employment


@transaction.atomic
def employment_end(*, actor, employment: Employment, ended_on: date) -> Employment:
    """Record that the contact left. Mail to their old employer stops reaching them."""
    if employment.started_on and ended_on < employment.started_on:
        raise ValidationError({"ended_on": [_("The end date is before the start date.")]})
    before = employment.ended_on
    employment.ended_on = ended_on
    employment.full_clean()
    employment.save(update_fields=["ended_on", "updated_at"])
    contact = employment.contact
    if not contact.employments.current(on=timezone.localdate()).exists():
        Contact.objects.filter(pk=contact.pk).update(left_employer=True)
    contact_bump_version(contact)
    audit.record_updated(
        actor=actor,
        obj=employment,
        contact_id=contact.pk,
        changes={"ended_on": (before, ended_on)},
    )
    return employment


@transaction.atomic
def relationship_add(
    *, actor, from_contact: Contact, to_contact: Contact, kind: str
) -> Relationship:
    if from_contact.pk == to_contact.pk:
        raise ValidationError({"to_contact": [_("A contact cannot be related to themselves.")]})
    relationship = Relationship(
        from_contact=from_contact, to_contact=to_contact, kind=kind, created_by=actor
    )
    relationship.full_clean()
    relationship.save()
    audit.record_created(
        actor=actor,
        obj=relationship,
        contact_id=from_contact.pk,
        values={"kind": kind, "to_contact": to_contact.pk},
    )
    return relationship


@transaction.atomic
def interaction_add(
    *, actor, contact: Contact, channel: str, summary: str, occurred_at: datetime | None = None
) -> Interaction:
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": [_("An interaction cannot be in the future.")]})
    interaction = Interaction(
        contact=contact,
        channel=channel,
        summary=summary.strip(),
        occurred_at=occurred_at,
        recorded_by=actor,
    )
    interaction.sensitive_flags = flag_codes(interaction.summary)
    interaction.full_clean()
    interaction.save()
    audit.record_created(
        actor=actor,
        obj=interaction,
        contact_id=contact.pk,
        values={
            "channel": channel,
            "summary": interaction.summary,
            **(
                {"sensitive_flags": interaction.sensitive_flags}
                if interaction.sensitive_flags
                else {}
            ),
        },
    )
    return interaction


def _lock_interaction(*, actor, interaction: Interaction) -> Interaction:
    current = (
        Interaction.objects.select_for_update().select_related("contact").get(pk=interaction.pk)
    )
    if not may_read_restricted(actor, owner_id=current.contact.owner_id):
        raise PermissionDenied
    return current


@transaction.atomic
def interaction_update(*, actor, interaction: Interaction, summary: str) -> Interaction:
    """Rewrite a summary (e.g. to take out sensitive text): the contact's RM or compliance
    only. The special-category flag is computed again from the new text."""
    current = _lock_interaction(actor=actor, interaction=interaction)
    before = {"summary": current.summary, "sensitive_flags": current.sensitive_flags}
    current.summary = summary.strip()
    current.sensitive_flags = flag_codes(current.summary)
    current.full_clean()
    changes = {
        name: (before[name], getattr(current, name))
        for name in before
        if before[name] != getattr(current, name)
    }
    if not changes:
        return current
    current.save(update_fields=[*changes, "updated_at"])
    contact_bump_version(current.contact)
    audit.record_updated(actor=actor, obj=current, contact_id=current.contact_id, changes=changes)
    return current


@transaction.atomic
def interaction_restrict(*, actor, interaction: Interaction, restricted: bool) -> Interaction:
    """Show the interaction only to the contact's RM and compliance, or lift that."""
    current = _lock_interaction(actor=actor, interaction=interaction)
    if current.restricted == restricted:
        return current
    current.restricted = restricted
    current.save(update_fields=["restricted", "updated_at"])
    audit.record_updated(
        actor=actor,
        obj=current,
        contact_id=current.contact_id,
        changes={"restricted": (not restricted, restricted)},
    )
    return current


@transaction.atomic
def account_add(
    *,
    actor,
    contact: Contact,
    kind: str,
    number: str,
    institution: str = "",
    opened_on: date | None = None,
) -> Account:
    """Record an account the contact holds; the number is encrypted, its hash kept for
    exact lookup."""
    compact = re.sub(r"[\s-]", "", validators.to_half_width(number or "")).upper()
    if not re.fullmatch(r"[0-9A-Z]{4,34}", compact):
        raise ValidationError({"number": [_("An account number has 4 to 34 letters and digits.")]})
    account = Account(
        contact=contact,
        kind=kind,
        institution=institution.strip(),
        number=compact,
        number_hash=lookup_hash(compact, scope="account_number"),
        opened_on=opened_on,
    )
    account.full_clean()
    account.save()
    contact_bump_version(contact)
    audit.record_created(
        actor=actor,
        obj=account,
        contact_id=contact.pk,
        values={"kind": kind, "number": compact},
    )
    return account
