"""Breach-notification clocks: a pure function of the rules, the incident's dates, the notices
sent and the decisions taken. No database; the admin and the services feed it plain values.

A clock starts at discovery and runs ``hours`` (GDPR Art. 33: 72 hours to tell the
supervisory authority; Taiwan PDPA Art. 12: tell the people affected once the facts are
established). It is met by the first notice sent to its recipient, waived by a recorded
decision that no notice is needed, and otherwise due until its deadline passes, then overdue.
A rule without hours has no fixed deadline: it is due until met or waived.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class ClockStatus(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    MET = "met"
    WAIVED = "waived"


@dataclass(frozen=True)
class ClockRule:
    code: str
    recipient: str  # "authority" or "subjects"
    hours: int | None


@dataclass(frozen=True)
class SentNotice:
    recipient: str
    sent_at: datetime


@dataclass(frozen=True)
class Clock:
    rule: ClockRule
    due_at: datetime | None
    status: ClockStatus
    met_at: datetime | None = None
    # Met, but after the deadline: the report must say why it was late (GDPR Art. 33(1)).
    late: bool = False

    def time_left(self, now: datetime) -> timedelta | None:
        if self.due_at is None or self.status in (ClockStatus.MET, ClockStatus.WAIVED):
            return None
        return self.due_at - now


def clock(
    rule: ClockRule,
    *,
    discovered_at: datetime,
    notices: Iterable[SentNotice],
    waived: bool,
    now: datetime,
) -> Clock:
    if discovered_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("clocks need timezone-aware times")
    due_at = discovered_at + timedelta(hours=rule.hours) if rule.hours is not None else None
    sent = sorted(n.sent_at for n in notices if n.recipient == rule.recipient)
    if sent:
        met_at = sent[0]
        late = due_at is not None and met_at > due_at
        return Clock(rule, due_at, ClockStatus.MET, met_at=met_at, late=late)
    if waived:
        return Clock(rule, due_at, ClockStatus.WAIVED)
    if due_at is not None and now > due_at:
        return Clock(rule, due_at, ClockStatus.OVERDUE)
    return Clock(rule, due_at, ClockStatus.DUE)


def clocks(
    rules: Iterable[ClockRule],
    *,
    discovered_at: datetime,
    notices: Iterable[SentNotice],
    waived_codes: Iterable[str],
    now: datetime,
) -> list[Clock]:
    """Every rule's clock for one incident, in the rules' order."""
    notices = list(notices)
    waived_codes = set(waived_codes)
    return [
        clock(
            rule,
            discovered_at=discovered_at,
            notices=notices,
            waived=rule.code in waived_codes,
            now=now,
        )
        for rule in rules
    ]
