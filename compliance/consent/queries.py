"""Reads for consent: the may-contact rule table as SQL, and the facts for one contact.

``contacts_may_contact`` is the queryset form of ``rules.may_contact``: the same ``RULES``,
each turned into a condition on the Contact row (NOT EXISTS subqueries on consent states,
restrictions, refusals and contact points), so an audience of a million contacts is one
query. Contacts live in a higher app: their models are looked up by label, never imported.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import BooleanField, Exists, ExpressionWrapper, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from compliance.consent import rules
from compliance.consent.rules import (
    ConsentFact,
    ConsentStatus,
    ContactFacts,
    Decision,
    LawfulBasis,
    RestrictionFact,
)
from compliance.models import (
    ConsentState,
    ContactMarketingRefusal,
    ContactRestriction,
    PrivacyNotice,
    Purpose,
)


def _contact_model():
    return apps.get_model("contacts", "Contact")


def _contact_point_model():
    return apps.get_model("contacts", "ContactPoint")


class ContactRowSql:
    """``rules.SqlAtoms`` for a Contact queryset, for one purpose, channel and time."""

    def __init__(self, *, purpose: Purpose, channel: str, now: datetime):
        self.purpose_id = purpose.pk
        self.consent_channel = purpose.terms().consent_channel(channel)
        self.point_kind = rules.POINT_KIND.get(channel)
        self.now = now

    def flag(self, name: str) -> Q:
        return Q(**{name: True})

    def everyone(self) -> Q:
        return Q(pk__isnull=False)

    def restriction_active(self, kind: str) -> Exists:
        return Exists(
            ContactRestriction.objects.filter(
                contact_id=OuterRef("pk"), kind=kind, since__lte=self.now
            ).filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=self.now))
        )

    def _states(self, contact_ref: str = "pk") -> QuerySet:
        return ConsentState.objects.filter(
            contact_id=OuterRef(contact_ref),
            purpose_id=self.purpose_id,
            channel=self.consent_channel,
        )

    def consent_on_record(self, status: str | None = None) -> Exists:
        states = self._states()
        return Exists(states.filter(status=status) if status else states)

    def consent_expired(self) -> Exists:
        return Exists(
            self._states().filter(
                Q(status=ConsentStatus.EXPIRED)
                | Q(status=ConsentStatus.GRANTED, expires_at__lt=self.now)
            )
        )

    def refused_since_last_consent(self) -> Exists:
        # A refusal with no consent (on the consent basis) granted after it.
        consented_after = self._states("contact_id").filter(
            status=ConsentStatus.GRANTED,
            lawful_basis=LawfulBasis.CONSENT,
            granted_at__gt=OuterRef("refused_at"),
        )
        return Exists(
            ContactMarketingRefusal.objects.filter(contact_id=OuterRef("pk")).filter(
                ~Exists(consented_after)
            )
        )

    def point(self, status: str) -> Exists:
        return Exists(
            _contact_point_model().objects.filter(
                contact_id=OuterRef("pk"), kind=self.point_kind, status=status
            )
        )


def may_contact_condition(*, purpose: Purpose, channel: str, now: datetime) -> Q:
    """True for a Contact row that may be contacted: no rule in scope refuses it."""
    atoms = ContactRowSql(purpose=purpose, channel=channel, now=now)
    condition = Q()
    for _reason, denial in rules.denials_sql(purpose.terms(), channel, atoms):
        condition &= ~Q(denial)
    return condition


def contacts_may_contact(
    queryset: QuerySet, purpose: Purpose, channel: str, now: datetime | None = None
) -> QuerySet:
    """The contacts in ``queryset`` that may be contacted for ``purpose`` on ``channel``."""
    now = now or timezone.now()
    return queryset.filter(may_contact_condition(purpose=purpose, channel=channel, now=now))


def annotate_may_contact(
    queryset: QuerySet,
    purpose: Purpose,
    channel: str,
    now: datetime | None = None,
    *,
    name: str = "may_contact",
) -> QuerySet:
    """``queryset`` with a boolean ``name`` column: the same decision, for every row."""
    now = now or timezone.now()
    condition = may_contact_condition(purpose=purpose, channel=channel, now=now)
    return queryset.annotate(**{name: ExpressionWrapper(condition, output_field=BooleanField())})


# --- the facts, for the decision on one contact ------------------------------------------------


def contacts_facts(contacts: Iterable) -> dict[int, ContactFacts]:
    """The may-contact facts of each contact, in four queries whatever their number.

    The contacts' own flags are read from the objects given.
    """
    contacts = list(contacts)
    ids = [c.pk for c in contacts]
    points: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for contact_id, kind, status in (
        _contact_point_model()
        .objects.filter(contact_id__in=ids)
        .values_list("contact_id", "kind", "status")
    ):
        points[contact_id][kind].append(status)
    consents: dict[int, dict] = defaultdict(dict)
    for row in ConsentState.objects.filter(contact_id__in=ids).values_list(
        "contact_id",
        "purpose__code",
        "channel",
        "status",
        "lawful_basis",
        "granted_at",
        "expires_at",
    ):
        contact_id, code, channel, status, basis, granted_at, expires_at = row
        consents[contact_id][(code, channel)] = ConsentFact(
            status=status, lawful_basis=basis, granted_at=granted_at, expires_at=expires_at
        )
    restrictions: dict[int, list[RestrictionFact]] = defaultdict(list)
    for contact_id, kind, since, lifted_at in ContactRestriction.objects.filter(
        contact_id__in=ids
    ).values_list("contact_id", "kind", "since", "lifted_at"):
        restrictions[contact_id].append(
            RestrictionFact(kind=kind, since=since, lifted_at=lifted_at)
        )
    refused = dict(
        ContactMarketingRefusal.objects.filter(contact_id__in=ids)
        .values("contact_id")
        .annotate(latest=Max("refused_at"))
        .values_list("contact_id", "latest")
    )
    return {
        c.pk: ContactFacts(
            is_deceased=c.is_deceased,
            do_not_contact=c.do_not_contact,
            left_employer=c.left_employer,
            awaiting_review=c.awaiting_review,
            restrictions=tuple(restrictions[c.pk]),
            point_statuses={kind: tuple(s) for kind, s in points[c.pk].items()},
            consents=consents[c.pk],
            marketing_refused_at=refused.get(c.pk),
        )
        for c in contacts
    }


def contact_facts(contact) -> ContactFacts:
    return contacts_facts([contact])[contact.pk]


@dataclass(frozen=True)
class PurposeDecision:
    """A line of the contact page's may-contact panel."""

    purpose: Purpose
    channel: str
    decision: Decision
    consent: ConsentFact | None

    @property
    def channel_label(self) -> str:
        return rules.Channel(self.channel).label

    @property
    def status_label(self) -> str:
        """The consent on record, as stored (expiry by now shows among the reasons)."""
        return ConsentStatus(self.consent.status).label if self.consent else ""


