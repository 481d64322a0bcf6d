"""Required-field policy findings as data-quality issues, and tag changes noticed."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, RequiredFieldRule, Tag
from contacts.policies import PolicyRule
from contacts.services.contacts import contact_update
from contacts.services.tags import tag_unassign, tags_assign
from dataquality import rules
from dataquality.models import QualityIssue
from dataquality.services import facts as facts_module
from dataquality.services.runs import quality_run
from dataquality.services.scoring import score_chunk
from dataquality.tests.factories import contact_with_email

TODAY = date(2026, 6, 1)


def _client_facts(**values) -> rules.ContactFacts:
    return rules.ContactFacts(lifecycle_stage="client", **values)


def _config(*policy_rules: PolicyRule) -> rules.Config:
    return rules.Config(policy_rules=policy_rules)


def test_an_issue_rule_the_client_breaks_is_a_warning():
    config = _config(PolicyRule("c-industry", "client", "industry_tag", "issue"))
    found = rules.evaluate(_client_facts(), TODAY, config).findings
    assert rules.Finding("required_industry_tag", rules.Severity.WARNING) in found


def test_a_blocking_rule_broken_by_old_data_is_a_blocking_issue():
    config = _config(PolicyRule("c-dob", "client", "date_of_birth", "block"))
    evaluation = rules.evaluate(_client_facts(), TODAY, config)
    assert rules.Finding("required_date_of_birth", rules.Severity.BLOCKING) in evaluation.findings
    assert evaluation.has_blocking_issue
    met = rules.evaluate(_client_facts(date_of_birth=date(1970, 1, 1)), TODAY, config)
    assert not {f.rule for f in met.findings} & {"required_date_of_birth"}


def test_a_tag_beneath_the_category_meets_the_rule_and_other_stages_are_not_judged():
    config = _config(PolicyRule("c-industry", "client", "industry_tag", "issue"))
    tagged = _client_facts(tag_codes=frozenset({"industry", "industry-banking"}))
    assert "required_industry_tag" not in {
        f.rule for f in rules.evaluate(tagged, TODAY, config).findings
    }
    prospect = rules.ContactFacts(lifecycle_stage="prospect")
    assert "required_industry_tag" not in {
        f.rule for f in rules.evaluate(prospect, TODAY, config).findings
    }


def test_a_valid_risk_assessment_makes_the_contact_due_when_it_runs_out():
    config = _config(PolicyRule("c-risk", "client", "risk_assessment", "issue"))
    facts = _client_facts(risk_valid_until=date(2026, 6, 10))
    assert rules.evaluate(facts, TODAY, config).due_on == date(2026, 6, 11)


# --- through the nightly job ---------------------------------------------------------------


def _open_rules(contact) -> set[str]:
    return set(
        QualityIssue.objects.filter(contact=contact, resolved_on__isnull=True).values_list(
            "rule", flat=True
        )
    )


@pytest.mark.django_db
def test_a_client_with_no_industry_tag_has_an_open_issue_on_the_contact_page(rm_client, rm_user):
    client = contact_with_email(owner=rm_user, lifecycle_stage="client")
    quality_run(kind="full")
    issue = QualityIssue.objects.get(contact=client, rule="required_industry_tag")
    assert issue.severity == "warning"  # the default rule raises an issue, it does not block
    url = reverse("dataquality:contact", args=[client.pk])
    panel = rm_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Required: An industry tag" in panel and "Tag the industry." in panel
    dashboard = rm_client.get(reverse("dataquality:dashboard")).content.decode()
    assert "Required: An industry tag" in dashboard


@pytest.mark.django_db
def test_tagging_the_industry_is_noticed_by_the_incremental_run(rm_user):
    client = contact_with_email(owner=rm_user, lifecycle_stage="client")
    quality_run(kind="full")
    assert quality_run(kind="incremental").contacts_read == 0
    version = Contact.objects.get(pk=client.pk).version
    tags_assign(actor=rm_user, contacts=[client], tags=[Tag.objects.get(code="industry-banking")])
    # Tagging is not an edit: the version stays, so an edit opened before it still saves.
    assert Contact.objects.get(pk=client.pk).version == version
    run = quality_run(kind="incremental")
    assert run.contacts_read == 1 and run.contacts_written == 1
    assert "required_industry_tag" not in _open_rules(client)
    assert QualityIssue.objects.filter(
        contact=client, rule="required_industry_tag", resolved_on=timezone.localdate()
    ).exists()
    tag_unassign(actor=rm_user, contact=client, tag=Tag.objects.get(code="industry-banking"))
    assert quality_run(kind="incremental").contacts_read == 1
    assert "required_industry_tag" in _open_rules(client)


@pytest.mark.django_db
def test_an_edit_opened_before_a_tag_change_still_saves(rm_user):
    contact = contact_with_email(owner=rm_user)
    opened_at = Contact.objects.get(pk=contact.pk).version
    tags_assign(actor=rm_user, contacts=[contact], tags=[Tag.objects.get(code="industry-banking")])
    current = Contact.objects.get(pk=contact.pk)
    contact_update(actor=rm_user, contact=current, expected_version=opened_at, notes="later")
    assert Contact.objects.get(pk=contact.pk).notes == "later"


@pytest.mark.django_db
def test_a_tag_change_made_while_the_job_ran_is_scored_again_next_time(rm_user, monkeypatch):
    client = contact_with_email(owner=rm_user, lifecycle_stage="client")
    real_load = facts_module.load_facts

    def load_then_someone_tags(ids, **kwargs):
        loaded = real_load(ids, **kwargs)
        tags_assign(
            actor=rm_user, contacts=[client], tags=[Tag.objects.get(code="industry-banking")]
        )
        return loaded

    monkeypatch.setattr("dataquality.services.scoring.load_facts", load_then_someone_tags)
    result = score_chunk([client.pk])
    assert (result.written, result.skipped) == (0, 1)
    assert not QualityIssue.objects.filter(contact=client).exists()
    assert Contact.objects.quality_pending().filter(pk=client.pk).exists()
    monkeypatch.undo()
    score_chunk([client.pk])
    assert "required_industry_tag" not in _open_rules(client)
    assert "required_investment_tag" in _open_rules(client)


@pytest.mark.django_db
def test_a_blocking_rule_tightened_later_raises_a_blocking_issue_on_old_records(rm_user):
    client = contact_with_email(owner=rm_user, lifecycle_stage="client")
    RequiredFieldRule.objects.filter(lifecycle_stage="client", requirement="industry_tag").update(
        severity="block"
    )
    quality_run(kind="full")
    client.refresh_from_db()
    assert client.has_blocking_issue
    issue = QualityIssue.objects.get(contact=client, rule="required_industry_tag")
    assert issue.severity == "blocking"


@pytest.mark.django_db
def test_the_job_reads_tags_in_a_fixed_number_of_queries(rm_user, django_assert_max_num_queries):
    contacts = [contact_with_email(owner=rm_user, lifecycle_stage="client") for _ in range(3)]
    tags_assign(actor=rm_user, contacts=contacts, tags=[Tag.objects.get(code="industry-banking")])
    with django_assert_max_num_queries(4):
        loaded = facts_module.load_facts([c.pk for c in contacts], hnw_tags=[], tag_codes=None)
    assert all("industry" in item.facts.tag_codes for item in loaded)
