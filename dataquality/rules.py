"""Data-quality rules: a table of pure functions over plain facts, no database.

Each rule looks at one contact's facts (``ContactFacts``) on a day and returns a
``Finding`` or ``None``. ``evaluate`` runs the whole table and scores the contact, so one
call gives everything a job writes: the score, the open issues, whether any blocks
outreach, since when the record is stale, and the next day the answer may change with no
edit at all (``due_on``), which is how an incremental run finds time-driven changes.

New rules join the table with ``register``. The required-field policies of
``contacts.policies`` join as one rule per requirement (``required_<requirement>``): the
administrators' rules in force travel in ``Config.policy_rules`` and the pure
``contacts.policies.evaluate`` judges them, so a blocking rule a legacy record breaks is a
blocking issue, and an "issue" rule (a client with no industry tag) a warning.
Messages carry no personal data: they say what is wrong, never the value.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.conf import settings
from django.db.models import TextChoices
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from contacts import policies
from dataquality import scoring

DEFAULT_CADENCE_MONTHS = {"high_net_worth": 6, "default": 12}


class Severity(TextChoices):
    BLOCKING = "blocking", _("Blocking")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Information")


# --- facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointFact:
    kind: str  # "email" | "phone" | "address"
    status: str  # "valid" | "invalid" | "bounced"
    verified_on: date | None = None
    is_primary: bool = False
    domain: str = ""  # an email's domain, lower case
    passes_validation: bool = True  # today's validators accept the stored value


@dataclass(frozen=True)
class EmploymentFact:
    domain: str = ""  # the organisation's email domain, lower case
    ended_on: date | None = None


@dataclass(frozen=True)
class ContactFacts:
    contact_id: int = 0
    lifecycle_stage: str = "prospect"
    has_name: bool = True
    has_date_of_birth: bool = False
    has_national_id: bool = False
    is_deceased: bool = False
    deceased_on: date | None = None
    do_not_contact: bool = False
    left_employer: bool = False
    is_high_net_worth: bool = False
    risk_valid_until: date | None = None
    last_reviewed_on: date | None = None
    created_on: date | None = None
    points: tuple[PointFact, ...] = ()
    employments: tuple[EmploymentFact, ...] = ()
    # What the required-field policies read besides the above.
    date_of_birth: date | None = None
    acquisition_source: str = ""
    tag_codes: frozenset[str] = frozenset()  # assigned tags' codes and their ancestors'

    def policy_facts(self, today: date) -> policies.ContactFacts:
        return policies.ContactFacts(
            lifecycle_stage=self.lifecycle_stage,
            today=today,
            has_name=self.has_name,
            date_of_birth=self.date_of_birth,
            has_national_id=self.has_national_id,
            acquisition_source=self.acquisition_source,
            valid_contact_points=sum(1 for p in self.points if p.status == "valid"),
            risk_valid_until=self.risk_valid_until,
            tag_codes=self.tag_codes,
        )

    def emails(self) -> tuple[PointFact, ...]:
        return tuple(p for p in self.points if p.kind == "email")

    def ended_employments(self, today: date) -> tuple[EmploymentFact, ...]:
        return tuple(e for e in self.employments if e.ended_on and e.ended_on < today)

    def current_employments(self, today: date) -> tuple[EmploymentFact, ...]:
        return tuple(e for e in self.employments if not e.ended_on or e.ended_on >= today)


@dataclass(frozen=True)
class Config:
    cadence_months: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_CADENCE_MONTHS))
    weights: scoring.Weights = field(default_factory=scoring.Weights)
    # The required-field rules in force (``contacts.services.policies.rules_in_force``).
    policy_rules: tuple[policies.PolicyRule, ...] = ()

    @classmethod
    def from_settings(cls, *, policy_rules=()) -> "Config":
        months = DEFAULT_CADENCE_MONTHS | getattr(settings, "DATAQUALITY_REVIEW_CADENCE_MONTHS", {})
        return cls(
            cadence_months=months,
            weights=scoring.Weights.from_settings(),
            policy_rules=tuple(policy_rules),
        )

    @cached_property
    def _policy_index(self) -> dict[tuple[str, str], tuple[policies.PolicyRule, ...]]:
        index: dict[tuple[str, str], list] = {}
        for rule in self.policy_rules:
            index.setdefault((rule.lifecycle_stage, rule.requirement), []).append(rule)
        return {key: tuple(rules) for key, rules in index.items()}

    def policy_rules_for(self, stage: str, requirement: str) -> tuple[policies.PolicyRule, ...]:
        return self._policy_index.get((stage, requirement), ())

    def cadence_days(self, facts: ContactFacts) -> int:
        key = "high_net_worth" if facts.is_high_net_worth else "default"
        return round(self.cadence_months[key] * 365 / 12)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    stale_since: date | None = None


@dataclass(frozen=True)
class Check:
    """A rule's verdict: a finding (or none), and the day it may change by the calendar."""

    finding: Finding | None
    due_on: date | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    label: object  # lazy translated, shown in lists and charts
    message: object  # lazy translated, what to do; no personal data
    creates_task: bool
    check: Callable[[ContactFacts, date, Config], Check]


