from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.crypto import EncryptedTextField, mask
from contacts.models.contact import RiskLevel
from core.models import TimeStampedModel


class RiskAssessment(TimeStampedModel):
    """One dated suitability assessment. History is kept; the current profile is the
    latest one still valid."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="risk_assessments",
    )
    level = models.CharField(_("risk profile"), max_length=20, choices=RiskLevel.choices)
    assessed_on = models.DateField(_("assessed on"))
    valid_until = models.DateField(_("valid until"))
    is_professional_investor = models.BooleanField(_("professional investor"), default=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("assessed_on")), name="risk_valid_after_assessed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.assessed_on})"

    @property
    def is_valid(self) -> bool:
        return self.valid_until >= timezone.localdate()


class Organisation(TimeStampedModel):
    """A company or institution that contacts work for."""

    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    business_number = models.CharField(_("business number"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, default="TW")
    email_domain = models.CharField(_("email domain"), max_length=100, blank=True)
    industry = models.ForeignKey(
        "contacts.Tag",
        verbose_name=_("industry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.name})" if self.name_zh else self.name


class EmploymentQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))


class Employment(TimeStampedModel):
    """A contact's job at an organisation. A CFO who left has ``ended_on`` set."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="employments",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="employments",
    )
    title = models.CharField(_("title"), max_length=150, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = [F("ended_on").desc(nulls_first=True), "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="employment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} @ {self.organisation}"

    @property
    def has_ended(self) -> bool:
        return self.ended_on is not None and self.ended_on < timezone.localdate()


class RelationshipKind(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    HOUSEHOLD = "household", _("Household member")
    BUSINESS_PARTNER = "business_partner", _("Business partner")
    GUARDIAN = "guardian", _("Guardian of")

    @classmethod
    def household_kinds(cls) -> tuple[str, ...]:
        return (cls.SPOUSE, cls.HOUSEHOLD, cls.GUARDIAN)


class Relationship(TimeStampedModel):
    """A link between two contacts. Spouse, household member and business partner read the
    same both ways; "guardian of" reads from the guardian to the ward."""

    from_contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("from"),
        on_delete=models.CASCADE,
        related_name="relationships_from",
    )
    to_contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("to"),
        on_delete=models.CASCADE,
        related_name="relationships_to",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RelationshipKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(
                fields=["from_contact", "to_contact", "kind"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_contact=F("to_contact")), name="relationship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_contact_id} {self.kind} {self.to_contact_id}"


class ContactPointKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Postal address")


class ContactPointStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")
    BOUNCED = "bounced", _("Bounced")


class PhoneType(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    FIXED = "fixed", _("Fixed line")
    OTHER = "other", _("Other")


class ContactPoint(TimeStampedModel):
    """An email, phone or postal address. ``normalized`` is the canonical form (E.164 for
    phones, the normalised address for emails) used for search and duplicate matching."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="contact_points",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactPointKind.choices)
    label = models.CharField(_("label"), max_length=40, blank=True)
    value = models.TextField(_("value as entered"))
    normalized = models.CharField(_("normalised value"), max_length=320, blank=True, db_index=True)
    phone_type = models.CharField(
        _("phone type"), max_length=10, choices=PhoneType.choices, blank=True
    )
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ContactPointStatus.choices,
        default=ContactPointStatus.VALID,
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["kind", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "kind"],
                condition=Q(is_primary=True),
                name="contactpoint_one_primary_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.normalized or self.value}"


class InteractionChannel(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    MESSAGE = "message", _("Message")
    EVENT = "event", _("Event")


class Interaction(TimeStampedModel):
    """Something that happened between the firm and the contact, for the timeline."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=InteractionChannel.choices)
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Shown only to the contact's RM and to compliance (``may_read_restricted``).
    restricted = models.BooleanField(_("restricted"), default=False)
    # Special categories the summary seems to mention (``compliance.sensitive``), set by the
    # contact services whenever the summary is saved.
    sensitive_flags = models.JSONField(_("flagged as"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["contact", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"


class AccountKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit account")
    SECURITIES = "securities", _("Securities account")
    INSURANCE = "insurance", _("Insurance policy")
    LOAN = "loan", _("Loan")
    CARD = "card", _("Card")


class Account(TimeStampedModel):
    """An account or policy the contact holds. The number is encrypted at rest, shown
    masked, and found by its keyed hash."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="accounts",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AccountKind.choices)
    institution = models.CharField(_("institution"), max_length=100, blank=True)
    number = EncryptedTextField(_("account number"))
    number_hash = models.CharField(max_length=64, editable=False)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["number_hash"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number_masked}"

    @property
    def number_masked(self) -> str:
        return mask(self.number)
