"""Whether a contact may be contacted for a purpose on a channel: the one rule table.

Each ``Rule`` names a reason to refuse, when it is in scope (a question of the purpose and
channel alone), the condition over one contact's plain facts, and the same condition as SQL.
Both forms are built from ``RULES``: ``may_contact`` here (one contact, every reason) and
``compliance.consent.queries.contacts_may_contact`` (a queryset, in SQL). A property test
(``compliance/tests/test_may_contact_agreement.py``) proves they agree.

No database here: facts come in as plain values, and the SQL builders only call the small
``SqlAtoms`` vocabulary that ``queries`` implements.

Decisions, so the screen and the campaign agree on them:

- Time: expiry and restrictions are judged against the ``now`` passed in, never a stored
  copy. A granted consent whose ``expires_at`` is before ``now`` counts as expired; a
  restriction counts from ``since`` until ``lifted_at``.
- Consent: a purpose whose only lawful basis is consent needs a consent on record. A purpose
  that may rest on another basis (servicing an account rests on the contract) needs none,
  but a withdrawal or expiry on record for it is still honoured.
- A purpose that covers "any channel" keeps one consent for all channels (channel ``any``).
- ``left_employer`` blocks every marketing purpose on every channel that reaches the person
  (email, phone, SMS, post): we cannot yet tell a work email or address from a private one,
  so no marketing goes to someone who left. Marketing uses that reach nobody (profiling,
  sharing, asked on channel "any") are not blocked by it.
- ``do_not_contact`` and deceased block every purpose.
- A new contact awaiting four-eyes review (``awaiting_review``) may not be contacted for
  any purpose until a reviewer approves the entry.
- "Stop all marketing" (Taiwan PDPA Art. 20) blocks every marketing purpose until a consent
  given after the refusal, on the consent basis, is on record for that purpose and channel.
- Contact points: a channel is reachable when the contact has a valid point of its kind
  (email -> email, phone and SMS -> phone, post -> postal address); otherwise the reason is
  bounced, then invalid, then no contact point, in that order.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Channel(TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS")
    POST = "post", _("Post")
    ANY = "any", _("Any channel")


class LawfulBasis(TextChoices):
    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")


class ConsentStatus(TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class RestrictionKind(TextChoices):
    RESTRICTED = "restricted", _("Processing restricted")
    ERASED = "erased", _("Erased")


class PointStatus(TextChoices):
    """A channel's reachability from the contact's points. The first three are the values
    of ``contacts.ContactPointStatus``."""

    VALID = "valid", _("Valid")
    BOUNCED = "bounced", _("Bounced")
    INVALID = "invalid", _("Invalid")
    NONE = "none", _("None")


class Reason(TextChoices):
    NO_CONSENT = "no_consent", _("No consent on record")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
    EXPIRED = "expired", _("Consent expired")
    DECEASED = "deceased", _("Deceased")
    DO_NOT_CONTACT = "do_not_contact", _("Do not contact")
    AWAITING_REVIEW = "awaiting_review", _("New entry awaiting review")
    ERASED = "erased", _("Erased")
    RESTRICTED = "restricted", _("Processing restricted")
    BOUNCED = "bounced", _("Contact point bounced")
    INVALID_CONTACT_POINT = "invalid_contact_point", _("Contact point invalid")
    NO_CONTACT_POINT = "no_contact_point", _("No contact point for this channel")
    LEFT_EMPLOYER = "left_employer", _("Left employer")
    MARKETING_REFUSED = "marketing_refused", _("Refused all marketing")
    CHANNEL_NOT_COVERED = "channel_not_covered", _("The purpose does not cover this channel")


# The kind of contact point (``contacts.ContactPointKind``) each channel needs.
POINT_KIND = {
    Channel.EMAIL: "email",
    Channel.PHONE: "phone",
    Channel.SMS: "phone",
    Channel.POST: "address",
}


# --- the facts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurposeTerms:
    """What the decision needs of a purpose (``Purpose.terms()``)."""

    code: str
    is_marketing: bool
    lawful_bases: frozenset[str]
    channels: frozenset[str]

    @property
    def requires_consent(self) -> bool:
        """Consent is the only basis the purpose may rest on."""
        return self.lawful_bases <= {LawfulBasis.CONSENT}

    def covers(self, channel: str) -> bool:
        return Channel.ANY in self.channels or channel in self.channels

    def consent_channel(self, channel: str) -> str:
        """The channel a consent for this purpose is kept under."""
        return Channel.ANY if Channel.ANY in self.channels else channel

    @property
    def consent_channels(self) -> list[str]:
        """Every channel a consent for this purpose can be kept under, in a stable order."""
        if Channel.ANY in self.channels:
            return [Channel.ANY]
        return [c for c in Channel.values if c in self.channels]


@dataclass(frozen=True)
class ConsentFact:
    """The current state for one purpose and channel (``ConsentState``)."""

    status: str
    lawful_basis: str
    granted_at: datetime | None = None
    expires_at: datetime | None = None

    def status_at(self, now: datetime) -> str:
        if (
            self.status == ConsentStatus.GRANTED
            and self.expires_at is not None
            and self.expires_at < now
        ):
            return ConsentStatus.EXPIRED
        return self.status


@dataclass(frozen=True)
class RestrictionFact:
    kind: str
    since: datetime
    lifted_at: datetime | None = None

    def active_at(self, now: datetime) -> bool:
        return self.since <= now and (self.lifted_at is None or self.lifted_at > now)


@dataclass(frozen=True)
class ContactFacts:
    """Everything the decision needs to know about one contact, as plain values.

    ``erased`` and ``restricted`` come from ``ContactRestriction`` rows (the erasure and
    restriction work writes them); the flags from the contact; ``point_statuses`` maps a
    contact-point kind to the statuses of the contact's points of that kind; ``consents``
    maps (purpose code, channel) to the current state.
    """

    is_deceased: bool = False
    do_not_contact: bool = False
    left_employer: bool = False
    awaiting_review: bool = False
    restrictions: tuple[RestrictionFact, ...] = ()
    point_statuses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    consents: Mapping[tuple[str, str], ConsentFact] = field(default_factory=dict)
    marketing_refused_at: datetime | None = None


def point_status(statuses) -> str:
    """One channel's reachability from the statuses of its points."""
    statuses = set(statuses)
    for status in (PointStatus.VALID, PointStatus.BOUNCED, PointStatus.INVALID):
        if status in statuses:
            return status
    return PointStatus.NONE


