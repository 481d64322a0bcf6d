from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from dataquality.rules import Severity


class QualityIssue(models.Model):
    """One data-quality rule a contact breaks, from the day it was found to the day it was
    resolved. At most one open issue per contact and rule; a resolved one stays as history.
    The message says what is wrong, never the value."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="quality_issues",
    )
    rule = models.CharField(_("rule"), max_length=40)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    message = models.CharField(_("message"), max_length=300)
    detected_on = models.DateField(_("detected on"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    stale_since = models.DateField(_("stale since"), null=True, blank=True)

    class Meta:
        verbose_name = _("data-quality issue")
        verbose_name_plural = _("data-quality issues")
        ordering = ["resolved_on", "-detected_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "rule"],
                condition=Q(resolved_on__isnull=True),
                name="qualityissue_one_open_per_rule",
            ),
        ]
        indexes = [
            models.Index(
                fields=["rule", "contact"],
                condition=Q(resolved_on__isnull=True),
                name="qualityissue_open_by_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.contact_id})"

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None


class ReviewTask(models.Model):
    """A data-quality finding put to the contact's RM to check, with a due date."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="quality_tasks",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="quality_tasks",
    )
    rule = models.CharField(_("rule"), max_length=40)
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("data-quality review task")
        verbose_name_plural = _("data-quality review tasks")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "rule"],
                condition=Q(completed_at__isnull=True),
                name="reviewtask_one_open_per_rule",
            ),
        ]
        indexes = [
            models.Index(
                fields=["assignee", "due_on"],
                condition=Q(completed_at__isnull=True),
                name="reviewtask_open_by_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.contact_id}) due {self.due_on}"


class VerificationOutcome(models.TextChoices):
    DELIVERABLE = "deliverable", _("Deliverable")
    UNDELIVERABLE = "undeliverable", _("Undeliverable")
    UNKNOWN = "unknown", _("Could not tell")


class VerificationResult(models.Model):
    """What a third-party check said about a contact point: source, time, outcome."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="verification_results",
    )
    contact_point = models.ForeignKey(
        "contacts.ContactPoint",
        verbose_name=_("contact point"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=40)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=15, choices=VerificationOutcome.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("verification result")
        verbose_name_plural = _("verification results")
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["contact", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.source}: {self.outcome}"


class QualityRun(models.Model):
    """One scoring run's figures, kept for the dashboard's trend."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Incremental")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    contacts_read = models.PositiveIntegerField(_("contacts read"), default=0)
    contacts_written = models.PositiveIntegerField(_("contacts written"), default=0)
    contacts_skipped = models.PositiveIntegerField(_("changed meanwhile, left"), default=0)
    issues_opened = models.PositiveIntegerField(_("issues opened"), default=0)
    issues_resolved = models.PositiveIntegerField(_("issues resolved"), default=0)

    class Meta:
        verbose_name = _("data-quality run")
        verbose_name_plural = _("data-quality runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"


class QualitySnapshot(models.Model):
    """One RM's book after a run: counts only, so the trend can be scoped by book."""

    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="snapshots")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    contacts = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveBigIntegerField(default=0)
    blocking = models.PositiveIntegerField(default=0)
    open_issues = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("data-quality snapshot")
        verbose_name_plural = _("data-quality snapshots")
        constraints = [
            models.UniqueConstraint(fields=["run", "owner"], name="qualitysnapshot_one_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.owner_id}"


class ListImport(TimeStampedModel):
    """An imported bounce or deceased list: who, when, and what matched (counts only; the
    rows themselves are not kept)."""

    class Kind(models.TextChoices):
        BOUNCES = "bounces", _("Bounce list")
        DECEASED = "deceased", _("Deceased list")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    encoding = models.CharField(_("encoding"), max_length=20)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    marked = models.PositiveIntegerField(_("marked"), default=0)
    for_review = models.PositiveIntegerField(_("sent for review"), default=0)
    unmatched = models.PositiveIntegerField(_("not matched"), default=0)
    invalid = models.PositiveIntegerField(_("invalid rows"), default=0)

    class Meta:
        verbose_name = _("list import")
        verbose_name_plural = _("list imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d}"


class DeceasedCandidate(models.Model):
    """A deceased-list row that matched a contact on name and date of birth only. A person
    confirms or rejects it; it never marks the contact deceased by itself."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed deceased")
        REJECTED = "rejected", _("Not the same person")

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="deceased_candidates",
    )
    list_import = models.ForeignKey(ListImport, on_delete=models.CASCADE, related_name="candidates")
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("possible deceased match")
        verbose_name_plural = _("possible deceased matches")
        ordering = ["status", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(status="pending"),
                name="deceasedcandidate_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} ({self.status})"
