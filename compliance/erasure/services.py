"""Erasure and legal holds.

``erasure_execute`` is the one way a contact is erased. It builds the plan
(``compliance.erasure.plan``) the DPO previewed, places the statutory KYC/AML hold a client
relationship requires, puts the person's identifiers on the suppression list, applies the
plan, marks the contact erased (``ContactRestriction`` of kind ``erased``: every outreach path
refuses it, and RMs no longer see it), destroys the contact's audit salt and writes an
``ErasureRecord``, all in one transaction. Whatever a hold keeps is erased by
``erasure_complete``, which the nightly job (``compliance.jobs.CompleteHeldErasuresJob``)
runs once every hold on the contact has ended.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit, registry
from compliance.consent.rules import RestrictionKind
from compliance.erasure import suppression
from compliance.erasure.plan import ErasurePlan, HoldInfo, active_holds, apply_plan, build_plan
from compliance.models import (
    ContactRestriction,
    ContactSalt,
    ErasureRecord,
    ErasureStatus,
    LegalHold,
)
from compliance.requests.access import access_exports_discard
from core.exceptions import ApplicationError


class PlanChangedError(ApplicationError):
    """The data changed between the preview and the confirmation; nothing was erased."""


# --- legal holds -----------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(
    *,
    actor,
    contact,
    kind: str,
    reason: str,
    ends_on: date | None = None,
    starts_on: date | None = None,
) -> LegalHold:
    """Keep ``contact``'s records of ``kind`` through any erasure until ``ends_on`` (open
    while None)."""
    hold = LegalHold(
        contact_id=contact.pk,
        kind=kind,
        reason=reason.strip(),
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    hold.full_clean()
    hold.save()
    audit.legal_hold_placed(actor=actor, hold=hold)
    return hold


@transaction.atomic
def legal_hold_release(*, actor, hold: LegalHold) -> LegalHold:
    """End a hold now (the dispute is settled). The nightly job then finishes any erasure
    it held back."""
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise ValidationError(_("This legal hold was already released."))
    hold.released_at = timezone.now()
    hold.save(update_fields=["released_at"])
    audit.legal_hold_released(actor=actor, hold=hold)
    return hold


# --- erasure ---------------------------------------------------------------------------------


def _statutory_hold(contact, holds: list[HoldInfo], *, today: date) -> HoldInfo | None:
    """The hold the law requires of this contact (KYC/AML records of a client), unless a
    hold of that kind already covers it."""
    required = registry.statutory_hold(contact, today=today)
    if required is None:
        return None
    kind, reason, until = required
    for hold in holds:
        if hold.kind == kind and (hold.until is None or hold.until >= until):
            return None
    return HoldInfo(id=None, kind=kind, reason=reason, until=until)


def erasure_preview(*, contact, today: date | None = None) -> ErasurePlan:
    """What ``erasure_execute`` would do to ``contact`` now: show this to the DPO."""
    today = today or timezone.localdate()
    holds = active_holds(contact.pk, today=today)
    statutory = _statutory_hold(contact, holds, today=today)
    return build_plan(contact.pk, holds=[*holds, statutory] if statutory else holds)


def is_erased(contact_id: int) -> bool:
    return ErasureRecord.objects.filter(contact_id=contact_id).exists()


@transaction.atomic
def erasure_execute(
    *,
    contact,
    by,
    reason: str,
    request_id: str | None = None,
    expected_fingerprint: str | None = None,
) -> ErasureRecord:
    """Erase ``contact`` (GDPR Art. 17) and return the record of what was done.

    ``by``: the user who decided it (the DPO). ``reason``: why, without personal data (the
    request's number). ``request_id``: the data-subject request it answers, if any.
    ``expected_fingerprint``: the previewed plan's ``fingerprint``; if given and the plan
    has changed since, ``PlanChangedError`` is raised and nothing is erased.

    Records under a legal hold in force stay (restricted, hidden from RMs) and are erased by
    the nightly job when every hold has ended. A second erasure of the same contact is
    refused.
    """
    model = type(contact)
    contact = model._base_manager.select_for_update().get(pk=contact.pk)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the erasure.")]})
    if is_erased(contact.pk):
        raise ValidationError(_("This contact has already been erased."))
    today = timezone.localdate()
    plan = erasure_preview(contact=contact, today=today)
    if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
        raise PlanChangedError(
            _("The contact's data changed since the preview. Nothing was erased: review again.")
        )
    held = []
    for info in plan.holds:
        hold_id = info.id
        if hold_id is None:
            hold_id = legal_hold_place(
                actor=by, contact=contact, kind=info.kind, reason=info.reason, ends_on=info.until
            ).pk
        held.append(_held_entry(plan, info, hold_id))
    suppression.suppression_add(registry.identifiers_of(contact.pk))
    counts = apply_plan(plan)
    _discard_files(contact.pk, counts)
    record = ErasureRecord(
        contact_id=contact.pk,
        executed_by=by if getattr(by, "is_authenticated", False) else None,
        reason=reason.strip(),
        request_id=request_id or "",
        status=ErasureStatus.HELD if plan.is_held else ErasureStatus.COMPLETE,
        counts=counts,
        held=held if plan.is_held else [],
        disclosures=[
            {"id": d.id, "recipient": d.recipient, "what": d.what, "disclosed_at": d.disclosed_at}
            for d in plan.disclosures
        ],
        completed_at=None if plan.is_held else timezone.now(),
    )
    record.full_clean()
    record.save()
    ContactRestriction.objects.create(
        contact_id=contact.pk,
        kind=RestrictionKind.ERASED,
        reason=f"erasure record {record.pk}",
        recorded_by=record.executed_by,
    )
    audit.erasure_executed(actor=by, record=record, completed=False)
    # Last: the audit events above must not hash anything with it. Old hashes in the audit
    # log can no longer be linked to the person.
    ContactSalt.objects.filter(contact_id=contact.pk).delete()
    return record


def _discard_files(contact_id: int, counts: dict) -> None:
    """Delete the files that copy the person's data: access packages still waiting for
    their download (deleted once the erasure commits)."""
    discarded = access_exports_discard(contact_id=contact_id)
    if discarded:
        counts["compliance.AccessExport"] = {"files_deleted": discarded}


def _held_entry(plan: ErasurePlan, info: HoldInfo, hold_id: int) -> dict:
    return {
        "hold": hold_id,
        "kind": info.kind,
        "until": info.until.isoformat() if info.until else None,
        "tables": {
            t.label: "*" if t.held_whole_rows else list(t.held_fields)
            for t in plan.tables
            if t.rows and (t.held_whole_rows or t.held_fields)
        },
    }


def _add_counts(total: dict, more: dict) -> dict:
    merged = {label: dict(values) for label, values in total.items()}
    for label, values in more.items():
        for key, n in values.items():
            merged.setdefault(label, {})
            merged[label][key] = merged[label].get(key, 0) + n
    return merged


@transaction.atomic
def erasure_complete(*, record: ErasureRecord, today: date | None = None) -> bool:
    """Finish a held erasure if every hold on the contact has ended; True if it did.
    Safe to run twice: a completed record is left alone."""
    today = today or timezone.localdate()
    record = ErasureRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != ErasureStatus.HELD:
        return False
    if active_holds(record.contact_id, today=today):
        return False
    plan = build_plan(record.contact_id, holds=[])
    suppression.suppression_add(registry.identifiers_of(record.contact_id))
    counts = apply_plan(plan)
    _discard_files(record.contact_id, counts)
    record.counts = _add_counts(record.counts, counts)
    record.status = ErasureStatus.COMPLETE
    record.completed_at = timezone.now()
    record.save(update_fields=["counts", "status", "completed_at"])
    audit.erasure_executed(actor=None, record=record, completed=True)
    ContactSalt.objects.filter(contact_id=record.contact_id).delete()
    return True
