"""The clocks of data-subject requests: pure date arithmetic, no database.

Which law applies (from the contact's country of residence), when a request must be
acknowledged and answered, how far it may be extended, which reminder is due and which
bucket of the overdue dashboard a due date falls in. The deadline *table* lives in the
database (``RequestDeadlineRule``, edited by the DPO, seeded from ``DEFAULT_TERMS``); this
module only computes with the terms it is given.

Decisions:

- A period starts on the day the request was received (in the firm's time zone), never on
  the day identity was verified: the stricter reading, so no deadline is missed.
- Calendar months clamp to the month's end: one month after 31 January is 28 (or 29)
  February, one month after 30 April is 30 May.
- Business days are Monday to Friday; public holidays are not modelled (the CCPA's ten
  business days are counted over weekends only, which can only make the deadline earlier).
- An extension is taken once, before the deadline passes, and never beyond the original
  deadline plus the rule's extension period.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class RequestJurisdiction(TextChoices):
    GDPR = "gdpr", _("GDPR (EU/EEA, UK)")
    CCPA = "ccpa", _("CCPA (United States)")
    PDPA = "pdpa", _("Taiwan PDPA")


class RequestType(TextChoices):
    ACCESS = "access", _("Access")
    COPY = "copy", _("Copy")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection")
    PORTABILITY = "portability", _("Portability")


class PeriodUnit(TextChoices):
    DAYS = "days", _("calendar days")
    BUSINESS_DAYS = "business_days", _("business days")
    MONTHS = "months", _("calendar months")


# EU member states and the rest of the EEA, plus the United Kingdom (UK GDPR).
GDPR_COUNTRIES = frozenset(
    {
        *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU"),
        *("IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
        *("IS", "LI", "NO"),
        "GB",
    }
)


def jurisdiction_for(country: str, *, default: str) -> str:
    """The data-protection law a request from a resident of ``country`` is answered under."""
    country = (country or "").upper()
    if country == "TW":
        return RequestJurisdiction.PDPA
    if country in GDPR_COUNTRIES:
        return RequestJurisdiction.GDPR
    if country == "US":
        return RequestJurisdiction.CCPA
    return default


# --- date arithmetic ---------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _month_length(year, month)))


def _month_length(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def add_business_days(day: date, count: int) -> date:
    """The ``count``-th weekday after ``day`` (``day`` itself never counts)."""
    if count < 0:
        raise ValueError("count must not be negative")
    # Whole weeks first, so a long period costs no long loop.
    weeks, rest = divmod(count, 5)
    current = day + timedelta(weeks=weeks)
    if weeks and current.weekday() >= 5:
        # Started on a weekend: the last counted day of the whole weeks was a Friday.
        current -= timedelta(days=current.weekday() - 4)
    while rest:
        current += timedelta(days=1)
        if current.weekday() < 5:
            rest -= 1
    return current


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str

    def after(self, day: date) -> date:
        if self.unit == PeriodUnit.MONTHS:
            return add_months(day, self.amount)
        if self.unit == PeriodUnit.BUSINESS_DAYS:
            return add_business_days(day, self.amount)
        if self.unit == PeriodUnit.DAYS:
            return day + timedelta(days=self.amount)
        raise ValueError(f"unknown period unit {self.unit!r}")


@dataclass(frozen=True)
class DeadlineTerms:
    """One row of the deadline table: the answer period, the one extension allowed, and
    the acknowledgement period where the law sets one."""

    answer: Period
    extension: Period
    acknowledge: Period | None = None


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: date | None
    answer_by: date


def deadlines(received_on: date, terms: DeadlineTerms) -> Deadlines:
    return Deadlines(
        acknowledge_by=terms.acknowledge.after(received_on) if terms.acknowledge else None,
        answer_by=terms.answer.after(received_on),
    )


def extension_limit(original_due: date, terms: DeadlineTerms) -> date:
    """The latest date an extension may move the answer to."""
    return terms.extension.after(original_due)


class ExtensionRefused(ValueError):
    """Why an extension cannot be taken; ``code`` names the rule."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def extended_due(
    *,
    today: date,
    original_due: date,
    terms: DeadlineTerms,
    already_extended: bool,
    requested: date | None = None,
) -> date:
    """The new answer date for an extension taken ``today``, or ``ExtensionRefused``:
    ``already_extended``, ``past_due`` (the deadline has passed), ``no_extension`` (the rule
    allows none), ``not_later`` (the date
    asked for is not after the deadline) or ``beyond_limit``. Without a date asked for, the
    full extension."""
    if already_extended:
        raise ExtensionRefused("already_extended")
    if today > original_due:
        raise ExtensionRefused("past_due")
    limit = extension_limit(original_due, terms)
    if limit <= original_due:
        raise ExtensionRefused("no_extension")
    if requested is None:
        return limit
    if requested <= original_due:
        raise ExtensionRefused("not_later")
    if requested > limit:
        raise ExtensionRefused("beyond_limit")
    return requested


