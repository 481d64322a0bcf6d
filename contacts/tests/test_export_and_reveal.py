"""Exports and reveals: permission, privacy training, audit; masked by default."""

import csv
import io
import json

import pytest
from django.db import connection

from compliance import audit
from compliance.models import AuditAction, AuditEvent
from compliance.tests.factories import give_training
from contacts.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained_rm(rm_user):
    give_training(rm_user)
    return rm_user


def test_export_requires_current_training_and_says_why(rm_client, rm_user, contact):
    response = rm_client.get("/contacts/export/?format=csv", follow=True)
    assert response.redirect_chain[0][1] == 302
    assert "no privacy training on record" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_expired_training_blocks_export_with_the_date(rm_client, rm_user, contact):
    record = give_training(rm_user, valid_for_days=-1)
    response = rm_client.get("/contacts/export/?format=csv", follow=True)
    assert record.valid_until.isoformat() in response.content.decode()


def test_csv_export_is_the_current_filter_neutralised_and_audited(rm_client, trained_rm):
    factories.make_contact(owner=trained_rm, family_name="=HYPERLINK(1)", lifecycle_stage="client")
    factories.make_contact(owner=trained_rm, name_zh="林家豪", lifecycle_stage="prospect")
    factories.make_contact(owner=factories.rm(username="rm_other"), name_zh="王大明")
    response = rm_client.get("/contacts/export/?format=csv&lifecycle_stage=client&q=hyperlink")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 2  # header + the one client; the prospect and other book are out
    assert rows[1][3].startswith("'=")  # family name column, neutralised
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.actor == trained_rm
    assert event.detail["rows"] == 1
    assert event.detail["filters"] == {"lifecycle_stage": "client"}
    assert event.detail["searched"] is True
    assert "hyperlink" not in str(event.detail).lower()  # free text never stored


def test_xlsx_export_keeps_chinese_and_phones_as_text(rm_client, trained_rm, contact):
    from openpyxl import load_workbook

    from contacts.services.details import contact_point_add

    contact_point_add(actor=trained_rm, contact=contact, kind="phone", value="0912-345-678")
    response = rm_client.get("/contacts/export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][1] == "陳怡君 (Grace Chen)"
    assert rows[1][9] == "'+886912345678"


def test_roles_without_the_export_permission_get_403(client, db):
    reviewer = factories.UserFactory(roles=["reviewer"])
    client.force_login(reviewer)
    assert client.get("/contacts/export/").status_code == 403


def test_national_id_is_masked_on_the_page_and_never_in_clear_in_the_database(
    rm_client, trained_rm
):
    person = factories.make_contact(
        owner=trained_rm, national_id="A123456789", national_id_country="TW"
    )
    page = rm_client.get(f"/contacts/{person.pk}/").content.decode()
    assert "A123456789" not in page
    assert "6789" in page
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM contacts_contact WHERE id = %s", [person.pk])
        (stored,) = cursor.fetchone()
    assert "A123456789" not in stored


def test_revealing_needs_a_reason_training_and_is_audited(rm_client, rm_user):
    person = factories.make_contact(
        owner=rm_user, national_id="A123456789", national_id_country="TW"
    )
    url = f"/contacts/{person.pk}/reveal/"
    assert rm_client.post(url, {"reason": "short"}).status_code == 422
    untrained = rm_client.post(url, {"reason": "Verifying identity at the branch counter"})
    assert untrained.status_code == 403
    assert "A123456789" not in untrained.content.decode()
    give_training(rm_user)
    response = rm_client.post(url, {"reason": "Verifying identity at the branch counter"})
    assert response.status_code == 200
    assert "A123456789" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.REVEALED)
    assert event.contact_id == person.pk
    # The reason is the user's own words: a keyed hash salted per contact, never in clear.
    assert event.detail == {
        "field": "national_id",
        "reason": audit.personal_hash(
            "Verifying identity at the branch counter", contact_id=person.pk
        ),
    }
    assert "branch counter" not in json.dumps(event.detail)


def test_reveal_outside_the_book_is_404(client, trained_rm, other_rm):
    person = factories.make_contact(
        owner=other_rm, national_id="A123456789", national_id_country="TW"
    )
    client.force_login(trained_rm)
    response = client.post(f"/contacts/{person.pk}/reveal/", {"reason": "Curious about this one"})
    assert response.status_code == 404


def test_bulk_edit_needs_current_training(rm_client, rm_user, contact):
    from contacts.models import Tag

    tag = Tag.objects.filter(depth=1).first()
    response = rm_client.post(
        "/contacts/bulk/",
        {"action": "assign_tag", "tag": tag.pk, "contact_ids": [contact.pk]},
        follow=True,
    )
    assert "privacy training" in response.content.decode()
    assert not contact.tag_assignments.exists()
    give_training(rm_user)
    rm_client.post(
        "/contacts/bulk/", {"action": "assign_tag", "tag": tag.pk, "contact_ids": [contact.pk]}
    )
    assert contact.tag_assignments.filter(tag=tag).exists()


def test_account_numbers_are_encrypted_masked_and_revealed_only_with_a_reason(rm_client, rm_user):
    from contacts.services.details import account_add

    person = factories.make_contact(owner=rm_user)
    account = account_add(actor=rm_user, contact=person, kind="deposit", number="0123-4567-8901")
    assert account.number == "012345678901"
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM contacts_account WHERE id = %s", [account.pk])
        (stored,) = cursor.fetchone()
    assert "012345678901" not in stored

    page = rm_client.get(f"/contacts/{person.pk}/").content.decode()
    assert "012345678901" not in page
    assert account.number_masked in page

    give_training(rm_user)
    url = f"/contacts/{person.pk}/accounts/{account.pk}/reveal/"
    response = rm_client.post(url, {"reason": "Client asked to confirm the account"})
    assert "012345678901" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.REVEALED)
    assert event.detail["field"] == f"account:{account.pk}"


def test_a_bad_account_number_is_a_clear_error_and_nothing_is_saved(rm_client, rm_user):
    person = factories.make_contact(owner=rm_user)
    response = rm_client.post(
        f"/contacts/{person.pk}/accounts/add/", {"kind": "deposit", "number": "12"}
    )
    assert response.status_code == 422
    assert "4 to 34 letters and digits" in response.content.decode()
    assert not person.accounts.exists()
