"""Required-field policies: what a contact must have at each lifecycle stage and segment.

A pure engine, no database: ``evaluate(facts, rules)`` takes a contact's plain facts
(``ContactFacts``) and the rules in force (``PolicyRule``, built from the admin-editable
``contacts.RequiredFieldRule`` rows by ``contacts.services.policies.rules_in_force``) and
returns a ``PolicyFinding`` for every rule the contact does not meet.

Each finding carries its rule's severity:

- ``block``: the contact services refuse the save that would leave the finding (a
  ``ValidationError``; nothing is saved). See ``contacts.services.policies.policy_enforce``
  for exactly when: a save may not *introduce* a blocking finding, so a legacy record that
  already lacks something can still be edited, but no edit makes it worse.
- ``issue``: the save goes through; the finding is a data-quality issue. The dataquality app
  calls ``evaluate`` (via ``contacts.services.policies.contact_findings``) on its nightly run
  and turns these findings into issues.

A rule applies to a contact when its ``lifecycle_stage`` is the contact's and, if it names a
``segment`` (a tag code under the client-segment category), the contact carries that tag or
a tag beneath it (``facts.tag_codes`` holds every assigned tag's code and its ancestors').
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

# The vocabulary's categories the tag requirements look for (contacts/migrations/0003).
SEGMENT_CATEGORY = "client-segment"
INDUSTRY_CATEGORY = "industry"
INVESTMENT_CATEGORY = "investment-preference"


class Severity(TextChoices):
    BLOCK = "block", _("Blocks saving")
    ISSUE = "issue", _("Raises a data-quality issue")


class Requirement(TextChoices):
    NAME = "name", _("A name")
    CONTACT_POINT = "contact_point", _("At least one valid contact point")
    ACQUISITION_SOURCE = "acquisition_source", _("How we got the contact")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    NATIONAL_ID = "national_id", _("National ID")
    RISK_ASSESSMENT = "risk_assessment", _("A risk assessment that is still valid")
    SEGMENT_TAG = "segment_tag", _("A client-segment tag")
    INDUSTRY_TAG = "industry_tag", _("An industry tag")
    INVESTMENT_TAG = "investment_tag", _("An investment-preference tag")


@dataclass(frozen=True)
class ContactFacts:
    """What the policies look at, as plain values. ``valid_contact_points`` counts the
    points whose status is valid; ``tag_codes`` holds assigned tags and their ancestors."""

    lifecycle_stage: str
    today: date
    has_name: bool = False
    date_of_birth: date | None = None
    has_national_id: bool = False
    acquisition_source: str = ""
    valid_contact_points: int = 0
    risk_valid_until: date | None = None
    tag_codes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class PolicyRule:
    code: str
    lifecycle_stage: str
    requirement: str
    severity: str
    segment: str = ""  # a tag code; empty: every contact at the stage


@dataclass(frozen=True)
class PolicyFinding:
    rule_code: str
    field: str  # the contact field (or detail) a person fixes: "date_of_birth", "tags"...
    severity: str
    message: str


# requirement -> (the field a person fixes, whether the facts meet it, what to tell them)
_CHECKS = {
    Requirement.NAME: ("family_name", lambda f: f.has_name, _("Enter a name.")),
    Requirement.CONTACT_POINT: (
        "contact_points",
        lambda f: f.valid_contact_points > 0,
        _("Add at least one valid email, phone or postal address."),
    ),
    Requirement.ACQUISITION_SOURCE: (
        "acquisition_source",
        lambda f: bool(f.acquisition_source),
        _("Record how we got the contact."),
    ),
    Requirement.DATE_OF_BIRTH: (
        "date_of_birth",
        lambda f: f.date_of_birth is not None,
        _("Enter the date of birth."),
    ),
    Requirement.NATIONAL_ID: (
        "national_id",
        lambda f: f.has_national_id,
        _("Enter the national ID."),
    ),
    Requirement.RISK_ASSESSMENT: (
        "risk_assessment",
        lambda f: f.risk_valid_until is not None and f.risk_valid_until >= f.today,
        _("Record a risk assessment that is still valid."),
    ),
    Requirement.SEGMENT_TAG: (
        "tags",
        lambda f: SEGMENT_CATEGORY in f.tag_codes,
        _("Tag the client segment."),
    ),
    Requirement.INDUSTRY_TAG: (
        "tags",
        lambda f: INDUSTRY_CATEGORY in f.tag_codes,
        _("Tag the industry."),
    ),
    Requirement.INVESTMENT_TAG: (
        "tags",
        lambda f: INVESTMENT_CATEGORY in f.tag_codes,
        _("Tag the investment preference."),
    ),
}


def requirement_message(requirement: str):
    """What to tell a person who must meet ``requirement`` (lazy, translated on display)."""
    return _CHECKS[Requirement(requirement)][2]


def applies(rule: PolicyRule, facts: ContactFacts) -> bool:
    if rule.lifecycle_stage != facts.lifecycle_stage:
        return False
    return not rule.segment or rule.segment in facts.tag_codes


def evaluate(facts: ContactFacts, rules: Iterable[PolicyRule]) -> list[PolicyFinding]:
    """Every rule in ``rules`` that applies to the contact and is not met, blocking first.

    Pure: no database, no clock (``facts.today`` is the day to judge expiry by).
    """
    findings = []
    for rule in rules:
        if not applies(rule, facts):
            continue
        field_name, met, message = _CHECKS[Requirement(rule.requirement)]
        if not met(facts):
            findings.append(
                PolicyFinding(
                    rule_code=rule.code,
                    field=field_name,
                    severity=rule.severity,
                    message=str(message),
                )
            )
    findings.sort(key=lambda f: (f.severity != Severity.BLOCK, f.rule_code))
    return findings


def blocking(findings: Iterable[PolicyFinding]) -> list[PolicyFinding]:
    return [f for f in findings if f.severity == Severity.BLOCK]
