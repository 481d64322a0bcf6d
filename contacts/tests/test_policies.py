"""The required-field engine alone: plain facts in, findings out, no database."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contacts.policies import (
    ContactFacts,
    PolicyRule,
    Requirement,
    Severity,
    blocking,
    evaluate,
)

TODAY = date(2026, 6, 1)


def rule(requirement, severity=Severity.BLOCK, stage="client", segment=""):
    return PolicyRule(
        code=f"{stage}.{segment or 'all'}.{requirement}",
        lifecycle_stage=stage,
        requirement=requirement,
        severity=severity,
        segment=segment,
    )


def complete_client(**overrides) -> ContactFacts:
    values = {
        "lifecycle_stage": "client",
        "today": TODAY,
        "has_name": True,
        "date_of_birth": date(1970, 1, 1),
        "has_national_id": True,
        "acquisition_source": "referral",
        "valid_contact_points": 1,
        "risk_valid_until": TODAY,
        "tag_codes": frozenset({"client-segment", "industry", "investment-preference"}),
    }
    return ContactFacts(**(values | overrides))


ALL_RULES = [rule(r) for r in Requirement]


def test_a_complete_client_meets_every_requirement():
    assert evaluate(complete_client(), ALL_RULES) == []


def test_a_prospect_missing_a_contact_point_and_source_gets_a_finding_for_each():
    facts = ContactFacts(lifecycle_stage="prospect", today=TODAY, has_name=True)
    rules = [
        rule(Requirement.NAME, stage="prospect"),
        rule(Requirement.CONTACT_POINT, Severity.ISSUE, stage="prospect"),
        rule(Requirement.ACQUISITION_SOURCE, Severity.ISSUE, stage="prospect"),
    ]
    findings = evaluate(facts, rules)
    assert [(f.field, f.severity) for f in findings] == [
        ("acquisition_source", "issue"),
        ("contact_points", "issue"),
    ]
    assert blocking(findings) == []


def test_an_expired_risk_assessment_does_not_count():
    facts = complete_client(risk_valid_until=TODAY - timedelta(days=1))
    (finding,) = evaluate(facts, ALL_RULES)
    assert finding.rule_code == "client.all.risk_assessment"
    assert finding.field == "risk_assessment"
    assert finding.message == "Record a risk assessment that is still valid."


def test_tag_requirements_look_for_the_category_among_the_tags_ancestors():
    facts = complete_client(tag_codes=frozenset({"industry"}))
    fields = {f.rule_code for f in evaluate(facts, ALL_RULES)}
    assert fields == {"client.all.segment_tag", "client.all.investment_tag"}


def test_a_rule_for_another_stage_does_not_apply():
    facts = ContactFacts(lifecycle_stage="prospect", today=TODAY, has_name=True)
    assert evaluate(facts, [rule(Requirement.NATIONAL_ID)]) == []


def test_a_segment_rule_applies_only_to_contacts_in_that_segment():
    hnw = rule(Requirement.NATIONAL_ID, segment="segment-hnw")
    outside = complete_client(has_national_id=False)
    inside = complete_client(
        has_national_id=False, tag_codes=frozenset({"client-segment", "segment-hnw"})
    )
    assert evaluate(outside, [hnw]) == []
    assert [f.rule_code for f in evaluate(inside, [hnw])] == ["client.segment-hnw.national_id"]


def test_blocking_findings_come_first():
    facts = complete_client(has_national_id=False, date_of_birth=None)
    rules = [rule(Requirement.NATIONAL_ID, Severity.ISSUE), rule(Requirement.DATE_OF_BIRTH)]
    assert [f.severity for f in evaluate(facts, rules)] == ["block", "issue"]


@given(
    has_name=st.booleans(),
    points=st.integers(min_value=0, max_value=3),
    severity=st.sampled_from(Severity.values),
    requirement=st.sampled_from(Requirement.values),
)
def test_a_finding_carries_its_rules_severity_and_only_unmet_rules_are_found(
    has_name, points, severity, requirement
):
    facts = complete_client(has_name=has_name, valid_contact_points=points)
    findings = evaluate(facts, [rule(requirement, severity)])
    unmet = (requirement == Requirement.NAME and not has_name) or (
        requirement == Requirement.CONTACT_POINT and points == 0
    )
    assert len(findings) == (1 if unmet else 0)
    assert all(f.severity == severity for f in findings)
