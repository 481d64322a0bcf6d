from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from compliance.consent.rules import (
    Channel,
    ConsentStatus,
    LawfulBasis,
    PurposeTerms,
    RestrictionKind,
)
from core.models import TimeStampedModel


class AuditAction(models.TextChoices):
    CONTACT_CREATED = "contact.created", _("Contact created")
    CONTACT_UPDATED = "contact.updated", _("Contact updated")
    CONTACT_VIEWED = "contact.viewed", _("Contact viewed")
    CONTACT_REASSIGNED = "contact.reassigned", _("Contact reassigned")
    RECORD_CREATED = "record.created", _("Record created")
    RECORD_UPDATED = "record.updated", _("Record updated")
    RECORD_DELETED = "record.deleted", _("Record deleted")
    BATCH = "batch", _("Batch operation")
    ACCESS_DENIED = "access.denied", _("Access denied")
    COVER_GRANTED = "cover.granted", _("Book cover granted")
    LOGIN = "auth.login", _("Logged in")
    LOGOUT = "auth.logout", _("Logged out")
    LOGIN_FAILED = "auth.login_failed", _("Log-in failed")
    KEYS_ROTATED = "keys.rotated", _("Encryption keys rotated")
    AUDIT_ARCHIVED = "audit.archived", _("Audit log segment archived")
    EXPORTED = "data.exported", _("Data exported")
    REVEALED = "field.revealed", _("Masked value revealed")
    TRAINING_RECORDED = "training.recorded", _("Training recorded")
    ACCESS_REVIEW_CERTIFIED = "access_review.certified", _("Access review certified")
    CONSENT_GRANTED = "consent.granted", _("Consent granted")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Consent withdrawn")
    CONSENT_EXPIRED = "consent.expired", _("Consent expired")
    MARKETING_REFUSED = "consent.marketing_refused", _("All marketing refused")
    PURPOSE_SAVED = "purpose.saved", _("Processing purpose saved")
    NOTICE_PUBLISHED = "notice.published", _("Privacy notice published")
    RESTRICTION_APPLIED = "restriction.applied", _("Processing restricted")
    RESTRICTION_LIFTED = "restriction.lifted", _("Restriction lifted")
    LEGAL_HOLD_PLACED = "legal_hold.placed", _("Legal hold placed")
    LEGAL_HOLD_RELEASED = "legal_hold.released", _("Legal hold released")
    ERASURE_EXECUTED = "erasure.executed", _("Contact erased")
    ERASURE_COMPLETED = "erasure.completed", _("Held erasure completed")
    DISCLOSURE_RECORDED = "disclosure.recorded", _("Disclosure recorded")
    RETENTION_POLICY_SAVED = "retention.policy_saved", _("Retention policy saved")
    REQUEST_RECEIVED = "request.received", _("Data-subject request received")
    REQUEST_ASSIGNED = "request.assigned", _("Data-subject request assigned")
    REQUEST_IDENTITY_VERIFIED = "request.identity_verified", _("Requester's identity verified")
    REQUEST_ACKNOWLEDGED = "request.acknowledged", _("Data-subject request acknowledged")
    REQUEST_STARTED = "request.started", _("Data-subject request in progress")
    REQUEST_EXTENDED = "request.extended", _("Data-subject request deadline extended")
    REQUEST_COMPLETED = "request.completed", _("Data-subject request completed")
    REQUEST_REFUSED = "request.refused", _("Data-subject request refused")
    REQUEST_NOTE_ADDED = "request.note_added", _("Note added to a data-subject request")
    REQUEST_REMINDER_SENT = "request.reminder_sent", _("Data-subject request reminder sent")
    REQUEST_RULE_SAVED = "request.rule_saved", _("Request deadline rule saved")
    ACCESS_EXPORT_REQUESTED = "access_export.requested", _("Access export requested")
    ACCESS_EXPORT_BUILT = "access_export.built", _("Access export built")
    ACCESS_EXPORT_FAILED = "access_export.failed", _("Access export failed")
    ACCESS_EXPORT_DOWNLOADED = "access_export.downloaded", _("Access export downloaded")
    ACCESS_EXPORT_EXPIRED = "access_export.expired", _("Access export expired")
    INCIDENT_OPENED = "incident.opened", _("Incident opened")
    INCIDENT_UPDATED = "incident.updated", _("Incident updated")
    INCIDENT_CONTACTS_ADDED = "incident.contacts_added", _("Affected contacts added to incident")
    INCIDENT_DECIDED = "incident.decided", _("Incident decision recorded")
    INCIDENT_NOTICE_SENT = "incident.notice_sent", _("Incident notice recorded")
    BREACH_CLOCK_SAVED = "incident.clock_saved", _("Breach notification clock saved")
    REVIEW_PROPOSED = "review.proposed", _("Entry held for review")
    REVIEW_APPROVED = "review.approved", _("Entry approved")
    REVIEW_REJECTED = "review.rejected", _("Entry rejected")


