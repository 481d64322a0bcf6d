from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

# Materialised path: each level is a fixed-width segment, so "all descendants of a tag" is
# one indexed prefix match (path LIKE '0003.0012.%') at any depth.
PATH_SEGMENT_WIDTH = 4


class TagQuerySet(models.QuerySet):
    def categories(self):
        return self.filter(parent__isnull=True)

    def subtree(self, tag: "Tag"):
        """The tag and every descendant, at any depth."""
        return self.filter(path__startswith=tag.path)


class Tag(TimeStampedModel):
    """A term in the governed vocabulary: a tree of any depth under top-level categories
    (client segment, industry, interest, investment preference...). Only administrators
    change it; relationship managers assign its terms to contacts."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=100)
    label_zh_hant = models.CharField(_("label (Traditional Chinese)"), max_length=100)
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.breadcrumb

    @property
    def label(self) -> str:
        return self.label_zh_hant if (get_language() or "").startswith("zh") else self.label_en

    @property
    def ancestor_paths(self) -> list[str]:
        width = PATH_SEGMENT_WIDTH + 1
        return [self.path[: width * i] for i in range(1, self.depth + 2)]

    @property
    def breadcrumb(self) -> str:
        """Labels from the category down, e.g. "Client segment › Individual › High net worth".

        Uses ``tag_tree`` (all tags, cached per request by the caller) when available.
        """
        chain = getattr(self, "_ancestors", None)
        if chain is None:
            return self.label
        return " › ".join(t.label for t in chain)

    @property
    def category_path(self) -> str:
        return self.path[: PATH_SEGMENT_WIDTH + 1]


class ContactTag(models.Model):
    """A tag assigned to a contact, with who assigned it and when."""

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="tag_assignments",
    )
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag assignment")
        verbose_name_plural = _("tag assignments")
        constraints = [
            models.UniqueConstraint(fields=["contact", "tag"], name="contacttag_unique"),
        ]
        indexes = [models.Index(fields=["tag", "contact"])]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.tag.code}"
