"""The records of processing activities (GDPR Art. 30): built from the purposes and the
personal-data registry, shown to the DPO and downloadable through core.exports."""

import csv
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from compliance import registry, ropa
from compliance.models import AuditAction, AuditEvent, Purpose, RetentionPolicy

pytestmark = pytest.mark.django_db
URL = "admin:compliance_purpose_ropa"
CONTROLLER = {
    "name": "Example Bank Ltd.",
    "address": "1 Bank Road, Taipei",
    "contact": "privacy@bank.example",
    "representative": "",
    "dpo_name": "Carol Chen",
    "dpo_contact": "dpo@bank.example",
}


def test_the_report_lists_each_active_purpose_in_both_languages_with_its_bases():
    retired = Purpose.objects.get(code="marketing-post")
    Purpose.objects.filter(pk=retired.pk).update(is_active=False)
    purposes = {p.code: p for p in ropa.report().purposes}
    assert "marketing-post" not in purposes
    email = Purpose.objects.get(code="marketing-email")
    record = purposes["marketing-email"]
    assert (record.label_en, record.label_zh_hant) == (email.label_en, email.label_zh_hant)
    assert record.lawful_bases == ["Consent"]
    assert record.is_marketing


def test_the_report_covers_every_registered_table_with_personal_fields():
    tables = {d.table: d for d in ropa.report().data}
    expected = {e.label for e in registry.entries() if e.fields}
    assert set(tables) == expected
    contact = tables["contacts.Contact"]
    assert contact.category == "Identity and profile"
    assert ("notes", "anonymised") in contact.fields
    assert ("national ID", "cleared") in contact.fields


def test_every_registry_entry_states_its_category_of_personal_data():
    missing = [e.label for e in registry.entries() if e.fields and not e.category]
    assert not missing, missing


@override_settings(PRIVACY_CONTROLLER=CONTROLLER, PRIVACY_RECIPIENTS=["Mail house"])
def test_the_dpo_sees_the_report_with_the_controller_from_settings(compliance_client):
    response = compliance_client.get(reverse(URL))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Example Bank Ltd." in page
    assert "dpo@bank.example" in page
    assert "Mail house" in page
    assert Purpose.objects.get(code="marketing-email").label_zh_hant in page
    purposes = compliance_client.get(reverse("admin:compliance_purpose_changelist"))
    assert reverse(URL) in purposes.content.decode()


@override_settings(PRIVACY_CONTROLLER=CONTROLLER)
def test_the_report_downloads_as_csv_and_excel_and_each_download_is_audited(compliance_client):
    response = compliance_client.get(reverse(URL), {"_export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Section"
    assert rows[1][:3] == ["Controller", "Controller", "Example Bank Ltd."]
    assert any(r[0] == "Purpose" and r[1] == "marketing-email" for r in rows)
    assert any(r[0] == "Personal data" and r[1] == "contacts.Contact" for r in rows)
    response = compliance_client.get(reverse(URL), {"_export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=3).value == "Example Bank Ltd."
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORTED)
    assert sorted(exports.values_list("detail__format", flat=True)) == ["csv", "xlsx"]
    assert set(exports.values_list("object_type", flat=True)) == {"records-of-processing"}


def test_an_administrator_cannot_open_the_report(admin_client_role):
    assert admin_client_role.get(reverse(URL)).status_code == 403


@override_settings(AUDIT_RETENTION_YEARS=9)
def test_the_retention_column_comes_from_the_policies_the_kyc_hold_and_the_audit_setting():
    RetentionPolicy.objects.filter(category="prospect_inactive").update(years=4, is_active=True)
    report = ropa.report()
    tables = {d.table: d for d in report.data}
    contact = tables["contacts.Contact"].retention
    assert "Prospects with no interaction: erased after 4 years" in contact
    assert "KYC/AML hold: kept 5 years" in contact
    assert "national ID" in contact
    assert "KYC/AML" in tables["contacts.Account"].retention
    assert "KYC/AML" not in tables["contacts.Interaction"].retention
    assert all(d.retention != "not stated" for d in report.data)
    assert any("9 years" in r for r in report.other_retention)

    RetentionPolicy.objects.update(is_active=False)
    assert "Erased with the contact" in ropa.report().data[0].retention
