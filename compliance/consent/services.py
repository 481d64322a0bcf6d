"""Writes for consent: the ledger, the current state beside it, purposes and notices.

Every write is synchronous and audited in its own transaction; a withdrawal is never handed
to a queue. Each ledger event updates ``ConsentState`` in the same transaction. The state
follows the event that occurred last (``occurred_at``), so a signed form recorded late never
overrides a withdrawal the person made after signing it; the late form still enters the
ledger as evidence.

"Stop all marketing" (``marketing_stop_all``, Taiwan PDPA Art. 20(2)) is kept as a
``ContactMarketingRefusal`` row as well as the withdrawals it makes. After it, a marketing
consent counts only if it is an explicit consent (the consent basis, never a list import)
given after the refusal; ``rules`` refuses marketing otherwise (``marketing_refused``).
"""

from datetime import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit
from compliance.consent.rules import ConsentStatus, LawfulBasis
from compliance.models import (
    ConsentEvent,
    ConsentEventKind,
    ConsentSource,
    ConsentState,
    ContactMarketingRefusal,
    PrivacyNotice,
    Purpose,
)

# A little slack for clocks: an event may not be dated in the future beyond this.
CLOCK_SLACK_SECONDS = 60


def _lock_contact(contact) -> None:
    """Consent writes for one contact run one at a time (a refusal and a grant racing
    must not both read the state before the other)."""
    Contact = apps.get_model("contacts", "Contact")
    list(Contact.objects.select_for_update().filter(pk=contact.pk).values_list("pk"))


def _check_when(occurred_at: datetime, *, field: str, now: datetime) -> None:
    if (occurred_at - now).total_seconds() > CLOCK_SLACK_SECONDS:
        raise ValidationError({field: [_("This cannot be in the future.")]})


def _consent_channel(purpose: Purpose, channel: str) -> str:
    terms = purpose.terms()
    if not terms.covers(channel):
        raise ValidationError({"channel": [_("This purpose does not cover that channel.")]})
    return terms.consent_channel(channel)


