"""The consent ledger in the DPO's console: read-only, filterable, searchable by contact id,
exportable (and the export audited)."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.consent import services
from compliance.models import (
    AuditAction,
    AuditEvent,
    ConsentEvent,
    ConsentSource,
    Jurisdiction,
    NoticeLanguage,
    PrivacyNotice,
    Purpose,
)
from contacts.tests import factories

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:compliance_consentevent_changelist"


@pytest.fixture
def ledger(compliance_user, rm_user):
    notice = services.privacy_notice_publish(
        actor=compliance_user,
        notice=PrivacyNotice(
            version="1",
            language=NoticeLanguage.CHINESE,
            jurisdiction=Jurisdiction.TAIWAN,
            effective_from=date(2024, 1, 1),
            url="https://bank.example/privacy",
        ),
    )
    first = factories.make_contact(owner=rm_user)
    second = factories.make_contact(owner=rm_user)
    email = Purpose.objects.get(code="marketing-email")
    services.consent_grant(
        actor=rm_user,
        contact=first,
        purpose=email,
        channel="email",
        source=ConsentSource.WEB_FORM,
        notice=notice,
        evidence_reference="=HYPERLINK(form-7)",
    )
    services.consent_grant(
        actor=rm_user,
        contact=second,
        purpose=email,
        channel="email",
        source=ConsentSource.BRANCH,
        notice=notice,
    )
    services.consent_withdraw(
        actor=rm_user, contact=second, purpose=email, channel="email", source=ConsentSource.BRANCH
    )
    return first, second


def _shown(response) -> list[ConsentEvent]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_dpo_browses_the_ledger_by_kind_and_source(compliance_client, ledger):
    _first, second = ledger
    withdrawals = _shown(compliance_client.get(reverse(CHANGELIST), {"kind": "withdraw"}))
    assert [e.contact_id for e in withdrawals] == [second.pk]
    by_branch = _shown(compliance_client.get(reverse(CHANGELIST), {"source": "branch"}))
    assert {e.contact_id for e in by_branch} == {second.pk}
    assert len(by_branch) == 2


def test_the_ledger_is_searchable_and_filterable_by_contact_id(compliance_client, ledger):
    first, second = ledger
    found = _shown(compliance_client.get(reverse(CHANGELIST), {"q": str(first.pk)}))
    assert {e.contact_id for e in found} == {first.pk}
    filtered = _shown(compliance_client.get(reverse(CHANGELIST), {"contact": str(second.pk)}))
    assert {e.contact_id for e in filtered} == {second.pk}
    assert _shown(compliance_client.get(reverse(CHANGELIST), {"q": "Grace"})) == []


def test_the_ledger_cannot_be_added_to_changed_or_deleted_in_the_console(compliance_client, ledger):
    event = ConsentEvent.objects.filter(contact=ledger[0]).get()
    assert compliance_client.get(reverse("admin:compliance_consentevent_add")).status_code == 403
    page = compliance_client.get(reverse("admin:compliance_consentevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    delete = reverse("admin:compliance_consentevent_delete", args=[event.pk])
    assert compliance_client.post(delete, {"post": "yes"}).status_code == 403
    assert ConsentEvent.objects.filter(pk=event.pk).exists()


def test_exporting_the_ledger_writes_the_filtered_rows_and_audits_whose_data_left(
    compliance_client, ledger
):
    first, _second = ledger
    response = compliance_client.get(reverse(CHANGELIST), {"source": "web_form", "_export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][1] == str(first.pk)
    assert rows[1][7] == "'=HYPERLINK(form-7)"  # made safe for spreadsheets
    export = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert export.object_type == "consent-ledger"
    assert export.detail["contact_ids"] == [first.pk]
    assert export.detail["filters"] == {"source": "web_form"}


def test_the_ledger_exports_as_excel(compliance_client, ledger):
    response = compliance_client.get(reverse(CHANGELIST), {"_export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')


def test_an_administrator_cannot_browse_the_ledger(admin_client_role, ledger):
    assert admin_client_role.get(reverse(CHANGELIST)).status_code == 403
    assert admin_client_role.get(reverse(CHANGELIST), {"_export": "csv"}).status_code == 403


def test_the_ledger_list_costs_the_same_for_few_or_many_events(compliance_client, ledger, rm_user):
    compliance_client.get(reverse(CHANGELIST))
    with CaptureQueriesContext(connection) as few:
        compliance_client.get(reverse(CHANGELIST))
    for _ in range(4):
        services.consent_withdraw(
            actor=rm_user,
            contact=factories.make_contact(owner=rm_user),
            purpose=Purpose.objects.get(code="marketing-email"),
            channel="email",
            source=ConsentSource.BRANCH,
        )
    with CaptureQueriesContext(connection) as many:
        compliance_client.get(reverse(CHANGELIST))
    assert len(many) == len(few)
