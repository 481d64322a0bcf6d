"""The incident register's writes: open, update, affected contacts from the audit log's
"what did this account see", decisions, notices and the clocks they drive. Every step
audited."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance import audit
from compliance.incidents import services
from compliance.incidents.clocks import ClockStatus
from compliance.models import (
    AuditAction,
    AuditEvent,
    BreachClockRule,
    Incident,
    IncidentStatus,
    NoticeRecipient,
)
from contacts.tests import factories

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)
DISCOVERED = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


def open_incident(actor, **overrides) -> Incident:
    values = {
        "title": "Laptop stolen from branch",
        "description": "An unencrypted laptop with a client list was stolen.",
        "occurred_at": DISCOVERED - timedelta(hours=5),
        "discovered_at": DISCOVERED,
        "severity": "high",
    } | overrides
    return services.incident_open(actor=actor, **values)


@pytest.fixture
def incident(compliance_user):
    with time_machine.travel(DISCOVERED + timedelta(hours=1), tick=False):
        return open_incident(compliance_user)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_opening_an_incident_is_audited_and_starts_investigating(incident, compliance_user):
    assert incident.status == IncidentStatus.INVESTIGATING
    assert incident.opened_by == compliance_user
    event = AuditEvent.objects.get(action=AuditAction.INCIDENT_OPENED)
    assert event.object_id == str(incident.pk)
    assert event.detail["severity"] == "high"


def test_an_incident_cannot_be_discovered_before_it_happened_or_in_the_future(compliance_user):
    with time_machine.travel(DISCOVERED, tick=False):
        with pytest.raises(ValidationError) as error:
            open_incident(compliance_user, occurred_at=DISCOVERED + timedelta(minutes=1))
        assert "occurred_at" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            open_incident(
                compliance_user,
                occurred_at=DISCOVERED - timedelta(days=1),
                discovered_at=DISCOVERED - timedelta(days=2),
            )
        assert "discovered_at" in error.value.message_dict
    assert not Incident.objects.exists()


def test_closing_an_incident_stamps_when_and_audits_the_change(incident, compliance_user):
    updated = services.incident_update(
        actor=compliance_user, incident=incident, status=IncidentStatus.CLOSED
    )
    assert updated.closed_at is not None
    assert updated.version == 2
    event = AuditEvent.objects.get(action=AuditAction.INCIDENT_UPDATED)
    assert event.changes["status"] == {"old": "investigating", "new": "closed"}


def test_the_contacts_an_account_saw_are_added_once_each_by_id(incident, compliance_user, rm_user):
    viewed, revealed, exported, untouched = (factories.make_contact(owner=rm_user) for _ in "abcd")
    start = timezone.now() - timedelta(hours=1)
    audit.contact_viewed(actor=rm_user, contact=viewed)
    audit.contact_viewed(actor=rm_user, contact=viewed)
    audit.revealed(actor=rm_user, contact=revealed, field="national_id", reason="check")
    audit.exported(
        actor=rm_user,
        what="contacts",
        fmt="csv",
        row_count=2,
        filters={},
        searched=False,
        contact_ids=[exported.pk, viewed.pk],
    )
    audit.contact_viewed(actor=compliance_user, contact=untouched)  # another account
    end = timezone.now() + timedelta(hours=1)

    added = services.incident_add_contacts_seen_by(
        actor=compliance_user, incident=incident, user=rm_user, start=start, end=end
    )

    assert added == 3
    assert set(incident.affected.values_list("contact_id", flat=True)) == {
        viewed.pk,
        revealed.pk,
        exported.pk,
    }
    again = services.incident_add_contacts_seen_by(
        actor=compliance_user, incident=incident, user=rm_user, start=start, end=end
    )
    assert again == 0
    events = AuditEvent.objects.filter(action=AuditAction.INCIDENT_CONTACTS_ADDED)
    assert [e.detail["added"] for e in events.order_by("id")] == [3, 0]
    assert events.first().detail["source"]["account"] == rm_user.pk


def test_contacts_added_by_id_count_only_the_new_ones(incident, compliance_user):
    assert (
        services.incident_add_contacts(
            actor=compliance_user, incident=incident, contact_ids=[5, 6, 6]
        )
        == 2
    )
    assert (
        services.incident_add_contacts(actor=compliance_user, incident=incident, contact_ids=[6, 7])
        == 1
    )
    with pytest.raises(ValidationError):
        services.incident_add_contacts(actor=compliance_user, incident=incident, contact_ids=[])


def test_the_authority_clock_runs_72_hours_from_discovery_then_goes_overdue(incident):
    with time_machine.travel(DISCOVERED + timedelta(hours=71), tick=False):
        gdpr = services.incident_clocks(Incident.objects.get(pk=incident.pk))[0]
        assert gdpr.rule.code == "gdpr-authority"
        assert gdpr.status == ClockStatus.DUE
    with time_machine.travel(DISCOVERED + timedelta(hours=73), tick=False):
        gdpr = services.incident_clocks(Incident.objects.get(pk=incident.pk))[0]
        assert gdpr.status == ClockStatus.OVERDUE


def test_a_notice_to_the_authority_meets_its_clock(incident, compliance_user):
    with time_machine.travel(DISCOVERED + timedelta(hours=40), tick=False):
        notice = services.incident_notice_record(
            actor=compliance_user,
            incident=incident,
            recipient=NoticeRecipient.AUTHORITY,
            addressee="Financial Supervisory Commission",
            sent_at=timezone.now(),
            reference="FSC-2026-0042",
        )
    with time_machine.travel(DISCOVERED + timedelta(hours=100), tick=False):
        by_code = {c.rule.code: c for c in services.incident_clocks(incident)}
    assert by_code["gdpr-authority"].status == ClockStatus.MET
    assert by_code["gdpr-authority"].late is False
    assert by_code["pdpa-subjects"].status == ClockStatus.OVERDUE
    event = AuditEvent.objects.get(action=AuditAction.INCIDENT_NOTICE_SENT)
    assert event.detail["reference"] == "FSC-2026-0042"
    assert event.detail["notice_id"] == notice.pk


def test_a_notice_cannot_be_sent_in_the_future_or_before_discovery(incident, compliance_user):
    for sent_at in (timezone.now() + timedelta(hours=1), DISCOVERED - timedelta(hours=1)):
        with pytest.raises(ValidationError) as error:
            services.incident_notice_record(
                actor=compliance_user,
                incident=incident,
                recipient=NoticeRecipient.SUBJECTS,
                addressee="Letters",
                sent_at=sent_at,
                reference="L-1",
            )
        assert "sent_at" in error.value.message_dict
    assert not incident.notices.exists()


def test_a_decision_records_who_when_why_and_can_waive_a_clock(incident, compliance_user):
    rule = BreachClockRule.objects.get(code="pdpa-subjects")
    decision = services.incident_decide(
        actor=compliance_user,
        incident=incident,
        decision="No notice to the people affected",
        reason="The laptop's disk was encrypted; no risk to them.",
        waives_clock=rule,
    )
    assert decision.decided_by == compliance_user
    by_code = {c.rule.code: c for c in services.incident_clocks(incident)}
    assert by_code["pdpa-subjects"].status == ClockStatus.WAIVED
    event = AuditEvent.objects.get(action=AuditAction.INCIDENT_DECIDED)
    assert event.detail["waives_clock"] == "pdpa-subjects"
    with pytest.raises(ValidationError):
        services.incident_decide(
            actor=compliance_user, incident=incident, decision="Nothing", reason="  "
        )


def test_the_dpo_changes_a_clock_and_the_change_is_audited(compliance_user, incident):
    rule = BreachClockRule.objects.get(code="pdpa-subjects")
    rule.hours = 24
    services.breach_clock_rule_save(actor=compliance_user, rule=rule)
    assert AuditEvent.objects.get(action=AuditAction.BREACH_CLOCK_SAVED).detail["hours"] == 24
    with time_machine.travel(DISCOVERED + timedelta(hours=25), tick=False):
        by_code = {c.rule.code: c for c in services.incident_clocks(incident)}
    assert by_code["pdpa-subjects"].status == ClockStatus.OVERDUE
    assert by_code["gdpr-authority"].status == ClockStatus.DUE


def test_a_failed_audit_write_leaves_no_incident(compliance_user, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(audit, "incident_opened", broken)
    with (
        time_machine.travel(DISCOVERED + timedelta(hours=1), tick=False),
        pytest.raises(RuntimeError),
    ):
        open_incident(compliance_user)
    assert not Incident.objects.exists()
    assert AuditAction.INCIDENT_OPENED not in actions()
