"""Query counts of the book's screens, pinned, and shown not to grow with what they show.

A page whose count rises with its rows has an N+1 somewhere; these tests find it before a
book of ten thousand contacts does. If a change adds a query on purpose, update the pin and
say why in the commit.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact, Tag
from contacts.services import details
from contacts.services.tags import tags_assign
from contacts.tests import factories
from core.models import User
from core.testing import login_verified

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:list")

# Every signed-in page: session, user, second-factor device, roles, permissions (2); and at
# the end the session save (savepoint, update, release). 9 in all.
#
# The list, for an RM: the book's owners (3 times: the rows, the owner filter's choices, the
# bulk form's choices), the capped count, tag choices (filter and bulk form), owner choices,
# the rows. Compliance sees every book (no owner lookup) and cannot tag (no bulk tag choices).
LIST_QUERIES_RM = 9 + 8
LIST_QUERIES_COMPLIANCE = 9 + 4
# The table alone (htmx) renders neither the filter's tag choices nor its owner choices.
TABLE_QUERIES_RM = LIST_QUERIES_RM - 2
# The contact page: the book's owners (twice: the lookup, the related contacts one may see),
# the contact, the contact again with its 7 prefetched lists, the tag tree for breadcrumbs,
# the audit event. The sections' add forms (but the interaction form) load when opened.
# 7 of them decide may-contact for the page's badges (the consent door's facts); 1 reads
# the accounts; 1 lists the contact's data-subject requests; 1 the entries awaiting review
# (and recent rejections) for the banner.
DETAIL_QUERIES_RM = 9 + 13 + 7 + 1 + 1 + 1
DETAIL_QUERIES_COMPLIANCE = 9 + 11 + 7 + 1 + 1 + 1


def signed_in(user: User) -> Client:
    client = Client()
    login_verified(client, user)
    client.get(reverse("home"))  # the first request settles the session
    return client


CODES = ["segment-hnw", "segment-retiree", "interest-golf", "invest-etfs", "industry-banking"]


def populate(owner: User, count: int, *, start: int = 0) -> list[Contact]:
    """Contacts with everything a row can show: flags, a risk profile, tags, a review date."""
    today = factories.today()
    made = []
    for n in range(start, start + count):
        contact = factories.make_contact(
            owner=owner,
            family_name="Lin",
            given_name=f"Row{n:03d}",
            lifecycle_stage=("prospect", "client", "former_client")[n % 3],
            do_not_contact=n % 2 == 0,
            left_employer=n % 3 == 0,
            next_review_due=today - timedelta(days=n),
        )
        details.risk_assessment_record(
            actor=owner,
            contact=contact,
            level=("conservative", "moderate", "aggressive")[n % 3],
            assessed_on=today - timedelta(days=10),
            valid_until=today + timedelta(days=n + 1),
        )
        tags_assign(actor=owner, contacts=[contact], tags=[Tag.objects.get(code=CODES[n % 5])])
        made.append(contact)
    return made


def rows_shown(response) -> int:
    return len(response.context["page"].object_list)


def test_the_list_costs_the_same_for_5_or_25_rows_for_an_rm(rm_user, django_assert_num_queries):
    client = signed_in(rm_user)
    populate(rm_user, 5)
    with django_assert_num_queries(LIST_QUERIES_RM):
        assert rows_shown(client.get(LIST)) == 5
    populate(rm_user, 20, start=5)
    with django_assert_num_queries(LIST_QUERIES_RM):
        assert rows_shown(client.get(LIST)) == 25
    category = Tag.objects.get(code="client-segment").pk
    # A tag filter reads the chosen tag and its subtree, however many contacts match.
    with django_assert_num_queries(LIST_QUERIES_RM + 2):
        assert rows_shown(client.get(LIST, {"tag": category})) == 10  # 2 codes in 5


def test_the_list_costs_the_same_for_5_or_25_rows_for_compliance(
    compliance_user, django_assert_num_queries
):
    client = signed_in(compliance_user)
    owners = [factories.rm() for _ in range(5)]
    for n, owner in enumerate(owners):
        populate(owner, 1, start=n)
    with django_assert_num_queries(LIST_QUERIES_COMPLIANCE):
        assert rows_shown(client.get(LIST)) == 5
    for n, owner in enumerate(owners):
        populate(owner, 4, start=10 + 4 * n)
    with django_assert_num_queries(LIST_QUERIES_COMPLIANCE):
        assert rows_shown(client.get(LIST)) == 25


def test_the_htmx_table_costs_no_more_than_the_page(rm_user, django_assert_num_queries):
    client = signed_in(rm_user)
    populate(rm_user, 25)
    headers = {"HX-Request": "true", "HX-Target": "contact-table"}
    with django_assert_num_queries(TABLE_QUERIES_RM):
        assert rows_shown(client.get(LIST, headers=headers)) == 25


def furnish(contact: Contact, actor: User, count: int) -> None:
    """``count`` of each thing the contact page lists."""
    today = factories.today()
    organisation = factories.OrganisationFactory()
    others = [factories.make_contact(owner=contact.owner) for _ in range(count)]
    for n in range(count):
        details.interaction_add(actor=actor, contact=contact, channel="call", summary=f"Call {n}")
        details.contact_point_add(
            actor=actor, contact=contact, kind="email", value=f"c{contact.pk}.{n}@example.com"
        )
        details.risk_assessment_record(
            actor=actor,
            contact=contact,
            level="moderate",
            assessed_on=today - timedelta(days=n + 1),
            valid_until=today + timedelta(days=300),
        )
        details.employment_add(
            actor=actor, contact=contact, organisation=organisation, title=f"Role {n}"
        )
        details.relationship_add(
            actor=actor, from_contact=contact, to_contact=others[n], kind="business_partner"
        )
        details.relationship_add(
            actor=actor, from_contact=others[n], to_contact=contact, kind="household"
        )
    codes = Tag.objects.filter(depth__gte=2).order_by("path").values_list("code", flat=True)
    tags = list(Tag.objects.filter(code__in=list(codes[:count])))
    tags_assign(actor=actor, contacts=[contact], tags=tags)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("relationship_manager", DETAIL_QUERIES_RM), ("compliance", DETAIL_QUERIES_COMPLIANCE)],
)
def test_the_contact_page_costs_the_same_with_1_or_10_of_everything(
    rm_user, compliance_user, django_assert_num_queries, role, expected
):
    viewer = rm_user if role == "relationship_manager" else compliance_user
    client = signed_in(viewer)
    small = factories.make_contact(owner=rm_user, name_zh="陳怡君")
    large = factories.make_contact(owner=rm_user, name_zh="王大明")
    furnish(small, rm_user, 1)
    furnish(large, rm_user, 10)
    with django_assert_num_queries(expected):
        response = client.get(small.get_absolute_url())
    assert len(response.context["contact"].timeline) == 1
    with django_assert_num_queries(expected):
        response = client.get(large.get_absolute_url())
    contact = response.context["contact"]
    assert len(contact.timeline) == 10
    assert len(contact.tag_assignments.all()) == 10
    assert len(contact.relationships_from.all()) == 10


def test_an_htmx_section_costs_the_same_with_1_or_10_interactions(rm_user):
    client = signed_in(rm_user)
    small = factories.make_contact(owner=rm_user)
    large = factories.make_contact(owner=rm_user)
    furnish(small, rm_user, 1)
    furnish(large, rm_user, 10)
    counts = []
    for contact in (small, large):
        url = reverse("contacts:section_add", kwargs={"pk": contact.pk, "section": "timeline"})
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                url, {"channel": "call", "summary": "Again"}, headers={"HX-Request": "true"}
            )
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
