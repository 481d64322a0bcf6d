"""The quality score, without a database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataquality.scoring import Dimensions, Weights, fraction, freshness, quality_score

unit = st.floats(min_value=0, max_value=1, allow_nan=False)
any_float = st.floats(min_value=-10, max_value=10, allow_nan=False)
weight = st.floats(min_value=0, max_value=1000, allow_nan=False)
weights = (
    st.tuples(weight, weight, weight, weight)
    .filter(lambda values: sum(values) > 0.001)
    .map(lambda values: Weights(*values))
)


@given(st.builds(Dimensions, any_float, any_float, any_float, any_float), weights)
def test_score_is_always_between_0_and_100(dimensions, w):
    assert 0 <= quality_score(dimensions, w) <= 100


@given(unit, unit, unit, unit, unit, weights)
def test_score_never_falls_when_completeness_rises(low, high, validity, fresh, consistent, w):
    low, high = sorted((low, high))
    before = quality_score(Dimensions(low, validity, fresh, consistent), w)
    after = quality_score(Dimensions(high, validity, fresh, consistent), w)
    assert after >= before


@given(unit, unit, unit, unit, unit, weights)
def test_score_never_falls_when_validity_rises(low, high, complete, fresh, consistent, w):
    low, high = sorted((low, high))
    assert quality_score(Dimensions(complete, high, fresh, consistent), w) >= quality_score(
        Dimensions(complete, low, fresh, consistent), w
    )


def test_a_perfect_record_scores_100_and_an_empty_one_0():
    assert quality_score(Dimensions(1, 1, 1, 1), Weights()) == 100
    assert quality_score(Dimensions(0, 0, 0, 0), Weights()) == 0


def test_weights_set_how_much_each_dimension_counts():
    only_complete = Dimensions(1, 0, 0, 0)
    assert quality_score(only_complete, Weights(40, 25, 20, 15)) == 40
    assert quality_score(only_complete, Weights(1, 0, 0, 0)) == 100


def test_weights_must_not_be_negative_or_all_zero():
    with pytest.raises(ValueError):
        Weights(-1, 1, 1, 1)
    with pytest.raises(ValueError):
        Weights(0, 0, 0, 0)


def test_weights_come_from_settings(settings):
    settings.DATAQUALITY_WEIGHTS = {"completeness": 1, "validity": 0}
    assert Weights.from_settings() == Weights(1, 0, 20, 15)


def test_freshness_falls_linearly_after_the_cadence():
    assert freshness(days_since_verified=10, cadence_days=100) == 1
    assert freshness(days_since_verified=150, cadence_days=100) == pytest.approx(0.5)
    assert freshness(days_since_verified=500, cadence_days=100) == 0
    assert freshness(days_since_verified=None, cadence_days=100) == 0


def test_no_checks_count_as_passed():
    assert fraction(0, 0) == 1
    assert fraction(1, 4) == 0.25
