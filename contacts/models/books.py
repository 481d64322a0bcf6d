from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class BookCoverQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on, ends_on__gte=on)


class BookCover(TimeStampedModel):
    """A colleague sees another RM's book until a date (holiday, sick leave), then loses it.

    Access is judged against today's date on every request, so it ends on its own.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("book of"),
        on_delete=models.CASCADE,
        related_name="covers_given",
    )
    covered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("covered by"),
        on_delete=models.CASCADE,
        related_name="covers_held",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = BookCoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("book cover")
        verbose_name_plural = _("book covers")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="bookcover_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(owner=F("covered_by")), name="bookcover_not_self"),
        ]
        indexes = [models.Index(fields=["covered_by", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.covered_by} → {self.owner} ({self.starts_on}–{self.ends_on})"
