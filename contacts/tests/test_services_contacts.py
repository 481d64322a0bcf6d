"""contact_create and contact_update: entry rules, encryption, versions, audit."""

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from compliance.audit import personal_hash
from compliance.crypto import decrypt, lookup_hash
from compliance.models import AuditAction, AuditEvent
from contacts.models import Contact, LifecycleStage
from contacts.services.contacts import (
    StaleEditError,
    contact_bump_version,
    contact_create,
    contact_update,
)
from contacts.tests import factories

pytestmark = pytest.mark.django_db

NATIONAL_ID = "A123456789"


def raw_row(contact: Contact, *columns: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM contacts_contact WHERE id = %s",  # noqa: S608
            [contact.pk],
        )
        return cursor.fetchone()


def create(actor, **values) -> Contact:
    defaults = {"family_name": "Chen", "given_name": "Grace", "lifecycle_stage": "prospect"}
    return contact_create(actor=actor, **(defaults | values))


# --- contact_create ---------------------------------------------------------------------


def test_create_normalises_names_and_derives_the_display_name(rm_user):
    contact = create(rm_user, family_name="  CHEN ", given_name="grace", name_zh=" 陳怡君 ")
    contact.refresh_from_db()
    assert (contact.family_name, contact.given_name, contact.name_zh) == ("Chen", "Grace", "陳怡君")
    assert contact.display_name == "陳怡君 (Grace Chen)"


def test_create_puts_the_contact_in_the_actors_book_unless_an_owner_is_given(rm_user, other_rm):
    own = create(rm_user)
    theirs = create(rm_user, owner=other_rm)
    assert (own.owner, own.created_by) == (rm_user, rm_user)
    assert (theirs.owner, theirs.created_by) == (other_rm, rm_user)


def test_create_starts_at_version_one_with_search_tokens(rm_user):
    contact = create(rm_user, name_zh="陳怡君")
    contact.refresh_from_db()
    assert contact.version == 1
    assert " 怡君 " in contact.search_tokens
    assert " grace " in contact.search_tokens


def test_create_encrypts_the_national_id_at_rest(rm_user):
    contact = create(rm_user, national_id="a123-456-789", national_id_country="TW")
    stored, stored_hash = raw_row(contact, "national_id", "national_id_hash")
    assert NATIONAL_ID not in stored
    assert decrypt(stored) == NATIONAL_ID
    assert stored_hash == lookup_hash(NATIONAL_ID, scope="national_id")
    assert Contact.objects.get(pk=contact.pk).national_id == NATIONAL_ID


def test_the_national_id_hash_finds_the_contact(rm_user):
    contact = create(rm_user, national_id=NATIONAL_ID, national_id_country="TW")
    found = Contact.objects.get(national_id_hash=lookup_hash(NATIONAL_ID, scope="national_id"))
    assert found == contact
    assert found.national_id_masked == "••••••6789"


def test_create_without_a_national_id_stores_no_hash(rm_user):
    contact = create(rm_user)
    assert raw_row(contact, "national_id", "national_id_hash") == ("", "")


@pytest.mark.parametrize(
    "names",
    [
        {"family_name": "", "given_name": ""},
        {"family_name": "   ", "given_name": "\u3000"},
    ],
)
def test_create_needs_at_least_one_name(rm_user, names):
    with pytest.raises(ValidationError) as error:
        create(rm_user, **names)
    assert "family_name" in error.value.message_dict
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "names", [{"name_zh": "陳怡君"}, {"preferred_name": "Grace"}, {"name_romanised": "Chen Yi"}]
)
def test_any_one_name_is_enough(rm_user, names):
    contact = create(rm_user, family_name="", given_name="", **names)
    assert contact.display_name


def test_bad_national_id_saves_nothing_and_writes_no_audit_event(rm_user, contact):
    contacts_before, events_before = Contact.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        create(rm_user, national_id="A123456788", national_id_country="TW")
    assert list(error.value.message_dict) == ["national_id"]
    assert Contact.objects.count() == contacts_before
    assert AuditEvent.objects.count() == events_before


def test_national_id_without_its_country_is_refused(rm_user):
    with pytest.raises(ValidationError) as error:
        create(rm_user, national_id=NATIONAL_ID)
    assert "national_id" in error.value.message_dict