class Situation:
    """One question: these facts, this purpose, this channel, at ``now``."""

    def __init__(self, facts: ContactFacts, purpose: PurposeTerms, channel: str, now: datetime):
        self.facts, self.purpose, self.channel, self.now = facts, purpose, channel, now

    @cached_property
    def consent(self) -> ConsentFact | None:
        key = (self.purpose.code, self.purpose.consent_channel(self.channel))
        return self.facts.consents.get(key)

    @property
    def consent_status(self) -> str | None:
        return self.consent.status_at(self.now) if self.consent else None

    @cached_property
    def point_status(self) -> str:
        return point_status(self.facts.point_statuses.get(POINT_KIND[self.channel], ()))

    def restriction_active(self, kind: str) -> bool:
        return any(r.kind == kind and r.active_at(self.now) for r in self.facts.restrictions)

    def refused_since_last_consent(self) -> bool:
        refused_at = self.facts.marketing_refused_at
        if refused_at is None:
            return False
        consent = self.consent
        consented_after = (
            consent is not None
            and consent.status == ConsentStatus.GRANTED
            and consent.lawful_basis == LawfulBasis.CONSENT
            and consent.granted_at is not None
            and consent.granted_at > refused_at
        )
        return not consented_after


# --- the SQL vocabulary ----------------------------------------------------------------------


class SqlAtoms(Protocol):
    """The conditions the SQL builders may use, each true for a contact row (``queries``
    implements them as Q objects and Exists subqueries for one purpose, channel and now).
    They combine with ``&``, ``|`` and ``~``."""

    def flag(self, name: str) -> Any: ...

    def everyone(self) -> Any: ...

    def restriction_active(self, kind: str) -> Any: ...

    def consent_on_record(self, status: str | None = None) -> Any: ...

    def consent_expired(self) -> Any: ...

    def refused_since_last_consent(self) -> Any: ...

    def point(self, status: str) -> Any: ...


# --- the rule table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A reason to refuse. ``in_scope`` looks only at the purpose and channel; ``denies``
    and ``sql`` are the same condition over one contact's facts and over a Contact row."""

    reason: Reason
    in_scope: Callable[[PurposeTerms, str], bool]
    denies: Callable[[Situation], bool]
    sql: Callable[[SqlAtoms], Any]


def _always(purpose: PurposeTerms, channel: str) -> bool:
    return True


