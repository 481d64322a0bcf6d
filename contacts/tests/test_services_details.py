"""A contact's details: contact points, risk assessments, employment, relationships,
interactions."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.audit import personal_hash
from compliance.models import AuditAction, AuditEvent
from contacts.models import (
    Contact,
    ContactPoint,
    ContactPointKind,
    Interaction,
    InteractionChannel,
    Relationship,
    RelationshipKind,
    RiskAssessment,
    RiskLevel,
)
from contacts.services.contacts import contact_update
from contacts.services.details import (
    contact_point_add,
    contact_point_remove,
    employment_add,
    employment_end,
    interaction_add,
    relationship_add,
    risk_assessment_record,
)
from contacts.tests import factories

pytestmark = pytest.mark.django_db


def add_phone(actor, contact, value="0912-345-678", **kwargs) -> ContactPoint:
    return contact_point_add(
        actor=actor, contact=contact, kind=ContactPointKind.PHONE, value=value, **kwargs
    )


def add_email(actor, contact, value="grace@example.com", **kwargs) -> ContactPoint:
    return contact_point_add(
        actor=actor, contact=contact, kind=ContactPointKind.EMAIL, value=value, **kwargs
    )


def stored(contact: Contact) -> Contact:
    return Contact.objects.get(pk=contact.pk)


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


# --- contact points ---------------------------------------------------------------------


def test_a_phone_is_stored_in_e164_with_its_type(rm_user, contact):
    point = add_phone(rm_user, contact, value=" 0912-345-678 ")
    assert (point.value, point.normalized, point.phone_type) == (
        "0912-345-678",
        "+886912345678",
        "mobile",
    )


def test_an_email_is_stored_normalised(rm_user, contact):
    point = add_email(rm_user, contact, value="Grace.Chen@Example.COM")
    assert point.normalized == "Grace.Chen@example.com"


def test_the_first_point_of_a_kind_becomes_primary(rm_user, contact):
    assert add_phone(rm_user, contact).is_primary


def test_a_second_point_is_not_primary_unless_asked(rm_user, contact):
    first = add_phone(rm_user, contact)
    second = add_phone(rm_user, contact, value="(02) 2345-6789")
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (True, False)


def test_a_second_primary_demotes_the_first(rm_user, contact):
    first = add_phone(rm_user, contact)
    second = add_phone(rm_user, contact, value="(02) 2345-6789", is_primary=True)
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)


def test_primaries_are_counted_per_kind(rm_user, contact):
    add_phone(rm_user, contact)
    assert add_email(rm_user, contact).is_primary
    assert contact.contact_points.filter(is_primary=True).count() == 2


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (ContactPointKind.PHONE, "12"),
        (ContactPointKind.PHONE, "not a phone"),
        (ContactPointKind.EMAIL, "grace@@example.com"),
        (ContactPointKind.EMAIL, ""),
        (ContactPointKind.ADDRESS, "   "),
    ],
)
def test_an_invalid_point_is_refused_on_value_and_nothing_is_saved(rm_user, contact, kind, value):
    events_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        contact_point_add(actor=rm_user, contact=contact, kind=kind, value=value)
    assert list(error.value.message_dict) == ["value"]
    assert error.value.message_dict["value"][0]
    assert not ContactPoint.objects.exists()
    assert stored(contact).version == 1
    assert AuditEvent.objects.count() == events_before


def test_an_address_keeps_its_postal_code_and_country(rm_user, contact):
    point = contact_point_add(
        actor=rm_user,
        contact=contact,
        kind=ContactPointKind.ADDRESS,
        value="臺北市信義區\u3000信義路五段７號",
        postal_code="110",
        country="TW",
    )
    assert (point.normalized, point.postal_code, point.country) == (
        "臺北市信義區 信義路五段7號",
        "110",
        "TW",
    )


def test_an_address_with_a_wrong_postal_code_is_refused_on_postal_code(rm_user, contact):
    with pytest.raises(ValidationError) as error:
        contact_point_add(
            actor=rm_user,
            contact=contact,
            kind=ContactPointKind.ADDRESS,
            value="1 Market St, San Francisco",
            postal_code="941",
            country="US",
        )
    assert list(error.value.message_dict) == ["postal_code"]


def test_an_unknown_kind_is_refused(rm_user, contact):
    with pytest.raises(ValidationError) as error:
        contact_point_add(actor=rm_user, contact=contact, kind="fax", value="02 2345 6789")
    assert "kind" in error.value.message_dict


def test_adding_a_point_updates_search_tokens_and_bumps_the_version(rm_user, contact):
    add_phone(rm_user, contact)
    add_email(rm_user, contact, value="grace.chen@example.com")
    row = stored(contact)
    for token in ("+886912345678", "0912345678", "5678", "grace.chen@example.com", "怡君"):
        assert f" {token} " in row.search_tokens
    assert row.version == 3
    assert contact.version == 3


def test_adding_a_point_to_an_out_of_date_instance_keeps_the_new_name_searchable(rm_user, contact):
    contact_update(actor=rm_user, contact=contact, expected_version=1, name_zh="林美玲")
    add_phone(rm_user, contact)  # ``contact`` still holds the old name in memory
    tokens = stored(contact).search_tokens
    assert " 美玲 " in tokens
    assert " 怡君 " not in tokens


def test_adding_a_point_is_audited_with_the_value_hashed(rm_user, contact):
    point = add_phone(rm_user, contact)
    event = AuditEvent.objects.get(object_type="contacts.ContactPoint", object_id=str(point.pk))
    assert event.action == AuditAction.RECORD_CREATED
    assert event.contact_id == contact.pk
    assert event.changes["kind"] == {"old": None, "new": "phone"}
    assert event.changes["normalized"]["new"] == personal_hash(
        "+886912345678", contact_id=contact.pk
    )
    assert "912345678" not in str(event.changes)  # a short run could occur in a hash by chance


def test_removing_the_primary_promotes_the_next_and_drops_its_tokens(rm_user, contact):
    first = add_phone(rm_user, contact)
    second = add_phone(rm_user, contact, value="(02) 2345-6789")
    first_id = first.pk
    contact_point_remove(actor=rm_user, point=first)
    second.refresh_from_db()
    assert second.is_primary
    tokens = stored(contact).search_tokens
    assert " 5678 " not in tokens
    assert " 6789 " in tokens
    assert AuditEvent.objects.filter(
        action=AuditAction.RECORD_DELETED, object_id=str(first_id)
    ).exists()


# --- risk assessments -------------------------------------------------------------------


def assess(actor, contact, level, assessed_on, valid_until):
    return risk_assessment_record(
        actor=actor,
        contact=contact,
        level=level,
        assessed_on=assessed_on,
        valid_until=valid_until,
    )


def test_the_contacts_risk_profile_follows_the_latest_valid_assessment(rm_user, contact):
    assess(rm_user, contact, RiskLevel.CONSERVATIVE, days(-400), days(300))
    assess(rm_user, contact, RiskLevel.AGGRESSIVE, days(-10), days(355))
    row = stored(contact)
    assert (row.risk_level, row.risk_valid_until) == (RiskLevel.AGGRESSIVE, days(355))
    assert row.current_risk_level == RiskLevel.AGGRESSIVE
    assert contact.risk_level == RiskLevel.AGGRESSIVE


def test_an_expired_latest_assessment_falls_back_to_the_latest_valid_one(rm_user, contact):
    assess(rm_user, contact, RiskLevel.MODERATE, days(-300), days(60))
    assess(rm_user, contact, RiskLevel.AGGRESSIVE, days(-30), days(-1))
    row = stored(contact)
    assert (row.risk_level, row.risk_valid_until) == (RiskLevel.MODERATE, days(60))


def test_with_only_expired_assessments_the_profile_is_kept_but_not_current(rm_user, contact):
    assess(rm_user, contact, RiskLevel.MODERATE, days(-500), days(-135))
    row = stored(contact)
    assert row.risk_level == RiskLevel.MODERATE
    assert row.current_risk_level == ""
    assert not Contact.objects.with_current_risk(RiskLevel.MODERATE).exists()


def test_an_assessment_must_stay_valid_after_the_day_it_was_made(rm_user, contact):
    for valid_until in (days(-5), days(-6)):
        with pytest.raises(ValidationError) as error:
            assess(rm_user, contact, RiskLevel.MODERATE, days(-5), valid_until)
        assert "valid_until" in error.value.message_dict
    assert not RiskAssessment.objects.exists()
    assert stored(contact).risk_level == ""


def test_an_assessment_cannot_be_dated_in_the_future(rm_user, contact):
    with pytest.raises(ValidationError) as error:
        assess(rm_user, contact, RiskLevel.MODERATE, days(1), days(366))
    assert "assessed_on" in error.value.message_dict


def test_recording_an_assessment_bumps_the_version_and_is_audited(rm_user, contact):
    assessment = assess(rm_user, contact, RiskLevel.MODERATE, days(0), days(365))
    assert stored(contact).version == 2
    event = AuditEvent.objects.get(object_type="contacts.RiskAssessment")
    assert event.object_id == str(assessment.pk)
    assert event.changes["level"]["new"] == personal_hash("moderate", contact_id=contact.pk)


# --- employment -------------------------------------------------------------------------


def test_ending_the_only_job_marks_the_contact_as_having_left(rm_user, contact):
    job = employment_add(
        actor=rm_user,
        contact=contact,
        organisation=factories.OrganisationFactory(),
        title=" CFO ",
        started_on=days(-900),
    )
    assert job.title == "CFO"
    employment_end(actor=rm_user, employment=job, ended_on=days(-1))
    row = stored(contact)
    assert row.left_employer
    assert row.version == 3
    event = AuditEvent.objects.get(action=AuditAction.RECORD_UPDATED, object_id=str(job.pk))
    assert event.changes["ended_on"] == {"old": None, "new": days(-1).isoformat()}


def test_ending_one_job_while_another_is_current_keeps_the_contact_employed(rm_user, contact):
    old = employment_add(
        actor=rm_user, contact=contact, organisation=factories.OrganisationFactory()
    )
    employment_add(actor=rm_user, contact=contact, organisation=factories.OrganisationFactory())
    employment_end(actor=rm_user, employment=old, ended_on=days(-1))
    assert not stored(contact).left_employer


def test_a_job_cannot_end_before_it_started(rm_user, contact):
    job = employment_add(
        actor=rm_user,
        contact=contact,
        organisation=factories.OrganisationFactory(),
        started_on=days(-10),
    )
    with pytest.raises(ValidationError) as error:
        employment_end(actor=rm_user, employment=job, ended_on=days(-11))
    assert "ended_on" in error.value.message_dict
    job.refresh_from_db()
    assert job.ended_on is None
    assert not stored(contact).left_employer


# --- relationships ----------------------------------------------------------------------


def test_a_relationship_links_two_contacts(rm_user, contact):
    spouse = factories.make_contact(owner=rm_user, given_name="Ming")
    relationship = relationship_add(
        actor=rm_user, from_contact=contact, to_contact=spouse, kind=RelationshipKind.SPOUSE
    )
    assert (relationship.from_contact, relationship.to_contact) == (contact, spouse)
    assert AuditEvent.objects.filter(object_type="contacts.Relationship").count() == 1


def test_a_contact_cannot_be_related_to_themselves(rm_user, contact):
    with pytest.raises(ValidationError) as error:
        relationship_add(
            actor=rm_user, from_contact=contact, to_contact=contact, kind=RelationshipKind.SPOUSE
        )
    assert "to_contact" in error.value.message_dict
    assert not Relationship.objects.exists()


def test_the_same_relationship_cannot_be_recorded_twice(rm_user, contact):
    partner = factories.make_contact(owner=rm_user)
    kind = RelationshipKind.BUSINESS_PARTNER
    relationship_add(actor=rm_user, from_contact=contact, to_contact=partner, kind=kind)
    with pytest.raises(ValidationError):
        relationship_add(actor=rm_user, from_contact=contact, to_contact=partner, kind=kind)
    assert Relationship.objects.count() == 1


# --- interactions -----------------------------------------------------------------------


def test_an_interaction_defaults_to_now(rm_user, contact):
    before = timezone.now()
    interaction = interaction_add(
        actor=rm_user, contact=contact, channel=InteractionChannel.CALL, summary="  Called.  "
    )
    assert interaction.summary == "Called."
    assert before <= interaction.occurred_at <= timezone.now()
    assert interaction.recorded_by == rm_user


def test_an_interaction_cannot_be_in_the_future(rm_user, contact):
    with pytest.raises(ValidationError) as error:
        interaction_add(
            actor=rm_user,
            contact=contact,
            channel=InteractionChannel.MEETING,
            summary="Lunch",
            occurred_at=timezone.now() + timedelta(hours=1),
        )
    assert "occurred_at" in error.value.message_dict
    assert not Interaction.objects.exists()


def test_a_few_minutes_of_clock_skew_are_allowed(rm_user, contact):
    interaction = interaction_add(
        actor=rm_user,
        contact=contact,
        channel=InteractionChannel.CALL,
        summary="Call",
        occurred_at=timezone.now() + timedelta(minutes=2),
    )
    assert interaction.pk


def test_an_interaction_needs_a_summary(rm_user, contact):
    with pytest.raises(ValidationError) as error:
        interaction_add(
            actor=rm_user, contact=contact, channel=InteractionChannel.CALL, summary=" "
        )
    assert "summary" in error.value.message_dict
