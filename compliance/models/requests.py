"""Data-subject requests: the request and its workflow, notes, the deadline table the DPO
edits, the reminders sent, and the access/portability packages built for it.

The clocks are computed by ``compliance.requests.clock``; every write goes through
``compliance.requests.services``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.requests.clock import (
    DeadlineTerms,
    Period,
    PeriodUnit,
    ReminderStage,
    RequestJurisdiction,
    RequestType,
)
from core.models import TimeStampedModel


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IDENTITY_VERIFIED = "identity_verified", _("Identity verified")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")


OPEN_STATUSES = (
    RequestStatus.RECEIVED,
    RequestStatus.IDENTITY_VERIFIED,
    RequestStatus.IN_PROGRESS,
)


class RequestChannel(models.TextChoices):
    BRANCH = "branch", _("At the branch")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WEB_FORM = "web_form", _("Web form")
    RELATIONSHIP_MANAGER = "rm", _("Through the relationship manager")


class IdentityMethod(models.TextChoices):
    ID_DOCUMENT_IN_PERSON = "id_document", _("Identity document seen in person")
    KNOWN_CHANNEL = "known_channel", _("Call-back or reply on a channel on record")
    SIGNED_FORM = "signed_form", _("Signed form matched to the signature on file")
    ONLINE_BANKING = "online_banking", _("Authenticated in online banking")
    OTHER = "other", _("Other")


class DataSubjectRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DataSubjectRequestQuerySet":
        """The requests of the contacts ``user`` may see: the one door is the contact's."""
        contact_model = self.model._meta.get_field("contact").related_model
        return self.filter(contact__in=contact_model.objects.visible_to(user))

    def open(self) -> "DataSubjectRequestQuerySet":
        return self.filter(status__in=OPEN_STATUSES)


class DataSubjectRequest(TimeStampedModel):
    """A person exercising a right over their data (access, copy, rectification, erasure,
    restriction, objection, portability), from intake to completion or refusal.

    The law (``jurisdiction``) is fixed at intake from the contact's country of residence,
    and the deadlines from the DPO's table (``RequestDeadlineRule``) at that moment, so a
    later change of either never moves a running clock. ``original_due_on`` keeps the
    deadline before the one extension the law allows.
    """

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="data_subject_requests",
    )
    request_type = models.CharField(_("type"), max_length=20, choices=RequestType.choices)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=10, choices=RequestJurisdiction.choices
    )
    channel = models.CharField(_("received by"), max_length=20, choices=RequestChannel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    description = models.TextField(_("what the person asked"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    acknowledge_due_on = models.DateField(_("acknowledge by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    due_on = models.DateField(_("answer by"), db_index=True)
    original_due_on = models.DateField(_("answer by (before extension)"))
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("extended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    identity_method = models.CharField(
        _("identity verified by"), max_length=20, choices=IdentityMethod.choices, blank=True
    )
    identity_evidence = models.TextField(_("evidence seen"), blank=True)
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("identity verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)

    objects = DataSubjectRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["assignee", "status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("original_due_on")),
                name="dsr_due_not_before_original",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="dsr_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(extended_at__isnull=True) | ~models.Q(extension_reason=""),
                name="dsr_extension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_request_type_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_extended(self) -> bool:
        return self.extended_at is not None


class RequestNote(models.Model):
    """A working note on a request. Notes are never changed or deleted."""

    request = models.ForeignKey(
        DataSubjectRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="notes",
    )
    body = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("request note")
        verbose_name_plural = _("request notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note {self.pk} on request {self.request_id}"


class RequestDeadlineRule(TimeStampedModel):
    """How long the firm has to acknowledge and answer one type of request under one law,
    and the one extension allowed. Seeded with the laws' periods; the DPO edits it in the
    console. A request keeps the deadlines it was given at intake."""

    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=10, choices=RequestJurisdiction.choices
    )
    request_type = models.CharField(_("request type"), max_length=20, choices=RequestType.choices)
    answer_amount = models.PositiveSmallIntegerField(_("answer within"))
    answer_unit = models.CharField(_("unit"), max_length=20, choices=PeriodUnit.choices)
    extension_amount = models.PositiveSmallIntegerField(_("extension of up to"))
    extension_unit = models.CharField(
        _("extension unit"), max_length=20, choices=PeriodUnit.choices
    )
    acknowledge_amount = models.PositiveSmallIntegerField(
        _("acknowledge within"),
        null=True,
        blank=True,
        help_text=_("Leave empty where the law sets no acknowledgement period."),
    )
    acknowledge_unit = models.CharField(
        _("acknowledgement unit"), max_length=20, choices=PeriodUnit.choices, blank=True
    )

    class Meta:
        verbose_name = _("request deadline rule")
        verbose_name_plural = _("request deadline rules")
        ordering = ["jurisdiction", "request_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "request_type"], name="requestdeadlinerule_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(answer_amount__gt=0),
                name="requestdeadlinerule_answer_positive",
                violation_error_message=_("The answer period must be at least one day."),
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledge_amount__isnull=True)
                | ~models.Q(acknowledge_unit=""),
                name="requestdeadlinerule_acknowledge_unit",
                violation_error_message=_("Choose the unit of the acknowledgement period."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_jurisdiction_display()} · {self.get_request_type_display()}"

    def terms(self) -> DeadlineTerms:
        acknowledge = None
        if self.acknowledge_amount:
            acknowledge = Period(self.acknowledge_amount, self.acknowledge_unit)
        return DeadlineTerms(
            answer=Period(self.answer_amount, self.answer_unit),
            extension=Period(self.extension_amount, self.extension_unit),
            acknowledge=acknowledge,
        )


class RequestDeadlineKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledgement")
    ANSWER = "answer", _("Answer")


class RequestReminder(models.Model):
    """A reminder sent for one deadline of a request at one stage. The unique constraint
    is what makes the nightly job safe to run twice; an extension gives a new due date,
    and so a fresh set of reminders."""

    request = models.ForeignKey(
        DataSubjectRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    deadline = models.CharField(_("deadline"), max_length=20, choices=RequestDeadlineKind.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=ReminderStage.choices)
    due_on = models.DateField(_("due on"))
    recipients = models.JSONField(_("sent to (user ids)"), default=list)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("request reminder")
        verbose_name_plural = _("request reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "deadline", "stage", "due_on"], name="requestreminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.request_id} {self.deadline} {self.stage}"


class AccessExportStatus(models.TextChoices):
    PENDING = "pending", _("Being built")
    READY = "ready", _("Ready to download")
    DOWNLOADED = "downloaded", _("Downloaded")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")


class AccessExport(models.Model):
    """The package of everything held about the person, for an access, copy or
    portability request. Built by a task into a private directory (``DSR_EXPORT_DIR``,
    never under media or static), downloaded once by the DPO before ``expires_at``, and the
    file deleted after that download or at expiry."""

    request = models.ForeignKey(
        DataSubjectRequest,
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        related_name="exports",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AccessExportStatus.choices,
        default=AccessExportStatus.PENDING,
    )
    # A random name under the private directory: it says nothing about the person.
    file_name = models.CharField(_("file"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("downloaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access export")
        verbose_name_plural = _("access exports")
        ordering = ["-requested_at", "-id"]
        permissions = [("download_accessexport", _("Can download an access export"))]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"export {self.pk} for request {self.request_id}"