def _marketing(purpose: PurposeTerms, channel: str) -> bool:
    return purpose.is_marketing


def _marketing_reaching_out(purpose: PurposeTerms, channel: str) -> bool:
    return purpose.is_marketing and channel in POINT_KIND


def _not_covered(purpose: PurposeTerms, channel: str) -> bool:
    return not purpose.covers(channel)


def _consent_only(purpose: PurposeTerms, channel: str) -> bool:
    return purpose.requires_consent


def _reaches_a_point(purpose: PurposeTerms, channel: str) -> bool:
    return channel in POINT_KIND


RULES: tuple[Rule, ...] = (
    Rule(
        Reason.ERASED,
        _always,
        lambda s: s.restriction_active(RestrictionKind.ERASED),
        lambda q: q.restriction_active(RestrictionKind.ERASED),
    ),
    Rule(
        Reason.RESTRICTED,
        _always,
        lambda s: s.restriction_active(RestrictionKind.RESTRICTED),
        lambda q: q.restriction_active(RestrictionKind.RESTRICTED),
    ),
    Rule(Reason.DECEASED, _always, lambda s: s.facts.is_deceased, lambda q: q.flag("is_deceased")),
    Rule(
        Reason.DO_NOT_CONTACT,
        _always,
        lambda s: s.facts.do_not_contact,
        lambda q: q.flag("do_not_contact"),
    ),
    Rule(
        Reason.AWAITING_REVIEW,
        _always,
        lambda s: s.facts.awaiting_review,
        lambda q: q.flag("awaiting_review"),
    ),
    Rule(
        Reason.LEFT_EMPLOYER,
        _marketing_reaching_out,
        lambda s: s.facts.left_employer,
        lambda q: q.flag("left_employer"),
    ),
    Rule(
        Reason.MARKETING_REFUSED,
        _marketing,
        lambda s: s.refused_since_last_consent(),
        lambda q: q.refused_since_last_consent(),
    ),
    Rule(Reason.CHANNEL_NOT_COVERED, _not_covered, lambda s: True, lambda q: q.everyone()),
    Rule(
        Reason.NO_CONSENT,
        _consent_only,
        lambda s: s.consent is None,
        lambda q: ~q.consent_on_record(),
    ),
    Rule(
        Reason.WITHDRAWN,
        _always,
        lambda s: s.consent_status == ConsentStatus.WITHDRAWN,
        lambda q: q.consent_on_record(ConsentStatus.WITHDRAWN),
    ),
    Rule(
        Reason.EXPIRED,
        _always,
        lambda s: s.consent_status == ConsentStatus.EXPIRED,
        lambda q: q.consent_expired(),
    ),
    Rule(
        Reason.BOUNCED,
        _reaches_a_point,
        lambda s: s.point_status == PointStatus.BOUNCED,
        lambda q: ~q.point(PointStatus.VALID) & q.point(PointStatus.BOUNCED),
    ),
    Rule(
        Reason.INVALID_CONTACT_POINT,
        _reaches_a_point,
        lambda s: s.point_status == PointStatus.INVALID,
        lambda q: (
            ~q.point(PointStatus.VALID)
            & ~q.point(PointStatus.BOUNCED)
            & q.point(PointStatus.INVALID)
        ),
    ),
    Rule(
        Reason.NO_CONTACT_POINT,
        _reaches_a_point,
        lambda s: s.point_status == PointStatus.NONE,
        lambda q: (
            ~q.point(PointStatus.VALID)
            & ~q.point(PointStatus.BOUNCED)
            & ~q.point(PointStatus.INVALID)
        ),
    ),
)


# --- the two forms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: list[Reason]

    @property
    def labels(self) -> list[str]:
        return [reason.label for reason in self.reasons]


def may_contact(
    contact_facts: ContactFacts, purpose: PurposeTerms, channel: str, now: datetime
) -> Decision:
    """The decision for one contact, with every reason that refuses it, in table order."""
    situation = Situation(contact_facts, purpose, channel, now)
    reasons = [
        rule.reason for rule in RULES if rule.in_scope(purpose, channel) and rule.denies(situation)
    ]
    return Decision(allowed=not reasons, reasons=reasons)


def denials_sql(purpose: PurposeTerms, channel: str, atoms: SqlAtoms) -> list[tuple[Reason, Any]]:
    """The rules in scope for this purpose and channel, each as its SQL condition."""
    return [(rule.reason, rule.sql(atoms)) for rule in RULES if rule.in_scope(purpose, channel)]
