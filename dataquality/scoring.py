"""The quality score: a pure function of plain facts, no database.

A contact scores 0-100 as the weighted mean of four dimensions, each a fraction 0-1:

- **completeness**: how many of the fields the firm expects are filled (names, date of
  birth, national ID, an email, a phone, an address, an employer; a client also needs a
  risk assessment on record);
- **validity**: the share of contact points that are neither invalid nor bounced and pass
  today's validators (a contact with none is not penalised here: completeness is);
- **freshness**: 1 while the contact details were verified within the segment's review
  cadence, falling linearly to 0 at twice the cadence;
- **consistency**: the share of cross-checks that agree (no email at a former employer's
  domain, the "left employer" flag matches the employment history, a deceased contact has
  no open marketing channel marked valid, a client has a risk assessment still valid).

Weights come from ``settings.DATAQUALITY_WEIGHTS`` (default completeness 40, validity 25,
freshness 20, consistency 15); only their ratios matter.
"""

from dataclasses import dataclass

from django.conf import settings

DEFAULT_WEIGHTS = {"completeness": 40, "validity": 25, "freshness": 20, "consistency": 15}


@dataclass(frozen=True)
class Weights:
    completeness: float = 40
    validity: float = 25
    freshness: float = 20
    consistency: float = 15

    def __post_init__(self) -> None:
        values = (self.completeness, self.validity, self.freshness, self.consistency)
        if any(v < 0 for v in values) or sum(values) <= 0:
            raise ValueError("quality weights must be non-negative and not all zero")

    @classmethod
    def from_settings(cls) -> "Weights":
        return cls(**(DEFAULT_WEIGHTS | getattr(settings, "DATAQUALITY_WEIGHTS", {})))


@dataclass(frozen=True)
class Dimensions:
    completeness: float
    validity: float
    freshness: float
    consistency: float


def _unit(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


def quality_score(dimensions: Dimensions, weights: Weights) -> int:
    """The weighted mean of the dimensions (each clamped to 0-1), as a whole number 0-100."""
    pairs = (
        (dimensions.completeness, weights.completeness),
        (dimensions.validity, weights.validity),
        (dimensions.freshness, weights.freshness),
        (dimensions.consistency, weights.consistency),
    )
    total = sum(w for _, w in pairs)
    value = sum(_unit(d) * w for d, w in pairs) / total
    return min(100, max(0, round(100 * value)))


def fraction(passed: int, total: int) -> float:
    """``passed`` of ``total`` checks; no checks at all counts as fully passed."""
    return 1.0 if total <= 0 else _unit(passed / total)


def freshness(*, days_since_verified: int | None, cadence_days: int) -> float:
    """1 within the cadence, then linearly down to 0 at twice the cadence; never verified
    counts as fully stale."""
    if days_since_verified is None:
        return 0.0
    if days_since_verified <= cadence_days:
        return 1.0
    return _unit(1 - (days_since_verified - cadence_days) / cadence_days)
