"""The governed vocabulary and assigning its terms to contacts."""

import re

import pytest
from django.core.exceptions import ValidationError

from compliance.models import AuditAction, AuditEvent
from contacts.models import ContactTag, Tag
from contacts.services.tags import tag_unassign, tags_assign
from contacts.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment():
    return factories.make_tag(code="segment", label_en="Client segment", label_zh_hant="客群")


@pytest.fixture
def hnw(segment):
    return factories.make_tag(
        parent=segment, code="hnw", label_en="High net worth", label_zh_hant="高資產客戶"
    )


@pytest.fixture
def sme(segment):
    return factories.make_tag(
        parent=segment, code="sme", label_en="SME owner", label_zh_hant="中小企業主"
    )


# --- the vocabulary ---------------------------------------------------------------------


def test_tags_form_a_tree_by_materialised_path(segment, hnw, sme):
    individual = factories.make_tag(parent=hnw, code="hnw-individual")
    root = segment.path
    assert re.fullmatch(r"\d{4}\.", root)
    assert segment.depth == 0
    assert (hnw.path, sme.path) == (f"{root}0001.", f"{root}0002.")
    assert (individual.path, individual.depth) == (f"{root}0001.0001.", 2)
    assert set(Tag.objects.subtree(hnw)) == {hnw, individual}
    assert segment in Tag.objects.categories()
    assert hnw not in Tag.objects.categories()
    assert individual.ancestor_paths == [root, hnw.path, individual.path]
    assert individual.category_path == root


def test_a_new_category_follows_the_last_one(segment):
    other = factories.make_tag(code="test-category")
    assert int(other.path[:4]) == int(segment.path[:4]) + 1


def test_a_tag_code_is_unique(segment):
    with pytest.raises(ValidationError):
        factories.make_tag(code="segment")


# --- tags_assign ------------------------------------------------------------------------


def test_assigning_a_term_to_one_contact_writes_a_per_contact_event(rm_user, contact, hnw):
    assert tags_assign(actor=rm_user, contacts=[contact], tags=[hnw]) == 1
    assignment = ContactTag.objects.get()
    assert (assignment.contact, assignment.tag, assignment.assigned_by) == (contact, hnw, rm_user)
    event = AuditEvent.objects.get(object_type="contacts.ContactTag")
    assert event.action == AuditAction.RECORD_CREATED
    assert event.contact_id == contact.pk
    assert event.changes["tags"] == {"old": None, "new": ["hnw"]}


def test_assigning_to_many_contacts_writes_one_batch_event_listing_them(rm_user, hnw, sme):
    contacts = [factories.make_contact(owner=rm_user) for _ in range(3)]
    assert tags_assign(actor=rm_user, contacts=contacts, tags=[hnw, sme]) == 6
    event = AuditEvent.objects.get(action=AuditAction.BATCH)
    assert event.detail == {
        "operation": "tags_assign",
        "contact_ids": sorted(c.pk for c in contacts),
        "count": 3,
        "tags": ["hnw", "sme"],
    }
    assert not AuditEvent.objects.filter(object_type="contacts.ContactTag").exists()


def test_assigning_again_changes_nothing_and_writes_no_event(rm_user, contact, hnw):
    tags_assign(actor=rm_user, contacts=[contact], tags=[hnw])
    events_before = AuditEvent.objects.count()
    assert tags_assign(actor=rm_user, contacts=[contact], tags=[hnw]) == 0
    assert ContactTag.objects.count() == 1
    assert AuditEvent.objects.count() == events_before


def test_a_batch_lists_only_the_contacts_it_changed(rm_user, contact, hnw):
    tagged_before = contact
    others = [factories.make_contact(owner=rm_user) for _ in range(2)]
    tags_assign(actor=rm_user, contacts=[tagged_before], tags=[hnw])
    assert tags_assign(actor=rm_user, contacts=[tagged_before, *others], tags=[hnw]) == 2
    event = AuditEvent.objects.get(action=AuditAction.BATCH)
    assert event.detail["contact_ids"] == sorted(c.pk for c in others)


def test_a_category_itself_cannot_be_assigned(rm_user, contact, segment, hnw):
    with pytest.raises(ValidationError) as error:
        tags_assign(actor=rm_user, contacts=[contact], tags=[hnw, segment])
    assert "Client segment" in error.value.messages[0]
    assert not ContactTag.objects.exists()