# The law's defaults, seeded into the deadline table by a data migration.
_ONE_MONTH = DeadlineTerms(
    answer=Period(1, PeriodUnit.MONTHS), extension=Period(2, PeriodUnit.MONTHS)
)
_CCPA = DeadlineTerms(
    answer=Period(45, PeriodUnit.DAYS),
    extension=Period(45, PeriodUnit.DAYS),
    acknowledge=Period(10, PeriodUnit.BUSINESS_DAYS),
)
_PDPA_ACCESS = DeadlineTerms(
    answer=Period(15, PeriodUnit.DAYS), extension=Period(15, PeriodUnit.DAYS)
)
_PDPA_OTHER = DeadlineTerms(
    answer=Period(30, PeriodUnit.DAYS), extension=Period(30, PeriodUnit.DAYS)
)
_PDPA_ACCESS_TYPES = {RequestType.ACCESS, RequestType.COPY, RequestType.PORTABILITY}

DEFAULT_TERMS: dict[tuple[str, str], DeadlineTerms] = {
    **{(RequestJurisdiction.GDPR.value, t): _ONE_MONTH for t in RequestType.values},
    **{(RequestJurisdiction.CCPA.value, t): _CCPA for t in RequestType.values},
    **{
        (RequestJurisdiction.PDPA.value, t): _PDPA_ACCESS
        if t in _PDPA_ACCESS_TYPES
        else _PDPA_OTHER
        for t in RequestType.values
    },
}


# --- reminders and the dashboard ---------------------------------------------------------------


class ReminderStage(TextChoices):
    DUE_IN_7_DAYS = "due_7", _("Due in a week")
    DUE_IN_2_DAYS = "due_2", _("Due in two days")
    OVERDUE = "overdue", _("Overdue")


# Days before the deadline each advance reminder goes out, most urgent last.
ADVANCE_REMINDERS = ((ReminderStage.DUE_IN_7_DAYS, 7), (ReminderStage.DUE_IN_2_DAYS, 2))


def reminder_due(*, today: date, due_on: date, sent: Iterable[str] = ()) -> str | None:
    """The reminder to send today for a deadline, or None.

    Only the most urgent stage reached is sent: a job that missed a few nights sends one
    reminder, not a backlog, and never one already ``sent`` for this deadline.
    """
    sent = set(sent)
    if today > due_on:
        stage = ReminderStage.OVERDUE
    else:
        stage = None
        for candidate, days_before in ADVANCE_REMINDERS:
            if (due_on - today).days <= days_before:
                stage = candidate
    if stage is None or stage in sent:
        return None
    return stage


class DueBucket(TextChoices):
    OVERDUE = "overdue", _("Overdue")
    THIS_WEEK = "this_week", _("Due within 7 days")
    LATER = "later", _("Later")


DUE_SOON_DAYS = 7


def due_bucket(*, today: date, due_on: date) -> str:
    if due_on < today:
        return DueBucket.OVERDUE
    if (due_on - today).days <= DUE_SOON_DAYS:
        return DueBucket.THIS_WEEK
    return DueBucket.LATER
