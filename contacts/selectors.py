"""Reads for the screens. Every one starts from ``Contact.objects.visible_to(user)``."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from compliance import audit
from compliance.consent.rules import RestrictionKind
from contacts.filters import ContactFilter
from contacts.models import (
    Contact,
    ContactTag,
    Employment,
    Interaction,
    Relationship,
    RelationshipKind,
    RiskAssessment,
    Tag,
)
from contacts.models.contact import book_owner_ids, restriction_exists
from core import roles

TIMELINE_LENGTH = 50


def visible_owners(user) -> QuerySet:
    """The relationship managers whose books ``user`` can see, for the owner filter."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    if roles.COMPLIANCE in roles.role_names(user):
        return users.filter(groups__name=roles.RELATIONSHIP_MANAGER)
    return users.filter(pk__in=book_owner_ids(user))


def contact_list(*, user, filters) -> tuple[ContactFilter, QuerySet]:
    """The filtered, sorted list of the contacts ``user`` may see."""
    queryset = (
        Contact.objects.visible_to(user)
        .select_related("owner")
        .only(
            "display_name",
            "lifecycle_stage",
            "risk_level",
            "risk_valid_until",
            "next_review_due",
            "is_deceased",
            "do_not_contact",
            "left_employer",
            "awaiting_review",
            "quality_score",
            "has_blocking_issue",
            "updated_at",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
    )
    owners = visible_owners(user)
    filterset = ContactFilter(filters, queryset=queryset, owners=owners)
    if filterset.is_bound and "sort" in filterset.errors:
        # An unknown sort (an old bookmark, a hand-edited link) falls back to the default
        # order instead of emptying the list without a word.
        filters = filters.copy()
        filters.pop("sort", None)
        filterset = ContactFilter(filters, queryset=queryset, owners=owners)
    result = filterset.qs
    if not result.query.order_by:
        result = result.order_by("display_name", "pk")
    else:
        result = result.order_by(*result.query.order_by, "pk")
    return filterset, result


def contact_get(*, user, pk) -> Contact:
    """One contact the user may see, or 404 (never 403: an outsider must not learn it exists).

    Denials are audited; successful views are audited by the view that shows the page.
    """
    contact = (
        Contact.objects.visible_to(user).select_related("owner", "created_by").filter(pk=pk).first()
    )
    if contact is None:
        audit.access_denied(
            actor=user, object_type="contacts.Contact", object_id=str(pk), reason="not_in_book"
        )
        raise Http404
    return contact


def contact_detail(*, user, pk) -> Contact:
    """The contact page's read: the contact and everything shown on it, in fixed queries."""
    contact = contact_get(user=user, pk=pk)
    visible = Contact.objects.visible_to(user)
    return (
        Contact.objects.filter(pk=contact.pk)
        .annotate(
            is_restricted=restriction_exists(RestrictionKind.RESTRICTED),
            is_erased=restriction_exists(RestrictionKind.ERASED),
        )
        .select_related("owner", "created_by")
        .prefetch_related(
            "contact_points",
            "accounts",
            Prefetch(
                "risk_assessments",
                queryset=RiskAssessment.objects.select_related("assessed_by"),
            ),
            Prefetch(
                "employments",
                queryset=Employment.objects.select_related("organisation"),
            ),
            Prefetch(
                "tag_assignments",
                queryset=ContactTag.objects.select_related("tag", "assigned_by").order_by(
                    "tag__path"
                ),
            ),
            Prefetch(
                "relationships_from",
                queryset=Relationship.objects.filter(to_contact__in=visible).select_related(
                    "to_contact"
                ),
            ),
            Prefetch(
                "relationships_to",
                queryset=Relationship.objects.filter(from_contact__in=visible).select_related(
                    "from_contact"
                ),
            ),
            Prefetch(
                "interactions",
                queryset=Interaction.objects.select_related("recorded_by").order_by(
                    "-occurred_at", "-id"
                )[:TIMELINE_LENGTH],
                to_attr="timeline",
            ),
        )
        .get()
    )


def tag_tree() -> dict[int, Tag]:
    """All tags by id with ``_ancestors`` set, so breadcrumbs cost no further queries."""
    tags = {tag.pk: tag for tag in Tag.objects.all()}
    by_path = {tag.path: tag for tag in tags.values()}
    for tag in tags.values():
        tag._ancestors = [by_path[p] for p in tag.ancestor_paths if p in by_path]
    return tags


def household(*, user, contact: Contact, max_size: int = 30) -> list[tuple[Contact, list[str]]]:
    """The contact's household: everyone reachable through spouse, household-member and
    guardian links, within the user's book. Returns (member, relationship labels)."""
    visible = Contact.objects.visible_to(user)
    kinds = RelationshipKind.household_kinds()
    seen = {contact.pk}
    frontier = {contact.pk}
    links: dict[int, set[str]] = {}
    while frontier and len(seen) < max_size:
        edges = (
            Relationship.objects.filter(kind__in=kinds)
            .filter(from_contact_id__in=frontier)
            .values_list("from_contact_id", "to_contact_id", "kind")
            .union(
                Relationship.objects.filter(kind__in=kinds, to_contact_id__in=frontier).values_list(
                    "from_contact_id", "to_contact_id", "kind"
                )
            )
        )
        next_frontier = set()
        for a, b, kind in edges:
            for member in (a, b):
                links.setdefault(member, set()).add(RelationshipKind(kind).label)
                if member not in seen:
                    seen.add(member)
                    next_frontier.add(member)
        frontier = next_frontier
    members = visible.filter(pk__in=seen).select_related("owner").order_by("display_name")
    return [(m, sorted(str(x) for x in links.get(m.pk, ()))) for m in members]


def book_summary(*, user) -> dict:
    """The home page's figures for the user's book, in a handful of aggregate queries."""
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.utils import timezone

    today = timezone.localdate()
    book = Contact.objects.visible_to(user)
    figures = book.aggregate(
        total=Count("pk"),
        prospects=Count("pk", filter=Q(lifecycle_stage="prospect")),
        clients=Count("pk", filter=Q(lifecycle_stage="client")),
        former=Count("pk", filter=Q(lifecycle_stage="former_client")),
        review_overdue=Count("pk", filter=Q(next_review_due__lt=today)),
        risk_expiring=Count(
            "pk",
            filter=Q(risk_valid_until__gte=today, risk_valid_until__lt=today + timedelta(days=30)),
        ),
        no_valid_risk=Count(
            "pk",
            filter=Q(lifecycle_stage="client")
            & (Q(risk_valid_until__lt=today) | Q(risk_valid_until__isnull=True)),
        ),
    )
    figures["recent_interactions"] = list(
        Interaction.objects.filter(contact__in=book)
        .select_related("contact", "recorded_by")
        .order_by("-occurred_at")[:10]
    )
    return figures


def notes_needing_attention(*, user, limit: int = 20) -> dict:
    """The RM's own notes and interaction summaries flagged as special-category data and
    not restricted yet: for the home page, to restrict or edit. Two queries over their
    own book (not covered books: only the contact's RM may act on them), through the
    visibility door, so an erased contact never comes back here."""
    own = Contact.objects.visible_to(user).filter(owner=user)
    contacts = list(
        own.filter(notes_restricted=False)
        .exclude(notes_flags=[])
        .only("id", "display_name", "notes_flags")
        .order_by("display_name", "pk")[:limit]
    )
    interactions = list(
        Interaction.objects.filter(contact__in=own, restricted=False)
        .exclude(sensitive_flags=[])
        .select_related("contact")
        .only(
            "pk",
            "occurred_at",
            "channel",
            "sensitive_flags",
            "contact__id",
            "contact__display_name",
        )
        .order_by("-occurred_at", "-pk")[:limit]
    )
    return {"contacts": contacts, "interactions": interactions}
