"""The DPO's dashboard: requests by due date, consent coverage per marketing purpose and
channel, erasures and holds, incidents with their clocks. For compliance staff only."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from compliance import dashboard
from compliance.consent.services import consent_grant, consent_withdraw, privacy_notice_publish
from compliance.erasure.restriction import restriction_apply
from compliance.erasure.services import erasure_execute, legal_hold_place
from compliance.incidents.services import incident_open
from compliance.models import LegalHoldKind, PrivacyNotice, Purpose
from compliance.tests.factories import make_request
from contacts.models import LifecycleStage
from contacts.tests import factories

pytestmark = pytest.mark.django_db
URL = "admin:compliance_dpo_dashboard"


def coverage(code, channel):
    rows = {(r.purpose.code, r.channel): r for r in dashboard.consent_coverage(now=timezone.now())}
    return rows[(code, channel)]


@pytest.fixture
def notice(compliance_user):
    return privacy_notice_publish(
        actor=compliance_user,
        notice=PrivacyNotice(
            version="1",
            language="zh-hant",
            jurisdiction="TW",
            effective_from=dt.date(2024, 1, 1),
            url="https://bank.example/privacy",
        ),
    )


def test_the_dashboard_works_on_an_empty_database(compliance_client):
    response = compliance_client.get(reverse(URL))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No open incident." in page
    assert 'data-testid="held-waiting">0<' in page


def test_relationship_managers_are_refused(rm_client):
    assert rm_client.get(reverse(URL)).status_code == 403


def test_administrators_are_refused(admin_client_role):
    assert admin_client_role.get(reverse(URL)).status_code == 403


def test_the_admin_index_links_to_it_for_compliance_staff(compliance_client):
    assert reverse(URL) in compliance_client.get(reverse("admin:index")).content.decode()


def test_the_admin_index_has_no_link_for_administrators(admin_client_role):
    assert reverse(URL) not in admin_client_role.get(reverse("admin:index")).content.decode()


def test_requests_are_counted_by_their_answer_deadline(rm_user):
    person = factories.make_contact(owner=rm_user, country_of_residence="TW")
    make_request(contact=person, received_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    make_request(contact=person)  # access under the PDPA: 15 days
    make_request(contact=person, request_type="erasure")  # 30 days
    counts = dashboard.request_counts(today=timezone.localdate())
    assert counts == {"overdue": 1, "this_week": 0, "later": 2}
    with time_machine.travel(timezone.now() + dt.timedelta(days=10)):
        counts = dashboard.request_counts(today=timezone.localdate())
    assert counts == {"overdue": 1, "this_week": 1, "later": 1}


def test_consent_coverage_counts_consents_in_force_per_purpose_and_channel(
    rm_user, compliance_user, notice
):
    people = [factories.make_contact(owner=rm_user) for _ in range(4)]
    email = Purpose.objects.get(code="marketing-email")
    for person in people:
        consent_grant(
            actor=rm_user,
            contact=person,
            purpose=email,
            channel="email",
            source="web_form",
            notice=notice,
        )
    consent_withdraw(
        actor=rm_user, contact=people[1], purpose=email, channel="email", source="web_form"
    )
    consent_grant(
        actor=rm_user,
        contact=people[2],
        purpose=Purpose.objects.get(code="marketing-email"),
        channel="email",
        source="web_form",
        notice=notice,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    erasure_execute(contact=people[3], by=compliance_user, reason="DSR")

    row = coverage("marketing-email", "email")
    assert (row.consenting, row.contacts) == (2, 3)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert coverage("marketing-email", "email").consenting == 1


def test_consent_coverage_is_one_grouped_query_whatever_the_book(
    rm_user, notice, django_assert_num_queries
):
    email = Purpose.objects.get(code="marketing-email")
    for _ in range(5):
        consent_grant(
            actor=rm_user,
            contact=factories.make_contact(owner=rm_user),
            purpose=email,
            channel="email",
            source="web_form",
            notice=notice,
        )
    # The book's count, the grouped consents, the purposes.
    with django_assert_num_queries(3):
        dashboard.consent_coverage(now=timezone.now())


def test_erasures_holds_and_restrictions_are_counted(rm_user, compliance_user, compliance_client):
    ended = factories.today() - dt.timedelta(days=365)
    former = factories.make_contact(
        owner=rm_user,
        lifecycle_stage=LifecycleStage.FORMER_CLIENT,
        relationship_started_on=ended - dt.timedelta(days=900),
        relationship_ended_on=ended,
    )
    erasure_execute(contact=former, by=compliance_user, reason="DSR")
    erasure_execute(contact=factories.make_contact(owner=rm_user), by=compliance_user, reason="x")
    disputed = factories.make_contact(owner=rm_user)
    legal_hold_place(
        actor=compliance_user, contact=disputed, kind=LegalHoldKind.DISPUTE, reason="Case 9"
    )
    restriction_apply(actor=compliance_user, contact=disputed, reason="Contested")

    now = timezone.now()
    data = dashboard.erasures_and_holds(today=timezone.localdate(), now=now)
    assert data["erased_this_month"] == 2
    assert data["held_waiting"] == 1
    assert [h.contact_id for h in data["next_hold_ends"]] == [former.pk]
    assert data["next_hold_ends"][0].ends_on == ended.replace(year=ended.year + 5)
    assert sorted(data["holds_by_kind"]) == sorted(
        [(str(LegalHoldKind.KYC_AML.label), 1), (str(LegalHoldKind.DISPUTE.label), 1)]
    )
    assert data["restrictions"] == 1
    page = compliance_client.get(reverse(URL)).content.decode()
    assert 'data-testid="held-waiting">1<' in page
    ends = data["next_hold_ends"][0].ends_on.isoformat()
    assert f"{ends}: contact {former.pk} (KYC/AML" in page


def test_open_incidents_show_their_running_clocks(compliance_client, compliance_user):
    now = timezone.now()
    late = incident_open(
        actor=compliance_user,
        title="Lost laptop",
        description="A laptop was lost.",
        occurred_at=now - dt.timedelta(days=5),
        discovered_at=now - dt.timedelta(days=4),
        severity="high",
    )
    found = {i.incident.pk: i for i in dashboard.open_incidents(now=now)}
    assert found[late.pk].overdue
    assert "gdpr-authority" in [c.rule.code for c in found[late.pk].clocks]
    page = compliance_client.get(reverse(URL)).content.decode()
    assert "Lost laptop" in page
    assert "overdue" in page
