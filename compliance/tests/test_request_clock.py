"""The request clocks, without a database: examples from the laws, and properties."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.requests import clock
from compliance.requests.clock import (
    DEFAULT_TERMS,
    DueBucket,
    ExtensionRefused,
    ReminderStage,
    RequestJurisdiction,
    RequestType,
    add_business_days,
    add_months,
    deadlines,
    due_bucket,
    extended_due,
    jurisdiction_for,
    reminder_due,
)

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


def terms(jurisdiction: str, request_type: str = RequestType.ACCESS):
    return DEFAULT_TERMS[(jurisdiction, request_type)]


# --- jurisdictions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("TW", "pdpa"),
        ("tw", "pdpa"),
        ("DE", "gdpr"),
        ("FR", "gdpr"),
        ("NO", "gdpr"),  # EEA, not EU
        ("IS", "gdpr"),
        ("GB", "gdpr"),
        ("US", "ccpa"),
        ("JP", "pdpa"),  # the default passed in
        ("", "pdpa"),
    ],
)
def test_the_country_of_residence_decides_the_law(country, expected):
    assert jurisdiction_for(country, default="pdpa") == expected


def test_countries_outside_the_three_laws_get_the_configured_default():
    assert jurisdiction_for("SG", default="gdpr") == "gdpr"
    assert jurisdiction_for("CH", default="ccpa") == "ccpa"


def test_every_jurisdiction_and_request_type_has_default_terms():
    assert set(DEFAULT_TERMS) == {
        (j, t) for j in RequestJurisdiction.values for t in RequestType.values
    }


# --- months --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2025, 4, 30), 1, date(2025, 5, 30)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 1, 15), 0, date(2025, 1, 15)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
    ],
)
def test_adding_months_clamps_to_the_end_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


@given(day=days, months=st.integers(min_value=0, max_value=36))
def test_adding_months_lands_in_the_right_month_on_the_same_or_last_day(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    if result.day != day.day:
        assert result.day < day.day
        assert (result + timedelta(days=1)).month != result.month  # clamped to month end


@given(day=days, months=st.integers(min_value=1, max_value=36))
def test_adding_months_never_goes_backwards(day, months):
    assert add_months(day, months) > day


# --- business days -------------------------------------------------------------------------


def naive_business_days(day: date, count: int) -> date:
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2025, 3, 3), 10, date(2025, 3, 17)),  # Monday -> Monday two weeks on
        (date(2025, 3, 7), 1, date(2025, 3, 10)),  # Friday -> Monday
        (date(2025, 3, 8), 1, date(2025, 3, 10)),  # Saturday -> Monday
        (date(2025, 3, 8), 5, date(2025, 3, 14)),  # Saturday -> Friday
        (date(2025, 3, 9), 10, date(2025, 3, 21)),  # Sunday
        (date(2025, 3, 5), 0, date(2025, 3, 5)),
    ],
)
def test_business_days_skip_weekends(start, count, expected):
    assert add_business_days(start, count) == expected


@given(day=days, count=st.integers(min_value=0, max_value=400))
def test_business_days_agree_with_counting_one_day_at_a_time(day, count):
    result = add_business_days(day, count)
    assert result == naive_business_days(day, count)
    if count:
        assert result.weekday() < 5


def test_business_days_refuse_a_negative_count():
    with pytest.raises(ValueError):
        add_business_days(date(2025, 3, 3), -1)


# --- deadlines of each law -----------------------------------------------------------------


def test_gdpr_answers_in_one_month_and_extends_by_two_more():
    received = date(2025, 1, 31)
    result = deadlines(received, terms("gdpr"))
    assert result.answer_by == date(2025, 2, 28)
    assert result.acknowledge_by is None
    assert clock.extension_limit(result.answer_by, terms("gdpr")) == date(2025, 4, 28)


def test_ccpa_answers_in_45_days_and_acknowledges_within_ten_business_days():
    received = date(2025, 3, 7)  # a Friday
    result = deadlines(received, terms("ccpa", RequestType.ERASURE))
    assert result.answer_by == date(2025, 4, 21)
    assert result.acknowledge_by == date(2025, 3, 21)
    assert clock.extension_limit(result.answer_by, terms("ccpa")) == date(2025, 6, 5)


@pytest.mark.parametrize(
    ("request_type", "days", "extension"),
    [
        (RequestType.ACCESS, 15, 15),
        (RequestType.COPY, 15, 15),
        (RequestType.PORTABILITY, 15, 15),
        (RequestType.RECTIFICATION, 30, 30),
        (RequestType.RESTRICTION, 30, 30),
        (RequestType.OBJECTION, 30, 30),
        (RequestType.ERASURE, 30, 30),
    ],
)
def test_taiwan_pdpa_periods_depend_on_the_request_type(request_type, days, extension):
    received = date(2025, 6, 1)
    rule = terms("pdpa", request_type)
    due = deadlines(received, rule).answer_by
    assert due == received + timedelta(days=days)
    assert clock.extension_limit(due, rule) == due + timedelta(days=extension)


@given(day=days, jurisdiction=st.sampled_from(RequestJurisdiction.values))
def test_every_deadline_falls_after_receipt(day, jurisdiction):
    for request_type in RequestType.values:
        result = deadlines(day, terms(jurisdiction, request_type))
        assert result.answer_by > day
        if result.acknowledge_by:
            assert day < result.acknowledge_by <= result.answer_by


# --- extensions ----------------------------------------------------------------------------


def test_an_extension_without_a_date_takes_the_full_period():
    due = date(2025, 2, 28)
    new = extended_due(
        today=date(2025, 2, 20), original_due=due, terms=terms("gdpr"), already_extended=False
    )
    assert new == date(2025, 4, 28)


def test_an_extension_may_ask_for_less_than_the_limit():
    due = date(2025, 2, 28)
    new = extended_due(
        today=due,
        original_due=due,
        terms=terms("gdpr"),
        already_extended=False,
        requested=date(2025, 3, 31),
    )
    assert new == date(2025, 3, 31)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"already_extended": True}, "already_extended"),
        ({"today": date(2025, 3, 1)}, "past_due"),
        ({"requested": date(2025, 2, 28)}, "not_later"),
        ({"requested": date(2025, 4, 29)}, "beyond_limit"),
    ],
)
def test_an_extension_is_refused_with_the_rule_it_breaks(kwargs, code):
    values = {
        "today": date(2025, 2, 1),
        "original_due": date(2025, 2, 28),
        "terms": terms("gdpr"),
        "already_extended": False,
    } | kwargs
    with pytest.raises(ExtensionRefused) as refused:
        extended_due(**values)
    assert refused.value.code == code


def test_a_rule_without_an_extension_refuses_one():
    rule = clock.DeadlineTerms(answer=clock.Period(30, "days"), extension=clock.Period(0, "days"))
    with pytest.raises(ExtensionRefused) as refused:
        extended_due(
            today=date(2025, 2, 1),
            original_due=date(2025, 2, 28),
            terms=rule,
            already_extended=False,
        )
    assert refused.value.code == "no_extension"


@given(
    today=days,
    offset=st.integers(min_value=0, max_value=60),
    jurisdiction=st.sampled_from(RequestJurisdiction.values),
    request_type=st.sampled_from(RequestType.values),
)
def test_an_extension_never_passes_the_limit_and_always_moves_the_date_on(
    today, offset, jurisdiction, request_type
):
    rule = terms(jurisdiction, request_type)
    due = today + timedelta(days=offset)
    new = extended_due(today=today, original_due=due, terms=rule, already_extended=False)
    assert due < new <= clock.extension_limit(due, rule)


# --- reminders and buckets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "sent", "expected"),
    [
        (20, (), None),
        (8, (), None),
        (7, (), ReminderStage.DUE_IN_7_DAYS),
        (5, (ReminderStage.DUE_IN_7_DAYS,), None),
        (2, (ReminderStage.DUE_IN_7_DAYS,), ReminderStage.DUE_IN_2_DAYS),
        (1, (), ReminderStage.DUE_IN_2_DAYS),  # missed nights: only the most urgent
        (0, (ReminderStage.DUE_IN_2_DAYS,), None),  # due today is not overdue yet
        (-1, (ReminderStage.DUE_IN_2_DAYS,), ReminderStage.OVERDUE),
        (-9, (ReminderStage.OVERDUE,), None),
    ],
)
def test_the_most_urgent_unsent_reminder_is_due(days_left, sent, expected):
    today = date(2025, 5, 10)
    due = today + timedelta(days=days_left)
    assert reminder_due(today=today, due_on=due, sent=sent) == expected


@given(due=days, start=st.integers(min_value=-30, max_value=30))
def test_nightly_runs_send_each_reminder_at_most_once(due, start):
    sent: list[str] = []
    for night in range(start, start + 60):
        today = due + timedelta(days=night)
        stage = reminder_due(today=today, due_on=due, sent=sent)
        if stage:
            sent.append(stage)
    assert len(sent) == len(set(sent))


@pytest.mark.parametrize(
    ("days_left", "bucket"),
    [(-1, DueBucket.OVERDUE), (0, DueBucket.THIS_WEEK), (7, DueBucket.THIS_WEEK), (8, "later")],
)
def test_due_dates_fall_into_dashboard_buckets(days_left, bucket):
    today = date(2025, 5, 10)
    assert due_bucket(today=today, due_on=today + timedelta(days=days_left)) == bucket
