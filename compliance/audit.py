"""The audit log's one door: a small function per kind of event.

Every service that touches personal data calls one of these inside its own transaction, so
the event commits with the change or not at all. Never a signal.
"""

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction

from compliance import registry
from compliance.models import AuditAction, AuditEvent, ContactSalt
from core import context

logger = logging.getLogger(__name__)


def _salt_for(contact_id: int) -> bytes:
    salt, _ = ContactSalt.objects.get_or_create(
        contact_id=contact_id, defaults={"salt": secrets.token_bytes(16)}
    )
    return bytes(salt.salt)


def _keyed_hash(value, *, salt: bytes) -> str:
    if value in (None, ""):
        return ""
    key = settings.HASH_KEY.encode() + salt
    digest = hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()
    return f"h:{digest[:32]}"


def personal_hash(value, *, contact_id: int) -> str:
    """A keyed hash of a personal value, salted per contact: comparable, not reversible."""
    if value in (None, ""):
        return ""
    return _keyed_hash(value, salt=_salt_for(contact_id))


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


REDACTED = "[redacted]"


def redact_changes(
    model: type[models.Model], changes: dict[str, tuple], *, contact_id: int | None
) -> dict[str, dict]:
    """``{field: (old, new)}`` -> the audit form: personal values hashed, the rest in clear."""
    redacted = {}
    salt = None  # fetched once per event, and only if a personal value needs it
    for name, (old, new) in changes.items():
        if registry.is_personal(model, name) and contact_id is not None:
            if salt is None and (old not in (None, "") or new not in (None, "")):
                salt = _salt_for(contact_id)
            redacted[name] = {
                "old": _keyed_hash(old, salt=salt or b""),
                "new": _keyed_hash(new, salt=salt or b""),
            }
        elif registry.is_personal(model, name):
            # No contact, no salt to hash with: withhold the value rather than log it.
            redacted[name] = {
                "old": "" if old in (None, "") else REDACTED,
                "new": "" if new in (None, "") else REDACTED,
            }
        else:
            redacted[name] = {"old": _plain(old), "new": _plain(new)}
    return redacted


# A sealing run takes everything queued, so under load one task per process every half
# second is enough; beat's periodic run catches whatever a skipped commit left.
SEALING_DEBOUNCE_SECONDS = 0.5
_sealing_started_at = -SEALING_DEBOUNCE_SECONDS


def _start_sealing() -> None:
    global _sealing_started_at
    # Imported here: tasks -> sealing -> audit is the module-level direction.
    from compliance.tasks import seal_audit_log

    inline = seal_audit_log.app.conf.task_always_eager  # no broker: no beat to catch up
    now = time.monotonic()
    if not inline and now - _sealing_started_at < SEALING_DEBOUNCE_SECONDS:
        return
    _sealing_started_at = now
    try:
        # No broker retries: if Redis is down, the periodic run seals later.
        seal_audit_log.apply_async(retry=False)
    except Exception:
        logger.exception("could not start audit sealing; the periodic run will seal later")


def _seal_after_commit() -> None:
    """Have the sealer link this transaction's events into the chain once they commit.

    The writer never touches the chain itself, so no request waits on its lock. One
    callback per transaction is enough: the sealer takes everything queued.
    """
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(func is _start_sealing for _, func, *_ in conn.run_on_commit):
        return
    transaction.on_commit(_start_sealing)


def _write(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    contact_id: int | None = None,
    changes: dict | None = None,
    detail: dict | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    ctx = context.current()
    actor = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else object_id,
        contact_id=contact_id,
        changes=changes or {},
        detail=detail or {},
        ip_address=ctx.ip_address,
        request_id=ctx.request_id,
        via=ctx.via,
    )
    _seal_after_commit()
    return event


def record_created(*, actor, obj: models.Model, contact_id: int, values: dict) -> AuditEvent:
    changes = redact_changes(
        type(obj), {k: (None, v) for k, v in values.items()}, contact_id=contact_id
    )
    action = (
        AuditAction.CONTACT_CREATED
        if obj._meta.label == "contacts.Contact"
        else AuditAction.RECORD_CREATED
    )
    return _write(actor=actor, action=action, obj=obj, contact_id=contact_id, changes=changes)