def marketing_decisions(contact, *, now: datetime | None = None) -> list[PurposeDecision]:
    """Each active marketing purpose on each of its channels, decided for ``contact``."""
    now = now or timezone.now()
    facts = contact_facts(contact)
    lines = []
    for purpose in Purpose.objects.filter(is_active=True, is_marketing=True):
        terms = purpose.terms()
        for channel in terms.consent_channels:
            lines.append(
                PurposeDecision(
                    purpose=purpose,
                    channel=channel,
                    decision=rules.may_contact(facts, terms, channel, now),
                    consent=facts.consents.get((purpose.code, channel)),
                )
            )
    return lines


# --- notices -----------------------------------------------------------------------------------


def contacts_for_reconsent(
    notice: PrivacyNotice, *, queryset: QuerySet | None = None, now: datetime | None = None
) -> QuerySet:
    """Contacts holding a live consent given under an older notice of the same jurisdiction,
    to be asked again now that ``notice`` (a material change) is published. Nothing for a
    notice without a material change."""
    contacts = queryset if queryset is not None else _contact_model().objects.all()
    if not notice.material_change:
        return contacts.none()
    now = now or timezone.now()
    older = PrivacyNotice.objects.filter(
        jurisdiction=notice.jurisdiction, effective_from__lt=notice.effective_from
    )
    live_under_older = ConsentState.objects.filter(
        contact_id=OuterRef("pk"),
        status=ConsentStatus.GRANTED,
        lawful_basis=LawfulBasis.CONSENT,
        notice__in=older,
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gte=now))
    return contacts.filter(Exists(live_under_older))