def test_every_entry_error_is_reported_at_once(rm_user):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        create(
            rm_user,
            family_name="",
            given_name="",
            date_of_birth=tomorrow,
            national_id="A123456788",
            national_id_country="TW",
        )
    assert set(error.value.message_dict) == {"family_name", "date_of_birth", "national_id"}


def test_a_date_of_death_marks_the_contact_deceased(rm_user):
    contact = create(rm_user, deceased_on=date(2024, 1, 2))
    assert contact.is_deceased


def test_a_date_of_death_in_the_future_is_refused(rm_user):
    with pytest.raises(ValidationError) as error:
        create(rm_user, deceased_on=timezone.localdate() + timedelta(days=1))
    assert "deceased_on" in error.value.message_dict


def test_an_unknown_lifecycle_stage_is_refused(rm_user):
    with pytest.raises(ValidationError) as error:
        create(rm_user, lifecycle_stage="friend")
    assert "lifecycle_stage" in error.value.message_dict
    assert not Contact.objects.exists()


def test_fields_that_have_their_own_service_cannot_be_set_on_create(rm_user):
    with pytest.raises(TypeError):
        create(rm_user, risk_level="aggressive")


def test_create_writes_one_audit_event_with_personal_values_hashed(rm_user):
    contact = create(
        rm_user,
        national_id=NATIONAL_ID,
        national_id_country="TW",
        date_of_birth=date(1980, 5, 17),
    )
    event = AuditEvent.objects.get(contact_id=contact.pk, action=AuditAction.CONTACT_CREATED)
    assert event.action == AuditAction.CONTACT_CREATED
    assert (event.actor, event.object_type, event.object_id) == (
        rm_user,
        "contacts.Contact",
        str(contact.pk),
    )
    changes = event.changes
    assert changes["national_id"]["new"] == personal_hash(NATIONAL_ID, contact_id=contact.pk)
    assert changes["family_name"]["new"] == personal_hash("Chen", contact_id=contact.pk)
    assert changes["date_of_birth"]["new"].startswith("h:")
    assert changes["lifecycle_stage"] == {"old": None, "new": "prospect"}
    assert changes["national_id_country"] == {"old": None, "new": "TW"}
    dumped = json.dumps(changes, ensure_ascii=False)
    for clear in (NATIONAL_ID, "Chen", "Grace", "1980-05-17"):
        assert clear not in dumped


# --- contact_update ---------------------------------------------------------------------


def test_update_saves_bumps_the_version_and_refreshes_the_display_name(rm_user, contact):
    updated = contact_update(
        actor=rm_user, contact=contact, expected_version=1, family_name="lin", name_zh="林怡君"
    )
    assert updated.version == 2
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.family_name, stored.version) == ("Lin", 2)
    assert stored.display_name == "林怡君 (Grace Lin)"


def test_update_refreshes_search_tokens_when_a_name_changes(rm_user, contact):
    contact_update(actor=rm_user, contact=contact, expected_version=1, name_zh="林怡君")
    tokens = Contact.objects.get(pk=contact.pk).search_tokens
    assert " 林 " in tokens
    assert " 陳 " not in tokens


def test_update_of_a_single_field_keeps_the_others(rm_user, contact):
    contact_update(actor=rm_user, contact=contact, expected_version=1, notes="Prefers calls")
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.notes, stored.name_zh, stored.version) == ("Prefers calls", "陳怡君", 2)


def test_update_of_the_national_id_alone_uses_the_country_on_file(rm_user):
    contact = create(rm_user, national_id=NATIONAL_ID, national_id_country="TW")
    contact_update(actor=rm_user, contact=contact, expected_version=1, national_id="B123456780")
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.national_id == "B123456780"
    assert stored.national_id_hash == lookup_hash("B123456780", scope="national_id")


def test_update_cannot_remove_the_last_name(rm_user, contact):
    with pytest.raises(ValidationError) as error:
        contact_update(
            actor=rm_user,
            contact=contact,
            expected_version=1,
            family_name="",
            given_name="",
            name_zh="",
            preferred_name="",
        )
    assert "family_name" in error.value.message_dict
    assert Contact.objects.get(pk=contact.pk).name_zh == "陳怡君"


