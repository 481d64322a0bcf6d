"""Required-field policies, enforced: facts from the database, rules from the console.

``contact_findings(contact)`` is what the dataquality app calls to turn non-blocking
findings into issues. ``policy_enforce`` is what every contact service calls, inside its
transaction, after writing the change: a save may not introduce a blocking finding.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import policies
from contacts.models import Contact, ContactPointStatus, RequiredFieldRule, Tag
from contacts.models.tags import PATH_SEGMENT_WIDTH
from contacts.policies import ContactFacts, PolicyFinding, PolicyRule

NAME_FIELDS = ("family_name", "given_name", "name_zh", "name_romanised", "preferred_name")
# Findings on these go onto the contact form's field of the same name.
FORM_FIELDS = frozenset({*NAME_FIELDS, "date_of_birth", "national_id", "acquisition_source"})


# What the entry rules read from a contact row; refreshed before a detail service decides,
# since the caller's instance may predate an edit of the contact itself.
RULE_FIELDS = (
    *NAME_FIELDS,
    "lifecycle_stage",
    "date_of_birth",
    "national_id",
    "acquisition_source",
    "risk_valid_until",
    "awaiting_review",
    "version",
)


def contact_refresh_for_rules(contact: Contact) -> Contact:
    contact.refresh_from_db(fields=list(RULE_FIELDS))
    return contact


def rules_in_force(stage: str | None = None) -> list[PolicyRule]:
    rows = RequiredFieldRule.objects.filter(is_active=True).select_related("segment")
    if stage is not None:
        rows = rows.filter(lifecycle_stage=stage)
    return [
        PolicyRule(
            code=row.code,
            lifecycle_stage=row.lifecycle_stage,
            requirement=row.requirement,
            severity=row.severity,
            segment=row.segment.code if row.segment_id else "",
        )
        for row in rows
    ]


def _tag_codes(contact: Contact) -> frozenset[str]:
    """Codes of the contact's tags and all their ancestors (so "segment-hnw" also counts
    as "segment-individual" and "client-segment")."""
    paths = contact.tag_assignments.values_list("tag__path", flat=True)
    width = PATH_SEGMENT_WIDTH + 1
    ancestors = {p[: width * i] for p in paths for i in range(1, len(p) // width + 1)}
    if not ancestors:
        return frozenset()
    return frozenset(Tag.objects.filter(path__in=ancestors).values_list("code", flat=True))


def contact_facts(contact: Contact, **overrides) -> ContactFacts:
    """The contact's facts as saved, with ``overrides`` (field values not yet saved)."""

    def value(name):
        return overrides[name] if name in overrides else getattr(contact, name)

    valid_points = 0
    if contact.pk:
        valid_points = contact.contact_points.filter(status=ContactPointStatus.VALID).count()
    return ContactFacts(
        lifecycle_stage=value("lifecycle_stage"),
        today=timezone.localdate(),
        has_name=any(value(n) for n in NAME_FIELDS),
        date_of_birth=value("date_of_birth"),
        has_national_id=bool(value("national_id")),
        acquisition_source=value("acquisition_source") or "",
        valid_contact_points=overrides.get("valid_contact_points", valid_points),
        risk_valid_until=overrides.get("risk_valid_until", contact.risk_valid_until),
        tag_codes=overrides.get("tag_codes")
        if "tag_codes" in overrides
        else (_tag_codes(contact) if contact.pk else frozenset()),
    )


def contact_findings(contact: Contact) -> list[PolicyFinding]:
    """Every finding for the contact as saved (blocking and issue)."""
    facts = contact_facts(contact)
    return policies.evaluate(facts, rules_in_force(facts.lifecycle_stage))


def policy_enforce(*, after: ContactFacts, before: ContactFacts | None = None) -> None:
    """Refuse a change whose result breaks a blocking rule it did not already break.

    ``before`` is None for a new contact (every blocking finding counts). A record that
    already lacked something (legacy data, a rule tightened later) stays editable, but an
    edit can never make it worse; its existing gaps are data-quality issues.
    """
    findings = policies.blocking(policies.evaluate(after, rules_in_force(after.lifecycle_stage)))
    if before is not None and findings:
        already = {
            f.rule_code
            for f in policies.blocking(
                policies.evaluate(before, rules_in_force(before.lifecycle_stage))
            )
        }
        findings = [f for f in findings if f.rule_code not in already]
    if not findings:
        return
    errors: dict[str, list[str]] = {}
    for finding in findings:
        key = finding.field if finding.field in FORM_FIELDS else NON_FIELD_ERRORS
        message = (
            finding.message
            if key != NON_FIELD_ERRORS
            else _("This contact cannot be saved: %(problem)s") % {"problem": finding.message}
        )
        errors.setdefault(key, []).append(message)
    raise ValidationError(errors)
