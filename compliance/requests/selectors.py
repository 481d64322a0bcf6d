"""Reads for the request screens. An RM's reads start from the contact's one door
(``DataSubjectRequest.objects.visible_to``)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from compliance.models import DataSubjectRequest
from compliance.requests import clock
from compliance.requests.clock import DueBucket


def requests_for_contact(*, contact) -> QuerySet:
    """The requests of one contact, for the contact page. The contact has come through the
    visibility door (``contacts.selectors.contact_get``), so its requests need no second
    check."""
    return (
        DataSubjectRequest.objects.filter(contact=contact)
        .select_related("assignee")
        .order_by("-received_at", "-id")
    )


def requests_in_book(*, user) -> QuerySet:
    """Every request of the contacts ``user`` may see, open ones first, soonest due first."""
    return (
        DataSubjectRequest.objects.visible_to(user)
        .select_related("contact", "assignee")
        .order_by(F("closed_at").asc(nulls_first=True), "due_on", "id")
    )


@dataclass(frozen=True)
class DueRequest:
    request: DataSubjectRequest
    due_on: date
    deadline: str  # "acknowledge" or "answer"
    bucket: str

    @property
    def is_overdue(self) -> bool:
        return self.bucket == DueBucket.OVERDUE


def _due(request: DataSubjectRequest, today: date) -> DueRequest:
    """The request's nearest open deadline: acknowledgement first while it is unmet."""
    if request.acknowledge_due_on and request.acknowledged_at is None:
        due_on, deadline = request.acknowledge_due_on, "acknowledge"
        if request.due_on < due_on:
            due_on, deadline = request.due_on, "answer"
    else:
        due_on, deadline = request.due_on, "answer"
    return DueRequest(request, due_on, deadline, clock.due_bucket(today=today, due_on=due_on))


def requests_due_for(*, user, today: date | None = None) -> list[DueRequest]:
    """The home page's panel: open requests assigned to ``user`` (and in their sight) due
    within a week or overdue, most urgent first."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=clock.DUE_SOON_DAYS)
    requests = (
        DataSubjectRequest.objects.visible_to(user)
        .open()
        .filter(assignee=user)
        .filter(
            Q(due_on__lte=horizon)
            | Q(acknowledge_due_on__lte=horizon, acknowledged_at__isnull=True)
        )
        .select_related("contact")
    )
    return sorted((_due(r, today) for r in requests), key=lambda d: (d.due_on, d.request.pk))


def requests_dashboard(*, today: date | None = None) -> dict[str, list[DueRequest]]:
    """Every open request, grouped overdue / due within a week / later (for the DPO)."""
    today = today or timezone.localdate()
    groups: dict[str, list[DueRequest]] = {bucket: [] for bucket in DueBucket.values}
    requests = DataSubjectRequest.objects.open().select_related("contact", "assignee")
    for due in sorted((_due(r, today) for r in requests), key=lambda d: (d.due_on, d.request.pk)):
        groups[due.bucket].append(due)
    return groups