_rules: dict[str, Rule] = {}


def register(rule: Rule) -> None:
    _rules[rule.code] = rule


def all_rules() -> list[Rule]:
    return list(_rules.values())


def rule_for(code: str) -> Rule | None:
    return _rules.get(code)


# --- the rules -----------------------------------------------------------------------------


def _deceased(facts: ContactFacts, today: date, config: Config) -> Check:
    if not facts.is_deceased:
        return Check(None)
    return Check(Finding("deceased", Severity.BLOCKING, facts.deceased_on or today))


def _employment_ended(facts: ContactFacts, today: date, config: Config) -> Check:
    ended = facts.ended_employments(today)
    current = facts.current_employments(today)
    future_ends = [e.ended_on + timedelta(days=1) for e in current if e.ended_on]
    due = min(future_ends) if future_ends else None
    if not ended or current:
        return Check(None, due)
    return Check(
        Finding("employment_ended", Severity.BLOCKING, max(e.ended_on for e in ended)), due
    )


def _email_at_former_employer(facts: ContactFacts, today: date, config: Config) -> Check:
    current_domains = {e.domain for e in facts.current_employments(today) if e.domain}
    ended = {e.domain: e.ended_on for e in facts.ended_employments(today) if e.domain}
    future_ends = [
        e.ended_on + timedelta(days=1) for e in facts.current_employments(today) if e.ended_on
    ]
    due = min(future_ends) if future_ends else None
    stale = [
        ended[p.domain]
        for p in facts.emails()
        if p.status != "bounced" and p.domain in ended and p.domain not in current_domains
    ]
    if not stale:
        return Check(None, due)
    return Check(Finding("email_at_former_employer", Severity.BLOCKING, min(stale)), due)


def _email_bounced(facts: ContactFacts, today: date, config: Config) -> Check:
    emails = facts.emails()
    if not any(p.status == "bounced" for p in emails):
        return Check(None)
    usable = any(p.status == "valid" for p in emails)
    return Check(Finding("email_bounced", Severity.WARNING if usable else Severity.BLOCKING))


def last_verified(facts: ContactFacts) -> date | None:
    days = [p.verified_on for p in facts.points if p.verified_on]
    days += [d for d in (facts.last_reviewed_on,) if d]
    return max(days) if days else None


def _verification_overdue(facts: ContactFacts, today: date, config: Config) -> Check:
    if facts.is_deceased or not facts.points:
        return Check(None)
    since = last_verified(facts) or facts.created_on or today
    overdue_from = since + timedelta(days=config.cadence_days(facts) + 1)
    if today < overdue_from:
        return Check(None, overdue_from)
    return Check(Finding("verification_overdue", Severity.WARNING, overdue_from))


def _risk_expired(facts: ContactFacts, today: date, config: Config) -> Check:
    if facts.lifecycle_stage != "client" or facts.is_deceased:
        return Check(None)
    if facts.risk_valid_until and facts.risk_valid_until >= today:
        return Check(None, facts.risk_valid_until + timedelta(days=1))
    since = facts.risk_valid_until + timedelta(days=1) if facts.risk_valid_until else None
    return Check(Finding("risk_expired", Severity.BLOCKING, since))


def _invalid_contact_point(facts: ContactFacts, today: date, config: Config) -> Check:
    if any(p.status == "invalid" or not p.passes_validation for p in facts.points):
        return Check(Finding("invalid_contact_point", Severity.WARNING))
    return Check(None)


def _no_contact_point(facts: ContactFacts, today: date, config: Config) -> Check:
    if facts.is_deceased or any(p.kind in ("email", "phone") for p in facts.points):
        return Check(None)
    return Check(Finding("no_contact_point", Severity.INFO))


def required_rule_code(requirement: str) -> str:
    return f"required_{requirement}"


