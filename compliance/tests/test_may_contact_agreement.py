"""The screen and the campaign can never disagree: for random small books of contacts, with
random flags, contact points, restrictions and consent histories, and a random moment, the
decision for one contact (``rules.may_contact`` over its facts) allows exactly the contacts
the queryset form (``queries.contacts_may_contact``, in SQL) returns, for every purpose and
every channel."""

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from compliance.consent import queries, services
from compliance.consent.rules import Channel, LawfulBasis, RestrictionKind, may_contact
from compliance.models import (
    ConsentSource,
    ContactRestriction,
    Jurisdiction,
    NoticeLanguage,
    PrivacyNotice,
    Purpose,
)
from contacts.models import Contact, ContactPoint
from core.models import User

seed_purposes = importlib.import_module("compliance.migrations.0005_consent").seed_purposes

STEP = timedelta(days=10)  # coarse, so events, expiries, refusals and "now" often tie
BASE = timezone.now() - 25 * STEP  # every event lies in the past

# Seeded purposes, plus one marketing purpose resting on legitimate interest (no consent
# needed) created in each example; with the channels each covers.
EVERY_CHANNEL = Channel.values
COVERED = {
    "marketing-email": [Channel.EMAIL],
    "marketing-phone-sms": [Channel.PHONE, Channel.SMS],
    "marketing-post": [Channel.POST],
    "profiling-recommendation": EVERY_CHANNEL,
    "sharing-affiliates": EVERY_CHANNEL,
    "servicing-account": EVERY_CHANNEL,
    "newsletter-li": [Channel.EMAIL, Channel.POST],
}
PURPOSE_CODES = list(COVERED)

steps = st.integers(min_value=0, max_value=20)
codes = st.sampled_from(PURPOSE_CODES)
# Mostly a channel the purpose covers, sometimes any channel at all.
purpose_channels = codes.flatmap(
    lambda code: st.tuples(
        st.just(code), st.sampled_from(COVERED[code]) | st.sampled_from(EVERY_CHANNEL)
    )
)
rarely = st.sampled_from([False, False, False, True])


def actions(asked):
    """Consent history, mostly about the purposes and channels the example asks about."""
    about = st.one_of(st.sampled_from(asked), st.sampled_from(asked), purpose_channels)
    grant = st.tuples(
        st.just("grant"),
        about,
        steps,
        st.none() | st.integers(min_value=1, max_value=10),
        st.sampled_from([LawfulBasis.CONSENT] * 6 + LawfulBasis.values),
        st.sampled_from([ConsentSource.WEB_FORM] * 3 + [ConsentSource.IMPORT]),
    )
    return st.one_of(
        grant,
        grant,
        grant,
        grant,
        st.tuples(st.just("withdraw"), about, steps),
        st.tuples(st.just("stop_all"), steps),
        st.tuples(st.just("expire_job"), steps),
    )


restriction = st.tuples(
    st.sampled_from(RestrictionKind.values),
    st.integers(min_value=-2, max_value=30),
    st.none() | st.integers(min_value=1, max_value=10),
)
# Per kind of point: none, or one or two points with their statuses.
statuses = st.sampled_from(["valid", "valid", "bounced", "invalid"])
points = st.fixed_dictionaries(
    {kind: st.lists(statuses, max_size=2) for kind in ("email", "phone", "address")}
)


def contact_specs(asked):
    return st.fixed_dictionaries(
        {
            "is_deceased": rarely,
            "do_not_contact": rarely,
            "left_employer": rarely,
            "awaiting_review": rarely,
            "points": points,
            "restrictions": rarely.flatmap(
                lambda yes: st.lists(restriction, min_size=1, max_size=1) if yes else st.just([])
            ),
            "actions": st.lists(actions(asked), max_size=6),
        }
    )


@st.composite
def scenarios(draw):
    """A few questions (purpose, channel), then a small book of contacts to ask them of."""
    asked = draw(st.lists(purpose_channels, min_size=1, max_size=4, unique=True))
    specs = draw(st.lists(contact_specs(asked), min_size=1, max_size=4))
    return asked, specs


