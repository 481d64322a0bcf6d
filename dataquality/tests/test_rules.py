"""The data-quality rules, without a database."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dataquality import rules
from dataquality.rules import (
    Config,
    ContactFacts,
    EmploymentFact,
    PointFact,
    Severity,
    evaluate,
)

TODAY = date(2026, 6, 1)


def codes(facts, today=TODAY, config=None):
    return {f.rule: f for f in evaluate(facts, today, config).findings}


def email(domain="example.com", status="valid", verified_on=TODAY, **kw):
    return PointFact(kind="email", status=status, domain=domain, verified_on=verified_on, **kw)


def test_a_tidy_contact_has_no_findings():
    facts = ContactFacts(points=(email(), PointFact(kind="phone", status="valid")))
    assert codes(facts) == {}


def test_deceased_is_blocking_and_stale_from_the_date_of_death():
    found = codes(ContactFacts(is_deceased=True, deceased_on=date(2026, 1, 2)))
    assert found["deceased"].severity == Severity.BLOCKING
    assert found["deceased"].stale_since == date(2026, 1, 2)
    assert evaluate(ContactFacts(is_deceased=True), TODAY).has_blocking_issue


def test_every_employment_ended_is_blocking():
    facts = ContactFacts(
        points=(email(),), employments=(EmploymentFact("acme.com", date(2026, 3, 1)),)
    )
    assert codes(facts)["employment_ended"].stale_since == date(2026, 3, 1)


def test_a_current_job_beside_an_ended_one_is_fine():
    facts = ContactFacts(
        points=(email(),),
        employments=(EmploymentFact("old.com", date(2025, 1, 1)), EmploymentFact("new.com")),
    )
    assert "employment_ended" not in codes(facts)


def test_an_employment_ending_later_makes_the_contact_due_that_day():
    end = TODAY + timedelta(days=10)
    facts = ContactFacts(points=(email(),), employments=(EmploymentFact("acme.com", end),))
    result = evaluate(facts, TODAY)
    assert result.findings == ()
    assert result.due_on == end + timedelta(days=1)
    assert "employment_ended" in codes(facts, today=end + timedelta(days=1))


def test_email_at_a_former_employers_domain_is_flagged():
    facts = ContactFacts(
        points=(email("acme.com"),),
        employments=(EmploymentFact("acme.com", date(2026, 2, 1)), EmploymentFact("new.com")),
    )
    found = codes(facts)
    assert found["email_at_former_employer"].severity == Severity.BLOCKING
    assert found["email_at_former_employer"].stale_since == date(2026, 2, 1)


def test_email_at_the_current_employers_domain_is_not_flagged():
    facts = ContactFacts(points=(email("acme.com"),), employments=(EmploymentFact("acme.com"),))
    assert "email_at_former_employer" not in codes(facts)


def test_a_bounced_email_blocks_only_when_no_valid_email_is_left():
    alone = ContactFacts(points=(email(status="bounced"),))
    assert codes(alone)["email_bounced"].severity == Severity.BLOCKING
    spare = ContactFacts(points=(email(status="bounced"), email("b.com")))
    assert codes(spare)["email_bounced"].severity == Severity.WARNING


def test_high_net_worth_contacts_are_verified_every_6_months_others_every_12():
    verified = TODAY - timedelta(days=200)
    hnw = ContactFacts(is_high_net_worth=True, points=(email(verified_on=verified),))
    other = ContactFacts(points=(email(verified_on=verified),))
    assert "verification_overdue" in codes(hnw)
    assert "verification_overdue" not in codes(other)


def test_the_review_cadence_is_configurable():
    config = Config(cadence_months={"high_net_worth": 1, "default": 2})
    facts = ContactFacts(points=(email(verified_on=TODAY - timedelta(days=70)),))
    assert "verification_overdue" in codes(facts, config=config)


def test_a_review_of_the_contact_counts_as_verification():
    facts = ContactFacts(
        last_reviewed_on=TODAY, points=(email(verified_on=TODAY - timedelta(days=900)),)
    )
    assert "verification_overdue" not in codes(facts)


def test_a_client_with_an_expired_risk_assessment_is_blocked_and_due_on_expiry():
    expired = ContactFacts(
        lifecycle_stage="client", points=(email(),), risk_valid_until=TODAY - timedelta(days=1)
    )
    assert codes(expired)["risk_expired"].stale_since == TODAY
    valid = ContactFacts(
        lifecycle_stage="client", points=(email(),), risk_valid_until=TODAY + timedelta(days=5)
    )
    assert "risk_expired" not in codes(valid)
    assert evaluate(valid, TODAY).due_on == TODAY + timedelta(days=6)
    assert "risk_expired" not in codes(ContactFacts(lifecycle_stage="prospect"))


def test_a_point_failing_validation_is_a_warning_only():
    facts = ContactFacts(points=(email(passes_validation=False),))
    found = codes(facts)
    assert found["invalid_contact_point"].severity == Severity.WARNING
    assert not evaluate(facts, TODAY).has_blocking_issue


def test_stale_since_is_the_earliest_finding():
    facts = ContactFacts(
        is_deceased=True,
        deceased_on=date(2026, 5, 1),
        employments=(EmploymentFact("acme.com", date(2026, 1, 1)),),
    )
    assert evaluate(facts, TODAY).stale_since == date(2026, 1, 1)


def test_a_new_rule_joins_the_table_with_register():
    rule = rules.Rule(
        "always_test",
        "Always",
        "Always",
        False,
        lambda facts, today, config: rules.Check(rules.Finding("always_test", Severity.INFO)),
    )
    rules.register(rule)
    try:
        assert "always_test" in codes(ContactFacts())
    finally:
        rules._rules.pop("always_test")


points = st.lists(
    st.builds(
        PointFact,
        kind=st.sampled_from(["email", "phone", "address"]),
        status=st.sampled_from(["valid", "invalid", "bounced"]),
        verified_on=st.none() | st.dates(date(2020, 1, 1), date(2027, 1, 1)),
        domain=st.sampled_from(["", "a.com", "b.com"]),
        passes_validation=st.booleans(),
    ),
    max_size=4,
)
employments = st.lists(
    st.builds(
        EmploymentFact,
        domain=st.sampled_from(["", "a.com", "b.com"]),
        ended_on=st.none() | st.dates(date(2020, 1, 1), date(2027, 1, 1)),
    ),
    max_size=3,
)
facts_strategy = st.builds(
    ContactFacts,
    lifecycle_stage=st.sampled_from(["prospect", "client", "former_client"]),
    has_date_of_birth=st.booleans(),
    has_national_id=st.booleans(),
    is_deceased=st.booleans(),
    left_employer=st.booleans(),
    is_high_net_worth=st.booleans(),
    risk_valid_until=st.none() | st.dates(date(2020, 1, 1), date(2027, 1, 1)),
    created_on=st.dates(date(2020, 1, 1), date(2026, 6, 1)),
    points=points.map(tuple),
    employments=employments.map(tuple),
)


@given(facts_strategy)
def test_any_contact_scores_0_to_100_and_is_due_only_in_the_future(facts):
    result = evaluate(facts, TODAY)
    assert 0 <= result.score <= 100
    assert result.due_on is None or result.due_on > TODAY
    assert result.has_blocking_issue == any(f.severity == "blocking" for f in result.findings)


@given(facts_strategy)
def test_nothing_changes_before_the_due_day(facts):
    """What lets an incremental run skip a contact: with no edit, its findings stay the same
    every day until ``due_on``."""
    result = evaluate(facts, TODAY)
    if result.due_on is None or result.due_on - TODAY < timedelta(days=2):
        return
    later = evaluate(facts, result.due_on - timedelta(days=1))
    assert {f.rule for f in later.findings} == {f.rule for f in result.findings}


@given(facts_strategy, st.sampled_from(["has_date_of_birth", "has_national_id"]))
def test_filling_in_a_field_never_lowers_the_score(facts, name):
    from dataclasses import replace

    without = evaluate(replace(facts, **{name: False}), TODAY).score
    with_it = evaluate(replace(facts, **{name: True}), TODAY).score
    assert with_it >= without
