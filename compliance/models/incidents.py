"""The incident (breach) register: what happened, who was affected, the notification
clocks, the decisions taken and the notices sent. Written only through
``compliance.incidents.services``; every step is audited."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class IncidentSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    CONTAINED = "contained", _("Contained")
    CLOSED = "closed", _("Closed")


class NoticeRecipient(models.TextChoices):
    AUTHORITY = "authority", _("Supervisory authority")
    SUBJECTS = "subjects", _("People affected")


class BreachClockRule(TimeStampedModel):
    """A notification deadline the DPO keeps: to whom, and how many hours after discovery.
    Seeded with GDPR's 72 hours to the authority and the PDPA notice to the people
    affected; edited in the console, audited."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=150)
    label_zh_hant = models.CharField(_("label (Traditional Chinese)"), max_length=150)
    recipient = models.CharField(_("notify"), max_length=10, choices=NoticeRecipient.choices)
    hours = models.PositiveIntegerField(
        _("hours from discovery"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no fixed deadline (without undue delay)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("breach notification clock")
        verbose_name_plural = _("breach notification clocks")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_zh_hant if (get_language() or "").startswith("zh") else self.label_en


class Incident(TimeStampedModel):
    """A personal-data incident or breach. The description says what happened to which
    systems and data; the people affected are listed by contact id (``IncidentContact``),
    never named here."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    occurred_at = models.DateTimeField(_("happened at"))
    discovered_at = models.DateTimeField(_("discovered at"))
    severity = models.CharField(_("severity"), max_length=10, choices=IncidentSeverity.choices)
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=IncidentStatus.choices,
        default=IncidentStatus.INVESTIGATING,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-discovered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discovered_at__gte=models.F("occurred_at")),
                name="incident_discovered_after_it_happened",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class IncidentContact(models.Model):
    """A contact affected by an incident, by id only: the breach record outlives the
    contact's erasure, and holds nothing about them but the id."""

    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="affected",
    )
    contact_id = models.BigIntegerField(_("contact id"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("affected contact")
        verbose_name_plural = _("affected contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "contact_id"], name="incidentcontact_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"incident {self.incident_id}: contact {self.contact_id}"


class IncidentDecision(models.Model):
    """One decision about an incident, with who took it, when and why. A decision may
    waive a notification clock (e.g. "no risk to the people affected, so the authority
    need not be told"), which the clocks then show as waived. Append-only."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="decisions"
    )
    decision = models.CharField(_("decision"), max_length=300)
    reason = models.TextField(_("why"))
    waives_clock = models.ForeignKey(
        BreachClockRule,
        verbose_name=_("waives the clock"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("incident decision")
        verbose_name_plural = _("incident decisions")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return self.decision


class IncidentNotice(models.Model):
    """A notice sent about an incident: to the supervisory authority, or to the people
    affected, with its date and reference. Append-only."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="notices"
    )
    recipient = models.CharField(_("sent to"), max_length=10, choices=NoticeRecipient.choices)
    addressee = models.CharField(
        _("addressee"),
        max_length=200,
        help_text=_("The authority's name, or how the people affected were told."),
    )
    sent_at = models.DateTimeField(_("sent at"))
    reference = models.CharField(_("reference"), max_length=100)
    people_notified = models.PositiveIntegerField(_("people notified"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("incident notice")
        verbose_name_plural = _("incident notices")
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_recipient_display()} {self.reference}"
