"""The audit log's one door: redaction, per-contact salts, request context."""

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from compliance import audit
from compliance.models import AuditAction, AuditEvent, ContactSalt
from contacts.models import Contact, ContactPoint
from contacts.tests import factories
from core import context

pytestmark = pytest.mark.django_db


# --- redact_changes ---------------------------------------------------------------------


def test_registered_personal_fields_are_hashed_and_the_rest_kept_clear(contact):
    redacted = audit.redact_changes(
        Contact,
        {
            "family_name": ("Chen", "Lin"),
            "national_id": ("", "A123456789"),
            "lifecycle_stage": ("prospect", "client"),
            "do_not_contact": (False, True),
        },
        contact_id=contact.pk,
    )
    assert redacted["family_name"] == {
        "old": audit.personal_hash("Chen", contact_id=contact.pk),
        "new": audit.personal_hash("Lin", contact_id=contact.pk),
    }
    assert redacted["national_id"]["old"] == ""
    assert redacted["national_id"]["new"].startswith("h:")
    assert redacted["lifecycle_stage"] == {"old": "prospect", "new": "client"}
    assert redacted["do_not_contact"] == {"old": False, "new": True}
    assert "A123456789" not in json.dumps(redacted)


def test_the_registry_is_asked_per_model(contact):
    # "value" is personal on a contact point, and not a field of Contact at all.
    assert audit.redact_changes(ContactPoint, {"value": (None, "0912")}, contact_id=contact.pk)[
        "value"
    ]["new"].startswith("h:")
    assert audit.redact_changes(ContactPoint, {"kind": (None, "phone")}, contact_id=contact.pk)[
        "kind"
    ] == {"old": None, "new": "phone"}


def test_clear_values_are_made_json_ready(contact, rm_user):
    when = datetime(2025, 3, 10, 9, 30, tzinfo=ZoneInfo("Asia/Taipei"))
    redacted = audit.redact_changes(
        Contact,
        {
            "next_review_due": (None, date(2025, 3, 10)),
            "updated_at": (None, when),
            "owner": (None, rm_user),
            "score": (None, Decimal("1.50")),
        },
        contact_id=contact.pk,
    )
    assert redacted["next_review_due"]["new"] == "2025-03-10"
    assert redacted["updated_at"]["new"] == when.isoformat()
    assert redacted["owner"]["new"] == rm_user.pk
    assert redacted["score"]["new"] == "1.50"
    json.dumps(redacted)


def test_personal_values_are_never_clear_even_without_a_contact():
    redacted = audit.redact_changes(
        Contact,
        {"national_id": ("", "A123456789"), "lifecycle_stage": (None, "client")},
        contact_id=None,
    )
    assert redacted["national_id"] == {"old": "", "new": audit.REDACTED}
    assert redacted["lifecycle_stage"] == {"old": None, "new": "client"}


# --- per-contact salts ------------------------------------------------------------------


def test_the_same_value_hashes_the_same_for_one_contact(contact):
    first = audit.personal_hash("0912345678", contact_id=contact.pk)
    assert first == audit.personal_hash("0912345678", contact_id=contact.pk)
    assert first.startswith("h:")
    assert len(first) == 34


def test_the_same_value_hashes_differently_for_two_contacts(rm_user, contact):
    other = factories.make_contact(owner=rm_user)
    assert audit.personal_hash("Chen", contact_id=contact.pk) != audit.personal_hash(
        "Chen", contact_id=other.pk
    )


def test_different_values_hash_differently(contact):
    assert audit.personal_hash("Chen", contact_id=contact.pk) != audit.personal_hash(
        "Lin", contact_id=contact.pk
    )


def test_nothing_hashes_to_nothing(contact):
    assert audit.personal_hash("", contact_id=contact.pk) == ""
    assert audit.personal_hash(None, contact_id=contact.pk) == ""


def test_values_hash_by_their_text(contact):
    assert audit.personal_hash(date(1980, 1, 1), contact_id=contact.pk) == audit.personal_hash(
        "1980-01-01", contact_id=contact.pk
    )


def test_one_salt_per_contact_is_kept(rm_user):
    contact = factories.make_contact(
        owner=rm_user, national_id="A123456789", national_id_country="TW"
    )
    audit.personal_hash("x", contact_id=contact.pk)
    assert ContactSalt.objects.filter(contact_id=contact.pk).count() == 1