def test_update_writes_only_the_changed_fields_to_the_audit_log(rm_user, contact):
    contact_update(
        actor=rm_user,
        contact=contact,
        expected_version=1,
        family_name="Lin",
        name_zh="陳怡君",  # unchanged
        lifecycle_stage=LifecycleStage.CLIENT,
    )
    event = AuditEvent.objects.get(contact_id=contact.pk, action=AuditAction.CONTACT_UPDATED)
    assert set(event.changes) == {"family_name", "lifecycle_stage"}
    assert event.changes["family_name"] == {
        "old": personal_hash("Chen", contact_id=contact.pk),
        "new": personal_hash("Lin", contact_id=contact.pk),
    }
    assert event.changes["lifecycle_stage"] == {"old": "prospect", "new": "client"}


def test_a_stale_edit_is_refused_and_lists_what_changed_meanwhile(rm_user, other_rm, contact):
    contact_update(actor=other_rm, contact=contact, expected_version=1, family_name="Lin")
    events_before = AuditEvent.objects.count()

    with pytest.raises(StaleEditError) as error:
        contact_update(
            actor=rm_user,
            contact=contact,
            expected_version=1,
            family_name="Wang",
            name_zh="陳怡君",  # what the colleague left alone
            notes="Met at the seminar",
        )

    changes = {c.field: c.current for c in error.value.changes}
    assert changes == {"family_name": "Lin", "notes": ""}
    assert error.value.contact.version == 2
    assert error.value.message
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.family_name, stored.notes, stored.version) == ("Lin", "", 2)
    assert AuditEvent.objects.count() == events_before


def test_a_stale_edit_labels_fields_for_the_user(rm_user, other_rm, contact):
    contact_update(actor=other_rm, contact=contact, expected_version=1, family_name="Lin")
    with pytest.raises(StaleEditError) as error:
        contact_update(actor=rm_user, contact=contact, expected_version=1, family_name="Wang")
    assert [c.label for c in error.value.changes] == ["family name"]


def test_a_no_op_update_keeps_the_version_and_writes_no_event(rm_user, contact):
    events_before = AuditEvent.objects.count()
    result = contact_update(
        actor=rm_user, contact=contact, expected_version=1, family_name="chen", name_zh="陳怡君"
    )
    assert result.version == 1
    assert Contact.objects.get(pk=contact.pk).version == 1
    assert AuditEvent.objects.count() == events_before


def test_an_invalid_update_saves_nothing(rm_user, contact):
    with pytest.raises(ValidationError):
        contact_update(
            actor=rm_user,
            contact=contact,
            expected_version=1,
            family_name="Lin",
            date_of_birth=timezone.localdate() + timedelta(days=1),
        )
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.family_name, stored.version) == ("Chen", 1)


def test_update_refuses_fields_that_have_their_own_service(rm_user, contact):
    with pytest.raises(TypeError):
        contact_update(actor=rm_user, contact=contact, expected_version=1, owner=rm_user)


def test_bumping_the_version_refuses_an_edit_opened_before(rm_user, contact):
    contact_bump_version(contact)
    assert contact.version == 2
    with pytest.raises(StaleEditError):
        contact_update(actor=rm_user, contact=contact, expected_version=1, notes="x")


def test_make_contact_factory_builds_through_the_service(rm_user):
    contact = factories.make_contact(owner=rm_user)
    assert AuditEvent.objects.filter(contact_id=contact.pk).exists()


def test_if_the_audit_write_fails_the_change_fails_too(rm_user, contact, monkeypatch):
    from compliance.models import AuditEvent
    from contacts.models import Contact
    from contacts.services.contacts import contact_update

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(AuditEvent.objects, "create", broken)
    with pytest.raises(RuntimeError):
        contact_update(actor=rm_user, contact=contact, expected_version=1, notes="Changed")
    with pytest.raises(RuntimeError):
        factories.make_contact(owner=rm_user, family_name="Nobody")
    contact.refresh_from_db()
    assert contact.notes == ""
    assert contact.version == 1
    assert not Contact.objects.filter(family_name="Nobody").exists()
