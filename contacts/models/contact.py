from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.crypto import EncryptedTextField, mask
from contacts.fields import IdSetField, SearchTokensField
from contacts.names import display_name
from core import roles
from core.models import TimeStampedModel


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CLIENT = "client", _("Client")
    FORMER_CLIENT = "former_client", _("Former client")


class RiskLevel(models.TextChoices):
    CONSERVATIVE = "conservative", _("Conservative")
    MODERATE = "moderate", _("Moderate")
    AGGRESSIVE = "aggressive", _("Aggressive")


class AcquisitionSource(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event or seminar")
    BRANCH = "branch", _("Branch walk-in")
    WEBSITE = "website", _("Website")
    EXISTING_RELATIONSHIP = "existing", _("Existing relationship")
    IMPORT = "import", _("List import")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    CHINESE = "zh-hant", _("Traditional Chinese")


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ContactQuerySet":
        """The one door for who may see a contact.

        An RM sees their own book and the books they are covering today; a team lead also
        sees their team's; compliance sees every book. Anyone else (an administrator with no
        client-facing role, a reviewer alone) sees none.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        names = roles.role_names(user)
        if roles.COMPLIANCE in names:
            return self.all()
        if not names & {roles.RELATIONSHIP_MANAGER, roles.TEAM_LEAD}:
            return self.none()
        return self.filter(owner_id__in=book_owner_ids(user)).exclude(erased_q())

    def with_review_overdue(self, on=None):
        return self.filter(next_review_due__lt=on or timezone.localdate())

    def with_blocking_issue(self) -> "ContactQuerySet":
        return self.filter(has_blocking_issue=True)

    def with_quality_between(self, low: int | None, high: int | None) -> "ContactQuerySet":
        queryset = self
        if low is not None:
            queryset = queryset.filter(quality_score__gte=low)
        if high is not None:
            queryset = queryset.filter(quality_score__lte=high)
        return queryset

    def quality_pending(self, on=None) -> "ContactQuerySet":
        """Contacts whose quality summary is out of date: changed since it was computed,
        or due for a re-check by date."""
        on = on or timezone.localdate()
        return self.filter(Q(quality_version__lt=F("version")) | Q(quality_due_on__lte=on))

    def with_current_risk(self, level: str, on=None):
        return self.filter(risk_level=level, risk_valid_until__gte=on or timezone.localdate())


def restriction_exists(kind: str) -> Exists:
    """Whether a restriction of ``kind`` (``compliance.consent.rules.RestrictionKind``) is in
    force on the contact, as SQL."""
    from compliance.models import ContactRestriction

    return Exists(
        ContactRestriction.objects.filter(
            contact_id=OuterRef("pk"),
            kind=kind,
            since__lte=timezone.now(),
            lifted_at__isnull=True,
        )
    )


def erased_q() -> Q:
    """Contacts marked erased (``compliance.erasure``): gone from every book. What a legal
    hold keeps of them stays for compliance alone, marked."""
    from compliance.consent.rules import RestrictionKind

    return Q(restriction_exists(RestrictionKind.ERASED))


def book_owner_ids(user) -> list[int]:
    """The owners whose books ``user`` may see: their own, covered books, their team's."""
    from contacts.models.books import BookCover

    owner_ids = {user.pk}
    owner_ids.update(
        BookCover.objects.active().filter(covered_by=user).values_list("owner_id", flat=True)
    )
    if roles.TEAM_LEAD in roles.role_names(user):
        from django.contrib.auth import get_user_model

        owner_ids.update(
            get_user_model().objects.filter(team__lead=user).values_list("pk", flat=True)
        )
    return sorted(owner_ids)


def may_read_restricted(user, *, owner_id: int) -> bool:
    """A restricted note or interaction is for the contact's own RM and compliance only;
    a covering RM or a team lead who sees the contact sees a placeholder."""
    return user.pk == owner_id or roles.COMPLIANCE in roles.role_names(user)


class Contact(TimeStampedModel):
    """A person in the firm's book: a prospect, a client or a former client.

    Sensitive identifiers are encrypted at rest with a keyed hash beside them for exact
    lookup. ``version`` rises with every saved change, so a stale edit is refused instead
    of overwriting a colleague's work. ``risk_level``/``risk_valid_until`` and
    ``display_name``/``search_tokens`` are kept in step by the contact services.
    """

    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50, blank=True)
    name_romanised = models.CharField(_("passport romanisation"), max_length=150, blank=True)
    preferred_name = models.CharField(_("English or preferred name"), max_length=100, blank=True)
    display_name = models.CharField(_("name"), max_length=300, editable=False, db_index=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=Language.choices, default=Language.CHINESE
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    national_id = EncryptedTextField(_("national ID"), blank=True)
    national_id_country = models.CharField(_("national ID issued by"), max_length=2, blank=True)
    national_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    country_of_residence = models.CharField(_("country of residence"), max_length=2, default="TW")

    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=LifecycleStage.choices
    )
    relationship_started_on = models.DateField(_("relationship started on"), null=True, blank=True)
    relationship_ended_on = models.DateField(_("relationship ended on"), null=True, blank=True)
    acquisition_source = models.CharField(
        _("how we got the contact"), max_length=20, choices=AcquisitionSource.choices, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship manager"),
        on_delete=models.PROTECT,
        related_name="book",
    )

    is_deceased = models.BooleanField(_("deceased"), default=False)
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    left_employer = models.BooleanField(_("left employer"), default=False)
    # A new contact waits for a reviewer (four eyes); the may-contact door refuses it until then.
    awaiting_review = models.BooleanField(_("awaiting review"), default=False, editable=False)

    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Shown only to the contact's RM and to compliance (``may_read_restricted``).
    notes_restricted = models.BooleanField(_("notes restricted"), default=False)
    # Special categories the notes seem to mention (``compliance.sensitive``), set by the
    # contact services whenever the notes are saved.
    notes_flags = models.JSONField(_("notes flagged as"), default=list, blank=True, editable=False)

    risk_level = models.CharField(
        _("risk profile"), max_length=20, choices=RiskLevel.choices, blank=True, editable=False
    )
    risk_valid_until = models.DateField(
        _("risk profile valid until"), null=True, blank=True, editable=False
    )
    # Space-separated search tokens (name substrings for CJK, words and prefixes for Latin
    # names, email and phone forms). Served by a GIN index on PostgreSQL.
    search_tokens = SearchTokensField(editable=False, blank=True, default="")
    # The ids of the tags assigned to the contact, a copy of its ContactTag rows kept in
    # step by the tag services. INCLUDEd in the list indexes, so a tag filter is answered
    # from the index alone at a million contacts.
    tag_ids = IdSetField(editable=False, blank=True, default="")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # The data-quality summary, written by the dataquality jobs through
    # ``contacts.services.quality`` so lists, segments and audiences can filter on it.
    quality_score = models.PositiveSmallIntegerField(
        _("quality score"), null=True, blank=True, editable=False
    )
    has_blocking_issue = models.BooleanField(
        _("has a blocking data-quality issue"), default=False, editable=False
    )
    stale_since = models.DateField(_("stale since"), null=True, blank=True, editable=False)
    # The ``version`` the summary was computed at; below ``version`` means "changed since".
    quality_version = models.PositiveIntegerField(default=0, editable=False)
    # The day the summary may change with no edit at all (a review or risk assessment falls
    # due), so an incremental run picks the contact up without reading the whole book.
    quality_due_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [
            ("view_all_contacts", _("Can see every book")),
            ("reassign_contact", _("Can hand a book over to another RM")),
            ("reveal_national_id", _("Can reveal a masked national ID")),
            ("export_contact", _("Can export contacts")),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(display_name=""), name="contact_has_a_name"),
            models.CheckConstraint(
                condition=Q(relationship_ended_on__isnull=True)
                | Q(relationship_started_on__isnull=True)
                | Q(relationship_ended_on__gte=F("relationship_started_on")),
                name="contact_relationship_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(is_deceased=True) | Q(deceased_on__isnull=True),
                name="contact_death_date_only_if_deceased",
            ),
        ]
        # The list's order is (display_name, id). With the id in the index a page, the
        # capped count and a deep OFFSET read the index alone, never the table; with the
        # tag ids INCLUDEd (PostgreSQL; SQLite builds the plain index) so does a tag filter.
        indexes = [
            models.Index(
                fields=["owner", "lifecycle_stage", "display_name", "id"],
                include=["tag_ids"],
                name="contact_owner_stage_name_idx",
            ),
            models.Index(
                fields=["lifecycle_stage", "display_name", "id"],
                include=["tag_ids"],
                name="contact_stage_name_idx",
            ),
            models.Index(
                fields=["owner", "display_name", "id"],
                include=["tag_ids"],
                name="contact_owner_name_idx",
            ),
            models.Index(fields=["next_review_due"]),
            models.Index(fields=["risk_level", "risk_valid_until"]),
            # "My contacts with blocking issues", in the list's order.
            models.Index(
                fields=["owner", "display_name", "id"],
                condition=Q(has_blocking_issue=True),
                name="contact_blocking_by_owner",
            ),
            models.Index(fields=["owner", "quality_score"], name="contact_owner_quality"),
            models.Index(fields=["quality_due_on"], name="contact_quality_due"),
            # The incremental run's work list: contacts changed since their last scoring.
            models.Index(
                fields=["id"],
                condition=Q(quality_version__lt=F("version")),
                name="contact_quality_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.display_name = display_name(
            family_name=self.family_name,
            given_name=self.given_name,
            name_zh=self.name_zh,
            preferred_name=self.preferred_name,
            name_romanised=self.name_romanised,
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("contacts:detail", args=[self.pk])

    def notes_for(self, user) -> str | None:
        """The notes as ``user`` may read them: ``None`` when restricted from them."""
        if self.notes_restricted and not may_read_restricted(user, owner_id=self.owner_id):
            return None
        return self.notes

    @property
    def national_id_masked(self) -> str:
        return mask(self.national_id)

    @property
    def current_risk_level(self) -> str:
        if self.risk_valid_until and self.risk_valid_until >= timezone.localdate():
            return self.risk_level
        return ""
