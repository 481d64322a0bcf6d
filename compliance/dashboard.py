"""The DPO's dashboard: open requests by due date, consent coverage by purpose, erasures and
holds, incidents. Reads only, a fixed handful of queries whatever the size of the book:
coverage is one grouped query over the consent states, never a loop over contacts."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from compliance import registry
from compliance.consent.rules import ConsentStatus, RestrictionKind
from compliance.incidents import services as incident_services
from compliance.incidents.clocks import ClockStatus
from compliance.models import (
    ConsentState,
    ContactRestriction,
    DataSubjectRequest,
    ErasureRecord,
    ErasureStatus,
    Incident,
    IncidentStatus,
    LegalHold,
    LegalHoldKind,
    Purpose,
)
from compliance.requests.clock import DUE_SOON_DAYS, DueBucket

NEXT_HOLD_ENDS = 5


@dataclass(frozen=True)
class Coverage:
    purpose: Purpose
    channel: str
    channel_label: str
    consenting: int
    contacts: int

    @property
    def percent(self) -> int:
        return round(100 * self.consenting / self.contacts) if self.contacts else 0


@dataclass(frozen=True)
class OpenIncident:
    incident: Incident
    clocks: list  # the clocks still running: due or overdue

    @property
    def overdue(self) -> bool:
        return any(c.status == ClockStatus.OVERDUE for c in self.clocks)


def request_counts(*, today: date) -> dict[str, int]:
    """Open requests per due bucket (by the answer deadline): overdue / this week / later."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    return DataSubjectRequest.objects.open().aggregate(
        **{
            DueBucket.OVERDUE.value: Count("id", filter=Q(due_on__lt=today)),
            DueBucket.THIS_WEEK.value: Count("id", filter=Q(due_on__gte=today, due_on__lte=soon)),
            DueBucket.LATER.value: Count("id", filter=Q(due_on__gt=soon)),
        }
    )


def _contact_model():
    for entry in registry.entries():
        if entry.contact_path == "":
            return entry.model
    raise LookupError("no registry entry for the contact itself")


def consent_coverage(*, now: datetime) -> list[Coverage]:
    """Per marketing purpose and channel: contacts with a consent in force, beside every
    contact not erased. One grouped query for the consents, one count for the book."""
    contacts = (
        _contact_model()
        ._base_manager.exclude(Exists(ErasureRecord.objects.filter(contact_id=OuterRef("pk"))))
        .count()
    )
    # An erased person's consent states stay (the ledger is proof) but count for nothing.
    erased = Exists(ErasureRecord.objects.filter(contact_id=OuterRef("contact_id")))
    granted = {
        (row["purpose_id"], row["channel"]): row["n"]
        for row in ConsentState.objects.filter(
            purpose__is_marketing=True, status=ConsentStatus.GRANTED
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gte=now))
        .exclude(erased)
        .values("purpose_id", "channel")
        .annotate(n=Count("contact_id", distinct=True))
        .order_by()
    }
    channels = dict(ConsentState._meta.get_field("channel").choices)
    rows = []
    for purpose in Purpose.objects.filter(is_marketing=True, is_active=True).order_by(
        "position", "code"
    ):
        for channel in purpose.terms().consent_channels:
            rows.append(
                Coverage(
                    purpose=purpose,
                    channel=channel,
                    channel_label=str(channels.get(channel, channel)),
                    consenting=granted.get((purpose.pk, channel), 0),
                    contacts=contacts,
                )
            )
    return rows


def erasures_and_holds(*, today: date, now: datetime) -> dict:
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    held = ErasureRecord.objects.filter(status=ErasureStatus.HELD)
    active = LegalHold.objects.active(today)
    kinds = dict(LegalHoldKind.choices)
    by_kind = [
        (str(kinds.get(row["kind"], row["kind"])), row["n"])
        for row in active.values("kind").annotate(n=Count("id")).order_by("kind")
    ]
    next_ends = list(
        active.filter(
            ends_on__isnull=False,
            contact_id__in=held.values("contact_id"),
        ).order_by("ends_on", "id")[:NEXT_HOLD_ENDS]
    )
    return {
        "erased_this_month": ErasureRecord.objects.filter(executed_at__gte=month_start).count(),
        "held_waiting": held.count(),
        "next_hold_ends": next_ends,
        "holds_by_kind": by_kind,
        "restrictions": ContactRestriction.objects.filter(
            kind=RestrictionKind.RESTRICTED, since__lte=now, lifted_at__isnull=True
        ).count(),
    }


def open_incidents(*, now: datetime) -> list[OpenIncident]:
    """Incidents not closed, each with its notification clocks still running."""
    rules = [rule for rule, _row in incident_services.clock_rules()]
    incidents = (
        Incident.objects.exclude(status=IncidentStatus.CLOSED)
        .prefetch_related("notices", "decisions__waives_clock")
        .order_by("discovered_at", "id")
    )
    found = []
    for incident in incidents:
        running = [
            c
            for c in incident_services.incident_clocks(incident, rules=rules, now=now)
            if c.status in (ClockStatus.DUE, ClockStatus.OVERDUE)
        ]
        found.append(OpenIncident(incident=incident, clocks=running))
    return found


def dpo_dashboard(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return {
        "requests": request_counts(today=today),
        "coverage": consent_coverage(now=now),
        "erasure": erasures_and_holds(today=today, now=now),
        "incidents": open_incidents(now=now),
        "today": today,
        "now": now,
    }
