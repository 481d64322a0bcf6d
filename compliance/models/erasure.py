"""Erasure, legal holds, the disclosure register and the suppression list.

Written only by ``compliance.erasure`` services. None of these rows holds a contact's data in
clear: erasure records keep counts, disclosures keep who received what, the suppression list
keeps keyed hashes linked to nobody.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.consent.rules import LawfulBasis


class LegalHoldKind(models.TextChoices):
    KYC_AML = "kyc_aml", _("KYC/AML record keeping")
    DISPUTE = "dispute", _("Open dispute or litigation")
    REGULATOR = "regulator", _("Regulator's request")
    OTHER = "other", _("Other legal obligation")


class LegalHoldQuerySet(models.QuerySet):
    def active(self, on=None):
        """Holds in force on ``on`` (today): not released, and not past ``ends_on``."""
        on = on or timezone.localdate()
        return self.filter(released_at__isnull=True).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )


class LegalHold(models.Model):
    """Records of a contact that must be kept despite an erasure (a KYC/AML retention
    period, an open dispute). While a hold is in force the held data stays, restricted from
    all processing and hidden from RMs; when every hold has ended the nightly job finishes
    the erasure. What each kind keeps is declared in the personal-data registry
    (``registry.declare_held``); a kind that declares nothing keeps the whole file."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LegalHoldKind.choices)
    reason = models.CharField(
        _("reason"),
        max_length=200,
        help_text=_("The obligation or case, e.g. a case number. No personal data."),
    )
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Leave empty while the end is unknown.")
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("placed at"), default=timezone.now)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["contact", "released_at", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="legalhold_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        until = self.ends_on.isoformat() if self.ends_on else "…"
        return f"{self.contact_id} {self.kind} until {until}"

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.released_at is None and (self.ends_on is None or self.ends_on >= on)


class ErasureStatus(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    HELD = "held", _("Partly held back")


class ErasureRecord(models.Model):
    """One erasure: when, by whom, what was done per table, what was held back and until
    when, and whom the data had been disclosed to (to be told, GDPR Art. 19). Holds no
    personal data. A held erasure is finished by the nightly job, which sets
    ``completed_at``."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="erasures",
    )
    executed_at = models.DateTimeField(_("executed at"), default=timezone.now)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(
        _("reason"), max_length=200, help_text=_("Why, e.g. the request's number. No names.")
    )
    request_id = models.CharField(_("data-subject request"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ErasureStatus.choices)
    # Model label -> {"anonymised": n, "nulled": n, "deleted": n}; summed over the runs.
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # [{"hold": id, "kind": ..., "until": date or null, "tables": {label: [fields] or "*"}}]
    held = models.JSONField(_("held back"), default=list, blank=True)
    # [{"id": ..., "recipient": ..., "what": ..., "disclosed_at": ...}]
    disclosures = models.JSONField(_("disclosed to"), default=list, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-executed_at", "-id"]
        indexes = [models.Index(fields=["status", "executed_at"])]

    def __str__(self) -> str:
        return f"erasure of {self.contact_id} {self.executed_at:%Y-%m-%d} ({self.status})"


class Disclosure(models.Model):
    """Personal data given to someone outside the firm or outside Prudence: an export, a
    transfer to a regulator or a partner. The contacts disclosed are stored set-based
    (``DisclosedContact``), so an export of a million rows is a few inserts. Erasure lists a
    contact's disclosures, so the recipients can be told (GDPR Art. 19)."""

    recipient = models.CharField(_("recipient"), max_length=200)
    what = models.CharField(_("what was disclosed"), max_length=300)
    disclosed_at = models.DateTimeField(_("disclosed at"), default=timezone.now, db_index=True)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("disclosed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LawfulBasis.choices)
    contact_count = models.PositiveIntegerField(_("contacts"), default=0)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-disclosed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.what} ({self.disclosed_at:%Y-%m-%d})"


class DisclosedContact(models.Model):
    """One contact in a disclosure."""

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="disclosed_contacts"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="disclosures"
    )

    class Meta:
        verbose_name = _("disclosed contact")
        verbose_name_plural = _("disclosed contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "disclosure"], name="disclosedcontact_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in disclosure {self.disclosure_id}"


class SuppressionKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    NATIONAL_ID = "national_id", _("National ID")


class SuppressedIdentifier(models.Model):
    """An identifier of an erased person, as a keyed hash linked to no contact, so the person
    cannot be added again for marketing (``compliance.erasure.suppression``)."""

    kind = models.CharField(_("kind"), max_length=12, choices=SuppressionKind.choices)
    value_hash = models.CharField(_("keyed hash"), max_length=64)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("suppressed identifier")
        verbose_name_plural = _("suppressed identifiers")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value_hash"], name="suppression_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value_hash[:12]}…"