def record_updated(
    *, actor, obj: models.Model, contact_id: int, changes: dict[str, tuple]
) -> AuditEvent | None:
    """Write an update event, or nothing when no value actually changed."""
    changes = {k: v for k, v in changes.items() if v[0] != v[1]}
    if not changes:
        return None
    action = (
        AuditAction.CONTACT_UPDATED
        if obj._meta.label == "contacts.Contact"
        else AuditAction.RECORD_UPDATED
    )
    return _write(
        actor=actor,
        action=action,
        obj=obj,
        contact_id=contact_id,
        changes=redact_changes(type(obj), changes, contact_id=contact_id),
    )


def record_deleted(*, actor, obj: models.Model, contact_id: int) -> AuditEvent:
    return _write(actor=actor, action=AuditAction.RECORD_DELETED, obj=obj, contact_id=contact_id)


def contact_viewed(*, actor, contact: models.Model) -> AuditEvent:
    return _write(
        actor=actor, action=AuditAction.CONTACT_VIEWED, obj=contact, contact_id=contact.pk
    )


def batch(*, actor, operation: str, contact_ids: Iterable[int], detail: dict | None = None):
    """One event for a batch operation, listing every contact it touched."""
    ids = sorted(contact_ids)
    return _write(
        actor=actor,
        action=AuditAction.BATCH,
        detail={"operation": operation, "contact_ids": ids, "count": len(ids), **(detail or {})},
    )


def access_denied(
    *, actor, object_type: str, object_id: str, reason: str, path: str = ""
) -> AuditEvent:
    """A refused request: a contact outside the book (answered 404) or a page the role may
    not open (403)."""
    return _write(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        object_type=object_type,
        object_id=object_id,
        detail={"reason": reason, "path": path} if path else {"reason": reason},
    )


def cover_granted(*, actor, cover: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.COVER_GRANTED,
        obj=cover,
        detail={
            "owner": cover.owner_id,
            "covered_by": cover.covered_by_id,
            "ends_on": cover.ends_on.isoformat(),
        },
    )


def contacts_reassigned(*, actor, contact_ids: Iterable[int], new_owner_id: int, reason: str):
    """The reason is free text about many contacts at once, with no one contact's salt to
    hash it with: only whether one was given is kept (as for a review batch)."""
    return batch(
        actor=actor,
        operation="reassign",
        contact_ids=contact_ids,
        detail={"new_owner": new_owner_id, "reason_given": bool(reason.strip())},
    )


def logged_in(*, user) -> AuditEvent:
    return _write(actor=user, action=AuditAction.LOGIN)


def logged_out(*, user) -> AuditEvent:
    return _write(actor=user, action=AuditAction.LOGOUT)


def login_failed(*, username: str, locked_out: bool = False) -> AuditEvent:
    """A failed log-in names the account tried (staff, not client data) and whether it is
    now locked out."""
    return _write(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="core.User",
        object_id=username[:40],
        detail={"locked_out": locked_out},
    )


def keys_rotated(
    *, actor, key_fingerprint: str, rows: dict[str, int], complete: bool
) -> AuditEvent:
    """One event per ``rotate_keys`` run: which models, how many rows, finished or not."""
    return _write(
        actor=actor,
        action=AuditAction.KEYS_ROTATED,
        object_type="compliance.KeyRotationRun",
        detail={"key": key_fingerprint, "rows": rows, "complete": complete},
    )


def audit_archived(*, actor, archive: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.AUDIT_ARCHIVED,
        obj=archive,
        detail={
            "first_sequence": archive.first_sequence,
            "last_sequence": archive.last_sequence,
            "end_hash": archive.end_hash,
            "events": archive.event_count,
            "file_sha256": archive.file_sha256,
        },
    )


