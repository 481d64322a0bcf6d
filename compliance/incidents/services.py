"""Writes for the incident (breach) register. Every step is audited in its transaction."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit, selectors
from compliance.incidents import clocks
from compliance.models import (
    AuditAction,
    BreachClockRule,
    Incident,
    IncidentContact,
    IncidentDecision,
    IncidentNotice,
    IncidentStatus,
)

INCIDENT_FIELDS = ("title", "description", "occurred_at", "discovered_at", "severity", "status")
ADD_BATCH = 1000


def _check_dates(*, occurred_at: datetime, discovered_at: datetime, now: datetime) -> None:
    errors = {}
    if occurred_at > now:
        errors["occurred_at"] = [_("An incident cannot have happened in the future.")]
    if discovered_at > now:
        errors["discovered_at"] = [_("An incident cannot be discovered in the future.")]
    if discovered_at < occurred_at:
        errors["discovered_at"] = [_("An incident cannot be discovered before it happened.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def incident_open(
    *,
    actor,
    title: str,
    description: str,
    occurred_at: datetime,
    discovered_at: datetime,
    severity: str,
) -> Incident:
    """Open an incident. Its notification clocks start at ``discovered_at``."""
    _check_dates(occurred_at=occurred_at, discovered_at=discovered_at, now=timezone.now())
    incident = Incident(
        title=title.strip(),
        description=description.strip(),
        occurred_at=occurred_at,
        discovered_at=discovered_at,
        severity=severity,
        opened_by=actor,
    )
    incident.full_clean()
    incident.save()
    audit.incident_opened(actor=actor, incident=incident)
    return incident


@transaction.atomic
def incident_update(*, actor, incident: Incident, **values) -> Incident:
    """Change what is known about an incident. Closing it stamps ``closed_at``."""
    unknown = set(values) - set(INCIDENT_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    before = {name: getattr(current, name) for name in values}
    before["closed_at"] = current.closed_at
    for name, value in values.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    _check_dates(
        occurred_at=current.occurred_at, discovered_at=current.discovered_at, now=timezone.now()
    )
    changed = [name for name in values if before[name] != getattr(current, name)]
    if not changed:
        return current
    if "status" in changed:
        current.closed_at = timezone.now() if current.status == IncidentStatus.CLOSED else None
        changed.append("closed_at")
    current.version += 1
    current.full_clean()
    current.save(update_fields=[*changed, "version", "updated_at"])
    audit.incident_updated(
        actor=actor,
        incident=current,
        changes={name: (before[name], getattr(current, name)) for name in changed},
    )
    return current


def _add_ids(*, actor, incident: Incident, ids: Iterable[int]) -> int:
    before = incident.affected.count()
    batch: list[IncidentContact] = []
    now = timezone.now()
    for contact_id in ids:
        batch.append(
            IncidentContact(incident=incident, contact_id=contact_id, added_at=now, added_by=actor)
        )
        if len(batch) >= ADD_BATCH:
            IncidentContact.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        IncidentContact.objects.bulk_create(batch, ignore_conflicts=True)
    return incident.affected.count() - before


@transaction.atomic
def incident_add_contacts(*, actor, incident: Incident, contact_ids: Iterable[int]) -> int:
    """Add contacts by id (known from elsewhere: a lost file, a mis-sent letter). Returns how
    many were new to the incident."""
    ids = sorted({int(i) for i in contact_ids})
    if not ids:
        raise ValidationError(_("Give at least one contact id."))
    added = _add_ids(actor=actor, incident=incident, ids=ids)
    audit.incident_contacts_added(
        actor=actor,
        incident=incident,
        added=added,
        total=incident.affected.count(),
        source={"kind": "ids", "given": len(ids)},
    )
    return added


def exposed_contact_ids(*, user, start: datetime, end: datetime) -> set[int]:
    """Every contact whose data the account saw between two moments: pages viewed, values
    revealed (by the events' contact) and exports (by the ids each export listed)."""
    events = selectors.account_activity(user=user, start=start, end=end).order_by()
    ids = set(
        events.exclude(contact_id=None).values_list("contact_id", flat=True).distinct().iterator()
    )
    for detail in events.filter(action=AuditAction.EXPORTED).values_list("detail", flat=True):
        ids.update(int(i) for i in (detail or {}).get("contact_ids", []))
    return ids


@transaction.atomic
def incident_add_contacts_seen_by(
    *, actor, incident: Incident, user, start: datetime, end: datetime
) -> int:
    """Add everyone a (compromised, departed, misused) account saw in a period: the audit
    log's "what did this account see", added in batches. Returns how many were new."""
    if end <= start:
        raise ValidationError(_("The period ends before it starts."))
    ids = sorted(exposed_contact_ids(user=user, start=start, end=end))
    added = _add_ids(actor=actor, incident=incident, ids=ids)
    audit.incident_contacts_added(
        actor=actor,
        incident=incident,
        added=added,
        total=incident.affected.count(),
        source={
            "kind": "account_activity",
            "account": user.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "found": len(ids),
        },
    )
    return added


@transaction.atomic
def incident_decide(
    *,
    actor,
    incident: Incident,
    decision: str,
    reason: str,
    waives_clock: BreachClockRule | None = None,
) -> IncidentDecision:
    """Record a decision, who took it and why. Waiving a clock needs the reason on record."""
    row = IncidentDecision(
        incident=incident,
        decision=decision.strip(),
        reason=reason.strip(),
        waives_clock=waives_clock,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    row.full_clean()
    row.save()
    audit.incident_decided(actor=actor, decision=row)
    return row


@transaction.atomic
def incident_notice_record(
    *,
    actor,
    incident: Incident,
    recipient: str,
    addressee: str,
    sent_at: datetime,
    reference: str,
    people_notified: int | None = None,
) -> IncidentNotice:
    """Record a notice sent to the authority or to the people affected."""
    now = timezone.now()
    errors = {}
    if sent_at > now:
        errors["sent_at"] = [_("A notice cannot be sent in the future.")]
    elif sent_at < incident.discovered_at:
        errors["sent_at"] = [_("A notice cannot predate the incident's discovery.")]
    if errors:
        raise ValidationError(errors)
    notice = IncidentNotice(
        incident=incident,
        recipient=recipient,
        addressee=addressee.strip(),
        sent_at=sent_at,
        reference=reference.strip(),
        people_notified=people_notified,
        recorded_by=actor,
        recorded_at=now,
    )
    notice.full_clean()
    notice.save()
    audit.incident_notice_sent(actor=actor, notice=notice)
    return notice


@transaction.atomic
def breach_clock_rule_save(*, actor, rule: BreachClockRule) -> BreachClockRule:
    created = rule._state.adding
    rule.full_clean()
    rule.save()
    audit.breach_clock_saved(actor=actor, rule=rule, created=created)
    return rule


def clock_rules() -> list[tuple[clocks.ClockRule, BreachClockRule]]:
    """The active rules, as the pure engine's values beside their rows (for labels)."""
    return [
        (clocks.ClockRule(code=r.code, recipient=r.recipient, hours=r.hours), r)
        for r in BreachClockRule.objects.filter(is_active=True)
    ]


def incident_clocks(
    incident: Incident,
    *,
    rules: list[clocks.ClockRule] | None = None,
    now: datetime | None = None,
) -> list[clocks.Clock]:
    """The incident's notification clocks as of ``now``. Reads the incident's notices and
    decisions through ``.all()``, so a list that prefetched them runs no further query."""
    if rules is None:
        rules = [rule for rule, _row in clock_rules()]
    notices = [clocks.SentNotice(n.recipient, n.sent_at) for n in incident.notices.all()]
    waived = [d.waives_clock.code for d in incident.decisions.all() if d.waives_clock_id]
    return clocks.clocks(
        rules,
        discovered_at=incident.discovered_at,
        notices=notices,
        waived_codes=waived,
        now=now or timezone.now(),
    )