def _required(requirement: str) -> Callable[[ContactFacts, date, Config], Check]:
    code = required_rule_code(requirement)

    def check(facts: ContactFacts, today: date, config: Config) -> Check:
        in_force = config.policy_rules_for(facts.lifecycle_stage, requirement)
        if not in_force:
            return Check(None)
        due = None
        until = facts.risk_valid_until
        if requirement == policies.Requirement.RISK_ASSESSMENT and until and until >= today:
            due = until + timedelta(days=1)
        found = policies.evaluate(facts.policy_facts(today), in_force)
        if not found:
            return Check(None, due)
        blocks = any(f.severity == policies.Severity.BLOCK for f in found)
        return Check(Finding(code, Severity.BLOCKING if blocks else Severity.WARNING), due)

    return check


for _rule in (
    Rule(
        "deceased",
        _("Deceased"),
        _("The contact is recorded as deceased. Close open business and stop all outreach."),
        True,
        _deceased,
    ),
    Rule(
        "employment_ended",
        _("Employment ended"),
        _("Every recorded employment has ended. Confirm where the contact works now."),
        True,
        _employment_ended,
    ),
    Rule(
        "email_at_former_employer",
        _("Email at a former employer"),
        _("An email address is at the domain of an employer the contact has left."),
        True,
        _email_at_former_employer,
    ),
    Rule(
        "email_bounced",
        _("Email bounced"),
        _("An email address bounced. Ask the contact for a current one."),
        True,
        _email_bounced,
    ),
    Rule(
        "verification_overdue",
        _("Contact details not verified"),
        _("The contact details were not verified within the segment's review cadence."),
        True,
        _verification_overdue,
    ),
    Rule(
        "risk_expired",
        _("Risk assessment expired"),
        _("The client has no valid risk assessment. Reassess before advising."),
        True,
        _risk_expired,
    ),
    Rule(
        "invalid_contact_point",
        _("Invalid contact point"),
        _("A contact point is invalid or fails today's validation."),
        False,
        _invalid_contact_point,
    ),
    Rule(
        "no_contact_point",
        _("No email or phone"),
        _("The contact has no email address or phone number."),
        False,
        _no_contact_point,
    ),
):
    register(_rule)

for _requirement in policies.Requirement:
    register(
        Rule(
            required_rule_code(_requirement),
            format_lazy(_("Required: {requirement}"), requirement=_requirement.label),
            policies.requirement_message(_requirement),
            False,
            _required(_requirement),
        )
    )


# --- evaluation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    score: int
    findings: tuple[Finding, ...]
    due_on: date | None

    @property
    def has_blocking_issue(self) -> bool:
        return any(f.severity == Severity.BLOCKING for f in self.findings)

    @property
    def stale_since(self) -> date | None:
        days = [f.stale_since for f in self.findings if f.stale_since]
        return min(days) if days else None


def dimensions(
    facts: ContactFacts, today: date, config: Config, found: set[str] | None = None
) -> scoring.Dimensions:
    """The four dimensions; ``found`` (the rules that fired) saves running them again."""
    if found is None:
        found = {f.rule for f in evaluate(facts, today, config).findings}
    kinds = {p.kind for p in facts.points}
    expected = [
        facts.has_name,
        facts.has_date_of_birth,
        facts.has_national_id,
        "email" in kinds,
        "phone" in kinds,
        "address" in kinds,
        bool(facts.employments),
    ]
    if facts.lifecycle_stage == "client":
        expected.append(facts.risk_valid_until is not None)
    valid_points = sum(1 for p in facts.points if p.status == "valid" and p.passes_validation)
    verified = last_verified(facts)
    cross_checks = [
        "email_at_former_employer" not in found,
        facts.left_employer == ("employment_ended" in found) or not facts.employments,
        "risk_expired" not in found,
    ]
    return scoring.Dimensions(
        completeness=scoring.fraction(sum(expected), len(expected)),
        validity=scoring.fraction(valid_points, len(facts.points)),
        freshness=scoring.freshness(
            days_since_verified=(today - verified).days if verified else None,
            cadence_days=config.cadence_days(facts),
        ),
        consistency=scoring.fraction(sum(cross_checks), len(cross_checks)),
    )


def evaluate(facts: ContactFacts, today: date, config: Config | None = None) -> Evaluation:
    """Run every rule and score the contact."""
    config = config or Config()
    findings, due_days = [], []
    for rule in _rules.values():
        check = rule.check(facts, today, config)
        if check.finding is not None:
            findings.append(check.finding)
        if check.due_on is not None and check.due_on > today:
            due_days.append(check.due_on)
    found = {f.rule for f in findings}
    score = scoring.quality_score(dimensions(facts, today, config, found), config.weights)
    return Evaluation(score=score, findings=tuple(findings), due_on=min(due_days, default=None))