def exported(
    *,
    actor,
    what: str,
    fmt: str,
    row_count: int,
    filters: dict,
    searched: bool,
    contact_ids: list[int],
) -> AuditEvent:
    """An export: what, in which format, the filter (never free-text search terms) and the
    rows. The contact ids answer "whose data left, and with whom" for a breach or erasure."""
    return _write(
        actor=actor,
        action=AuditAction.EXPORTED,
        object_type=what,
        detail={
            "format": fmt,
            "rows": row_count,
            "filters": filters,
            "searched": searched,
            "contact_ids": contact_ids,
        },
    )


def revealed(*, actor, contact: models.Model, field: str, reason: str) -> AuditEvent:
    """A masked value shown in full. The reason is the user's own words about why, and may
    name the person: kept as a keyed hash salted per contact (comparable while the contact
    exists, meaningless once erasure destroys the salt)."""
    return _write(
        actor=actor,
        action=AuditAction.REVEALED,
        obj=contact,
        contact_id=contact.pk,
        detail={"field": field, "reason": personal_hash(reason.strip(), contact_id=contact.pk)},
    )


def training_recorded(*, actor, record: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.TRAINING_RECORDED,
        obj=record,
        detail={
            "user": record.user_id,
            "course": record.course_id,
            "valid_until": record.valid_until.isoformat(),
        },
    )


def access_review_certified(*, actor, review: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.ACCESS_REVIEW_CERTIFIED,
        obj=review,
        detail={
            "period_start": review.period_start.isoformat(),
            "period_end": review.period_end.isoformat(),
            "users": len(review.summary),
        },
    )


def _consent_detail(event: models.Model) -> dict:
    return {
        "purpose": event.purpose.code,
        "channel": event.channel,
        "lawful_basis": event.lawful_basis,
        "source": event.source,
        "notice": event.notice_id,
        "occurred_at": event.occurred_at.isoformat(),
        "expires_at": event.expires_at.isoformat() if event.expires_at else None,
    }


def _evidence(event: models.Model) -> dict:
    """The evidence reference may name the person (a file name, a call note): hashed."""
    if not event.evidence_reference:
        return {}
    return redact_changes(
        type(event),
        {"evidence_reference": (None, event.evidence_reference)},
        contact_id=event.contact_id,
    )


def consent_granted(*, actor, event: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.CONSENT_GRANTED,
        obj=event,
        contact_id=event.contact_id,
        changes=_evidence(event),
        detail=_consent_detail(event),
    )


def consent_withdrawn(*, actor, event: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.CONSENT_WITHDRAWN,
        obj=event,
        contact_id=event.contact_id,
        changes=_evidence(event),
        detail=_consent_detail(event),
    )


def consent_expired(*, event: models.Model) -> AuditEvent:
    """Recorded by the nightly job, so there is no actor."""
    return _write(
        actor=None,
        action=AuditAction.CONSENT_EXPIRED,
        obj=event,
        contact_id=event.contact_id,
        detail=_consent_detail(event),
    )


def marketing_refused(
    *, actor, refusal: models.Model, withdrawn: list[tuple[str, str]]
) -> AuditEvent:
    """Stop all marketing: the refusal and every consent it withdrew, in one event."""
    return _write(
        actor=actor,
        action=AuditAction.MARKETING_REFUSED,
        obj=refusal,
        contact_id=refusal.contact_id,
        changes=_evidence(refusal),
        detail={
            "refused_at": refusal.refused_at.isoformat(),
            "source": refusal.source,
            "withdrawn": [{"purpose": p, "channel": c} for p, c in withdrawn],
        },
    )


def purpose_saved(*, actor, purpose: models.Model, created: bool) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.PURPOSE_SAVED,
        obj=purpose,
        detail={
            "code": purpose.code,
            "created": created,
            "is_marketing": purpose.is_marketing,
            "lawful_bases": list(purpose.lawful_bases),
            "channels": list(purpose.channels),
            "is_active": purpose.is_active,
        },
    )


