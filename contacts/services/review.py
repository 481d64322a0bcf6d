"""Four-eyes review: approving or rejecting what ``holds`` put on the queue, and bulk
entries (an import) reviewed as one batch.

Approval applies the item through the ordinary contact services (the same validation,
required-field rules and audit), against the version it was proposed on: if the contact
changed since, approval is refused and the proposer re-enters the change. Nobody reviews
their own entry.
"""

import functools
import random
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import audit
from contacts.models import (
    ChangeKind,
    Contact,
    ContactPoint,
    PendingChange,
    ReviewBatch,
    ReviewBatchRow,
    ReviewStatus,
)
from contacts.services import details
from contacts.services.contacts import (
    EDITABLE_FIELDS,
    StaleEditError,
    _clean_values,
    contact_create,
    contact_update,
)
from contacts.services.policies import contact_facts, policy_enforce
from core import roles

STALE_MESSAGE = gettext_lazy(
    "The contact changed after this change was proposed, so it cannot be applied as "
    "reviewed. Reject it; the proposer can enter it again on the current record."
)


def _may_review(user) -> None:
    if not user.has_perm("contacts.review_pendingchange"):
        raise PermissionDenied(_("Your role does not allow this."))


def _not_own(user, proposed_by_id: int) -> None:
    if user.pk == proposed_by_id:
        raise ValidationError(_("Nobody reviews their own entry: ask another reviewer."))


def _locked_pending(change: PendingChange) -> PendingChange:
    current = PendingChange.objects.select_for_update().get(pk=change.pk)
    if current.status != ReviewStatus.PENDING:
        raise ValidationError(_("This entry has already been reviewed."))
    return current


def _field_value(name: str, value):
    return Contact._meta.get_field(name).to_python(value)


def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def _apply(change: PendingChange, *, actor, seen_version: int | None) -> None:
    contact = Contact.objects.select_for_update().get(pk=change.contact_id)
    if change.kind == ChangeKind.CREATE:
        # The reviewer approved the record as the diff showed it.
        if seen_version is not None and contact.version != seen_version:
            raise ValidationError(STALE_MESSAGE)
        Contact.objects.filter(pk=contact.pk).update(awaiting_review=False)
        return
    if contact.version != change.base_version:
        raise ValidationError(STALE_MESSAGE)
    values = dict(change.values)
    if change.kind == ChangeKind.UPDATE:
        if "national_id" in values:
            values["national_id"] = change.national_id if values["national_id"] else ""
        values = {name: _field_value(name, value) for name, value in values.items()}
        try:
            contact_update(
                actor=actor,
                contact=contact,
                expected_version=change.base_version,
                review=change,
                **values,
            )
        except StaleEditError as error:
            raise ValidationError(STALE_MESSAGE) from error
    elif change.kind == ChangeKind.POINT_ADD:
        verified_on = values.pop("verified_on", None)
        details.contact_point_add(
            actor=actor,
            contact=contact,
            review=change,
            verified_on=_date(verified_on),
            **values,
        )
    elif change.kind == ChangeKind.POINT_REMOVE:
        point = ContactPoint.objects.filter(pk=values["point"], contact=contact).first()
        if point is None:
            raise ValidationError(STALE_MESSAGE)
        details.contact_point_remove(actor=actor, point=point, review=change)
    elif change.kind == ChangeKind.RISK_RECORD:
        details.risk_assessment_record(
            actor=actor,
            contact=contact,
            review=change,
            level=values["level"],
            assessed_on=_date(values["assessed_on"]),
            valid_until=_date(values["valid_until"]),
            is_professional_investor=values["is_professional_investor"],
        )


@transaction.atomic
def change_approve(
    *, actor, change: PendingChange, seen_version: int | None = None
) -> PendingChange:
    """Approve and apply. ``seen_version`` is the contact's version the reviewer's diff
    showed (for a new contact, whose record the owner may still be completing)."""
    _may_review(actor)
    change = _locked_pending(change)
    _not_own(actor, change.proposed_by_id)
    if change.contact_id is None:
        raise ValidationError(STALE_MESSAGE)
    change.status = ReviewStatus.APPROVED
    change.reviewed_by = actor
    change.reviewed_at = timezone.now()
    change.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    _apply(change, actor=actor, seen_version=seen_version)
    audit.review_approved(actor=actor, change=change)
    return change


