"""The breach-notification clocks: a pure rule, tested without a database."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.incidents.clocks import ClockRule, ClockStatus, SentNotice, clock, clocks

DISCOVERED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GDPR = ClockRule(code="gdpr-authority", recipient="authority", hours=72)
PDPA = ClockRule(code="pdpa-subjects", recipient="subjects", hours=None)


def at(hours: float) -> datetime:
    return DISCOVERED + timedelta(hours=hours)


def test_the_authority_clock_is_due_for_72_hours_from_discovery():
    found = clock(GDPR, discovered_at=DISCOVERED, notices=[], waived=False, now=at(71.9))
    assert found.status == ClockStatus.DUE
    assert found.due_at == at(72)
    assert found.time_left(at(71)) == timedelta(hours=1)


def test_the_authority_clock_is_overdue_after_72_hours_without_a_notice():
    found = clock(GDPR, discovered_at=DISCOVERED, notices=[], waived=False, now=at(72.01))
    assert found.status == ClockStatus.OVERDUE


def test_a_notice_to_the_authority_meets_the_clock_and_says_if_it_was_late():
    on_time = clock(
        GDPR,
        discovered_at=DISCOVERED,
        notices=[SentNotice("authority", at(30))],
        waived=False,
        now=at(100),
    )
    assert (on_time.status, on_time.met_at, on_time.late) == (ClockStatus.MET, at(30), False)
    late = clock(
        GDPR,
        discovered_at=DISCOVERED,
        notices=[SentNotice("authority", at(80)), SentNotice("authority", at(90))],
        waived=False,
        now=at(100),
    )
    assert (late.status, late.met_at, late.late) == (ClockStatus.MET, at(80), True)


def test_a_notice_to_the_people_affected_does_not_meet_the_authority_clock():
    found = clock(
        GDPR,
        discovered_at=DISCOVERED,
        notices=[SentNotice("subjects", at(1))],
        waived=False,
        now=at(73),
    )
    assert found.status == ClockStatus.OVERDUE


def test_a_waived_clock_is_never_overdue_but_a_notice_still_counts_as_met():
    assert (
        clock(GDPR, discovered_at=DISCOVERED, notices=[], waived=True, now=at(500)).status
        == ClockStatus.WAIVED
    )
    sent = [SentNotice("authority", at(2))]
    assert (
        clock(GDPR, discovered_at=DISCOVERED, notices=sent, waived=True, now=at(500)).status
        == ClockStatus.MET
    )


def test_a_clock_without_hours_is_due_until_met_and_never_overdue():
    found = clock(PDPA, discovered_at=DISCOVERED, notices=[], waived=False, now=at(10_000))
    assert (found.status, found.due_at, found.time_left(at(1))) == (ClockStatus.DUE, None, None)


def test_clocks_follow_the_rules_order_and_their_waivers():
    found = clocks(
        [GDPR, PDPA],
        discovered_at=DISCOVERED,
        notices=[],
        waived_codes={"pdpa-subjects"},
        now=at(1),
    )
    assert [(c.rule.code, c.status) for c in found] == [
        ("gdpr-authority", ClockStatus.DUE),
        ("pdpa-subjects", ClockStatus.WAIVED),
    ]


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        clock(GDPR, discovered_at=datetime(2026, 1, 1), notices=[], waived=False, now=at(1))


@given(
    hours=st.integers(min_value=0, max_value=10_000),
    elapsed=st.floats(min_value=0, max_value=20_000, allow_nan=False),
    sent_after=st.one_of(st.none(), st.floats(min_value=0, max_value=20_000, allow_nan=False)),
)
def test_the_status_always_agrees_with_the_deadline(hours, elapsed, sent_after):
    rule = ClockRule(code="c", recipient="authority", hours=hours)
    notices = (
        []
        if sent_after is None or sent_after > elapsed
        else [SentNotice("authority", at(sent_after))]
    )
    found = clock(rule, discovered_at=DISCOVERED, notices=notices, waived=False, now=at(elapsed))
    if notices:
        assert found.status == ClockStatus.MET
        assert found.late == (at(sent_after) > at(hours))
    elif at(elapsed) > at(hours):
        assert found.status == ClockStatus.OVERDUE
    else:
        assert found.status == ClockStatus.DUE
