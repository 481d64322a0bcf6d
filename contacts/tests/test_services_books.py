"""Handing books over and arranging cover."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.models import AuditAction, AuditEvent
from contacts.models import BookCover, Contact
from contacts.services.books import book_cover_grant, book_reassign, contacts_reassign
from contacts.tests import factories

pytestmark = pytest.mark.django_db

TAIPEI = ZoneInfo("Asia/Taipei")


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TAIPEI)


def sees(user, contact) -> bool:
    return Contact.objects.visible_to(user).filter(pk=contact.pk).exists()


@pytest.fixture
def lead():
    return factories.team_lead(username="lead_erin")


@pytest.fixture
def team(lead, rm_user, other_rm):
    return factories.team_of(lead, rm_user, other_rm)


@pytest.fixture
def book(rm_user):
    return [factories.make_contact(owner=rm_user) for _ in range(3)]


# --- contacts_reassign ------------------------------------------------------------------


def test_the_team_lead_hands_contacts_to_another_rm(team, lead, rm_user, other_rm, book):
    moved = contacts_reassign(
        actor=lead, contacts=book[:2], new_owner=other_rm, reason="Alice moves branch"
    )
    assert moved == 2
    assert {c.owner for c in Contact.objects.filter(pk__in=[c.pk for c in book[:2]])} == {other_rm}
    assert Contact.objects.get(pk=book[2].pk).owner == rm_user


def test_the_old_owner_loses_the_contacts_at_once(team, lead, rm_user, other_rm, book):
    assert sees(rm_user, book[0])
    contacts_reassign(actor=lead, contacts=[book[0]], new_owner=other_rm)
    assert not sees(rm_user, book[0])
    assert sees(other_rm, book[0])


def test_a_hand_over_bumps_each_contacts_version(team, lead, other_rm, book):
    contacts_reassign(actor=lead, contacts=book, new_owner=other_rm)
    assert set(
        Contact.objects.filter(pk__in=[c.pk for c in book]).values_list("version", flat=True)
    ) == {2}


def test_a_hand_over_writes_one_batch_event_listing_the_contacts(team, lead, other_rm, book):
    contacts_reassign(actor=lead, contacts=book, new_owner=other_rm, reason="Leave")
    event = AuditEvent.objects.get(action=AuditAction.BATCH)
    assert event.actor == lead
    assert event.detail == {
        "operation": "reassign",
        "contact_ids": sorted(c.pk for c in book),
        "count": 3,
        "new_owner": other_rm.pk,
        "reason_given": True,
    }


def test_an_administrator_may_hand_over_any_book(admin_user_role, other_rm, book):
    assert contacts_reassign(actor=admin_user_role, contacts=book, new_owner=other_rm) == 3


def test_an_rm_may_not_hand_over_their_own_book(rm_user, other_rm, book):
    with pytest.raises(PermissionDenied):
        contacts_reassign(actor=rm_user, contacts=book, new_owner=other_rm)
    assert not Contact.objects.filter(owner=other_rm).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.BATCH).exists()


def test_a_team_lead_may_not_hand_over_another_teams_book(lead, rm_user, other_rm, book):
    factories.team_of(factories.team_lead(), rm_user)
    with pytest.raises(PermissionDenied):
        contacts_reassign(actor=lead, contacts=book, new_owner=other_rm)
    assert not Contact.objects.filter(owner=other_rm).exists()


def test_a_team_lead_may_not_hand_over_a_book_outside_any_team(lead, other_rm, book):
    with pytest.raises(PermissionDenied):
        contacts_reassign(actor=lead, contacts=book, new_owner=other_rm)


def test_compliance_may_not_hand_over_books(compliance_user, other_rm, book):
    with pytest.raises(PermissionDenied):
        contacts_reassign(actor=compliance_user, contacts=book, new_owner=other_rm)


@pytest.mark.parametrize(
    "new_owner",
    [
        lambda: factories.administrator(),
        lambda: factories.compliance_officer(),
        lambda: factories.rm(is_active=False),
    ],
    ids=["administrator", "compliance", "inactive rm"],
)
def test_the_new_owner_must_be_an_active_rm(admin_user_role, book, new_owner):
    with pytest.raises(ValidationError):
        contacts_reassign(actor=admin_user_role, contacts=book, new_owner=new_owner())
    assert all(Contact.objects.get(pk=c.pk).version == 1 for c in book)


def test_contacts_already_with_the_new_owner_are_left_alone(admin_user_role, rm_user, book):
    assert contacts_reassign(actor=admin_user_role, contacts=book, new_owner=rm_user) == 0
    assert not AuditEvent.objects.filter(action=AuditAction.BATCH).exists()
    assert Contact.objects.get(pk=book[0].pk).version == 1


# --- book_reassign ----------------------------------------------------------------------


def test_a_whole_book_moves_and_no_other(team, lead, rm_user, other_rm, book):
    bystander = factories.rm(team=team)
    theirs = factories.make_contact(owner=bystander)
    assert book_reassign(actor=lead, owner=rm_user, new_owner=other_rm) == 3
    assert not Contact.objects.filter(owner=rm_user).exists()
    assert Contact.objects.filter(owner=other_rm).count() == 3
    assert Contact.objects.get(pk=theirs.pk).owner == bystander


def test_an_rm_may_not_reassign_a_colleagues_book(rm_user, other_rm, book):
    with pytest.raises(PermissionDenied):
        book_reassign(actor=other_rm, owner=rm_user, new_owner=other_rm)


# --- book_cover_grant -------------------------------------------------------------------

START, END = date(2025, 3, 10), date(2025, 3, 12)


def test_cover_is_visible_from_its_first_to_its_last_day_inclusive(
    team, lead, rm_user, other_rm, book
):
    with time_machine.travel(at(START - timedelta(days=5), 9), tick=False):
        book_cover_grant(
            actor=lead, owner=rm_user, covered_by=other_rm, starts_on=START, ends_on=END
        )
    contact = book[0]
    for moment, expected in [
        (at(START - timedelta(days=1), 23, 59), False),
        (at(START), True),
        (at(END, 23, 59), True),
        (at(END + timedelta(days=1)), False),
    ]:
        with time_machine.travel(moment, tick=False):
            assert sees(other_rm, contact) is expected, moment


def test_cover_starts_today_by_default(team, lead, rm_user, other_rm, book):
    with time_machine.travel(at(START, 10), tick=False):
        cover = book_cover_grant(actor=lead, owner=rm_user, covered_by=other_rm, ends_on=END)
        assert cover.starts_on == START
        assert sees(other_rm, book[0])


def test_granting_cover_is_audited(team, lead, rm_user, other_rm):
    with time_machine.travel(at(START, 10), tick=False):
        cover = book_cover_grant(
            actor=lead, owner=rm_user, covered_by=other_rm, ends_on=END, reason="Holiday"
        )
    event = AuditEvent.objects.get(action=AuditAction.COVER_GRANTED)
    assert (event.actor, event.object_id) == (lead, str(cover.pk))
    assert event.detail == {
        "owner": rm_user.pk,
        "covered_by": other_rm.pk,
        "ends_on": END.isoformat(),
    }


def test_an_administrator_may_arrange_cover(admin_user_role, rm_user, other_rm):
    with time_machine.travel(at(START, 10), tick=False):
        book_cover_grant(actor=admin_user_role, owner=rm_user, covered_by=other_rm, ends_on=END)
    assert BookCover.objects.count() == 1


def test_an_rm_may_not_arrange_cover_for_their_own_book(rm_user, other_rm):
    with pytest.raises(PermissionDenied):
        book_cover_grant(
            actor=rm_user, owner=rm_user, covered_by=other_rm, ends_on=date(2099, 1, 1)
        )
    assert not BookCover.objects.exists()


def test_cover_must_go_to_an_active_rm(team, lead, rm_user):
    inactive = factories.rm(is_active=False)
    with pytest.raises(ValidationError):
        book_cover_grant(actor=lead, owner=rm_user, covered_by=inactive, ends_on=date(2099, 1, 1))
    with pytest.raises(ValidationError):
        book_cover_grant(
            actor=lead,
            owner=rm_user,
            covered_by=factories.compliance_officer(),
            ends_on=date(2099, 1, 1),
        )
    assert not BookCover.objects.exists()


def test_cover_cannot_end_before_it_starts(team, lead, rm_user, other_rm):
    with pytest.raises(ValidationError) as error:
        book_cover_grant(
            actor=lead, owner=rm_user, covered_by=other_rm, starts_on=END, ends_on=START
        )
    assert "ends_on" in error.value.message_dict
    assert not BookCover.objects.exists()


def test_an_rm_cannot_cover_their_own_book(team, lead, rm_user):
    with pytest.raises(ValidationError):
        book_cover_grant(actor=lead, owner=rm_user, covered_by=rm_user, ends_on=date(2099, 1, 1))
    assert not BookCover.objects.exists()
