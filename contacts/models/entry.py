"""The book's entry rules as data: required-field rules and four-eyes review.

Administrators edit ``RequiredFieldRule`` and ``ReviewRule`` in the admin console; the
contact services read them (``contacts.services.policies``, ``contacts.services.review``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.crypto import EncryptedTextField, mask
from contacts.models.contact import LifecycleStage
from contacts.policies import Requirement, Severity
from core.models import TimeStampedModel


class RequiredFieldRule(TimeStampedModel):
    """What a contact at a lifecycle stage (and, optionally, in a client segment) must
    have, and whether missing it blocks saving or raises a data-quality issue."""

    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=LifecycleStage.choices
    )
    segment = models.ForeignKey(
        "contacts.Tag",
        verbose_name=_("client segment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"code__startswith": "segment-"},
        help_text=_("Leave empty for every contact at this stage."),
    )
    requirement = models.CharField(_("requirement"), max_length=30, choices=Requirement.choices)
    severity = models.CharField(_("when missing"), max_length=10, choices=Severity.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("required-field rule")
        verbose_name_plural = _("required-field rules")
        ordering = ["lifecycle_stage", "segment__path", "requirement"]
        constraints = [
            models.UniqueConstraint(
                fields=["lifecycle_stage", "requirement"],
                condition=Q(segment__isnull=True),
                name="requiredfieldrule_unique_for_stage",
            ),
            models.UniqueConstraint(
                fields=["lifecycle_stage", "segment", "requirement"],
                condition=Q(segment__isnull=False),
                name="requiredfieldrule_unique_for_segment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_lifecycle_stage_display()}: {self.get_requirement_display()}"

    @property
    def code(self) -> str:
        segment = self.segment.code if self.segment_id else "all"
        return f"{self.lifecycle_stage}.{segment}.{self.requirement}"


class ReviewSubject(models.TextChoices):
    NEW_CONTACT = "new_contact", _("A new contact")
    NAMES = "names", _("Names")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    NATIONAL_ID = "national_id", _("National ID")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment")
    CONTACT_POINTS = "contact_points", _("Contact points")


class ReviewRule(TimeStampedModel):
    """Which entries wait for a second person (a reviewer) before they take effect, per
    lifecycle stage: a new contact, or a change to one group of sensitive fields."""

    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=LifecycleStage.choices
    )
    subject = models.CharField(_("what"), max_length=20, choices=ReviewSubject.choices)
    is_active = models.BooleanField(_("needs review"), default=True)

    class Meta:
        verbose_name = _("review rule")
        verbose_name_plural = _("review rules")
        ordering = ["lifecycle_stage", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["lifecycle_stage", "subject"], name="reviewrule_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_lifecycle_stage_display()}: {self.get_subject_display()}"


class ChangeKind(models.TextChoices):
    CREATE = "create", _("New contact")
    UPDATE = "update", _("Change of details")
    POINT_ADD = "point_add", _("New contact point")
    POINT_REMOVE = "point_remove", _("Contact point removed")
    RISK_RECORD = "risk_record", _("New risk assessment")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PendingChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ReviewStatus.PENDING)


class PendingChange(TimeStampedModel):
    """One entry waiting for four eyes: who proposed what, against which version.

    ``values`` holds the proposed values (personal data: registered, deleted with the
    contact); a proposed national ID is never in it but encrypted in ``national_id``. A new
    contact is not held here: it exists in the book marked ``awaiting_review`` (so its owner
    can complete it) and the may-contact door refuses it until approved; this row records
    the review. ``base_version`` is the contact's version the proposal was made against:
    approval is refused once the contact has moved on.
    """

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pending_changes",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    values = models.JSONField(_("proposed values"), default=dict, blank=True)
    national_id = EncryptedTextField(_("proposed national ID"), blank=True)
    base_version = models.PositiveIntegerField(_("base version"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.TextField(_("reason for rejection"), blank=True)

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        ordering = ["created_at", "id"]
        permissions = [("review_pendingchange", _("Can review colleagues' entries"))]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def national_id_masked(self) -> str:
        return mask(self.national_id)


class ReviewBatch(TimeStampedModel):
    """A bulk entry (an import) reviewed as one: the reviewer sees the row report and a
    random sample; approval creates every valid row through the contact services."""

    source_name = models.CharField(_("source"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship manager"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_count = models.PositiveIntegerField(_("contacts created"), default=0)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.TextField(_("reason for rejection"), blank=True)
    # Set when every valid row of an approved batch has become a contact; until then a
    # large batch is being applied in the background (``created_count`` is the progress).
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review batch")
        verbose_name_plural = _("review batches")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.row_count})"


class ReviewBatchRow(models.Model):
    """One row of a batch: the values as read (personal data; the national ID encrypted),
    the errors found, and the contact it became once the batch was approved."""

    batch = models.ForeignKey(ReviewBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"))
    values = models.JSONField(_("values"), default=dict)
    national_id = EncryptedTextField(_("national ID"), blank=True)
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("review batch row")
        verbose_name_plural = _("review batch rows")
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="reviewbatchrow_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"