@transaction.atomic
def change_reject(*, actor, change: PendingChange, reason: str) -> PendingChange:
    """Discard the proposal, with the reviewer's reason for the proposer. A rejected new
    contact is removed from the book (it was never approved to be in it)."""
    _may_review(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason, for the person who entered it.")]})
    change = _locked_pending(change)
    _not_own(actor, change.proposed_by_id)
    contact_id = change.contact_id
    change.status = ReviewStatus.REJECTED
    change.reviewed_by = actor
    change.reviewed_at = timezone.now()
    change.reason = reason
    change.values = {}
    change.national_id = ""
    change.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "reason",
            "values",
            "national_id",
            "updated_at",
        ]
    )
    audit.review_rejected(actor=actor, change=change, contact_id=contact_id)
    if change.kind == ChangeKind.CREATE and contact_id is not None:
        contact = Contact.objects.get(pk=contact_id)
        audit.record_deleted(actor=actor, obj=contact, contact_id=contact_id)
        try:
            with transaction.atomic():
                contact.delete()
        except ProtectedError as error:
            raise ValidationError(
                _(
                    "This new contact already has consent records, which must be kept, so it "
                    "cannot simply be discarded. Ask compliance to erase it."
                )
            ) from error
    return change


# --- bulk entries --------------------------------------------------------------------------------

SAMPLE_SIZE = 20


@dataclass(frozen=True)
class BatchRowInput:
    """One row as read from a file: the contact's editable values (strings or dates)."""

    number: int
    values: dict
    errors: dict = field(default_factory=dict)  # found while reading the file


def _row_errors(values: dict, *, today) -> dict[str, list[str]]:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        return {
            "__all__": [_("Unknown columns: %(names)s") % {"names": ", ".join(sorted(unknown))}]
        }
    try:
        cleaned = _clean_values(values, today=today)
        contact = Contact(**cleaned)
        contact.full_clean(exclude=["display_name", "owner"])
        policy_enforce(after=contact_facts(contact))
    except ValidationError as error:
        return error.message_dict
    return {}


@transaction.atomic
def review_batch_create(
    *, actor, owner, source_name: str, rows: list[BatchRowInput]
) -> ReviewBatch:
    """Check every row (the same validation and blocking rules as ``contact_create``) and
    put the batch on the review queue with its row report. Nothing is created yet."""
    today = timezone.localdate()
    batch = ReviewBatch(
        source_name=source_name[:200], owner=owner, proposed_by=actor, row_count=len(rows)
    )
    batch.full_clean()
    batch.save()
    objs = []
    for row in rows:
        errors = row.errors or _row_errors(row.values, today=today)
        values = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.values.items()}
        national_id = values.pop("national_id", "") or ""
        objs.append(
            ReviewBatchRow(
                batch=batch,
                number=row.number,
                values=values,
                national_id=national_id,
                errors=errors,
            )
        )
    ReviewBatchRow.objects.bulk_create(objs, batch_size=1000)
    batch.error_count = sum(1 for o in objs if o.errors)
    batch.save(update_fields=["error_count", "updated_at"])
    audit.review_batch_decided(actor=actor, batch=batch)
    return batch


def review_batch_sample(batch: ReviewBatch, *, size: int = SAMPLE_SIZE) -> list[ReviewBatchRow]:
    """A random sample of the valid rows, the same each time the batch is shown (seeded by
    the batch), so two looks at one batch see one sample."""
    ids = list(batch.rows.filter(errors={}).values_list("pk", flat=True))
    chosen = random.Random(batch.pk).sample(ids, min(size, len(ids)))  # noqa: S311 (a sample, not a secret)
    return list(ReviewBatchRow.objects.filter(pk__in=chosen).order_by("number"))


def review_batch_errors(batch: ReviewBatch) -> list[ReviewBatchRow]:
    return list(batch.rows.exclude(errors={}).order_by("number"))


def _locked_pending_batch(batch: ReviewBatch) -> ReviewBatch:
    current = ReviewBatch.objects.select_for_update().get(pk=batch.pk)
    if current.status != ReviewStatus.PENDING:
        raise ValidationError(_("This entry has already been reviewed."))
    return current


