"""Saving the entry rules administrators edit in the console."""

from django.db import transaction

from compliance import audit
from contacts.models import RequiredFieldRule, ReviewRule


@transaction.atomic
def required_field_rule_save(*, actor, rule: RequiredFieldRule) -> RequiredFieldRule:
    created = rule.pk is None
    rule.full_clean()
    rule.save()
    audit.entry_rule_saved(
        actor=actor,
        rule=rule,
        created=created,
        detail={
            "lifecycle_stage": rule.lifecycle_stage,
            "segment": rule.segment.code if rule.segment_id else "",
            "requirement": rule.requirement,
            "severity": rule.severity,
            "is_active": rule.is_active,
        },
    )
    return rule


@transaction.atomic
def review_rule_save(*, actor, rule: ReviewRule) -> ReviewRule:
    created = rule.pk is None
    rule.full_clean()
    rule.save()
    audit.entry_rule_saved(
        actor=actor,
        rule=rule,
        created=created,
        detail={
            "lifecycle_stage": rule.lifecycle_stage,
            "subject": rule.subject,
            "is_active": rule.is_active,
        },
    )
    return rule