def notice_published(*, actor, notice: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.NOTICE_PUBLISHED,
        obj=notice,
        detail={
            "jurisdiction": notice.jurisdiction,
            "language": notice.language,
            "version": notice.version,
            "effective_from": notice.effective_from.isoformat(),
            "material_change": notice.material_change,
        },
    )


# --- restriction, legal holds, erasure, disclosures --------------------------------------------


def restriction_applied(*, actor, restriction: models.Model) -> AuditEvent:
    """The reason is the DPO's words about the request; hashed like any personal value."""
    return _write(
        actor=actor,
        action=AuditAction.RESTRICTION_APPLIED,
        obj=restriction,
        contact_id=restriction.contact_id,
        changes=redact_changes(
            type(restriction),
            {"reason": (None, restriction.reason)},
            contact_id=restriction.contact_id,
        ),
        detail={"kind": restriction.kind, "since": restriction.since.isoformat()},
    )


def restriction_lifted(*, actor, restriction: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.RESTRICTION_LIFTED,
        obj=restriction,
        contact_id=restriction.contact_id,
        detail={"kind": restriction.kind, "lifted_at": restriction.lifted_at.isoformat()},
    )


def _hold_detail(hold: models.Model) -> dict:
    # The reason is the DPO's words (a case may name the person): hashed per contact.
    return {
        "kind": hold.kind,
        "reason": personal_hash(hold.reason, contact_id=hold.contact_id),
        "starts_on": hold.starts_on.isoformat(),
        "ends_on": hold.ends_on.isoformat() if hold.ends_on else None,
    }


def legal_hold_placed(*, actor, hold: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.LEGAL_HOLD_PLACED,
        obj=hold,
        contact_id=hold.contact_id,
        detail=_hold_detail(hold),
    )


def legal_hold_released(*, actor, hold: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.LEGAL_HOLD_RELEASED,
        obj=hold,
        contact_id=hold.contact_id,
        detail=_hold_detail(hold),
    )


def erasure_executed(*, actor, record: models.Model, completed: bool) -> AuditEvent:
    """An erasure run: counts per table and what was held, never a value. ``completed``:
    the nightly job finished a held erasure."""
    return _write(
        actor=actor,
        action=AuditAction.ERASURE_COMPLETED if completed else AuditAction.ERASURE_EXECUTED,
        obj=record,
        contact_id=record.contact_id,
        detail={
            "status": record.status,
            "request_id": record.request_id,
            "counts": record.counts,
            "held": record.held,
            "disclosures": [d["id"] for d in record.disclosures],
        },
    )


def disclosure_recorded(*, actor, disclosure: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.DISCLOSURE_RECORDED,
        obj=disclosure,
        detail={
            "recipient": disclosure.recipient,
            "what": disclosure.what,
            "legal_basis": disclosure.legal_basis,
            "contacts": disclosure.contact_count,
        },
    )


def retention_policy_saved(*, actor, policy: models.Model, created: bool) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.RETENTION_POLICY_SAVED,
        obj=policy,
        detail={
            "category": policy.category,
            "years": policy.years,
            "is_active": policy.is_active,
            "created": created,
        },
    )


# --- data-subject requests -------------------------------------------------------------------


def _request_detail(request: models.Model, **extra) -> dict:
    return {
        "request": request.pk,
        "type": request.request_type,
        "jurisdiction": request.jurisdiction,
        "status": request.status,
        "due_on": request.due_on.isoformat(),
        "assignee": request.assignee_id,
        **extra,
    }


def _request_event(
    action: str, *, actor, obj: models.Model, request: models.Model, text: dict, **extra
) -> AuditEvent:
    """One request event: free text (evidence, reasons, notes) only as keyed hashes."""
    changes = redact_changes(
        type(obj), {k: (None, v) for k, v in text.items() if v}, contact_id=request.contact_id
    )
    return _write(
        actor=actor,
        action=action,
        obj=obj,
        contact_id=request.contact_id,
        changes=changes,
        detail=_request_detail(request, **extra),
    )


