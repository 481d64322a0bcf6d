"""The audit log's one door: a small function per kind of event.

Every service that touches personal data calls one of these inside its own transaction, so
the event commits with the change or not at all. Never a signal.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models

from compliance import registry
from compliance.models import AuditAction, AuditEvent, ContactSalt
from core import context


def _salt_for(contact_id: int) -> bytes:
    salt, _ = ContactSalt.objects.get_or_create(
        contact_id=contact_id, defaults={"salt": secrets.token_bytes(16)}
    )
    return bytes(salt.salt)


def personal_hash(value, *, contact_id: int) -> str:
    """A keyed hash of a personal value, salted per contact: comparable, not reversible."""
    if value in (None, ""):
        return ""
    key = settings.HASH_KEY.encode() + _salt_for(contact_id)
    digest = hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()
    return f"h:{digest[:32]}"


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def redact_changes(
    model: type[models.Model], changes: dict[str, tuple], *, contact_id: int | None
) -> dict[str, dict]:
    """``{field: (old, new)}`` -> the audit form: personal values hashed, the rest in clear."""
    redacted = {}
    for name, (old, new) in changes.items():
        if registry.is_personal(model, name) and contact_id is not None:
            redacted[name] = {
                "old": personal_hash(old, contact_id=contact_id),
                "new": personal_hash(new, contact_id=contact_id),
            }
        else:
            redacted[name] = {"old": _plain(old), "new": _plain(new)}
    return redacted


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
    return AuditEvent.objects.create(
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


def access_denied(*, actor, object_type: str, object_id: str, reason: str) -> AuditEvent:
    return _write(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        object_type=object_type,
        object_id=object_id,
        detail={"reason": reason},
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
    return batch(
        actor=actor,
        operation="reassign",
        contact_ids=contact_ids,
        detail={"new_owner": new_owner_id, "reason": reason},
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