def test_the_hash_depends_on_the_hash_key(settings, contact):
    before = audit.personal_hash("Chen", contact_id=contact.pk)
    settings.HASH_KEY = "another-hash-key"
    assert audit.personal_hash("Chen", contact_id=contact.pk) != before


def test_destroying_the_salt_unlinks_old_events_from_the_contact(contact):
    """Erasure deletes the salt: the same value then hashes to something new, so the
    hashes already in the log can no longer be matched to the person."""
    event = AuditEvent.objects.get(contact_id=contact.pk, action=AuditAction.CONTACT_CREATED)
    logged = event.changes["name_zh"]["new"]
    assert logged == audit.personal_hash("陳怡君", contact_id=contact.pk)

    ContactSalt.objects.filter(contact_id=contact.pk).delete()

    assert audit.personal_hash("陳怡君", contact_id=contact.pk) != logged


# --- writing events ---------------------------------------------------------------------


def test_an_event_records_the_request_context(rm_user):
    with context.acting(ip_address="203.0.113.7", request_id="req-42", via="web"):
        contact = factories.make_contact(owner=rm_user)
    event = AuditEvent.objects.get(contact_id=contact.pk, action=AuditAction.CONTACT_CREATED)
    assert (event.ip_address, event.request_id, event.via) == ("203.0.113.7", "req-42", "web")


def test_an_event_outside_any_request_is_from_the_system(rm_user):
    contact = factories.make_contact(owner=rm_user)
    event = AuditEvent.objects.get(contact_id=contact.pk, action=AuditAction.CONTACT_CREATED)
    assert (event.ip_address, event.request_id, event.via) == (None, "", "system")


def test_acting_without_a_request_id_makes_one_and_restores_the_outer_context(rm_user):
    with context.acting(via="job") as ctx:
        assert len(ctx.request_id) == 32
        with context.acting(ip_address="198.51.100.1", request_id="inner", via="web"):
            assert context.current().request_id == "inner"
        assert context.current() == ctx
        contact = factories.make_contact(owner=rm_user)
    assert context.current().via == "system"
    event = AuditEvent.objects.get(contact_id=contact.pk, action=AuditAction.CONTACT_CREATED)
    assert (event.request_id, event.via) == (ctx.request_id, "job")


def test_an_anonymous_actor_is_recorded_as_nobody(contact):
    event = audit.contact_viewed(actor=AnonymousUser(), contact=contact)
    assert event.actor is None
    assert event.action == AuditAction.CONTACT_VIEWED


def test_an_update_that_changes_nothing_writes_no_event(rm_user, contact):
    events_before = AuditEvent.objects.count()
    result = audit.record_updated(
        actor=rm_user, obj=contact, contact_id=contact.pk, changes={"notes": ("a", "a")}
    )
    assert result is None
    assert AuditEvent.objects.count() == events_before


def test_an_update_records_only_the_values_that_changed(rm_user, contact):
    event = audit.record_updated(
        actor=rm_user,
        obj=contact,
        contact_id=contact.pk,
        changes={"notes": ("a", "a"), "lifecycle_stage": ("prospect", "client")},
    )
    assert event.action == AuditAction.CONTACT_UPDATED
    assert event.changes == {"lifecycle_stage": {"old": "prospect", "new": "client"}}


def test_a_batch_event_lists_its_contacts_sorted_and_counted(rm_user):
    event = audit.batch(actor=rm_user, operation="export", contact_ids=[9, 3, 5], detail={"x": 1})
    assert event.action == AuditAction.BATCH
    assert event.contact_id is None
    assert event.detail == {"operation": "export", "contact_ids": [3, 5, 9], "count": 3, "x": 1}


def test_access_denied_names_what_was_asked_for(rm_user):
    event = audit.access_denied(
        actor=rm_user, object_type="contacts.Contact", object_id="42", reason="outside book"
    )
    assert (event.action, event.object_type, event.object_id) == (
        AuditAction.ACCESS_DENIED,
        "contacts.Contact",
        "42",
    )
    assert event.detail == {"reason": "outside book"}
