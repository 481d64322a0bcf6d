"""Restricted notes and special-category flags: the flag is computed when the text is saved
and again on every edit; a restricted note or interaction is shown only to the contact's RM
and compliance; a covering RM or team lead sees a placeholder; the RM is told what needs
their attention."""

import datetime

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compliance.models import AuditAction, AuditEvent
from contacts.forms import SEEN_SALT
from contacts.models import BookCover, Contact
from contacts.services import details
from contacts.services.contacts import contact_notes_restrict, contact_update
from contacts.tests import factories
from core.testing import login_verified

pytestmark = pytest.mark.django_db
SECRET = "Diagnosed with diabetes in 2024; keep calls short"


@pytest.fixture
def flagged(rm_user):
    return factories.make_contact(owner=rm_user, family_name="Lin", notes=SECRET)


@pytest.fixture
def covering_rm(rm_user, other_rm):
    BookCover.objects.create(
        owner=rm_user,
        covered_by=other_rm,
        starts_on=factories.today(),
        ends_on=factories.today() + datetime.timedelta(days=7),
        granted_by=rm_user,
    )
    return other_rm


@pytest.fixture
def team_lead(rm_user):
    lead = factories.team_lead(username="lead_erin")
    factories.team_of(lead, rm_user)
    return lead


def page(client, contact) -> str:
    response = client.get(reverse("contacts:detail", args=[contact.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- the flag, in the services ----------------------------------------------------------------


def test_saving_notes_stores_the_special_categories_found(flagged):
    assert flagged.notes_flags == ["health"]


def test_editing_out_the_sensitive_text_clears_the_flag(flagged, rm_user):
    updated = contact_update(
        actor=rm_user,
        contact=flagged,
        expected_version=flagged.version,
        notes="Keep calls short; prefers mornings",
    )
    assert updated.notes_flags == []
    assert Contact.objects.get(pk=flagged.pk).notes_flags == []
    updated = contact_update(
        actor=rm_user, contact=updated, expected_version=updated.version, notes="他有前科"
    )
    assert Contact.objects.get(pk=flagged.pk).notes_flags == ["criminal"]


def test_an_interaction_summary_is_flagged_when_added_and_again_when_edited(contact, rm_user):
    interaction = details.interaction_add(
        actor=rm_user, contact=contact, channel="call", summary="客戶罹患癌症，下月住院"
    )
    assert interaction.sensitive_flags == ["health"]
    edited = details.interaction_update(
        actor=rm_user, interaction=interaction, summary="Client will be away next month"
    )
    assert edited.sensitive_flags == []
    event = AuditEvent.objects.filter(
        action=AuditAction.RECORD_UPDATED, object_id=str(interaction.pk)
    ).get()
    assert set(event.changes) == {"summary", "sensitive_flags"}
    assert event.changes["summary"]["old"].startswith("h:")  # hashed, never in clear


def test_the_owner_and_compliance_may_restrict_a_covering_rm_may_not(
    flagged, rm_user, covering_rm, compliance_user
):
    with pytest.raises(PermissionDenied):
        contact_notes_restrict(actor=covering_rm, contact=flagged, restricted=True)
    restricted = contact_notes_restrict(actor=rm_user, contact=flagged, restricted=True)
    assert restricted.notes_restricted
    lifted = contact_notes_restrict(actor=compliance_user, contact=flagged, restricted=False)
    assert not lifted.notes_restricted
    changes = [
        e.changes["notes_restricted"]
        for e in AuditEvent.objects.filter(contact_id=flagged.pk).order_by("id")
        if "notes_restricted" in e.changes
    ]
    assert changes == [{"old": False, "new": True}, {"old": True, "new": False}]


def test_a_covering_rm_cannot_edit_restricted_notes_or_interactions(flagged, rm_user, covering_rm):
    contact = contact_notes_restrict(actor=rm_user, contact=flagged, restricted=True)
    with pytest.raises(ValidationError):
        contact_update(
            actor=covering_rm, contact=contact, expected_version=contact.version, notes="x"
        )
    interaction = details.interaction_add(
        actor=rm_user, contact=contact, channel="call", summary="Pregnant, due in May"
    )
    with pytest.raises(PermissionDenied):
        details.interaction_update(actor=covering_rm, interaction=interaction, summary="x")
    with pytest.raises(PermissionDenied):
        details.interaction_restrict(actor=covering_rm, interaction=interaction, restricted=True)
    assert Contact.objects.get(pk=contact.pk).notes == SECRET


# --- who sees what ------------------------------------------------------------------------------


def test_the_owner_is_shown_the_categories_found_and_the_two_actions(rm_client, flagged):
    html = page(rm_client, flagged)
    assert SECRET in html
    assert 'data-testid="sensitive-notes"' in html
    assert "health" in html
    assert reverse("contacts:notes_restrict", args=[flagged.pk]) in html
    assert reverse("contacts:edit", args=[flagged.pk]) in html


def test_a_restricted_note_is_a_placeholder_for_a_covering_rm_and_a_team_lead(
    client, flagged, rm_user, covering_rm, team_lead, compliance_user
):
    contact_notes_restrict(actor=rm_user, contact=flagged, restricted=True)
    for viewer in (covering_rm, team_lead):
        client.force_login(viewer)
        html = page(client, flagged)
        assert SECRET not in html
        assert 'data-testid="restricted-note"' in html
        assert reverse("contacts:notes_restrict", args=[flagged.pk]) not in html
    login_verified(client, compliance_user)
    assert SECRET in page(client, flagged)


def test_an_unrestricted_note_is_seen_by_whoever_sees_the_contact(client, flagged, covering_rm):
    client.force_login(covering_rm)
    html = page(client, flagged)
    assert SECRET in html
    assert 'data-testid="sensitive-notes"' not in html  # the flag is for the owner


def test_the_edit_form_never_sends_restricted_notes_to_a_covering_rm(
    client, flagged, rm_user, covering_rm
):
    contact_notes_restrict(actor=rm_user, contact=flagged, restricted=True)
    client.force_login(covering_rm)
    response = client.get(reverse("contacts:edit", args=[flagged.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert SECRET not in html
    assert 'name="notes"' not in html
    seen = signing.loads(response.context["form"]["seen"].value(), salt=SEEN_SALT)
    assert SECRET not in str(seen)
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else str(value)
    data["given_name"] = "Mei"
    response = client.post(reverse("contacts:edit", args=[flagged.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get(pk=flagged.pk)
    assert (contact.given_name, contact.notes) == ("Mei", SECRET)


def test_a_restricted_interaction_is_a_placeholder_for_others(
    client, contact, rm_user, covering_rm
):
    interaction = details.interaction_add(
        actor=rm_user,
        contact=contact,
        channel="meeting",
        summary="Talked about his DPP party member work",
    )
    rm = client
    rm.force_login(rm_user)
    response = rm.post(
        reverse("contacts:interaction_restrict", args=[contact.pk, interaction.pk]),
        {"restricted": "1"},
    )
    assert response.status_code == 302
    client.force_login(covering_rm)
    html = page(client, contact)
    assert "DPP party" not in html
    assert 'data-testid="restricted-note"' in html
    response = client.post(
        reverse("contacts:interaction_restrict", args=[contact.pk, interaction.pk]),
        {"restricted": "0"},
    )
    assert response.status_code == 403
    response = client.get(reverse("contacts:interaction_edit", args=[contact.pk, interaction.pk]))
    assert response.status_code == 403


def test_the_owner_edits_the_sensitive_text_out_of_an_interaction(rm_client, contact, rm_user):
    interaction = details.interaction_add(
        actor=rm_user, contact=contact, channel="call", summary="因憂鬱症請假，下月再聯絡"
    )
    url = reverse("contacts:interaction_edit", args=[contact.pk, interaction.pk])
    form = rm_client.get(url)
    assert form.status_code == 200
    assert "因憂鬱症" in form.content.decode()
    response = rm_client.post(url, {"summary": "下月再聯絡"})
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert (interaction.summary, interaction.sensitive_flags) == ("下月再聯絡", [])
    assert rm_client.post(url, {"summary": ""}).status_code == 422


def test_the_home_page_lists_the_notes_that_need_the_rms_attention(
    rm_client, flagged, rm_user, contact
):
    details.interaction_add(
        actor=rm_user,
        contact=contact,
        channel="call",
        summary="He is a union member of a trade union",
    )
    html = rm_client.get(reverse("home")).content.decode()
    assert 'data-testid="attention"' in html
    assert flagged.display_name in html
    assert "trade-union membership" in html
    contact_notes_restrict(actor=rm_user, contact=flagged, restricted=True)
    html = rm_client.get(reverse("home")).content.decode()
    assert "Notes: health" not in html


def test_a_covering_rms_home_page_hides_restricted_summaries(client, contact, rm_user, covering_rm):
    interaction = details.interaction_add(
        actor=rm_user, contact=contact, channel="call", summary="Convicted of fraud in 2010"
    )
    details.interaction_restrict(actor=rm_user, interaction=interaction, restricted=True)
    client.force_login(covering_rm)
    html = client.get(reverse("home")).content.decode()
    assert "Convicted" not in html
    assert "Restricted note" in html
    assert 'data-testid="attention"' not in html  # only the owner acts on it


def test_restricted_notes_stay_out_of_list_exports(client, flagged, rm_user):
    from compliance.tests.factories import give_training

    contact_notes_restrict(actor=rm_user, contact=flagged, restricted=True)
    give_training(rm_user)
    client.force_login(rm_user)
    response = client.get(reverse("contacts:export"), {"format": "csv"})
    assert response.status_code == 200
    assert SECRET.encode() not in response.content


def test_an_erased_contacts_flagged_notes_leave_the_home_page(rm_client, flagged, rm_user):
    from compliance.erasure.services import erasure_execute

    details.interaction_add(
        actor=rm_user, contact=flagged, channel="call", summary="Convicted of fraud in 2010"
    )
    assert 'data-testid="attention"' in rm_client.get(reverse("home")).content.decode()
    erasure_execute(contact=flagged, by=factories.compliance_officer(), reason="GDPR Art. 17")
    html = rm_client.get(reverse("home")).content.decode()
    assert 'data-testid="attention"' not in html
    assert "[erased]" not in html
