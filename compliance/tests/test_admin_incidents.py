"""The incident register in the DPO's console: open an incident, add the people affected,
record decisions and notices, and see each clock as due, overdue or met."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance import audit
from compliance.incidents import services
from compliance.models import AuditAction, AuditEvent, BreachClockRule, Incident
from contacts.tests import factories
from core.testing import login_verified

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)
DISCOVERED = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


@pytest.fixture
def incident(compliance_user):
    with time_machine.travel(DISCOVERED + timedelta(hours=1), tick=False):
        return services.incident_open(
            actor=compliance_user,
            title="Mis-sent statement batch",
            description="Statements mailed to the wrong addresses.",
            occurred_at=DISCOVERED - timedelta(days=1),
            discovered_at=DISCOVERED,
            severity="medium",
        )


def test_the_dpo_opens_an_incident_through_the_console(compliance_client):
    response = compliance_client.post(
        reverse("admin:compliance_incident_add"),
        {
            "title": "Phishing of an RM account",
            "description": "An RM's password was phished.",
            "occurred_at": "2026-01-10T08:00",
            "discovered_at": "2026-01-11T10:30",
            "severity": "critical",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert incident.severity == "critical"
    assert AuditEvent.objects.filter(action=AuditAction.INCIDENT_OPENED).count() == 1


def test_a_discovery_before_the_incident_goes_back_onto_the_form(compliance_client):
    response = compliance_client.post(
        reverse("admin:compliance_incident_add"),
        {
            "title": "Backwards",
            "description": "x",
            "occurred_at": "2026-01-11T08:00",
            "discovered_at": "2026-01-10T08:00",
            "severity": "low",
        },
    )
    assert response.status_code == 200
    assert "cannot be discovered before it happened" in response.content.decode()
    assert not Incident.objects.exists()


def test_the_incident_page_shows_each_clock_due_overdue_or_met(
    compliance_client, compliance_user, incident
):
    with time_machine.travel(DISCOVERED + timedelta(hours=10)):
        services.incident_notice_record(
            actor=compliance_user,
            incident=incident,
            recipient="subjects",
            addressee="Letters to the clients",
            sent_at=timezone.now(),
            reference="LTR-7",
        )
    change = reverse("admin:compliance_incident_change", args=[incident.pk])
    with time_machine.travel(DISCOVERED + timedelta(hours=20)):
        login_verified(compliance_client, compliance_user)  # sessions expire across the jump
        page = compliance_client.get(change).content.decode()
    assert 'class="clock-due"' in page
    assert 'class="clock-met"' in page
    with time_machine.travel(DISCOVERED + timedelta(hours=80)):
        login_verified(compliance_client, compliance_user)
        page = compliance_client.get(change).content.decode()
        listing = compliance_client.get(reverse("admin:compliance_incident_changelist"))
    assert 'class="clock-overdue"' in page
    assert "LTR-7" in page
    assert "overdue" in listing.content.decode()


def test_the_dpo_adds_the_contacts_an_account_saw(
    compliance_client, compliance_user, incident, rm_user
):
    seen = factories.make_contact(owner=rm_user)
    audit.contact_viewed(actor=rm_user, contact=seen)
    today = timezone.localdate().isoformat()
    response = compliance_client.post(
        reverse("admin:compliance_incident_seen_by", args=[incident.pk]),
        {"user": rm_user.pk, "start": today, "end": today},
    )
    assert response.status_code == 302
    assert list(incident.affected.values_list("contact_id", flat=True)) == [seen.pk]
    page = compliance_client.get(response["Location"]).content.decode()
    assert "1 contact affected." in page


def test_contact_ids_must_be_numbers(compliance_client, incident):
    url = reverse("admin:compliance_incident_contacts", args=[incident.pk])
    response = compliance_client.post(url, {"contact_ids": "12, Grace"})
    assert response.status_code == 200
    assert "numbers only" in response.content.decode()
    response = compliance_client.post(url, {"contact_ids": "12, 13\n14"})
    assert response.status_code == 302
    assert incident.affected.count() == 3


def test_the_dpo_records_a_decision_and_a_notice(compliance_client, incident):
    rule = BreachClockRule.objects.get(code="gdpr-authority")
    response = compliance_client.post(
        reverse("admin:compliance_incident_decide", args=[incident.pk]),
        {
            "decision": "Not reportable to the authority",
            "reason": "No EU residents affected.",
            "waives_clock": rule.pk,
        },
    )
    assert response.status_code == 302
    assert incident.decisions.get().waives_clock == rule
    response = compliance_client.post(
        reverse("admin:compliance_incident_notice", args=[incident.pk]),
        {
            "recipient": "subjects",
            "addressee": "Letters",
            "sent_at": (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
            "reference": "LTR-1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert incident.notices.get().reference == "LTR-1"


def test_incidents_cannot_be_deleted(compliance_client, incident):
    url = reverse("admin:compliance_incident_delete", args=[incident.pk])
    assert compliance_client.post(url, {"post": "yes"}).status_code == 403
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_an_administrator_has_no_access_to_the_register(admin_client_role, incident):
    assert admin_client_role.get(reverse("admin:compliance_incident_changelist")).status_code == 403
    url = reverse("admin:compliance_incident_contacts", args=[incident.pk])
    assert admin_client_role.post(url, {"contact_ids": "1"}).status_code == 403
    assert not incident.affected.exists()


def test_the_dpo_closes_an_incident_through_the_console(compliance_client, incident):
    management = {
        f"{prefix}-{key}": value
        for prefix in ("decisions", "notices")
        for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
    }
    local = timezone.localtime
    response = compliance_client.post(
        reverse("admin:compliance_incident_change", args=[incident.pk]),
        {
            "title": incident.title,
            "description": incident.description,
            "occurred_at": local(incident.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "discovered_at": local(incident.discovered_at).strftime("%Y-%m-%dT%H:%M"),
            "severity": incident.severity,
            "status": "closed",
            **management,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    incident.refresh_from_db()
    assert incident.status == "closed"
    assert incident.closed_at is not None
    event = AuditEvent.objects.get(action=AuditAction.INCIDENT_UPDATED)
    assert set(event.changes) == {"status", "closed_at"}


def test_the_incident_list_costs_the_same_for_1_or_5_incidents(compliance_client, compliance_user):
    url = reverse("admin:compliance_incident_changelist")

    def add(n: int) -> None:
        for i in range(n):
            with time_machine.travel(DISCOVERED + timedelta(hours=1)):
                incident = services.incident_open(
                    actor=compliance_user,
                    title=f"Incident {i}",
                    description="x",
                    occurred_at=DISCOVERED - timedelta(hours=1),
                    discovered_at=DISCOVERED,
                    severity="low",
                )
                services.incident_notice_record(
                    actor=compliance_user,
                    incident=incident,
                    recipient="authority",
                    addressee="FSC",
                    sent_at=DISCOVERED + timedelta(minutes=30),
                    reference=f"R-{i}",
                )

    add(1)
    compliance_client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert compliance_client.get(url).status_code == 200
    add(4)
    with CaptureQueriesContext(connection) as five:
        response = compliance_client.get(url)
    assert response.content.decode().count("R-") == 0  # references are on the incident page
    assert len(five) == len(one)