def _apply(action, *, contact, owner, notice, purposes):
    kind, *rest = action
    try:
        if kind == "grant":
            (code, channel), at, lasts, basis, source = rest
            services.consent_grant(
                actor=owner,
                contact=contact,
                purpose=purposes[code],
                channel=channel,
                source=source,
                lawful_basis=basis,
                notice=notice,
                occurred_at=BASE + at * STEP,
                expires_at=BASE + (at + lasts) * STEP if lasts else None,
            )
        elif kind == "withdraw":
            (code, channel), at = rest
            services.consent_withdraw(
                actor=owner,
                contact=contact,
                purpose=purposes[code],
                channel=channel,
                source=ConsentSource.WEB_FORM,
                occurred_at=BASE + at * STEP,
            )
        elif kind == "stop_all":
            (at,) = rest
            services.marketing_stop_all(
                actor=owner,
                contact=contact,
                source=ConsentSource.BRANCH,
                refused_at=BASE + at * STEP,
            )
        else:
            (at,) = rest
            services.consents_expire_due(now=BASE + at * STEP)
    except ValidationError:
        pass  # the services refuse some random histories; the ledger stays as it was


def _build(specs, *, owner, notice, purposes) -> list[int]:
    ids = []
    for n, spec in enumerate(specs):
        contact = Contact.objects.create(
            owner=owner,
            family_name="Lin",
            given_name=f"P{n}",
            lifecycle_stage="client",
            is_deceased=spec["is_deceased"],
            do_not_contact=spec["do_not_contact"],
            left_employer=spec["left_employer"],
            awaiting_review=spec["awaiting_review"],
        )
        for kind, kind_statuses in spec["points"].items():
            for status in kind_statuses:
                ContactPoint.objects.create(contact=contact, kind=kind, value="x", status=status)
        for kind, since, lasts in spec["restrictions"]:
            ContactRestriction.objects.create(
                contact=contact,
                kind=kind,
                since=BASE + since * STEP,
                lifted_at=BASE + (since + lasts) * STEP if lasts else None,
            )
        for action in spec["actions"]:
            _apply(action, contact=contact, owner=owner, notice=notice, purposes=purposes)
        ids.append(contact.pk)
    return ids


class MayContactAgreementTest(TestCase):
    """Each example runs in its own transaction, rolled back after it."""

    def _world(self):
        seed_purposes(apps, None)  # a transactional test's flush may have emptied them
        owner = User.objects.create(username="owner")
        notice = PrivacyNotice.objects.create(
            version="1",
            language=NoticeLanguage.CHINESE,
            jurisdiction=Jurisdiction.TAIWAN,
            effective_from=date(2000, 1, 1),
            url="https://bank.example/privacy",
        )
        Purpose.objects.create(
            code="newsletter-li",
            label_en="Newsletter",
            label_zh_hant="電子報",
            is_marketing=True,
            lawful_bases=[LawfulBasis.LEGITIMATE_INTEREST],
            channels=[Channel.EMAIL, Channel.POST],
        )
        purposes = {p.code: p for p in Purpose.objects.filter(code__in=PURPOSE_CODES)}
        return owner, notice, purposes

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenario=scenarios(), now_step=st.integers(min_value=-2, max_value=32))
    def test_the_decision_and_the_queryset_agree(self, scenario, now_step):
        # Building each audience query costs milliseconds of ORM work, so each example asks
        # a few questions (purpose, channel), drawn like everything else.
        questions, specs = scenario
        owner, notice, purposes = self._world()
        ids = _build(specs, owner=owner, notice=notice, purposes=purposes)
        now = BASE + now_step * STEP
        contacts = list(Contact.objects.filter(pk__in=ids))
        facts = queries.contacts_facts(contacts)
        book = Contact.objects.filter(pk__in=ids)
        for code, channel in questions:
            purpose = purposes[code]
            terms = purpose.terms()
            if True:
                in_sql = set(
                    queries.contacts_may_contact(book, purpose, channel, now).values_list(
                        "pk", flat=True
                    )
                )
                annotated = dict(
                    queries.annotate_may_contact(book, purpose, channel, now).values_list(
                        "pk", "may_contact"
                    )
                )
                for contact in contacts:
                    decision = may_contact(facts[contact.pk], terms, channel, now)
                    where = (contact.pk, purpose.code, channel, decision.reasons)
                    assert decision.allowed == (contact.pk in in_sql), where
                    assert decision.allowed == annotated[contact.pk], where
                    # Shown by --hypothesis-show-statistics: which rules the examples reached.
                    event("allowed" if decision.allowed else "refused")
                    for reason in decision.reasons:
                        event(f"reason: {reason.value}")


@pytest.mark.django_db
def test_an_audience_is_one_query_whatever_its_size(rm_user, django_assert_num_queries):
    for n in range(5):
        Contact.objects.create(
            owner=rm_user, family_name="Wu", given_name=f"{n}", lifecycle_stage="client"
        )
    seed_purposes(apps, None)
    purpose = Purpose.objects.get(code="marketing-email")
    with django_assert_num_queries(1):
        list(queries.contacts_may_contact(Contact.objects.all(), purpose, Channel.EMAIL))
