"""Compliance's entries in the personal-data registry (see ``compliance.registry``).

The consent ledger and its companions reach a contact through ``contact``; the audit log,
the staff tables and the shared kernel's staff models hold no contact's data in clear.
Contacts live in a higher app, so nothing here imports them.
"""

from django.utils.translation import gettext_lazy as _

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
        category=_("Consent records"),
        contact_path="contact",
        fields={"evidence_reference": "anonymise"},
        non_personal=("channel", "kind", "lawful_basis", "source"),
        export=_consent_export,
    )
    registry.register(
        models.ConsentState,
        category=_("Consent records"),
        contact_path="contact",
        fields={},
        non_personal=("channel", "status", "lawful_basis"),
        export=_state_export,
    )
    registry.register(
        models.ContactMarketingRefusal,
        category=_("Consent records"),
        contact_path="contact",
        fields={"evidence_reference": "anonymise"},
        non_personal=("source",),
    )
    registry.register(
        models.ContactRestriction,
        category=_("Restrictions of processing"),
        contact_path="contact",
        fields={"reason": "anonymise"},
        non_personal=("kind",),
    )

    # Erasure's own records keep what the law asks and no personal data: an erasure leaves
    # them alone (they are the proof it happened, and what to tell the recipients).
    registry.register(
        models.LegalHold,
        category=_("Legal holds"),
        contact_path="contact",
        fields={},
        non_personal=("kind", "reason"),
    )
    registry.register(
        models.ErasureRecord,
        category=_("Records of erasure"),
        contact_path="contact",
        fields={},
        non_personal=("reason", "request_id", "status", "counts", "held", "disclosures"),
    )
    registry.register(
        models.DisclosedContact,
        category=_("Disclosures to recipients"),
        contact_path="contact",
        fields={},
    )
    # Data-subject requests: what the person asked, the identity evidence seen and the
    # working notes can all name or describe the person.
    registry.register(
        models.DataSubjectRequest,
        category=_("Data-subject requests and identity evidence"),
        contact_path="contact",
        fields={
            "description": "anonymise",
            "identity_evidence": "anonymise",
            "extension_reason": "anonymise",
            "refusal_reason": "anonymise",
        },
        non_personal=("request_type", "jurisdiction", "channel", "status", "identity_method"),
    )
    registry.register(
        models.RequestNote,
        category=_("Data-subject requests and identity evidence"),
        contact_path="request__contact",
        fields={"body": "anonymise"},
    )
    # The package's content is personal data, but the row only points at a randomly named
    # file that is deleted after download or at expiry.
    registry.register(
        models.AccessExport,
        category=_("Data-subject requests and identity evidence"),
        contact_path="request__contact",
        fields={},
        non_personal=("status", "file_name", "sha256", "error"),
    )

    no_contact_data = {
        models.Disclosure: "recipients and what they received; the contacts are ids apart",
        models.SuppressedIdentifier: "keyed hashes linked to no contact",
        models.RetentionPolicy: "retention periods per category of contact",
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
        models.RequestDeadlineRule: "the deadline table of each law",
        models.RequestReminder: "which reminder went to which member of staff, and when",
        models.BreachClockRule: "the firm's notification deadlines",
        models.Incident: "describes systems and what happened; the people affected are ids in "
        "IncidentContact, never named",
        models.IncidentContact: "contact ids only, kept as the breach record requires",
        models.IncidentDecision: "the DPO's decisions about an incident, not client data",
        models.IncidentNotice: "notices sent to the authority or to the people affected, by "
        "reference",
        User: "staff accounts, not client data",
        Team: "staff teams",
        UserSession: "staff sessions",
        JobRun: "background job runs: counts, keys and error types, never values",
    }
    for model, reason in no_contact_data.items():
        registry.declare_no_personal_data(model, reason)
