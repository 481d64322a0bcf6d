"""Creating and editing contacts."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit
from compliance.crypto import lookup_hash
from compliance.erasure import suppression
from compliance.sensitive import flag_codes
from contacts import validators
from contacts.models import (
    ChangeKind,
    Contact,
    ContactPointKind,
    PendingChange,
    ReviewStatus,
    may_read_restricted,
)
from contacts.models.contact import AcquisitionSource
from contacts.models.entry import ReviewBatch, ReviewSubject
from contacts.search import contact_tokens
from contacts.services import holds
from contacts.services.policies import contact_facts, policy_enforce
from core.exceptions import ApplicationError

# Fields a person edits on the contact form; anything else changes through its own service.
EDITABLE_FIELDS = (
    "family_name",
    "given_name",
    "name_zh",
    "name_romanised",
    "preferred_name",
    "preferred_language",
    "date_of_birth",
    "national_id",
    "national_id_country",
    "country_of_residence",
    "lifecycle_stage",
    "relationship_started_on",
    "relationship_ended_on",
    "acquisition_source",
    "is_deceased",
    "deceased_on",
    "do_not_contact",
    "left_employer",
    "last_reviewed_on",
    "next_review_due",
    "notes",
)
NAME_FIELDS = ("family_name", "given_name", "name_zh", "name_romanised", "preferred_name")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    current: object


class StaleEditError(ApplicationError):
    """The contact changed since the form was opened; nothing was saved."""

    def __init__(self, *, contact: Contact, changes: list[FieldChange]) -> None:
        super().__init__(
            _(
                "Someone else changed this contact while you were editing it. Nothing was "
                "saved. Review their changes below, then make your edit again."
            )
        )
        self.contact = contact
        self.changes = changes


def field_text(contact: Contact, name: str) -> str:
    """A field's value as text, for comparing what a user saw with what is on file. The
    national ID is compared by its lookup hash, so it never travels in a form."""
    if name == "national_id":
        return contact.national_id_hash
    if name == "notes":
        # Compared by digest too: the form's signed snapshot is readable in the page, and
        # restricted notes must not travel to someone who may not read them.
        return hashlib.sha256(contact.notes.encode()).hexdigest()[:32] if contact.notes else ""
    value = getattr(contact, name)
    return "" if value is None else str(value)


def _shown_value(contact: Contact, name: str, actor):
    if name == "national_id":
        return contact.national_id_masked
    if name == "notes" and contact.notes_for(actor) is None:
        return _("Restricted note")
    return getattr(contact, name)


def snapshot(contact: Contact) -> dict[str, str]:
    """What a person sees when they open the edit form (see ``contact_update``'s ``seen``)."""
    return {name: field_text(contact, name) for name in EDITABLE_FIELDS}


def _clean_values(values: dict, *, today: date, current: Contact | None = None) -> dict:
    """Normalise and validate what a person typed; collect every error at once.

    On an update (``current`` given) a field not being edited keeps its value on file, so
    editing the notes alone neither loses the names nor the national ID's country.
    """
    cleaned = dict(values)
    errors: dict[str, list] = {}

    def value_of(name: str):
        return cleaned[name] if name in cleaned else getattr(current, name, "")

    for name in NAME_FIELDS:
        if name in cleaned:
            cleaned[name] = validators.normalize_name(cleaned[name] or "")
    if "date_of_birth" in cleaned:
        try:
            validators.validate_date_of_birth(cleaned["date_of_birth"], today=today)
        except ValidationError as error:
            errors["date_of_birth"] = error.messages
    if cleaned.get("national_id"):
        try:
            cleaned["national_id"] = validators.normalize_national_id(
                cleaned["national_id"], country=value_of("national_id_country")
            )
        except ValidationError as error:
            errors["national_id"] = error.messages
    if "deceased_on" in cleaned and cleaned["deceased_on"] and not cleaned.get("is_deceased"):
        cleaned["is_deceased"] = True
    if cleaned.get("deceased_on") and cleaned["deceased_on"] > today:
        errors["deceased_on"] = [_("The date of death cannot be in the future.")]
    if not any(value_of(n) for n in NAME_FIELDS):
        errors["family_name"] = [_("Enter at least one name: family, given, Chinese or preferred.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def refresh_search_tokens(contact: Contact) -> str:
    """Recompute the contact's search tokens from its names and contact points."""
    points = list(contact.contact_points.values_list("kind", "normalized"))
    names = [getattr(contact, n) for n in NAME_FIELDS]
    if validators.has_cjk(contact.family_name + contact.given_name):
        # A Chinese name typed into family and given is searched whole: 陳 + 怡君 -> 陳怡君.
        names.append(f"{contact.family_name}{contact.given_name}")
    return contact_tokens(
        names=names,
        emails=[v for k, v in points if k == ContactPointKind.EMAIL and v],
        phones=[v for k, v in points if k == ContactPointKind.PHONE and v],
    )


def _save_tokens(contact: Contact) -> None:
    # Names come from the row: the caller's instance may predate an edit of them.
    contact.refresh_from_db(fields=[*NAME_FIELDS, "search_tokens"])
    tokens = refresh_search_tokens(contact)
    if tokens != contact.search_tokens:
        contact.search_tokens = tokens
        Contact.objects.filter(pk=contact.pk).update(search_tokens=tokens)


def refuse_if_suppressed(*, acquisition_source: str, field: str, **identifiers) -> None:
    """An erased person is on the suppression list: they may not be added again from a
    marketing source (anything but an existing client relationship)."""
    if acquisition_source == AcquisitionSource.EXISTING_RELATIONSHIP:
        return
    if suppression.is_suppressed(**identifiers):
        raise ValidationError(
            {
                field: [
                    _(
                        "This person asked for their data to be erased. They cannot be added "
                        "again from a marketing source; ask the DPO if they are a client."
                    )
                ]
            }
        )


@transaction.atomic
def contact_create(
    *, actor, owner=None, reviewed_in: ReviewBatch | None = None, **values
) -> Contact:
    """Add a contact to a book (the actor's own unless ``owner`` is given).

    The required-field rules for its stage are enforced (a blocking finding refuses it).
    If new contacts at its stage need review, it is saved marked ``awaiting_review`` with a
    ``PendingChange`` on the queue; ``reviewed_in`` is the approved batch (an import
    reviewed as a whole) it comes from, which is its review.
    """
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    today = timezone.localdate()
    cleaned = _clean_values(values, today=today)
    refuse_if_suppressed(
        acquisition_source=cleaned.get("acquisition_source", ""),
        field="national_id",
        national_id=cleaned.get("national_id", ""),
    )
    contact = Contact(owner=owner or actor, created_by=actor, **cleaned)
    contact.notes_flags = flag_codes(contact.notes)
    contact.national_id_hash = lookup_hash(contact.national_id, scope="national_id")
    contact.full_clean(exclude=["display_name"])
    policy_enforce(after=contact_facts(contact))
    contact.save()
    _save_tokens(contact)
    audit.record_created(
        actor=actor,
        obj=contact,
        contact_id=contact.pk,
        values={
            k: v
            for k, v in {**cleaned, "notes_flags": contact.notes_flags}.items()
            if v not in (None, "", [])
        },
    )
    batch_approved = reviewed_in is not None and reviewed_in.status == ReviewStatus.APPROVED
    if not batch_approved and ReviewSubject.NEW_CONTACT in holds.subjects_needing_review(
        contact.lifecycle_stage
    ):
        holds.contact_hold_new(actor=actor, contact=contact)
    return contact


@transaction.atomic
def contact_update(
    *,
    actor,
    contact: Contact,
    expected_version: int,
    seen: dict[str, str] | None = None,
    review: PendingChange | None = None,
    **values,
) -> Contact:
    """Save an edit made on a form opened at ``expected_version``.

    Required-field rules: the edit may not introduce a blocking finding. Four eyes: changes
    to fields that need review at the contact's stage (names, date of birth, national ID
    for a client, by default) are held as one ``PendingChange`` (``held_for_review`` on the
    returned contact) while the rest is saved; ``review`` is the approved item being applied.

    If the contact changed since then, nothing is saved and ``StaleEditError`` lists what
    the other person changed: the fields whose value on file differs from what the user saw
    (``seen``, from ``snapshot``), so the user can redo their edit knowingly.
    """
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    current = Contact.objects.select_for_update().get(pk=contact.pk)
    if current.version != expected_version:
        if seen is not None:
            changed = [n for n in EDITABLE_FIELDS if field_text(current, n) != seen.get(n, "")]
        else:
            changed = [n for n, value in values.items() if getattr(current, n) != value]
        changes = [
            FieldChange(
                field=name,
                label=str(Contact._meta.get_field(name).verbose_name),
                # Masked and restricted values stay so, like everywhere else.
                current=_shown_value(current, name, actor),
            )
            for name in changed
        ]
        raise StaleEditError(contact=current, changes=changes)
    cleaned = _clean_values(values, today=timezone.localdate(), current=current)
    if (
        "notes" in cleaned
        and cleaned["notes"] != current.notes
        and current.notes_restricted
        and not may_read_restricted(actor, owner_id=current.owner_id)
    ):
        raise ValidationError({"notes": [_("These notes are restricted; you cannot edit them.")]})
    facts_before = contact_facts(current)
    before = {name: getattr(current, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = [name for name in cleaned if before[name] != cleaned[name]]
    policy_enforce(after=contact_facts(current), before=facts_before)
    held = {}
    if changed and not current.awaiting_review and not holds.is_approval(review, current):
        reviewed = holds.reviewed_fields(before.get("lifecycle_stage", current.lifecycle_stage))
        held = {name: cleaned[name] for name in changed if name in reviewed}
        for name in held:
            setattr(current, name, before[name])
        changed = [name for name in changed if name not in held]
    current.national_id_hash = lookup_hash(current.national_id, scope="national_id")
    current.held_for_review = None
    if "notes" in changed:
        # Recomputed on every edit, so removing the sensitive words clears the flag.
        before["notes_flags"] = current.notes_flags
        cleaned["notes_flags"] = current.notes_flags = flag_codes(current.notes)
        if cleaned["notes_flags"] != before["notes_flags"]:
            changed.append("notes_flags")
    if changed:
        current.version += 1
        current.full_clean(exclude=["display_name"])
        current.save(
            update_fields=[*changed, "national_id_hash", "display_name", "version", "updated_at"]
        )
        if set(changed) & set(NAME_FIELDS):
            _save_tokens(current)
        audit.record_updated(
            actor=actor,
            obj=current,
            contact_id=current.pk,
            changes={name: (before[name], cleaned[name]) for name in changed},
        )
    if held:
        national_id = held.pop("national_id", None)
        if national_id is not None:
            held["national_id"] = bool(national_id)  # a marker: the value is encrypted apart
        current.held_for_review = holds.change_hold(
            actor=actor,
            contact=current,
            kind=ChangeKind.UPDATE,
            values=held,
            national_id=national_id or "",
        )
    return current


@transaction.atomic
def contact_notes_restrict(*, actor, contact: Contact, restricted: bool) -> Contact:
    """Restrict the notes to the contact's RM and compliance, or lift the restriction.
    Only they may do either."""
    current = Contact.objects.select_for_update().get(pk=contact.pk)
    if not may_read_restricted(actor, owner_id=current.owner_id):
        raise PermissionDenied
    if current.notes_restricted == restricted:
        return current
    current.notes_restricted = restricted
    current.version += 1
    current.save(update_fields=["notes_restricted", "version", "updated_at"])
    audit.record_updated(
        actor=actor,
        obj=current,
        contact_id=current.pk,
        changes={"notes_restricted": (not restricted, restricted)},
    )
    return current


def contact_bump_version(contact: Contact) -> None:
    """A change to a contact's details (points, risk, employment) is a change to the
    contact: bump its version so an edit opened before it is refused."""
    Contact.objects.filter(pk=contact.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    contact.refresh_from_db(fields=["version", "updated_at"])