def request_received(*, actor, request: models.Model) -> AuditEvent:
    return _request_event(
        AuditAction.REQUEST_RECEIVED,
        actor=actor,
        obj=request,
        request=request,
        text={"description": request.description},
        channel=request.channel,
        received_at=request.received_at.isoformat(),
        acknowledge_due_on=(
            request.acknowledge_due_on.isoformat() if request.acknowledge_due_on else None
        ),
    )


def request_assigned(*, actor, request: models.Model, previous_id: int | None) -> AuditEvent:
    return _request_event(
        AuditAction.REQUEST_ASSIGNED,
        actor=actor,
        obj=request,
        request=request,
        text={},
        previous_assignee=previous_id,
    )


def request_identity_verified(*, actor, request: models.Model) -> AuditEvent:
    return _request_event(
        AuditAction.REQUEST_IDENTITY_VERIFIED,
        actor=actor,
        obj=request,
        request=request,
        text={"identity_evidence": request.identity_evidence},
        method=request.identity_method,
        verified_by=request.identity_verified_by_id,
    )


def request_acknowledged(*, actor, request: models.Model) -> AuditEvent:
    return _request_event(
        AuditAction.REQUEST_ACKNOWLEDGED,
        actor=actor,
        obj=request,
        request=request,
        text={},
        acknowledged_at=request.acknowledged_at.isoformat(),
    )


def request_started(*, actor, request: models.Model) -> AuditEvent:
    return _request_event(
        AuditAction.REQUEST_STARTED, actor=actor, obj=request, request=request, text={}
    )


def request_extended(*, actor, request: models.Model) -> AuditEvent:
    return _request_event(
        AuditAction.REQUEST_EXTENDED,
        actor=actor,
        obj=request,
        request=request,
        text={"extension_reason": request.extension_reason},
        original_due_on=request.original_due_on.isoformat(),
    )


def request_completed(*, actor, request: models.Model, executed: bool = False) -> AuditEvent:
    """``executed``: Prudence carried the request out (erasure, restriction, stop all
    marketing); False: the DPO records that it was done by hand."""
    return _request_event(
        AuditAction.REQUEST_COMPLETED,
        actor=actor,
        obj=request,
        request=request,
        text={},
        closed_at=request.closed_at.isoformat(),
        executed=executed,
    )


def request_refused(*, actor, request: models.Model) -> AuditEvent:
    return _request_event(
        AuditAction.REQUEST_REFUSED,
        actor=actor,
        obj=request,
        request=request,
        text={"refusal_reason": request.refusal_reason},
        closed_at=request.closed_at.isoformat(),
    )


def request_note_added(*, actor, note: models.Model) -> AuditEvent:
    return _request_event(
        AuditAction.REQUEST_NOTE_ADDED,
        actor=actor,
        obj=note,
        request=note.request,
        text={"body": note.body},
    )


def request_reminder_sent(*, reminder: models.Model) -> AuditEvent:
    """Sent by the nightly job, so there is no actor."""
    return _request_event(
        AuditAction.REQUEST_REMINDER_SENT,
        actor=None,
        obj=reminder,
        request=reminder.request,
        text={},
        deadline=reminder.deadline,
        stage=reminder.stage,
        deadline_due_on=reminder.due_on.isoformat(),
        recipients=reminder.recipients,
    )


def request_rule_saved(*, actor, rule: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.REQUEST_RULE_SAVED,
        obj=rule,
        detail={
            "jurisdiction": rule.jurisdiction,
            "type": rule.request_type,
            "answer": [rule.answer_amount, rule.answer_unit],
            "extension": [rule.extension_amount, rule.extension_unit],
            "acknowledge": [rule.acknowledge_amount, rule.acknowledge_unit],
        },
    )


def _export_event(action: str, *, actor, export: models.Model, **extra) -> AuditEvent:
    request = export.request
    return _write(
        actor=actor,
        action=action,
        obj=export,
        contact_id=request.contact_id,
        detail={"request": request.pk, "type": request.request_type, **extra},
    )


