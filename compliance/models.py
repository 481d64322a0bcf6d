from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


class AuditEvent(models.Model):
    """One thing that happened to personal data, or to access. Append-only.

    Personal values never appear in clear: ``changes`` holds keyed hashes salted per contact
    for registered personal fields, and plain values only for the rest.
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
