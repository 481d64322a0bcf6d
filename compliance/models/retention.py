"""Retention policies: how long each category of contact is kept before erasure."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class RetentionPolicy(TimeStampedModel):
    """Contacts of ``category`` are erased ``years`` after the category's clock started
    (a prospect's last interaction, a former client's end of relationship). The categories
    and their clocks are registered by the app that knows the contacts
    (``registry.register_retention_category``); the DPO sets the periods in the console.
    The nightly job (``compliance.jobs.ApplyRetentionJob``) erases through
    ``erasure_execute``, so legal holds still apply."""

    category = models.CharField(_("category"), max_length=40, unique=True)
    years = models.PositiveSmallIntegerField(_("years"), validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.category}: {self.years}"