def access_export_requested(*, actor, export: models.Model) -> AuditEvent:
    return _export_event(AuditAction.ACCESS_EXPORT_REQUESTED, actor=actor, export=export)


def access_export_built(*, export: models.Model) -> AuditEvent:
    return _export_event(
        AuditAction.ACCESS_EXPORT_BUILT,
        actor=None,
        export=export,
        rows=export.row_count,
        size=export.size,
        sha256=export.sha256,
        expires_at=export.expires_at.isoformat(),
    )


def access_export_failed(*, export: models.Model) -> AuditEvent:
    return _export_event(
        AuditAction.ACCESS_EXPORT_FAILED, actor=None, export=export, error=export.error
    )


def access_export_downloaded(*, actor, export: models.Model) -> AuditEvent:
    return _export_event(
        AuditAction.ACCESS_EXPORT_DOWNLOADED, actor=actor, export=export, sha256=export.sha256
    )


def access_export_expired(*, export: models.Model) -> AuditEvent:
    return _export_event(AuditAction.ACCESS_EXPORT_EXPIRED, actor=None, export=export)


# --- the incident register ---------------------------------------------------------------------
# Incidents describe systems and staff, not contacts: their fields appear in clear. The people
# affected appear as counts; their ids stay in the register itself.


def incident_opened(*, actor, incident: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.INCIDENT_OPENED,
        obj=incident,
        detail={
            "severity": incident.severity,
            "status": incident.status,
            "occurred_at": incident.occurred_at.isoformat(),
            "discovered_at": incident.discovered_at.isoformat(),
        },
    )


def incident_updated(*, actor, incident: models.Model, changes: dict[str, tuple]) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.INCIDENT_UPDATED,
        obj=incident,
        changes={k: {"old": _plain(old), "new": _plain(new)} for k, (old, new) in changes.items()},
    )


def incident_contacts_added(
    *, actor, incident: models.Model, added: int, total: int, source: dict
) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.INCIDENT_CONTACTS_ADDED,
        obj=incident,
        detail={"added": added, "total": total, "source": source},
    )


def incident_decided(*, actor, decision: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.INCIDENT_DECIDED,
        object_type="compliance.Incident",
        object_id=str(decision.incident_id),
        detail={
            "decision_id": decision.pk,
            "decided_at": decision.decided_at.isoformat(),
            "waives_clock": decision.waives_clock.code if decision.waives_clock_id else None,
        },
    )


def incident_notice_sent(*, actor, notice: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.INCIDENT_NOTICE_SENT,
        object_type="compliance.Incident",
        object_id=str(notice.incident_id),
        detail={
            "notice_id": notice.pk,
            "recipient": notice.recipient,
            "sent_at": notice.sent_at.isoformat(),
            "reference": notice.reference,
            "people_notified": notice.people_notified,
        },
    )


def breach_clock_saved(*, actor, rule: models.Model, created: bool) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.BREACH_CLOCK_SAVED,
        obj=rule,
        detail={
            "code": rule.code,
            "created": created,
            "recipient": rule.recipient,
            "hours": rule.hours,
            "is_active": rule.is_active,
        },
    )


def _review_detail(change: models.Model) -> dict:
    # Field names only: the proposed values are personal data and stay in the item itself.
    return {
        "kind": change.kind,
        "fields": sorted(change.values) if change.kind == "update" else [],
        "proposed_by": change.proposed_by_id,
        "base_version": change.base_version,
    }


def review_proposed(*, actor, change: models.Model) -> AuditEvent:
    """An entry held for four-eyes review (a new contact, or a sensitive change)."""
    return _write(
        actor=actor,
        action=AuditAction.REVIEW_PROPOSED,
        obj=change,
        contact_id=change.contact_id,
        detail=_review_detail(change),
    )


def review_approved(*, actor, change: models.Model) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.REVIEW_APPROVED,
        obj=change,
        contact_id=change.contact_id,
        detail=_review_detail(change),
    )