def _record(
    *,
    actor,
    contact,
    purpose: Purpose,
    channel: str,
    kind: str,
    lawful_basis: str,
    source: str,
    occurred_at: datetime,
    evidence_reference: str = "",
    notice: PrivacyNotice | None = None,
    expires_at: datetime | None = None,
) -> ConsentEvent:
    """Append one event to the ledger and fold it into the current state."""
    event = ConsentEvent(
        contact=contact,
        purpose=purpose,
        channel=channel,
        kind=kind,
        lawful_basis=lawful_basis,
        source=source,
        evidence_reference=evidence_reference.strip(),
        notice=notice,
        occurred_at=occurred_at,
        expires_at=expires_at,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    event.full_clean()
    event.save()

    state = (
        ConsentState.objects.select_for_update()
        .filter(contact=contact, purpose=purpose, channel=channel)
        .first()
    )
    if state is None:
        state = ConsentState(contact=contact, purpose=purpose, channel=channel)
    elif occurred_at < state.since:
        return event  # older evidence: kept in the ledger, the later word stands
    state.since = occurred_at
    state.last_event = event
    state.lawful_basis = lawful_basis
    if kind == ConsentEventKind.GRANT:
        state.status = ConsentStatus.GRANTED
        state.granted_at = occurred_at
        state.expires_at = expires_at
        state.notice = notice
    elif kind == ConsentEventKind.WITHDRAW:
        state.status = ConsentStatus.WITHDRAWN
        state.expires_at = None
    else:
        state.status = ConsentStatus.EXPIRED
    state.save()
    return event


def _latest_refusal(contact) -> datetime | None:
    return ContactMarketingRefusal.objects.filter(contact=contact).aggregate(
        latest=Max("refused_at")
    )["latest"]


@transaction.atomic
def consent_grant(
    *,
    actor,
    contact,
    purpose: Purpose,
    channel: str,
    source: str,
    lawful_basis: str = LawfulBasis.CONSENT,
    evidence_reference: str = "",
    notice: PrivacyNotice | None = None,
    occurred_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> ConsentEvent:
    """Record that the contact consented (or that another lawful basis now applies) to a
    purpose on a channel, with its evidence.

    A consent needs the notice it was given under. After the contact refused all marketing,
    a marketing purpose takes only an explicit consent given after the refusal.
    """
    now = timezone.now()
    occurred_at = occurred_at or now
    _check_when(occurred_at, field="occurred_at", now=now)
    channel = _consent_channel(purpose, channel)
    errors: dict[str, list[str]] = {}
    if lawful_basis not in purpose.lawful_bases:
        errors["lawful_basis"] = [_("This purpose cannot rest on that lawful basis.")]
    if lawful_basis == LawfulBasis.CONSENT and notice is None:
        errors["notice"] = [_("Choose the privacy notice the consent was given under.")]
    if notice is not None and notice.effective_from > timezone.localtime(occurred_at).date():
        errors["notice"] = [_("That notice was not yet in effect when the consent was given.")]
    if expires_at is not None and expires_at <= occurred_at:
        errors["expires_at"] = [_("The consent must expire after it was given.")]
    if errors:
        raise ValidationError(errors)

    _lock_contact(contact)
    if purpose.is_marketing:
        refused_at = _latest_refusal(contact)
        if refused_at is not None:
            if lawful_basis != LawfulBasis.CONSENT or source == ConsentSource.IMPORT:
                raise ValidationError(
                    _(
                        "This contact refused all marketing. Only a new, explicit consent "
                        "can allow it again, not a list import or another lawful basis."
                    )
                )
            if occurred_at <= refused_at:
                raise ValidationError(
                    {
                        "occurred_at": [
                            _("This consent predates the contact's refusal of all marketing.")
                        ]
                    }
                )

    event = _record(
        actor=actor,
        contact=contact,
        purpose=purpose,
        channel=channel,
        kind=ConsentEventKind.GRANT,
        lawful_basis=lawful_basis,
        source=source,
        evidence_reference=evidence_reference,
        notice=notice,
        occurred_at=occurred_at,
        expires_at=expires_at,
    )
    audit.consent_granted(actor=actor, event=event)
    return event


def _withdrawal_basis(purpose: Purpose, state: ConsentState | None) -> str:
    if state is not None:
        return state.lawful_basis
    if LawfulBasis.CONSENT in purpose.lawful_bases:
        return LawfulBasis.CONSENT
    return purpose.lawful_bases[0]


@transaction.atomic
def consent_withdraw(
    *,
    actor,
    contact,
    purpose: Purpose,
    channel: str,
    source: str,
    evidence_reference: str = "",
    occurred_at: datetime | None = None,
) -> ConsentEvent:
    """Record a withdrawal (or, for a purpose resting on legitimate interest, an objection)
    at once and synchronously. A purpose resting only on a contract or a legal obligation
    has no consent to withdraw."""
    now = timezone.now()
    occurred_at = occurred_at or now
    _check_when(occurred_at, field="occurred_at", now=now)
    channel = _consent_channel(purpose, channel)
    if not {LawfulBasis.CONSENT, LawfulBasis.LEGITIMATE_INTEREST} & set(purpose.lawful_bases):
        raise ValidationError(
            _(
                "This purpose rests on a contract or a legal obligation; "
                "there is no consent to withdraw."
            )
        )
    _lock_contact(contact)
    state = ConsentState.objects.filter(contact=contact, purpose=purpose, channel=channel).first()
    event = _record(
        actor=actor,
        contact=contact,
        purpose=purpose,
        channel=channel,
        kind=ConsentEventKind.WITHDRAW,
        lawful_basis=_withdrawal_basis(purpose, state),
        source=source,
        evidence_reference=evidence_reference,
        notice=state.notice if state is not None else None,
        occurred_at=occurred_at,
    )
    audit.consent_withdrawn(actor=actor, event=event)
    return event


@transaction.atomic
def consent_expire(*, state: ConsentState, now: datetime | None = None) -> ConsentEvent | None:
    """Record that a granted consent has expired (for the nightly job). Nothing if it has
    not, or was already withdrawn or expired. The decision never waits for this: it judges
    expiry against the time of each question."""
    now = now or timezone.now()
    state = (
        ConsentState.objects.select_for_update(of=("self",))
        .select_related("purpose", "contact", "notice")
        .get(pk=state.pk)
    )
    if not (
        state.status == ConsentStatus.GRANTED
        and state.expires_at is not None
        and state.expires_at < now
    ):
        return None
    event = _record(
        actor=None,
        contact=state.contact,
        purpose=state.purpose,
        channel=state.channel,
        kind=ConsentEventKind.EXPIRE,
        lawful_basis=state.lawful_basis,
        source=ConsentSource.SYSTEM,
        notice=state.notice,
        occurred_at=state.expires_at,
    )
    audit.consent_expired(event=event)
    return event


def consent_states_due(*, now: datetime):
    """The granted consents whose expiry has passed by ``now`` and is not yet recorded."""
    return ConsentState.objects.filter(status=ConsentStatus.GRANTED, expires_at__lt=now)


def consents_expire_due(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Record every consent that has expired by ``now``, in chunks, each consent in its own
    transaction (a crash loses nothing done; running twice records nothing twice).

    The nightly run goes through the job framework instead (``compliance.jobs``), which adds
    the lock, the run record and resumption; this is for a one-off call at a given moment."""
    now = now or timezone.now()
    expired = 0
    last_pk = 0
    due = consent_states_due(now=now)
    while True:
        batch = list(due.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            return expired
        for state in batch:
            if consent_expire(state=state, now=now) is not None:
                expired += 1
        last_pk = batch[-1].pk


@transaction.atomic
def marketing_stop_all(
    *,
    actor,
    contact,
    source: str,
    evidence_reference: str = "",
    refused_at: datetime | None = None,
) -> ContactMarketingRefusal:
    """Stop all marketing: record the refusal and withdraw every marketing purpose on
    every channel, in one transaction."""
    now = timezone.now()
    refused_at = refused_at or now
    _check_when(refused_at, field="refused_at", now=now)
    _lock_contact(contact)
    refusal = ContactMarketingRefusal(
        contact=contact,
        refused_at=refused_at,
        source=source,
        evidence_reference=evidence_reference.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    refusal.full_clean()
    refusal.save()

    states = {
        (s.purpose_id, s.channel): s
        for s in ConsentState.objects.filter(contact=contact, purpose__is_marketing=True)
    }
    withdrawn = []
    for purpose in Purpose.objects.filter(is_marketing=True):
        for channel in purpose.terms().consent_channels:
            state = states.get((purpose.pk, channel))
            if state is not None and state.status == ConsentStatus.WITHDRAWN:
                continue
            _record(
                actor=actor,
                contact=contact,
                purpose=purpose,
                channel=channel,
                kind=ConsentEventKind.WITHDRAW,
                lawful_basis=_withdrawal_basis(purpose, state),
                source=source,
                evidence_reference=evidence_reference,
                notice=state.notice if state is not None else None,
                occurred_at=refused_at,
            )
            withdrawn.append((purpose.code, channel))
    audit.marketing_refused(actor=actor, refusal=refusal, withdrawn=withdrawn)
    return refusal


# --- purposes and notices (the DPO's console) ---------------------------------------------------


@transaction.atomic
def purpose_save(*, actor, purpose: Purpose) -> Purpose:
    """Create or change a purpose. Its code never changes once saved (the ledger and the
    audit log name it)."""
    created = purpose._state.adding
    if not created:
        saved_code = Purpose.objects.filter(pk=purpose.pk).values_list("code", flat=True).get()
        if saved_code != purpose.code:
            raise ValidationError({"code": [_("A purpose's code cannot change.")]})
    purpose.full_clean()
    purpose.save()
    audit.purpose_saved(actor=actor, purpose=purpose, created=created)
    return purpose


@transaction.atomic
def privacy_notice_publish(*, actor, notice: PrivacyNotice) -> PrivacyNotice:
    """Publish a new notice version. Published versions never change: consents point at
    the text they were given under, so a correction is a new version."""
    if not notice._state.adding:
        raise ValidationError(_("A published notice cannot change; publish a new version."))
    notice.published_by = actor if getattr(actor, "is_authenticated", False) else None
    notice.full_clean()
    notice.save()
    audit.notice_published(actor=actor, notice=notice)
    return notice
