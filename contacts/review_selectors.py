"""Reads for four-eyes review: the queue, one entry as a before/after diff, a batch.

A reviewer reads entries whatever the book, but only what the entry is about: the diff
names the contact and the fields under review, shows the national ID masked, and links
nowhere else in the book. These reads do not go through ``Contact.objects.visible_to``
on purpose; they are reached only with the reviewer permission.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.crypto import mask
from contacts.models import (
    ChangeKind,
    Contact,
    ContactPointKind,
    PendingChange,
    ReviewBatch,
    ReviewStatus,
)
from contacts.models.contact import RiskLevel
from contacts.services.contacts import EDITABLE_FIELDS

# How long a proposer keeps seeing a rejection on the contact page.
RECENT_OUTCOME_DAYS = 30


@dataclass(frozen=True)
class DiffRow:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def review_queue(*, user) -> dict:
    changes = (
        PendingChange.objects.pending()
        .select_related("proposed_by", "contact")
        .order_by("created_at", "id")
    )
    batches = (
        ReviewBatch.objects.filter(status=ReviewStatus.PENDING)
        .select_related("proposed_by", "owner")
        .order_by("created_at", "id")
    )
    return {"changes": list(changes), "batches": list(batches)}


def entries_proposed_by(*, user) -> dict:
    """The user's own entries and what became of them."""
    changes = (
        PendingChange.objects.filter(proposed_by=user)
        .select_related("reviewed_by", "contact")
        .order_by("-created_at", "-id")[:100]
    )
    batches = ReviewBatch.objects.filter(proposed_by=user).order_by("-created_at", "-id")[:100]
    return {"changes": list(changes), "batches": list(batches)}


def contact_review_status(contact: Contact) -> list[PendingChange]:
    """What the contact page shows: entries awaiting review, and recent rejections."""
    since = timezone.now() - timedelta(days=RECENT_OUTCOME_DAYS)
    return list(
        contact.pending_changes.filter(
            Q(status=ReviewStatus.PENDING) | Q(status=ReviewStatus.REJECTED, reviewed_at__gte=since)
        )
        .select_related("proposed_by")
        .order_by("-created_at")
    )


def _text(contact: Contact | None, name: str, value) -> str:
    if value in (None, ""):
        return ""
    if name == "national_id":
        return mask(str(value))
    field = Contact._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def _label(name: str) -> str:
    return str(Contact._meta.get_field(name).verbose_name).capitalize()


def _point_text(kind: str, value: str) -> str:
    return f"{ContactPointKind(kind).label}: {value}"


def change_diff(change: PendingChange) -> list[DiffRow]:
    """The entry as before/after rows. "Before" is the contact as it is now; when the
    contact moved on since the proposal (``is_stale``), approval will be refused."""
    contact = change.contact
    values = change.values
    if change.kind == ChangeKind.CREATE:
        rows = [
            DiffRow(_label(n), "", _text(contact, n, getattr(contact, n)))
            for n in EDITABLE_FIELDS
            if getattr(contact, n) not in (None, "", False)
        ]
        rows += [
            DiffRow(_("Contact point"), "", _point_text(p.kind, p.value))
            for p in contact.contact_points.all()
        ]
        return rows
    if change.kind == ChangeKind.UPDATE:
        rows = []
        for name, proposed in values.items():
            if name == "national_id":
                proposed = change.national_id if proposed else ""
            rows.append(
                DiffRow(
                    _label(name),
                    _text(contact, name, getattr(contact, name)),
                    _text(contact, name, proposed),
                )
            )
        return rows
    if change.kind == ChangeKind.POINT_ADD:
        return [DiffRow(_("Contact point"), "", _point_text(values["kind"], values["value"]))]
    if change.kind == ChangeKind.POINT_REMOVE:
        return [DiffRow(_("Contact point"), _point_text(values["kind"], values["value"]), "")]
    if change.kind == ChangeKind.RISK_RECORD:
        current = ""
        if contact.risk_level:
            current = _("%(level)s, valid until %(date)s") % {
                "level": RiskLevel(contact.risk_level).label,
                "date": contact.risk_valid_until,
            }
        proposed = _("%(level)s, valid until %(date)s") % {
            "level": RiskLevel(values["level"]).label,
            "date": values["valid_until"],
        }
        return [DiffRow(_("Risk profile"), current, proposed)]
    return []


def is_stale(change: PendingChange) -> bool:
    if change.contact is None:
        return True
    if change.kind == ChangeKind.CREATE:
        return False  # the reviewer approves what the diff shows (its version travels along)
    return change.contact.version != change.base_version