def test_a_retired_term_cannot_be_assigned(rm_user, contact, segment):
    retired = factories.make_tag(parent=segment, label_en="Old segment", active=False)
    with pytest.raises(ValidationError) as error:
        tags_assign(actor=rm_user, contacts=[contact], tags=[retired])
    assert "retired" in error.value.messages[0]
    assert not ContactTag.objects.exists()


def test_a_retired_term_stays_on_contacts_that_have_it(rm_user, contact, hnw):
    from contacts.services.tags import tag_update

    tags_assign(actor=rm_user, contacts=[contact], tags=[hnw])
    tag_update(tag=hnw, label_en=hnw.label_en, label_zh_hant=hnw.label_zh_hant, is_active=False)
    assert ContactTag.objects.filter(contact=contact, tag=hnw).exists()


def test_assigning_no_tags_or_no_contacts_does_nothing(rm_user, contact, hnw):
    assert tags_assign(actor=rm_user, contacts=[contact], tags=[]) == 0
    assert tags_assign(actor=rm_user, contacts=[], tags=[hnw]) == 0
    assert not AuditEvent.objects.filter(action=AuditAction.BATCH).exists()


# --- tag_unassign -----------------------------------------------------------------------


def test_unassigning_removes_the_tag_and_is_audited(rm_user, contact, hnw):
    tags_assign(actor=rm_user, contacts=[contact], tags=[hnw])
    tag_unassign(actor=rm_user, contact=contact, tag=hnw)
    assert not ContactTag.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.RECORD_DELETED, contact_id=contact.pk
    ).exists()


def test_unassigning_a_tag_the_contact_does_not_have_does_nothing(rm_user, contact, hnw):
    events_before = AuditEvent.objects.count()
    tag_unassign(actor=rm_user, contact=contact, tag=hnw)
    assert AuditEvent.objects.count() == events_before


# --- the copy the list's tag filter reads -------------------------------------------------


def test_assigning_and_unassigning_keep_the_contacts_tag_ids_in_step(rm_user, hnw, sme):
    first, second = factories.make_contact(owner=rm_user), factories.make_contact(owner=rm_user)
    tags_assign(actor=rm_user, contacts=[first, second], tags=[sme, hnw])
    tags_assign(actor=rm_user, contacts=[first], tags=[hnw])  # already there: unchanged
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.tag_ids == second.tag_ids == f" {min(hnw.pk, sme.pk)} {max(hnw.pk, sme.pk)} "
    tag_unassign(actor=rm_user, contact=first, tag=sme)
    tag_unassign(actor=rm_user, contact=first, tag=hnw)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.tag_ids == ""
    assert second.tag_ids == f" {min(hnw.pk, sme.pk)} {max(hnw.pk, sme.pk)} "


def test_the_tag_filter_matches_any_tag_of_the_subtree_and_nothing_else(rm_user, hnw, sme):
    from contacts.models import Contact

    ultra = factories.make_tag(parent=hnw, code="hnw-ultra")
    only_ultra, only_sme, both, _untagged = (factories.make_contact(owner=rm_user) for _ in "abcd")
    tags_assign(actor=rm_user, contacts=[only_ultra, both], tags=[ultra])
    tags_assign(actor=rm_user, contacts=[only_sme, both], tags=[sme])
    subtree = list(Tag.objects.subtree(hnw).values_list("pk", flat=True))
    assert set(Contact.objects.filter(tag_ids__has_any=subtree)) == {only_ultra, both}
    assert set(Contact.objects.filter(tag_ids__has_any=[sme.pk])) == {only_sme, both}
    assert not Contact.objects.filter(tag_ids__has_any=[]).exists()


def test_a_tag_id_is_matched_whole_never_as_part_of_another(rm_user):
    from contacts.fields import IdSetField
    from contacts.models import Contact

    contact = factories.make_contact(owner=rm_user)
    Contact.objects.filter(pk=contact.pk).update(tag_ids=IdSetField.spell([21, 12]))
    assert IdSetField.spell([21, 12, 12]) == " 12 21 "
    assert not Contact.objects.filter(tag_ids__has_any=[1, 2, 121]).exists()
    assert Contact.objects.filter(tag_ids__has_any=[3, 21]).get() == contact
