"""Scoring chunks of contacts: summaries, issues, tasks, and never overwriting a person."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from compliance.consent.services import (
    consent_grant,
    consent_withdraw,
    privacy_notice_publish,
)
from compliance.models import AuditEvent, ConsentState, PrivacyNotice, Purpose
from contacts.models import Contact, ContactPoint
from contacts.services import details
from contacts.services.contacts import contact_update
from contacts.services.quality import contacts_mark_deceased
from contacts.tests import factories
from dataquality.models import QualityIssue, ReviewTask
from dataquality.services import facts as facts_module
from dataquality.services.scoring import score_chunk
from dataquality.tests.factories import contact_with_email

pytestmark = pytest.mark.django_db


def test_a_chunk_is_scored_and_its_summary_written_onto_the_contacts(rm_user):
    tidy = contact_with_email(owner=rm_user, verified_on=timezone.localdate())
    dead = contact_with_email(owner=rm_user)
    contacts_mark_deceased(actor=rm_user, contact_ids=[dead.pk], source="test")
    result = score_chunk([tidy.pk, dead.pk])
    assert (result.read, result.written, result.skipped) == (2, 2, 0)
    tidy.refresh_from_db()
    dead.refresh_from_db()
    assert 0 < tidy.quality_score <= 100
    assert not tidy.has_blocking_issue
    assert dead.has_blocking_issue
    assert dead.stale_since == timezone.localdate()
    issue = QualityIssue.objects.get(contact=dead)
    assert (issue.rule, issue.severity, issue.resolved_on) == ("deceased", "blocking", None)
    assert "deceased" in issue.message
    task = ReviewTask.objects.get(contact=dead)
    assert task.assignee == rm_user
    assert task.due_on == timezone.localdate() + timedelta(days=14)


def test_running_twice_opens_nothing_twice(rm_user):
    contact = contact_with_email(owner=rm_user)
    contacts_mark_deceased(actor=rm_user, contact_ids=[contact.pk], source="test")
    score_chunk([contact.pk])
    events = AuditEvent.objects.count()
    again = score_chunk([contact.pk])
    assert again.issues_opened == 0 and again.tasks == 0
    assert QualityIssue.objects.filter(contact=contact).count() == 1
    assert ReviewTask.objects.filter(contact=contact).count() == 1
    assert AuditEvent.objects.count() == events  # nothing changed, nothing audited


def test_a_fixed_problem_resolves_its_issue_and_completes_its_task(rm_user):
    contact = contact_with_email(owner=rm_user, value="a@example.com")
    organisation = factories.OrganisationFactory(email_domain="acme.com")
    details.employment_add(
        actor=rm_user,
        contact=contact,
        organisation=organisation,
        ended_on=timezone.localdate() - timedelta(days=3),
    )
    score_chunk([contact.pk])
    issue = QualityIssue.objects.get(contact=contact, rule="employment_ended")
    new_org = factories.OrganisationFactory(email_domain="new.com")
    details.employment_add(actor=rm_user, contact=contact, organisation=new_org)
    result = score_chunk([contact.pk])
    issue.refresh_from_db()
    assert issue.resolved_on == timezone.localdate()
    assert result.resolved == {"employment_ended": [contact.pk]}
    task = ReviewTask.objects.get(contact=contact, rule="employment_ended")
    assert task.completed_at is not None


def test_an_email_at_the_old_employers_domain_is_an_issue(rm_user):
    contact = contact_with_email(owner=rm_user, value="grace@acme.com")
    old = factories.OrganisationFactory(email_domain="acme.com")
    details.employment_add(
        actor=rm_user, contact=contact, organisation=old, ended_on=date(2025, 1, 1)
    )
    details.employment_add(
        actor=rm_user, contact=contact, organisation=factories.OrganisationFactory()
    )
    score_chunk([contact.pk])
    issue = QualityIssue.objects.get(contact=contact, rule="email_at_former_employer")
    assert "acme" not in issue.message and "grace" not in issue.message


def test_high_net_worth_contacts_fall_due_after_6_months(rm_user):
    from contacts.models import Tag
    from contacts.services.tags import tags_assign

    old = timezone.localdate() - timedelta(days=200)
    hnw = contact_with_email(owner=rm_user, verified_on=old)
    tags_assign(actor=rm_user, contacts=[hnw], tags=[Tag.objects.get(code="segment-hnw")])
    other = contact_with_email(owner=rm_user, verified_on=old)
    score_chunk([Contact.objects.get(pk=hnw.pk).pk, other.pk])
    assert QualityIssue.objects.filter(contact=hnw, rule="verification_overdue").exists()
    assert not QualityIssue.objects.filter(contact=other, rule="verification_overdue").exists()


def test_an_edit_made_while_the_job_ran_survives_the_job(rm_user, monkeypatch):
    contact = contact_with_email(owner=rm_user)
    contacts_mark_deceased(actor=rm_user, contact_ids=[contact.pk], source="test")
    real_load = facts_module.load_facts

    def load_then_someone_edits(ids, **kwargs):
        loaded = real_load(ids, **kwargs)
        current = Contact.objects.get(pk=contact.pk)
        contact_update(
            actor=rm_user, contact=current, expected_version=current.version, notes="RM edit"
        )
        return loaded

    monkeypatch.setattr("dataquality.services.scoring.load_facts", load_then_someone_edits)
    result = score_chunk([contact.pk])
    assert (result.written, result.skipped) == (0, 1)
    contact.refresh_from_db()
    assert contact.notes == "RM edit"
    assert contact.quality_score is None
    # The job left this contact's issues alone too; the next run scores it.
    assert not QualityIssue.objects.filter(contact=contact).exists()
    assert Contact.objects.quality_pending().filter(pk=contact.pk).exists()


def test_a_consent_withdrawal_made_while_the_job_ran_survives_the_job(
    rm_user, compliance_user, monkeypatch
):
    contact = contact_with_email(owner=rm_user)
    purpose = Purpose.objects.get(code="marketing-post")
    notice = privacy_notice_publish(
        actor=compliance_user,
        notice=PrivacyNotice(
            version="1",
            language="zh-hant",
            jurisdiction="TW",
            effective_from=date(2024, 1, 1),
            url="https://bank.example/privacy",
        ),
    )
    consent_grant(
        actor=rm_user,
        contact=contact,
        purpose=purpose,
        channel="post",
        source="web_form",
        notice=notice,
    )
    real_load = facts_module.load_facts

    def load_then_withdraw(ids, **kwargs):
        loaded = real_load(ids, **kwargs)
        consent_withdraw(
            actor=rm_user, contact=contact, purpose=purpose, channel="post", source="call_recording"
        )
        return loaded

    monkeypatch.setattr("dataquality.services.scoring.load_facts", load_then_withdraw)
    score_chunk([contact.pk])
    state = ConsentState.objects.get(contact=contact, purpose=purpose)
    assert state.status == "withdrawn"


def test_names_are_renormalised_before_scoring(rm_user):
    contact = contact_with_email(owner=rm_user)
    Contact.objects.filter(pk=contact.pk).update(given_name="ＧＲＡＣＥ")
    result = score_chunk([contact.pk])
    contact.refresh_from_db()
    assert contact.given_name == "Grace"
    assert result.renormalised == 1 and result.written == 1


def test_a_point_that_bypassed_validation_is_marked_invalid(rm_user):
    contact = contact_with_email(owner=rm_user)
    ContactPoint.objects.create(contact=contact, kind="phone", value="12", normalized="12")
    result = score_chunk([contact.pk])
    assert result.revalidated == 1
    assert ContactPoint.objects.get(contact=contact, kind="phone").status == "invalid"
    assert QualityIssue.objects.filter(contact=contact, rule="invalid_contact_point").exists()


def test_a_second_run_over_unchanged_contacts_rewrites_no_row(rm_user):
    contact = contact_with_email(owner=rm_user)
    score_chunk([contact.pk])
    updated_at = Contact.objects.get(pk=contact.pk).quality_version
    again = score_chunk([contact.pk])
    assert (again.read, again.written, again.skipped, again.revalidated) == (1, 0, 0, 0)
    assert Contact.objects.get(pk=contact.pk).quality_version == updated_at


@pytest.mark.parametrize(
    ("kind", "value", "normalized", "passes"),
    [
        ("phone", "0912-345-678", "+886912345678", True),
        ("phone", "+886 912 345 678", "+886912345678", True),
        ("phone", "12", "12", False),
        ("phone", "0912-345-678", "", True),  # no stored form: the full validator decides
        ("phone", "not a number", "+886912345678", False),
        ("email", "a@example.com", "a@example.com", True),
        ("email", "not an email", "not an email", False),
        ("email", "Ａ@example.com", "A@example.com", True),
    ],
)
def test_revalidation_checks_points_as_typed(kind, value, normalized, passes):
    from dataquality.services.facts import passes_validation

    assert passes_validation(kind, value, normalized) is passes


def test_a_contact_erased_while_the_job_ran_is_left_alone(rm_user, monkeypatch):
    contact = contact_with_email(owner=rm_user)
    contacts_mark_deceased(actor=rm_user, contact_ids=[contact.pk], source="test")
    other = contact_with_email(owner=rm_user)
    real_load = facts_module.load_facts

    def load_then_erase(ids, **kwargs):
        loaded = real_load(ids, **kwargs)
        Contact.objects.filter(pk=contact.pk).delete()
        return loaded

    monkeypatch.setattr("dataquality.services.scoring.load_facts", load_then_erase)
    result = score_chunk([contact.pk, other.pk])
    assert (result.read, result.written, result.skipped) == (2, 1, 1)
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not QualityIssue.objects.filter(contact_id=contact.pk).exists()
