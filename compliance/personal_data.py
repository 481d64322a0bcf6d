"""Compliance's entries in the personal-data registry (see ``compliance.registry``).

The consent ledger and its companions reach a contact through ``contact``; the audit log,
the staff tables and the shared kernel's staff models hold no contact's data in clear.
Contacts live in a higher app, so nothing here imports them.
"""

from compliance import registry


def _consent_export(row) -> dict:
    return {
        "purpose": row.purpose.code,
        "channel": row.channel,
        "kind": row.kind,
        "lawful_basis": row.lawful_basis,
        "source": row.source,
        "evidence_reference": row.evidence_reference,
        "notice": str(row.notice) if row.notice_id else "",
        "occurred_at": row.occurred_at.isoformat(),
        "expires_at": row.expires_at.isoformat() if row.expires_at else "",
        "recorded_at": row.recorded_at.isoformat(),
    }


def _state_export(row) -> dict:
    return {
        "purpose": row.purpose.code,
        "channel": row.channel,
        "status": row.status,
        "lawful_basis": row.lawful_basis,
        "granted_at": row.granted_at.isoformat() if row.granted_at else "",
        "expires_at": row.expires_at.isoformat() if row.expires_at else "",
    }


def register_all() -> None:
    from compliance import models
    from core.models import JobRun, Team, User, UserSession

    # The ledger is kept as proof of consent; erasure anonymises its free-text evidence.
    registry.register(
        models.ConsentEvent,
        contact_path="contact",
        fields={"evidence_reference": "anonymise"},
        non_personal=("channel", "kind", "lawful_basis", "source"),
        export=_consent_export,
    )
    registry.register(
        models.ConsentState,
        contact_path="contact",
        fields={},
        non_personal=("channel", "status", "lawful_basis"),
        export=_state_export,
    )
    registry.register(
        models.ContactMarketingRefusal,
        contact_path="contact",
        fields={"evidence_reference": "anonymise"},
        non_personal=("source",),
    )
    registry.register(
        models.ContactRestriction,
        contact_path="contact",
        fields={"reason": "anonymise"},
        non_personal=("kind",),
    )

    no_contact_data = {
        models.AuditEvent: "personal values appear only as keyed hashes salted per contact",
        models.ContactSalt: "random salts, not data about anyone; erasure deletes the salt",
        models.AuditSeal: "hashes of the audit chain",
        models.AuditSealQueue: "ids of audit events waiting to be sealed",
        models.AuditArchive: "where sealed audit segments were archived",
        models.KeyRotationRun: "progress of key rotation",
        models.TrainingCourse: "staff training courses",
        models.TrainingRecord: "staff training, not client data",
        models.AccessReview: "staff access figures certified by the DPO",
        models.Purpose: "processing purposes, the firm's own vocabulary",
        models.PrivacyNotice: "the firm's published privacy notices",
        User: "staff accounts, not client data",
        Team: "staff teams",
        UserSession: "staff sessions",
        JobRun: "background job runs: counts, keys and error types, never values",
    }
    for model, reason in no_contact_data.items():
        registry.declare_no_personal_data(model, reason)
