"""The consent ledger's writes: grant, withdraw, expire, stop all marketing; purposes and
notices. Each write keeps the current state in step and is audited in the same transaction."""

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance import audit
from compliance.consent import queries, services
from compliance.consent.rules import Channel, ConsentStatus, LawfulBasis, Reason, may_contact
from compliance.models import (
    AuditAction,
    AuditEvent,
    ConsentEvent,
    ConsentEventKind,
    ConsentLedgerError,
    ConsentSource,
    ConsentState,
    ContactMarketingRefusal,
    Jurisdiction,
    NoticeLanguage,
    PrivacyNotice,
    Purpose,
)
from contacts.models import Contact
from contacts.services.details import contact_point_add
from contacts.tests import factories

pytestmark = pytest.mark.django_db

seed_purposes = importlib.import_module("compliance.migrations.0005_consent").seed_purposes


@pytest.fixture(autouse=True)
def purposes(db):
    """The seeded purposes, again: a transactional test's flush empties every table."""
    seed_purposes(apps, None)


def purpose(code: str) -> Purpose:
    return Purpose.objects.get(code=code)


def publish(actor, version="1", *, effective_from=None, material_change=False, **kwargs):
    notice = PrivacyNotice(
        version=version,
        language=kwargs.pop("language", NoticeLanguage.CHINESE),
        jurisdiction=kwargs.pop("jurisdiction", Jurisdiction.TAIWAN),
        effective_from=effective_from or date(2024, 1, 1),
        material_change=material_change,
        url="https://bank.example/privacy",
        **kwargs,
    )
    return services.privacy_notice_publish(actor=actor, notice=notice)


@pytest.fixture
def notice(compliance_user):
    return publish(compliance_user)


def grant(actor, contact, notice, code="marketing-email", channel=Channel.EMAIL, **kwargs):
    values = {"source": ConsentSource.WEB_FORM, "notice": notice} | kwargs
    return services.consent_grant(
        actor=actor, contact=contact, purpose=purpose(code), channel=channel, **values
    )


def state_of(contact, code="marketing-email", channel=Channel.EMAIL) -> ConsentState:
    return ConsentState.objects.get(contact=contact, purpose__code=code, channel=channel)


def decide(contact, code="marketing-email", channel=Channel.EMAIL, now=None):
    contact = Contact.objects.get(pk=contact.pk)
    facts = queries.contact_facts(contact)
    return may_contact(facts, purpose(code).terms(), channel, now or timezone.now())


# --- the seeded purposes ---------------------------------------------------------------------


def test_the_starting_purposes_are_seeded():
    codes = set(Purpose.objects.values_list("code", flat=True))
    assert {
        "marketing-email",
        "marketing-phone-sms",
        "marketing-post",
        "profiling-recommendation",
        "sharing-affiliates",
        "servicing-account",
    } <= codes
    servicing = purpose("servicing-account").terms()
    assert not servicing.requires_consent
    assert purpose("marketing-phone-sms").terms().consent_channels == [Channel.PHONE, Channel.SMS]


# --- grant ------------------------------------------------------------------------------------


def test_a_grant_enters_the_ledger_and_the_current_state_together(rm_user, contact, notice):
    expires = timezone.now() + timedelta(days=365)
    event = grant(rm_user, contact, notice, evidence_reference="form 2024/17", expires_at=expires)
    assert event.kind == ConsentEventKind.GRANT
    assert event.recorded_by == rm_user
    state = state_of(contact)
    assert state.status == ConsentStatus.GRANTED
    assert state.lawful_basis == LawfulBasis.CONSENT
    assert state.last_event == event
    assert state.notice == notice
    assert state.expires_at == expires
    assert state.granted_at == event.occurred_at


def test_a_grant_is_audited_with_its_evidence_hashed(rm_user, contact, notice):
    event = grant(rm_user, contact, notice, evidence_reference="call with Grace Chen")
    logged = AuditEvent.objects.get(action=AuditAction.CONSENT_GRANTED)
    assert logged.contact_id == contact.pk
    assert logged.actor == rm_user
    assert logged.object_id == str(event.pk)
    assert logged.detail["purpose"] == "marketing-email"
    assert logged.detail["channel"] == "email"
    assert logged.detail["notice"] == notice.pk
    hashed = audit.personal_hash("call with Grace Chen", contact_id=contact.pk)
    assert logged.changes["evidence_reference"]["new"] == hashed
    assert "Grace" not in str(logged.changes)


