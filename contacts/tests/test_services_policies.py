"""Required-field rules enforced by the services: a blocking finding refuses the save on
every path, an issue does not."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from compliance.models import AuditEvent
from contacts.models import Contact, ContactTag, RequiredFieldRule, ReviewRule, Tag
from contacts.services import details, tags
from contacts.services.contacts import contact_create, contact_update
from contacts.services.policies import contact_findings
from contacts.tests import factories

pytestmark = pytest.mark.django_db


def make_blocking(stage: str, requirement: str, segment: Tag | None = None) -> None:
    RequiredFieldRule.objects.update_or_create(
        lifecycle_stage=stage,
        segment=segment,
        requirement=requirement,
        defaults={"severity": "block", "is_active": True},
    )


@pytest.fixture(autouse=True)
def _no_review():
    # Review is tested on its own; here each change applies at once.
    ReviewRule.objects.all().delete()


def test_the_seeded_defaults_are_in_the_console_table():
    client_rules = dict(
        RequiredFieldRule.objects.filter(lifecycle_stage="client", segment=None).values_list(
            "requirement", "severity"
        )
    )
    assert client_rules["date_of_birth"] == "block"
    assert client_rules["national_id"] == "issue"
    assert client_rules["risk_assessment"] == "issue"
    assert {"segment_tag", "industry_tag", "investment_tag"} <= set(client_rules)


def test_a_client_without_a_date_of_birth_is_refused_and_nothing_is_saved(rm_user):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        contact_create(actor=rm_user, family_name="Lin", lifecycle_stage="client")
    assert caught.value.message_dict == {"date_of_birth": ["Enter the date of birth."]}
    assert not Contact.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_issue_rule_lets_the_save_through_and_is_found_later(rm_user):
    contact = contact_create(
        actor=rm_user, family_name="Lin", lifecycle_stage="client", date_of_birth=date(1970, 1, 1)
    )
    findings = {f.rule_code: f.severity for f in contact_findings(contact)}
    assert findings["client.all.national_id"] == "issue"
    assert findings["client.all.contact_point"] == "issue"
    assert "client.all.date_of_birth" not in findings


def test_promoting_a_prospect_to_client_needs_what_a_client_must_have(rm_user):
    contact = factories.make_contact(owner=rm_user, date_of_birth=None)
    with pytest.raises(ValidationError) as caught:
        contact_update(actor=rm_user, contact=contact, expected_version=1, lifecycle_stage="client")
    assert "date_of_birth" in caught.value.message_dict
    contact.refresh_from_db()
    assert contact.lifecycle_stage == "prospect"


def test_a_record_already_missing_something_stays_editable_but_cannot_get_worse(rm_user):
    contact = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    make_blocking("client", "national_id")  # tightened after the contact was entered
    contact = contact_update(
        actor=rm_user, contact=contact, expected_version=contact.version, notes="Met at branch"
    )
    assert contact.notes == "Met at branch"
    with pytest.raises(ValidationError):
        contact_update(
            actor=rm_user, contact=contact, expected_version=contact.version, date_of_birth=None
        )


def test_removing_a_clients_last_valid_contact_point_is_refused_when_the_rule_blocks(rm_user):
    make_blocking("client", "contact_point")
    contact = factories.make_contact(owner=rm_user, lifecycle_stage="prospect")
    point = details.contact_point_add(
        actor=rm_user, contact=contact, kind="email", value="grace@example.com"
    )
    contact = contact_update(
        actor=rm_user, contact=contact, expected_version=contact.version, lifecycle_stage="client"
    )
    with pytest.raises(ValidationError) as caught:
        details.contact_point_remove(actor=rm_user, point=point)
    assert caught.value.messages == [
        "This contact cannot be saved: Add at least one valid email, phone or postal address."
    ]
    assert contact.contact_points.count() == 1


def test_a_second_point_may_go_while_one_valid_point_stays(rm_user):
    contact = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    make_blocking("client", "contact_point")
    first = details.contact_point_add(actor=rm_user, contact=contact, kind="email", value="a@b.tw")
    details.contact_point_add(actor=rm_user, contact=contact, kind="phone", value="0912345678")
    details.contact_point_remove(actor=rm_user, point=first)
    assert contact.contact_points.count() == 1


def test_removing_the_only_segment_tag_is_refused_when_a_segment_is_required(rm_user):
    contact = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    hnw = Tag.objects.get(code="segment-hnw")
    tags.tags_assign(actor=rm_user, contacts=[contact], tags=[hnw])
    make_blocking("client", "segment_tag")
    with pytest.raises(ValidationError):
        tags.tag_unassign(actor=rm_user, contact=contact, tag=hnw)
    assert ContactTag.objects.filter(contact=contact, tag=hnw).exists()


def test_a_segment_rule_binds_only_that_segment(rm_user):
    uhnw = Tag.objects.get(code="segment-uhnw")
    hnw = Tag.objects.get(code="segment-hnw")
    make_blocking("client", "national_id", segment=hnw)  # uhnw sits under hnw
    inside = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    outside = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    tags.tags_assign(actor=rm_user, contacts=[inside], tags=[uhnw])
    codes = {f.rule_code for f in contact_findings(inside)}
    assert f"client.{hnw.code}.national_id" in codes
    assert f"client.{hnw.code}.national_id" not in {f.rule_code for f in contact_findings(outside)}


def test_a_valid_risk_assessment_meets_the_risk_rule(rm_user):
    contact = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    today = factories.today()
    details.risk_assessment_record(
        actor=rm_user,
        contact=contact,
        level="moderate",
        assessed_on=today - timedelta(days=1),
        valid_until=today + timedelta(days=300),
    )
    contact.refresh_from_db()
    assert "client.all.risk_assessment" not in {f.rule_code for f in contact_findings(contact)}
