"""The may-contact decision for one contact: plain facts in, a decision with reasons out.
No database."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from compliance.consent.rules import (
    RULES,
    Channel,
    ConsentFact,
    ConsentStatus,
    ContactFacts,
    LawfulBasis,
    PointStatus,
    PurposeTerms,
    Reason,
    RestrictionFact,
    RestrictionKind,
    may_contact,
    point_status,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=30)
LATER = NOW + timedelta(days=30)

EMAIL_MARKETING = PurposeTerms(
    code="marketing-email",
    is_marketing=True,
    lawful_bases=frozenset({LawfulBasis.CONSENT}),
    channels=frozenset({Channel.EMAIL}),
)
PHONE_MARKETING = PurposeTerms(
    code="marketing-phone-sms",
    is_marketing=True,
    lawful_bases=frozenset({LawfulBasis.CONSENT}),
    channels=frozenset({Channel.PHONE, Channel.SMS}),
)
PROFILING = PurposeTerms(
    code="profiling",
    is_marketing=True,
    lawful_bases=frozenset({LawfulBasis.CONSENT}),
    channels=frozenset({Channel.ANY}),
)
SERVICING = PurposeTerms(
    code="servicing",
    is_marketing=False,
    lawful_bases=frozenset({LawfulBasis.CONTRACT, LawfulBasis.LEGAL_OBLIGATION}),
    channels=frozenset({Channel.ANY}),
)


def granted(**kwargs) -> ConsentFact:
    values = {"status": ConsentStatus.GRANTED, "lawful_basis": LawfulBasis.CONSENT}
    return ConsentFact(**(values | {"granted_at": EARLIER} | kwargs))


def reachable(**kwargs) -> ContactFacts:
    """A contact with a valid email, phone and address and a consent to email marketing."""
    values = {
        "point_statuses": {"email": ("valid",), "phone": ("valid",), "address": ("valid",)},
        "consents": {("marketing-email", Channel.EMAIL): granted()},
    }
    return ContactFacts(**(values | kwargs))


def reasons(facts, purpose=EMAIL_MARKETING, channel=Channel.EMAIL, now=NOW) -> list[Reason]:
    return may_contact(facts, purpose, channel, now).reasons


# --- consent -------------------------------------------------------------------------------------


def test_a_consented_reachable_contact_may_be_contacted():
    decision = may_contact(reachable(), EMAIL_MARKETING, Channel.EMAIL, NOW)
    assert decision.allowed
    assert decision.reasons == []


def test_marketing_without_a_consent_on_record_is_refused_for_that_reason_alone():
    assert reasons(reachable(consents={})) == [Reason.NO_CONSENT]


def test_a_withdrawn_consent_refuses():
    facts = reachable(
        consents={("marketing-email", Channel.EMAIL): granted(status=ConsentStatus.WITHDRAWN)}
    )
    assert reasons(facts) == [Reason.WITHDRAWN]


def test_a_granted_consent_past_its_expiry_counts_as_expired_at_question_time():
    facts = reachable(consents={("marketing-email", Channel.EMAIL): granted(expires_at=NOW)})
    assert reasons(facts, now=NOW) == []
    assert reasons(facts, now=NOW + timedelta(seconds=1)) == [Reason.EXPIRED]


def test_a_consent_the_job_marked_expired_refuses():
    facts = reachable(
        consents={("marketing-email", Channel.EMAIL): granted(status=ConsentStatus.EXPIRED)}
    )
    assert reasons(facts) == [Reason.EXPIRED]


def test_a_consent_for_one_channel_does_not_cover_another():
    facts = reachable()
    assert reasons(facts, PHONE_MARKETING, Channel.PHONE) == [Reason.NO_CONSENT]


def test_a_purpose_for_any_channel_keeps_one_consent_for_all():
    facts = reachable(consents={("profiling", Channel.ANY): granted()})
    assert reasons(facts, PROFILING, Channel.ANY) == []
    assert reasons(facts, PROFILING, Channel.EMAIL) == []


def test_a_channel_the_purpose_does_not_cover_is_refused():
    assert reasons(reachable(), EMAIL_MARKETING, Channel.POST) == [
        Reason.CHANNEL_NOT_COVERED,
        Reason.NO_CONSENT,
    ]


def test_servicing_rests_on_the_contract_and_needs_no_consent():
    assert reasons(reachable(consents={}), SERVICING, Channel.POST) == []


def test_a_withdrawal_on_record_is_honoured_even_where_no_consent_is_needed():
    facts = reachable(
        consents={
            ("servicing", Channel.ANY): granted(
                status=ConsentStatus.WITHDRAWN, lawful_basis=LawfulBasis.LEGITIMATE_INTEREST
            )
        }
    )
    assert reasons(facts, SERVICING, Channel.EMAIL) == [Reason.WITHDRAWN]


# --- the person ------------------------------------------------------------------------------


def test_a_deceased_contact_is_never_contacted_for_any_purpose():
    facts = reachable(is_deceased=True)
    assert reasons(facts) == [Reason.DECEASED]
    assert reasons(facts, SERVICING, Channel.POST) == [Reason.DECEASED]


def test_do_not_contact_blocks_every_purpose():
    facts = reachable(do_not_contact=True)
    assert reasons(facts) == [Reason.DO_NOT_CONTACT]
    assert reasons(facts, SERVICING, Channel.PHONE) == [Reason.DO_NOT_CONTACT]


def test_a_new_contact_awaiting_review_may_not_be_contacted_for_any_purpose():
    assert reasons(reachable(awaiting_review=True)) == [Reason.AWAITING_REVIEW]
    assert reasons(reachable(awaiting_review=True), SERVICING, Channel.EMAIL) == [
        Reason.AWAITING_REVIEW
    ]
    assert reasons(reachable(), SERVICING, Channel.EMAIL) == []


def test_left_employer_blocks_marketing_that_reaches_the_person_only():
    facts = reachable(left_employer=True, consents={("profiling", Channel.ANY): granted()})
    assert reasons(facts, PROFILING, Channel.EMAIL) == [Reason.LEFT_EMPLOYER]
    assert reasons(facts, PROFILING, Channel.ANY) == []
    assert reasons(facts, SERVICING, Channel.EMAIL) == []


def test_an_active_restriction_or_erasure_blocks_every_purpose():
    restricted = RestrictionFact(kind=RestrictionKind.RESTRICTED, since=EARLIER)
    erased = RestrictionFact(kind=RestrictionKind.ERASED, since=EARLIER)
    assert reasons(reachable(restrictions=(restricted,))) == [Reason.RESTRICTED]
    assert reasons(reachable(restrictions=(erased,)), SERVICING, Channel.POST) == [Reason.ERASED]


def test_a_restriction_counts_from_since_until_lifted():
    restriction = RestrictionFact(kind=RestrictionKind.RESTRICTED, since=NOW, lifted_at=LATER)
    facts = reachable(restrictions=(restriction,))
    assert reasons(facts, now=NOW - timedelta(seconds=1)) == []
    assert reasons(facts, now=NOW) == [Reason.RESTRICTED]
    assert reasons(facts, now=LATER) == []


# --- "stop all marketing" ------------------------------------------------------------------------


def test_a_refusal_of_marketing_blocks_consents_given_before_it():
    facts = reachable(marketing_refused_at=EARLIER + timedelta(days=1))
    assert reasons(facts) == [Reason.MARKETING_REFUSED]


def test_a_consent_given_after_the_refusal_allows_marketing_again():
    facts = reachable(marketing_refused_at=EARLIER - timedelta(days=1))
    assert reasons(facts) == []


def test_only_a_consent_lifts_a_refusal_not_another_basis():
    consent = granted(lawful_basis=LawfulBasis.LEGITIMATE_INTEREST)
    facts = reachable(
        consents={("marketing-email", Channel.EMAIL): consent},
        marketing_refused_at=EARLIER - timedelta(days=1),
    )
    assert reasons(facts) == [Reason.MARKETING_REFUSED]


def test_a_refusal_of_marketing_does_not_touch_servicing():
    facts = reachable(marketing_refused_at=EARLIER)
    assert reasons(facts, SERVICING, Channel.EMAIL) == []


# --- contact points ------------------------------------------------------------------------------


def test_a_channel_needs_a_valid_point_of_its_kind():
    facts = reachable(point_statuses={"email": ("bounced",)})
    assert reasons(facts) == [Reason.BOUNCED]
    facts = reachable(point_statuses={"email": ("invalid",)})
    assert reasons(facts) == [Reason.INVALID_CONTACT_POINT]
    facts = reachable(point_statuses={"phone": ("valid",)})
    assert reasons(facts) == [Reason.NO_CONTACT_POINT]


def test_sms_and_calls_use_phone_points_and_post_uses_addresses():
    facts = reachable(
        point_statuses={"phone": ("valid",)},
        consents={("marketing-phone-sms", Channel.SMS): granted()},
    )
    assert reasons(facts, PHONE_MARKETING, Channel.SMS) == []
    assert reasons(facts, SERVICING, Channel.POST) == [Reason.NO_CONTACT_POINT]


def test_one_valid_point_is_enough_and_bounced_is_told_before_invalid():
    assert point_status(["bounced", "valid", "invalid"]) == PointStatus.VALID
    assert point_status(["invalid", "bounced"]) == PointStatus.BOUNCED
    assert point_status(["invalid"]) == PointStatus.INVALID
    assert point_status([]) == PointStatus.NONE


def test_a_purpose_asked_for_any_channel_needs_no_point():
    facts = reachable(point_statuses={}, consents={("profiling", Channel.ANY): granted()})
    assert reasons(facts, PROFILING, Channel.ANY) == []


# --- the table ----------------------------------------------------------------------------------


def test_every_reason_is_given_in_table_order():
    facts = ContactFacts(is_deceased=True, do_not_contact=True, left_employer=True)
    assert reasons(facts) == [
        Reason.DECEASED,
        Reason.DO_NOT_CONTACT,
        Reason.LEFT_EMPLOYER,
        Reason.NO_CONSENT,
        Reason.NO_CONTACT_POINT,
    ]


def test_every_reason_has_exactly_one_rule_and_a_label():
    assert sorted(rule.reason for rule in RULES) == sorted(Reason)
    assert all(str(reason.label) for reason in Reason)


def test_the_decision_labels_are_the_reasons_labels():
    decision = may_contact(ContactFacts(), EMAIL_MARKETING, Channel.EMAIL, NOW)
    assert decision.labels == [Reason.NO_CONSENT.label, Reason.NO_CONTACT_POINT.label]


# --- properties ---------------------------------------------------------------------------------

times = st.integers(min_value=-100, max_value=100).map(lambda d: NOW + timedelta(days=d))
consent_facts = st.builds(
    ConsentFact,
    status=st.sampled_from(ConsentStatus.values),
    lawful_basis=st.sampled_from(LawfulBasis.values),
    granted_at=st.none() | times,
    expires_at=st.none() | times,
)
any_facts = st.builds(
    ContactFacts,
    is_deceased=st.booleans(),
    do_not_contact=st.booleans(),
    left_employer=st.booleans(),
    awaiting_review=st.booleans(),
    point_statuses=st.dictionaries(
        st.sampled_from(["email", "phone", "address"]),
        st.lists(st.sampled_from(["valid", "bounced", "invalid"]), max_size=3).map(tuple),
    ),
    consents=st.dictionaries(
        st.tuples(st.sampled_from(["marketing-email", "profiling"]), st.sampled_from(Channel)),
        consent_facts,
    ),
    marketing_refused_at=st.none() | times,
)
purposes = st.sampled_from([EMAIL_MARKETING, PHONE_MARKETING, PROFILING, SERVICING])


@given(any_facts, purposes, st.sampled_from(Channel), times)
def test_allowed_exactly_when_no_rule_refuses(facts, purpose, channel, now):
    decision = may_contact(facts, purpose, channel, now)
    assert decision.allowed == (decision.reasons == [])
    assert len(set(decision.reasons)) == len(decision.reasons)


@given(any_facts, purposes, st.sampled_from(Channel), times, st.sampled_from(RestrictionKind))
def test_a_blocking_fact_never_turns_a_refusal_into_permission(facts, purpose, channel, now, kind):
    before = may_contact(facts, purpose, channel, now)
    worse = replace(
        facts,
        is_deceased=True,
        restrictions=(*facts.restrictions, RestrictionFact(kind=kind, since=now)),
    )
    after = may_contact(worse, purpose, channel, now)
    assert not after.allowed
    assert set(before.reasons) <= set(after.reasons)