def review_rejected(*, actor, change: models.Model, contact_id: int | None) -> AuditEvent:
    """The reason is the reviewer's own words and may name the person: hashed."""
    return _write(
        actor=actor,
        action=AuditAction.REVIEW_REJECTED,
        obj=change,
        contact_id=contact_id,
        changes=redact_changes(
            type(change), {"reason": (None, change.reason)}, contact_id=contact_id
        ),
        detail=_review_detail(change),
    )


def review_batch_decided(*, actor, batch: models.Model, contact_ids: Iterable[int] = ()):
    """A bulk entry proposed, approved or rejected: counts, never row values."""
    ids = sorted(contact_ids)
    return _write(
        actor=actor,
        action={
            "pending": AuditAction.REVIEW_PROPOSED,
            "approved": AuditAction.REVIEW_APPROVED,
            "rejected": AuditAction.REVIEW_REJECTED,
        }[batch.status],
        obj=batch,
        detail={
            "rows": batch.row_count,
            "errors": batch.error_count,
            "created": batch.created_count,
            "proposed_by": batch.proposed_by_id,
            "owner": batch.owner_id,
            "reason_given": bool(batch.reason),
            "contact_ids": ids,
        },
    )


def entry_rule_saved(*, actor, rule: models.Model, created: bool, detail: dict) -> AuditEvent:
    """An administrator changed an entry rule (required fields, what needs review). The
    detail is configuration, never personal data."""
    return _write(
        actor=actor,
        action=AuditAction.RECORD_CREATED if created else AuditAction.RECORD_UPDATED,
        obj=rule,
        detail=detail,
    )


# --- data quality (batch events: the nightly jobs and list imports) -------------------------


def quality_summaries_written(*, contact_ids: Iterable[int], run: str = "") -> AuditEvent:
    """A data-quality job changed these contacts' score, blocking flag or stale date."""
    return batch(
        actor=None, operation="quality.summary", contact_ids=contact_ids, detail={"run": run}
    )


def quality_issues_changed(
    *, opened: dict[str, list[int]], resolved: dict[str, list[int]], run: str = ""
) -> AuditEvent:
    """Issues a job opened and resolved, by rule. Rule codes and ids only, no contact data."""
    ids = {i for ids in (*opened.values(), *resolved.values()) for i in ids}
    return batch(
        actor=None,
        operation="quality.issues",
        contact_ids=ids,
        detail={
            "run": run,
            "opened": {rule: len(v) for rule, v in opened.items()},
            "resolved": {rule: len(v) for rule, v in resolved.items()},
        },
    )


def quality_tasks_created(*, contact_ids: Iterable[int], run: str = "") -> AuditEvent:
    return batch(
        actor=None, operation="quality.review_tasks", contact_ids=contact_ids, detail={"run": run}
    )


def contact_points_status_set(
    *, actor, contact_ids: Iterable[int], points: int, status: str, source: str
) -> AuditEvent:
    """Contact points marked bounced (a bounce list) or invalid (a deliverability check);
    the addresses themselves stay out of the log."""
    return batch(
        actor=actor,
        operation=f"contact_points.{status}",
        contact_ids=contact_ids,
        detail={"points": points, "source": source},
    )


def contacts_marked_deceased(*, actor, contact_ids: Iterable[int], source: str):
    return batch(
        actor=actor,
        operation="contacts.deceased",
        contact_ids=contact_ids,
        detail={"source": source},
    )


def contacts_renormalised(*, contact_ids: Iterable[int], fields: list[str], run: str = ""):
    """A cleansing job rewrote these contacts' names into their normal form."""
    return batch(
        actor=None,
        operation="contacts.renormalised",
        contact_ids=contact_ids,
        detail={"fields": fields, "run": run},
    )


def verification_recorded(*, contact_ids: Iterable[int], source: str, outcomes: dict[str, int]):
    return batch(
        actor=None,
        operation="quality.verification",
        contact_ids=contact_ids,
        detail={"source": source, "outcomes": outcomes},
    )
