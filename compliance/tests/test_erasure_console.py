"""The DPO's erasure in the console: preview, typed confirmation, execution; holds and the
disclosure register administered there too."""

import datetime

import pytest
from django.urls import reverse

from compliance.erasure.services import erasure_preview
from compliance.models import (
    ContactRestriction,
    Disclosure,
    ErasureRecord,
    LegalHold,
    SuppressedIdentifier,
)
from compliance.tests.factories import give_training
from contacts.models import Contact
from contacts.services import details
from contacts.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(rm_user):
    person = factories.make_contact(owner=rm_user, family_name="Zhuangfeng", notes="Likes tea")
    details.contact_point_add(actor=rm_user, contact=person, kind="email", value="z@example.org")
    return person


def _url(contact):
    return reverse("admin:contacts_contact_erasure", args=[contact.pk])


def test_the_preview_lists_every_table_with_rows_and_erases_nothing(compliance_client, person):
    response = compliance_client.get(_url(person))

    assert response.status_code == 200
    page = response.content.decode()
    assert "contacts.ContactPoint" in page
    assert "contacts.Contact" in page
    assert not ErasureRecord.objects.exists()
    person.refresh_from_db()
    assert person.family_name == "Zhuangfeng"


def test_the_contact_page_in_the_console_links_to_the_erasure(compliance_client, person):
    response = compliance_client.get(reverse("admin:contacts_contact_change", args=[person.pk]))
    assert 'data-testid="erasure-link"' in response.content.decode()


def test_a_wrong_confirmation_erases_nothing(compliance_client, person):
    plan = erasure_preview(contact=person)
    response = compliance_client.post(
        _url(person),
        {"reason": "DSR 9", "confirmation": "yes", "fingerprint": plan.fingerprint},
    )
    assert response.status_code == 200
    assert not ErasureRecord.objects.exists()


def test_the_typed_confirmation_executes_the_previewed_plan(compliance_client, person):
    plan = erasure_preview(contact=person)
    response = compliance_client.post(
        _url(person),
        {
            "reason": "DSR 9",
            "request_id": "REQ-9",
            "confirmation": str(person.pk),
            "fingerprint": plan.fingerprint,
        },
    )
    record = ErasureRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:compliance_erasurerecord_change", args=[record.pk]
    )
    assert record.request_id == "REQ-9"
    person.refresh_from_db()
    assert person.family_name == "[erased]"
    assert SuppressedIdentifier.objects.filter(kind="email").exists()
    # The record page shows what was done.
    assert compliance_client.get(response["Location"]).status_code == 200


def test_a_stale_preview_is_refused(compliance_client, rm_user, person):
    plan = erasure_preview(contact=person)
    details.interaction_add(actor=rm_user, contact=person, channel="call", summary="Later")
    response = compliance_client.post(
        _url(person),
        {"reason": "DSR 9", "confirmation": str(person.pk), "fingerprint": plan.fingerprint},
    )
    assert response.status_code == 302
    assert response["Location"] == _url(person)
    assert not ErasureRecord.objects.exists()


def test_the_preview_names_the_statutory_hold_to_be_placed(compliance_client, rm_user):
    client = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    page = compliance_client.get(_url(client)).content.decode()
    assert "KYC/AML record keeping" in page
    assert "placed when the erasure is executed" in page
    assert not LegalHold.objects.exists()


def test_an_administrator_may_not_erase(admin_client_role, person):
    assert admin_client_role.get(_url(person)).status_code == 403


def test_the_compliance_view_of_an_erased_contact_is_marked(compliance_client, person, rm_user):
    from compliance.erasure.services import erasure_execute, legal_hold_place

    legal_hold_place(actor=rm_user, contact=person, kind="dispute", reason="Case 3")
    erasure_execute(contact=person, by=rm_user, reason="DSR")
    response = compliance_client.get(reverse("contacts:detail", args=[person.pk]))
    assert response.status_code == 200
    assert 'data-testid="erased-banner"' in response.content.decode()
    assert ContactRestriction.objects.filter(contact=person, kind="erased").exists()
    listing = compliance_client.get(reverse("admin:contacts_contact_changelist"))
    marked = {c.pk: c.is_erased for c in listing.context["cl"].result_list}
    assert marked == {person.pk: True}


def test_the_dpo_places_and_releases_a_legal_hold(compliance_client, person):
    ends = factories.today() + datetime.timedelta(days=30)
    response = compliance_client.post(
        reverse("admin:compliance_legalhold_add"),
        {
            "contact": person.pk,
            "kind": "dispute",
            "reason": "Case 2026-17",
            "starts_on": factories.today().isoformat(),
            "ends_on": ends.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    hold = LegalHold.objects.get()
    assert hold.ends_on == ends
    compliance_client.post(
        reverse("admin:compliance_legalhold_changelist"),
        {"action": "release", "_selected_action": [hold.pk]},
    )
    hold.refresh_from_db()
    assert hold.released_at is not None


def test_the_dpo_records_a_disclosure_in_the_console(compliance_client, person):
    response = compliance_client.post(
        reverse("admin:compliance_disclosure_add"),
        {
            "recipient": "Financial Supervisory Commission",
            "what": "KYC file",
            "legal_basis": "legal_obligation",
            "disclosed_at_0": factories.today().isoformat(),
            "disclosed_at_1": "10:00:00",
            "contact_numbers": f"{person.pk}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    disclosure = Disclosure.objects.get()
    assert disclosure.contact_count == 1
    assert list(disclosure.disclosed_contacts.values_list("contact_id", flat=True)) == [person.pk]


def test_unknown_contact_numbers_are_refused(compliance_client):
    response = compliance_client.post(
        reverse("admin:compliance_disclosure_add"),
        {
            "recipient": "Partner bank",
            "what": "Names",
            "legal_basis": "consent",
            "disclosed_at_0": factories.today().isoformat(),
            "disclosed_at_1": "10:00:00",
            "contact_numbers": "987654321",
        },
    )
    assert response.status_code == 200
    assert not Disclosure.objects.exists()


def test_the_contact_export_enters_the_disclosure_register(rm_client, rm_user, person):
    give_training(rm_user)
    other = factories.make_contact(owner=rm_user, family_name="Lin")

    response = rm_client.get(reverse("contacts:export"), {"format": "csv"})

    assert response.status_code == 200
    disclosure = Disclosure.objects.get()
    assert disclosure.contact_count == 2
    assert set(disclosure.disclosed_contacts.values_list("contact_id", flat=True)) == {
        person.pk,
        other.pk,
    }
    assert disclosure.disclosed_by == rm_user


def test_a_queryset_disclosure_is_stored_set_based(rm_user, person):
    from compliance.erasure.disclosure import disclosure_record

    factories.make_contact(owner=rm_user, family_name="Lin")
    contacts = Contact.objects.filter(owner=rm_user)
    disclosure = disclosure_record(
        actor=rm_user,
        recipient="Partner bank",
        what="Names",
        legal_basis="consent",
        contacts=contacts,
    )
    assert disclosure.contact_count == 2
    assert disclosure.disclosed_contacts.count() == 2