class AuditEvent(models.Model):
    """One thing that happened to personal data, or to access. Append-only.

    Personal values never appear in clear: ``changes`` holds keyed hashes salted per contact
    for registered personal fields, and plain values only for the rest.

    The database refuses UPDATE, DELETE and TRUNCATE on this table (triggers, migration
    0003); an insert also queues the event for sealing (``AuditSealQueue``), and the sealer
    links it into the hash chain (``AuditSeal``) shortly after commit.
    """

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    # Not a foreign key: the event outlives the contact it describes.
    contact_id = models.BigIntegerField(_("contact id"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    via = models.CharField(_("via"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["actor", "occurred_at"])]

    def __str__(self) -> str:
        when = f"{self.occurred_at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.action} {self.object_type}:{self.object_id}"


class ContactSalt(models.Model):
    """The per-contact salt for audit hashes. Erasing a contact deletes its salt, so old
    hashes in the audit log can no longer be linked to anyone."""

    contact_id = models.BigIntegerField(_("contact id"), unique=True)
    salt = models.BinaryField(_("salt"))

    class Meta:
        verbose_name = _("contact salt")
        verbose_name_plural = _("contact salts")

    def __str__(self) -> str:
        return f"salt for contact {self.contact_id}"


class AuditSeal(models.Model):
    """One link of the audit log's hash chain: event ``event_id`` sealed at ``sequence``.

    ``hash = SHA-256(prev_hash + canonical event)`` (``compliance.chain``). Sequences are
    contiguous and follow sealing order, which is commit order, not id order: an event whose
    transaction commits late is sealed after events with higher ids. Append-only, like the
    events themselves.
    """

    sequence = models.BigIntegerField(_("sequence"), primary_key=True)
    # Not a foreign key: a deleted event must leave a seal pointing at nothing, which the
    # verifier reports, rather than a constraint or cascade hiding it.
    event_id = models.BigIntegerField(_("event id"), unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")

    def __str__(self) -> str:
        return f"#{self.sequence} event {self.event_id} {self.hash[:12]}"


class AuditSealQueue(models.Model):
    """Events committed but not sealed yet.

    A database trigger adds a row for every audit event inserted, in the inserting
    transaction, so no insert path can skip the chain, and an event from a transaction that
    commits late is still found. The sealer removes the row when it seals the event.
    """

    event_id = models.BigIntegerField(_("event id"), primary_key=True)

    class Meta:
        verbose_name = _("event waiting to be sealed")
        verbose_name_plural = _("events waiting to be sealed")

    def __str__(self) -> str:
        return f"event {self.event_id} waiting"


class AuditArchive(models.Model):
    """A sealed segment of the chain moved out of the database into a JSONL file.

    Verification starts the live chain from the last archive's ``end_hash``; the archives
    themselves chain (each ``start_hash`` is the previous ``end_hash``). Append-only.
    """

    first_sequence = models.BigIntegerField(_("first sequence"), unique=True)
    last_sequence = models.BigIntegerField(_("last sequence"), unique=True)
    start_hash = models.CharField(_("start hash"), max_length=64)
    end_hash = models.CharField(_("end hash"), max_length=64)
    event_count = models.PositiveIntegerField(_("events"))
    file_path = models.CharField(_("file"), max_length=500)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    archived_at = models.DateTimeField(_("archived at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ["first_sequence"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_sequence__gte=models.F("first_sequence")),
                name="auditarchive_last_after_first",
            ),
        ]

    def __str__(self) -> str:
        return f"audit archive {self.first_sequence}-{self.last_sequence}"


class KeyRotationRun(models.Model):
    """Progress of re-encrypting one model's encrypted fields under one newest key.

    ``rotate_keys`` resumes an unfinished run for the same key and model from ``last_pk``;
    each chunk and its progress commit together.
    """

    key_fingerprint = models.CharField(_("key fingerprint"), max_length=16)
    model_label = models.CharField(_("model"), max_length=100)
    last_pk = models.CharField(_("last primary key done"), max_length=64, blank=True)
    rows_seen = models.PositiveBigIntegerField(_("rows seen"), default=0)
    rows_rotated = models.PositiveBigIntegerField(_("rows re-encrypted"), default=0)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("key rotation run")
        verbose_name_plural = _("key rotation runs")
        indexes = [models.Index(fields=["key_fingerprint", "model_label"])]

    def __str__(self) -> str:
        state = "finished" if self.finished_at else f"at pk {self.last_pk or '-'}"
        return f"rotation to {self.key_fingerprint} of {self.model_label}: {state}"


class TrainingCourse(TimeStampedModel):
    """A course staff must take. Current privacy training gates exports, imports, bulk
    edits and reveals of masked values (``compliance.training``)."""

    name_en = models.CharField(_("name (English)"), max_length=150)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=150)
    is_privacy_course = models.BooleanField(_("privacy course"), default=True)
    validity_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=12)

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_zh_hant if (get_language() or "").startswith("zh") else self.name_en


class TrainingRecord(TimeStampedModel):
    """A member of staff completed a course; it counts until ``valid_until``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="training_records",
    )
    course = models.ForeignKey(
        TrainingCourse, verbose_name=_("course"), on_delete=models.PROTECT, related_name="records"
    )
    completed_on = models.DateField(_("completed on"))
    valid_until = models.DateField(_("valid until"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-valid_until"]
        indexes = [models.Index(fields=["user", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("completed_on")),
                name="training_valid_after_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.course} · {self.valid_until}"


class AccessReview(models.Model):
    """The DPO's certification that everyone's access for a period was reviewed, with the
    figures they saw. Append-only in practice: the console offers no change or delete."""

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("certified by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    certified_at = models.DateTimeField(_("certified at"))
    notes = models.TextField(_("notes"), blank=True)
    summary = models.JSONField(_("summary"), default=list)

    class Meta:
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        ordering = ["-period_end"]

    def __str__(self) -> str:
        return f"{self.period_start} – {self.period_end}"


# --- purposes, notices and the consent ledger ------------------------------------------------


class Purpose(TimeStampedModel):
    """Why the firm processes or contacts: a purpose, the lawful bases it may rest on and the
    channels it covers. The may-contact decision (``compliance.consent.rules``) reads it
    through ``terms()``."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=150)
    label_zh_hant = models.CharField(_("label (Traditional Chinese)"), max_length=150)
    is_marketing = models.BooleanField(_("marketing"), default=False)
    # Lists of ``LawfulBasis`` and ``Channel`` values; "any" covers every channel with one
    # consent.
    lawful_bases = models.JSONField(_("lawful bases"), default=list)
    channels = models.JSONField(_("channels"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("processing purpose")
        verbose_name_plural = _("processing purposes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_zh_hant if (get_language() or "").startswith("zh") else self.label_en

    def clean(self) -> None:
        errors = {}
        if not self.lawful_bases or not set(self.lawful_bases) <= set(LawfulBasis.values):
            errors["lawful_bases"] = _("Choose at least one lawful basis.")
        if not self.channels or not set(self.channels) <= set(Channel.values):
            errors["channels"] = _("Choose at least one channel.")
        if errors:
            raise ValidationError(errors)

    def terms(self) -> PurposeTerms:
        return PurposeTerms(
            code=self.code,
            is_marketing=self.is_marketing,
            lawful_bases=frozenset(self.lawful_bases),
            channels=frozenset(self.channels),
        )


class NoticeLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    CHINESE = "zh-hant", _("Traditional Chinese")


class Jurisdiction(models.TextChoices):
    TAIWAN = "TW", _("Taiwan (PDPA)")
    EU = "EU", _("European Union (GDPR)")
    CALIFORNIA = "US-CA", _("California (CCPA)")


class PrivacyNotice(TimeStampedModel):
    """One version of the privacy notice for a jurisdiction and language. A consent records
    the notice it was given under; publishing a version with ``material_change`` asks
    everyone who consented under an older one to consent again
    (``compliance.consent.queries.contacts_for_reconsent``)."""

    version = models.CharField(_("version"), max_length=20)
    language = models.CharField(_("language"), max_length=10, choices=NoticeLanguage.choices)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=10, choices=Jurisdiction.choices)
    effective_from = models.DateField(_("effective from"))
    material_change = models.BooleanField(_("material change"), default=False)
    text = models.TextField(_("text"), blank=True)
    url = models.URLField(_("URL"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["jurisdiction", "language", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "language", "version"], name="privacynotice_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(text="") | ~models.Q(url=""), name="privacynotice_has_text"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.language} v{self.version}"


class ConsentEventKind(models.TextChoices):
    GRANT = "grant", _("Granted")
    WITHDRAW = "withdraw", _("Withdrawn")
    EXPIRE = "expire", _("Expired")


class ConsentSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    SIGNED_PAPER = "signed_paper", _("Signed paper form")
    CALL_RECORDING = "call_recording", _("Call recording")
    IMPORT = "import", _("List import")
    BRANCH = "branch", _("At the branch")
    SYSTEM = "system", _("Prudence (automatic)")


class ConsentLedgerError(Exception):
    """The consent ledger is append-only."""


class ConsentEvent(models.Model):
    """One entry in the consent ledger: a grant, withdrawal or expiry for a purpose and
    channel, with its evidence. Append-only: never changed, never deleted (erasure
    anonymises the evidence reference with a queryset update). ``occurred_at`` is when the
    person consented or withdrew (a signed form may be recorded later); ``recorded_at`` is
    when Prudence learnt of it. ``ConsentState`` follows the latest by ``occurred_at``."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="consent_events",
    )
    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=ConsentEventKind.choices)
    lawful_basis = models.CharField(_("lawful basis"), max_length=20, choices=LawfulBasis.choices)
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    evidence_reference = models.CharField(_("evidence reference"), max_length=200, blank=True)
    notice = models.ForeignKey(
        PrivacyNotice,
        verbose_name=_("privacy notice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["contact", "purpose", "channel", "occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(kind="grant", expires_at__gt=models.F("occurred_at")),
                name="consentevent_expiry_after_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.kind} {self.purpose_id}/{self.channel}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ConsentLedgerError("consent events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ConsentLedgerError("consent events are never deleted")


class ConsentState(models.Model):
    """The current consent for a contact, purpose and channel: the ledger folded, kept in
    step in the same transaction as each event. Expiry is judged against the time of each
    question: a granted state past ``expires_at`` counts as expired before the nightly job
    records it."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="consent_states",
    )
    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices)
    lawful_basis = models.CharField(_("lawful basis"), max_length=20, choices=LawfulBasis.choices)
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    notice = models.ForeignKey(
        PrivacyNotice,
        verbose_name=_("privacy notice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # When the current status took effect: the last applied event's ``occurred_at``.
    since = models.DateTimeField(_("since"))
    last_event = models.ForeignKey(
        ConsentEvent, verbose_name=_("last event"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("consent state")
        verbose_name_plural = _("consent states")
        constraints = [
            # Also the index for one contact's states.
            models.UniqueConstraint(
                fields=["contact", "purpose", "channel"], name="consentstate_unique"
            ),
        ]
        indexes = [
            # Campaign audiences: who holds a live consent for a purpose on a channel.
            models.Index(fields=["purpose", "channel", "status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.purpose_id}/{self.channel}: {self.status}"


class ContactMarketingRefusal(models.Model):
    """The contact refused all marketing ("stop all marketing", Taiwan PDPA Art. 20(2)).

    Recording it withdraws every marketing consent in the same transaction. It stays on
    record: from then on a marketing purpose needs a consent given after the refusal, on the
    consent basis, and never from a list import (``compliance.consent.services``)."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="marketing_refusals",
    )
    refused_at = models.DateTimeField(_("refused at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    evidence_reference = models.CharField(_("evidence reference"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("marketing refusal")
        verbose_name_plural = _("marketing refusals")
        ordering = ["-refused_at", "-id"]
        indexes = [models.Index(fields=["contact", "refused_at"])]

    def __str__(self) -> str:
        return f"{self.contact_id} refused marketing {self.refused_at:%Y-%m-%d}"


class ContactRestriction(models.Model):
    """A contact whose processing is restricted (GDPR Art. 18, PDPA Art. 11) or whose data
    was erased. Written by the data-subject-request and erasure work; the may-contact
    decision refuses every purpose while one is active (``since`` until ``lifted_at``)."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="restrictions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RestrictionKind.choices)
    since = models.DateTimeField(_("since"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("contact restriction")
        verbose_name_plural = _("contact restrictions")
        indexes = [models.Index(fields=["contact", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True)
                | models.Q(lifted_at__gt=models.F("since")),
                name="contactrestriction_lifted_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.kind} since {self.since:%Y-%m-%d}"


# Erasure, legal holds, disclosures, suppression: their own module, imported last.
from compliance.models.erasure import (  # noqa: E402, F401
    DisclosedContact,
    Disclosure,
    ErasureRecord,
    ErasureStatus,
    LegalHold,
    LegalHoldKind,
    SuppressedIdentifier,
    SuppressionKind,
)

# Areas with their own modules, imported last so they may use what is above.
from compliance.models.incidents import (  # noqa: E402, F401
    BreachClockRule,
    Incident,
    IncidentContact,
    IncidentDecision,
    IncidentNotice,
    IncidentSeverity,
    IncidentStatus,
    NoticeRecipient,
)

# --- data-subject requests (their own module; imported last, it builds on the above) -----------
from compliance.models.requests import (  # noqa: E402, F401
    OPEN_STATUSES,
    AccessExport,
    AccessExportStatus,
    DataSubjectRequest,
    IdentityMethod,
    RequestChannel,
    RequestDeadlineKind,
    RequestDeadlineRule,
    RequestNote,
    RequestReminder,
    RequestStatus,
)
from compliance.models.retention import RetentionPolicy  # noqa: E402, F401
