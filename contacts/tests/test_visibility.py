"""Contact.objects.visible_to: the one door for who may see a contact."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from contacts.models import BookCover, Contact
from contacts.tests import factories
from core import roles

pytestmark = pytest.mark.django_db


def visible(user) -> set[Contact]:
    return set(Contact.objects.visible_to(user))


@pytest.fixture
def books(rm_user, other_rm):
    """Two RMs' books and one of an RM in no team."""
    return {
        "alice": factories.make_contact(owner=rm_user),
        "bob": factories.make_contact(owner=other_rm),
        "loner": factories.make_contact(owner=factories.rm(username="rm_loner")),
    }


def test_an_rm_sees_their_own_book_only(rm_user, books):
    assert visible(rm_user) == {books["alice"]}


def test_an_rm_does_not_see_a_colleagues_contact(rm_user, books):
    assert not Contact.objects.visible_to(rm_user).filter(pk=books["bob"].pk).exists()


def test_a_team_lead_sees_their_own_and_their_teams_books(rm_user, other_rm, books):
    lead = factories.team_lead(username="lead_erin")
    factories.team_of(lead, rm_user, other_rm)
    leads_own = factories.make_contact(owner=lead)
    assert visible(lead) == {books["alice"], books["bob"], leads_own}


def test_a_team_lead_does_not_see_another_teams_book(rm_user, other_rm, books):
    lead = factories.team_lead(username="lead_erin")
    factories.team_of(lead, rm_user)
    factories.team_of(factories.team_lead(), other_rm)
    assert visible(lead) == {books["alice"]}


def test_an_rm_in_a_team_does_not_see_the_teammates_books(rm_user, other_rm, books):
    factories.team_of(factories.team_lead(), rm_user, other_rm)
    assert visible(rm_user) == {books["alice"]}


def test_compliance_sees_every_book(compliance_user, books):
    assert visible(compliance_user) == set(books.values())


@pytest.mark.parametrize(
    "make_user",
    [
        factories.administrator,
        factories.reviewer,
        lambda: factories.UserFactory(roles=[roles.ADMINISTRATOR, roles.REVIEWER]),
        lambda: factories.UserFactory(roles=[]),
        lambda: factories.UserFactory(is_superuser=True, is_staff=True),
    ],
    ids=["administrator", "reviewer", "administrator and reviewer", "no role", "superuser"],
)
def test_staff_without_a_client_facing_role_see_no_contacts(books, make_user):
    assert visible(make_user()) == set()


def test_an_inactive_rm_sees_nothing_of_their_own_book(books):
    alice = books["alice"].owner
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert visible(alice) == set()


def test_an_inactive_compliance_officer_sees_nothing(books):
    assert visible(factories.compliance_officer(is_active=False)) == set()


def test_anonymous_sees_nothing(books):
    assert visible(AnonymousUser()) == set()
    assert visible(None) == set()


TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 3, 9), False),
        (date(2025, 3, 10), True),
        (date(2025, 3, 11), True),
        (date(2025, 3, 12), True),
        (date(2025, 3, 13), False),
    ],
)
def test_cover_grants_the_covered_book_only_within_its_dates(
    rm_user, other_rm, admin_user_role, books, today, expected
):
    BookCover.objects.create(
        owner=rm_user,
        covered_by=other_rm,
        starts_on=date(2025, 3, 10),
        ends_on=date(2025, 3, 12),
        granted_by=admin_user_role,
    )
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=TAIPEI)
    with time_machine.travel(noon, tick=False):
        assert (books["alice"] in visible(other_rm)) is expected
        assert books["bob"] in visible(other_rm)
        assert books["alice"] in visible(rm_user)
        assert books["loner"] not in visible(other_rm)


def test_cover_is_judged_by_the_taiwan_date_not_utc(rm_user, other_rm, admin_user_role, books):
    BookCover.objects.create(
        owner=rm_user,
        covered_by=other_rm,
        starts_on=date(2025, 3, 10),
        ends_on=date(2025, 3, 12),
        granted_by=admin_user_role,
    )
    # 00:30 on 13 March in Taipei is still 12 March in UTC: the cover has ended.
    with time_machine.travel(datetime(2025, 3, 13, 0, 30, tzinfo=TAIPEI), tick=False):
        assert books["alice"] not in visible(other_rm)


def test_cover_does_not_pass_on_to_the_cover_holders_own_cover(
    rm_user, other_rm, admin_user_role, books
):
    third = factories.rm(username="rm_carl")
    for owner, covered_by in [(rm_user, other_rm), (other_rm, third)]:
        BookCover.objects.create(
            owner=owner,
            covered_by=covered_by,
            starts_on=date(2000, 1, 1),
            ends_on=date(2999, 1, 1),
            granted_by=admin_user_role,
        )
    assert visible(third) == {books["bob"]}