def test_a_failed_audit_leaves_no_consent_behind(rm_user, contact, notice, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(audit, "consent_granted", broken)
    with pytest.raises(RuntimeError):
        grant(rm_user, contact, notice)
    assert not ConsentEvent.objects.exists()
    assert not ConsentState.objects.exists()


def test_a_consent_needs_the_notice_it_was_given_under(rm_user, contact):
    with pytest.raises(ValidationError) as error:
        grant(rm_user, contact, None)
    assert "notice" in error.value.message_dict


def test_a_notice_not_yet_in_effect_is_refused(rm_user, contact, compliance_user):
    future = publish(compliance_user, "9", effective_from=timezone.localdate() + timedelta(days=5))
    with pytest.raises(ValidationError) as error:
        grant(rm_user, contact, future)
    assert "notice" in error.value.message_dict


def test_a_purpose_accepts_only_its_lawful_bases(rm_user, contact, notice):
    with pytest.raises(ValidationError) as error:
        grant(rm_user, contact, notice, lawful_basis=LawfulBasis.CONTRACT)
    assert "lawful_basis" in error.value.message_dict


def test_a_purpose_accepts_only_its_channels(rm_user, contact, notice):
    with pytest.raises(ValidationError) as error:
        grant(rm_user, contact, notice, channel=Channel.PHONE)
    assert "channel" in error.value.message_dict


def test_a_consent_cannot_be_dated_in_the_future_or_expire_before_it_was_given(
    rm_user, contact, notice
):
    now = timezone.now()
    with pytest.raises(ValidationError):
        grant(rm_user, contact, notice, occurred_at=now + timedelta(days=1))
    with pytest.raises(ValidationError):
        grant(rm_user, contact, notice, occurred_at=now, expires_at=now - timedelta(days=1))
    assert not ConsentEvent.objects.exists()


def test_a_purpose_for_any_channel_keeps_its_consent_under_any(rm_user, contact, notice):
    grant(rm_user, contact, notice, code="profiling-recommendation", channel=Channel.EMAIL)
    assert state_of(contact, "profiling-recommendation", Channel.ANY).status == "granted"


def test_servicing_rests_on_the_contract(rm_user, contact):
    event = grant(
        rm_user,
        contact,
        None,
        code="servicing-account",
        channel=Channel.ANY,
        lawful_basis=LawfulBasis.CONTRACT,
        source=ConsentSource.BRANCH,
    )
    assert event.lawful_basis == LawfulBasis.CONTRACT


# --- withdraw ----------------------------------------------------------------------------------


def test_a_withdrawal_takes_effect_at_once(rm_user, contact, notice):
    contact_point_add(actor=rm_user, contact=contact, kind="email", value="grace@example.com")
    grant(rm_user, contact, notice)
    assert decide(contact).allowed
    event = services.consent_withdraw(
        actor=rm_user,
        contact=contact,
        purpose=purpose("marketing-email"),
        channel=Channel.EMAIL,
        source=ConsentSource.CALL_RECORDING,
        evidence_reference="rec-881",
    )
    state = state_of(contact)
    assert state.status == ConsentStatus.WITHDRAWN
    assert state.last_event == event
    assert decide(contact).reasons == [Reason.WITHDRAWN]
    logged = AuditEvent.objects.get(action=AuditAction.CONSENT_WITHDRAWN)
    assert logged.contact_id == contact.pk
    assert logged.object_id == str(event.pk)


def test_a_withdrawal_without_a_prior_consent_is_kept(rm_user, contact):
    services.consent_withdraw(
        actor=rm_user,
        contact=contact,
        purpose=purpose("marketing-post"),
        channel=Channel.POST,
        source=ConsentSource.BRANCH,
    )
    assert state_of(contact, "marketing-post", Channel.POST).status == ConsentStatus.WITHDRAWN


def test_servicing_on_a_contract_has_no_consent_to_withdraw(rm_user, contact):
    with pytest.raises(ValidationError):
        services.consent_withdraw(
            actor=rm_user,
            contact=contact,
            purpose=purpose("servicing-account"),
            channel=Channel.ANY,
            source=ConsentSource.BRANCH,
        )


def test_a_late_recorded_older_form_does_not_override_a_later_withdrawal(rm_user, contact, notice):
    now = timezone.now()
    services.consent_withdraw(
        actor=rm_user,
        contact=contact,
        purpose=purpose("marketing-email"),
        channel=Channel.EMAIL,
        source=ConsentSource.CALL_RECORDING,
        occurred_at=now - timedelta(days=1),
    )
    late = grant(
        rm_user,
        contact,
        notice,
        source=ConsentSource.SIGNED_PAPER,
        occurred_at=now - timedelta(days=10),
    )
    assert ConsentEvent.objects.filter(pk=late.pk).exists()
    assert state_of(contact).status == ConsentStatus.WITHDRAWN


# --- the ledger is append-only ----------------------------------------------------------------


def test_ledger_events_are_never_changed_or_deleted(rm_user, contact, notice):
    event = grant(rm_user, contact, notice)
    event.evidence_reference = "rewritten"
    with pytest.raises(ConsentLedgerError):
        event.save()
    with pytest.raises(ConsentLedgerError):
        event.delete()


def test_a_contact_with_a_consent_history_cannot_be_deleted(rm_user, contact, notice):
    from django.db.models import ProtectedError

    grant(rm_user, contact, notice)
    with pytest.raises(ProtectedError):
        Contact.objects.filter(pk=contact.pk).delete()


# --- expire ------------------------------------------------------------------------------------


def test_the_job_records_expiry_once_and_only_when_due(rm_user, contact, notice):
    now = timezone.now()
    grant(
        rm_user,
        contact,
        notice,
        occurred_at=now - timedelta(days=10),
        expires_at=now - timedelta(days=1),
    )
    grant(rm_user, contact, notice, code="marketing-post", channel=Channel.POST)
    assert services.consents_expire_due(now=now) == 1
    assert services.consents_expire_due(now=now) == 0
    state = state_of(contact)
    assert state.status == ConsentStatus.EXPIRED
    assert state.last_event.kind == ConsentEventKind.EXPIRE
    assert state.last_event.occurred_at == now - timedelta(days=1)
    assert state.last_event.source == ConsentSource.SYSTEM
    assert state_of(contact, "marketing-post", Channel.POST).status == ConsentStatus.GRANTED
    logged = AuditEvent.objects.get(action=AuditAction.CONSENT_EXPIRED)
    assert logged.actor is None
    assert logged.contact_id == contact.pk


def test_a_consent_not_yet_expired_is_left_alone(rm_user, contact, notice):
    grant(rm_user, contact, notice, expires_at=timezone.now() + timedelta(days=1))
    assert services.consent_expire(state=state_of(contact)) is None
    assert state_of(contact).status == ConsentStatus.GRANTED


def test_the_decision_does_not_wait_for_the_job(rm_user, contact, notice):
    contact_point_add(actor=rm_user, contact=contact, kind="email", value="grace@example.com")
    now = timezone.now()
    grant(rm_user, contact, notice, expires_at=now + timedelta(hours=1))
    assert decide(contact, now=now).allowed
    assert decide(contact, now=now + timedelta(hours=2)).reasons == [Reason.EXPIRED]
    assert state_of(contact).status == ConsentStatus.GRANTED


# --- stop all marketing ------------------------------------------------------------------------


def test_stop_all_marketing_withdraws_every_marketing_purpose_on_every_channel(
    rm_user, contact, notice
):
    grant(rm_user, contact, notice)
    grant(
        rm_user,
        contact,
        notice,
        code="servicing-account",
        channel=Channel.ANY,
        lawful_basis=LawfulBasis.CONTRACT,
    )
    refusal = services.marketing_stop_all(
        actor=rm_user, contact=contact, source=ConsentSource.CALL_RECORDING
    )
    marketing = Purpose.objects.filter(is_marketing=True)
    expected = {(p.code, c) for p in marketing for c in p.terms().consent_channels}
    states = ConsentState.objects.filter(contact=contact, purpose__is_marketing=True)
    assert {(s.purpose.code, s.channel) for s in states} == expected
    assert {s.status for s in states} == {ConsentStatus.WITHDRAWN}
    assert state_of(contact, "servicing-account", Channel.ANY).status == ConsentStatus.GRANTED
    assert ContactMarketingRefusal.objects.get(contact=contact) == refusal
    logged = AuditEvent.objects.get(action=AuditAction.MARKETING_REFUSED)
    assert logged.contact_id == contact.pk
    assert {(w["purpose"], w["channel"]) for w in logged.detail["withdrawn"]} == expected


def test_after_a_refusal_only_a_new_explicit_consent_counts(rm_user, contact, notice):
    contact_point_add(actor=rm_user, contact=contact, kind="email", value="grace@example.com")
    refused_at = timezone.now() - timedelta(days=5)
    services.marketing_stop_all(
        actor=rm_user, contact=contact, source=ConsentSource.BRANCH, refused_at=refused_at
    )
    with pytest.raises(ValidationError):
        grant(rm_user, contact, notice, source=ConsentSource.IMPORT)
    with pytest.raises(ValidationError):
        grant(rm_user, contact, notice, occurred_at=refused_at - timedelta(days=1))
    assert decide(contact).reasons == [Reason.MARKETING_REFUSED, Reason.WITHDRAWN]

    grant(rm_user, contact, notice, source=ConsentSource.SIGNED_PAPER)
    assert decide(contact).allowed
    assert decide(contact, "marketing-post", Channel.POST).reasons[0] == (Reason.MARKETING_REFUSED)


# --- notices and re-consent ------------------------------------------------------------------


def test_a_material_change_asks_those_who_consented_under_an_older_notice(
    rm_user, contact, compliance_user, notice
):
    newer_consent = factories.make_contact(owner=rm_user)
    withdrawn = factories.make_contact(owner=rm_user)
    in_the_eu = factories.make_contact(owner=rm_user)
    eu_notice = publish(compliance_user, "1", jurisdiction=Jurisdiction.EU, language="en")
    grant(rm_user, contact, notice)
    grant(rm_user, withdrawn, notice)
    services.consent_withdraw(
        actor=rm_user,
        contact=withdrawn,
        purpose=purpose("marketing-email"),
        channel=Channel.EMAIL,
        source=ConsentSource.WEB_FORM,
    )
    grant(rm_user, in_the_eu, eu_notice)

    minor = publish(compliance_user, "1.1", effective_from=date(2025, 1, 1))
    assert not queries.contacts_for_reconsent(minor).exists()
    major = publish(compliance_user, "2", effective_from=date(2025, 6, 1), material_change=True)
    grant(rm_user, newer_consent, major)
    assert list(queries.contacts_for_reconsent(major)) == [contact]


def test_publishing_a_notice_is_audited_and_a_published_notice_never_changes(compliance_user):
    notice = publish(compliance_user, "3", material_change=True)
    logged = AuditEvent.objects.get(action=AuditAction.NOTICE_PUBLISHED)
    assert logged.detail["version"] == "3"
    assert logged.detail["material_change"] is True
    assert notice.published_by == compliance_user
    with pytest.raises(ValidationError):
        services.privacy_notice_publish(actor=compliance_user, notice=notice)


def test_a_notice_needs_its_text_or_a_link(compliance_user):
    notice = PrivacyNotice(
        version="4",
        language=NoticeLanguage.ENGLISH,
        jurisdiction=Jurisdiction.TAIWAN,
        effective_from=date(2025, 1, 1),
    )
    with pytest.raises(ValidationError):
        services.privacy_notice_publish(actor=compliance_user, notice=notice)


# --- purposes ------------------------------------------------------------------------------------


def test_a_purpose_is_saved_audited_and_keeps_its_code(compliance_user):
    saved = services.purpose_save(
        actor=compliance_user,
        purpose=Purpose(
            code="event-invitations",
            label_en="Event invitations",
            label_zh_hant="活動邀請",
            is_marketing=True,
            lawful_bases=["consent"],
            channels=["email", "post"],
        ),
    )
    logged = AuditEvent.objects.get(action=AuditAction.PURPOSE_SAVED)
    assert logged.detail["created"] is True
    saved.code = "renamed"
    with pytest.raises(ValidationError):
        services.purpose_save(actor=compliance_user, purpose=saved)


def test_a_purpose_needs_known_bases_and_channels(compliance_user):
    with pytest.raises(ValidationError) as error:
        services.purpose_save(
            actor=compliance_user,
            purpose=Purpose(
                code="odd", label_en="Odd", label_zh_hant="奇", lawful_bases=["whim"], channels=[]
            ),
        )
    assert set(error.value.message_dict) == {"lawful_bases", "channels"}


# --- the contact page's panel ------------------------------------------------------------------


def test_the_panel_decides_each_marketing_purpose_on_each_of_its_channels(rm_user, contact, notice):
    contact_point_add(actor=rm_user, contact=contact, kind="email", value="grace@example.com")
    grant(rm_user, contact, notice)
    lines = queries.marketing_decisions(contact)
    by_key = {(line.purpose.code, line.channel): line for line in lines}
    assert by_key[("marketing-email", "email")].decision.allowed
    assert by_key[("marketing-email", "email")].consent.status == ConsentStatus.GRANTED
    assert by_key[("marketing-phone-sms", "sms")].decision.reasons == [
        Reason.NO_CONSENT,
        Reason.NO_CONTACT_POINT,
    ]
    assert ("servicing-account", "any") not in by_key