# Batches with more valid rows than this are applied by a background task, a chunk at a
# time, with progress on the batch page; smaller ones within the reviewer's request.
DEFAULT_INLINE_ROWS = 500
APPLY_CHUNK = 500


def inline_rows() -> int:
    return getattr(settings, "REVIEW_BATCH_INLINE_ROWS", DEFAULT_INLINE_ROWS)


def review_batch_valid_rows(batch: ReviewBatch) -> int:
    return batch.row_count - batch.error_count


def _create_rows(batch: ReviewBatch, rows) -> list[int]:
    created = []
    for row in rows:
        values = {name: _field_value(name, v) for name, v in row.values.items()}
        if row.national_id:
            values["national_id"] = row.national_id
        contact = contact_create(
            actor=batch.proposed_by, owner=batch.owner, reviewed_in=batch, **values
        )
        row.contact = contact
        row.save(update_fields=["contact"])
        created.append(contact.pk)
    return created


@transaction.atomic
def review_batch_approve(*, actor, batch: ReviewBatch) -> ReviewBatch:
    """Approve the batch: every valid row is to become a contact through
    ``contact_create`` (the batch is their review); rows with errors are left out, as the
    row report showed.

    A batch of up to ``REVIEW_BATCH_INLINE_ROWS`` valid rows is applied here, all or
    nothing. A larger one is handed to a task after this commits
    (``contacts.tasks.apply_review_batch``), which applies it a chunk at a time, each chunk
    committed with its progress, and resumes where it stopped if a worker dies; the batch
    page shows the progress until ``applied_at`` is set.
    """
    _may_review(actor)
    batch = _locked_pending_batch(batch)
    _not_own(actor, batch.proposed_by_id)
    batch.status = ReviewStatus.APPROVED
    batch.reviewed_by = actor
    batch.reviewed_at = timezone.now()
    if review_batch_valid_rows(batch) > inline_rows():
        batch.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
        audit.review_batch_decided(actor=actor, batch=batch)
        from contacts.tasks import apply_review_batch

        transaction.on_commit(functools.partial(apply_review_batch.delay, batch.pk))
        return batch
    rows = batch.rows.filter(errors={}).order_by("number").iterator(chunk_size=1000)
    created = _create_rows(batch, rows)
    batch.created_count = len(created)
    batch.applied_at = timezone.now()
    batch.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "created_count",
            "applied_at",
            "updated_at",
        ]
    )
    audit.review_batch_decided(actor=actor, batch=batch, contact_ids=created)
    return batch


def review_batch_apply(*, batch_id: int, chunk: int | None = None) -> ReviewBatch:
    """Apply an approved batch in chunks: each chunk's contacts, its rows' links and the
    progress count commit together. Safe to run twice or after a crash: rows already
    linked to a contact are skipped, and the batch row is locked per chunk so two runs
    never create the same row."""
    chunk = chunk or APPLY_CHUNK
    while True:
        with transaction.atomic():
            batch = ReviewBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status != ReviewStatus.APPROVED or batch.applied_at is not None:
                return batch
            rows = list(
                batch.rows.filter(errors={}, contact__isnull=True).order_by("number")[:chunk]
            )
            if rows:
                created = _create_rows(batch, rows)
                batch.created_count += len(created)
                batch.save(update_fields=["created_count", "updated_at"])
                audit.review_batch_decided(
                    actor=batch.reviewed_by, batch=batch, contact_ids=created
                )
                continue
            batch.applied_at = timezone.now()
            batch.save(update_fields=["applied_at", "updated_at"])
            return batch


@transaction.atomic
def review_batch_reject(*, actor, batch: ReviewBatch, reason: str) -> ReviewBatch:
    """Discard every row; the batch and its reason remain for the proposer."""
    _may_review(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason, for the person who entered it.")]})
    batch = _locked_pending_batch(batch)
    _not_own(actor, batch.proposed_by_id)
    batch.status = ReviewStatus.REJECTED
    batch.reviewed_by = actor
    batch.reviewed_at = timezone.now()
    batch.reason = reason
    batch.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason", "updated_at"])
    batch.rows.all().delete()
    audit.review_batch_decided(actor=actor, batch=batch)
    return batch


def is_reviewer(user) -> bool:
    return roles.has_role(user, roles.REVIEWER) or user.has_perm("contacts.review_pendingchange")
