"""Holding an entry for four-eyes review: what needs it, and putting it on the queue.

The contact services call this before they write: an entry that needs review (by the
admin-editable ``ReviewRule`` table, for the contact's lifecycle stage on file) becomes a
``PendingChange`` instead. ``contacts.services.review`` approves (re-running the same
services with the approved item) or rejects it.
"""

from datetime import date

from compliance import audit
from contacts.models import ChangeKind, Contact, PendingChange, ReviewRule, ReviewStatus
from contacts.models.entry import ReviewSubject

NAME_FIELDS = ("family_name", "given_name", "name_zh", "name_romanised", "preferred_name")
# Contact fields under each reviewed subject.
SUBJECT_FIELDS = {
    ReviewSubject.NAMES: NAME_FIELDS,
    ReviewSubject.DATE_OF_BIRTH: ("date_of_birth",),
    ReviewSubject.NATIONAL_ID: ("national_id", "national_id_country"),
}


def subjects_needing_review(stage: str) -> frozenset[str]:
    return frozenset(
        ReviewRule.objects.filter(lifecycle_stage=stage, is_active=True).values_list(
            "subject", flat=True
        )
    )


def reviewed_fields(stage: str) -> frozenset[str]:
    subjects = subjects_needing_review(stage)
    return frozenset(f for s, fields in SUBJECT_FIELDS.items() if s in subjects for f in fields)


def is_approval(review: PendingChange | None, contact: Contact) -> bool:
    """Whether ``review`` is the approved item now being applied to ``contact``."""
    return (
        review is not None
        and review.status == ReviewStatus.APPROVED
        and review.reviewed_by_id is not None
        and review.reviewed_by_id != review.proposed_by_id
        and review.contact_id == contact.pk
    )


def needs_review(*, contact: Contact, subject: str, review: PendingChange | None) -> bool:
    """Whether an entry on ``subject`` must wait: not for a contact still awaiting its own
    first review (the reviewer sees it whole), nor when applying an approved item."""
    if contact.awaiting_review or is_approval(review, contact):
        return False
    return subject in subjects_needing_review(contact.lifecycle_stage)


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def change_hold(
    *, actor, contact: Contact, kind: str, values: dict, national_id: str = ""
) -> PendingChange:
    """Put a proposed change on the review queue, against the contact's current version.
    The caller is inside its own transaction."""
    change = PendingChange(
        contact=contact,
        kind=kind,
        values={k: _plain(v) for k, v in values.items()},
        national_id=national_id,
        base_version=contact.version,
        proposed_by=actor,
    )
    change.full_clean()
    change.save()
    audit.review_proposed(actor=actor, change=change)
    return change


def contact_hold_new(*, actor, contact: Contact) -> PendingChange:
    """A new contact waits in the book, marked, until a reviewer approves it."""
    Contact.objects.filter(pk=contact.pk).update(awaiting_review=True)
    contact.awaiting_review = True
    return change_hold(actor=actor, contact=contact, kind=ChangeKind.CREATE, values={})
