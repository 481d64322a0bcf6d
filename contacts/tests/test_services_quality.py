"""The contacts service that data-quality work writes through."""

from datetime import date

import pytest
from django.db.models import F
from django.utils import timezone

from compliance.consent.queries import contact_facts, contacts_may_contact
from compliance.consent.rules import Reason, may_contact
from compliance.models import AuditEvent, Purpose
from contacts.models import Contact, ContactPoint
from contacts.services import details
from contacts.services.contacts import contact_update
from contacts.services.quality import (
    QualitySummary,
    contact_points_mark_bounced,
    contact_quality_set_bulk,
    contacts_mark_deceased,
    contacts_renormalise_names,
    renormalised_names,
)
from contacts.tests import factories

pytestmark = pytest.mark.django_db


def summary(contact, **kw):
    values = {
        "contact_id": contact.pk,
        "seen_version": contact.version,
        "score": 70,
        "has_blocking_issue": True,
        "stale_since": date(2026, 1, 2),
        "due_on": date(2026, 7, 1),
    } | kw
    return QualitySummary(**values)


def test_summaries_are_written_in_bulk_and_mark_the_contact_scored(rm_user):
    a = factories.make_contact(owner=rm_user)
    b = factories.make_contact(owner=rm_user)
    written = contact_quality_set_bulk(
        summaries=[summary(a), summary(b, score=10, has_blocking_issue=False, stale_since=None)]
    )
    assert written == {a.pk, b.pk}
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.quality_score, a.has_blocking_issue, a.stale_since) == (70, True, date(2026, 1, 2))
    assert a.quality_due_on == date(2026, 7, 1)
    assert (b.quality_score, b.has_blocking_issue, b.stale_since) == (10, False, None)
    assert a.quality_version == a.version
    assert not Contact.objects.quality_pending(on=date(2026, 6, 1)).filter(pk=a.pk).exists()
    assert Contact.objects.quality_pending(on=date(2026, 7, 1)).filter(pk=a.pk).exists()


def test_a_summary_never_overwrites_an_edit_made_after_the_job_read_the_contact(rm_user):
    contact = factories.make_contact(owner=rm_user, notes="")
    seen = contact.version
    # An RM edits the contact while the job is still computing.
    contact_update(actor=rm_user, contact=contact, expected_version=seen, notes="Moved to Taichung")
    written = contact_quality_set_bulk(summaries=[summary(contact, seen_version=seen)])
    assert written == set()
    contact.refresh_from_db()
    assert contact.notes == "Moved to Taichung"
    assert contact.quality_score is None
    assert Contact.objects.quality_pending().filter(pk=contact.pk).exists()


def test_only_changed_summaries_are_audited(rm_user):
    a = factories.make_contact(owner=rm_user)
    b = factories.make_contact(owner=rm_user)
    before = AuditEvent.objects.count()
    contact_quality_set_bulk(summaries=[summary(a), summary(b)], changed_ids=[a.pk], run="7")
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.detail["operation"] == "quality.summary"
    assert event.detail["contact_ids"] == [a.pk]


def test_a_bounce_list_marks_matching_emails_bounced_and_the_door_closes(rm_user):
    contact = factories.make_contact(owner=rm_user)
    details.contact_point_add(
        actor=rm_user, contact=contact, kind="email", value="Grace@Example.com"
    )
    other = factories.make_contact(owner=rm_user)
    details.contact_point_add(actor=rm_user, contact=other, kind="email", value="keep@example.com")
    version = Contact.objects.get(pk=contact.pk).version
    result = contact_points_mark_bounced(
        actor=rm_user,
        emails=["grace@example.com", "nobody@example.com", "not an email", ""],
        source="bounces.csv",
    )
    assert (result.emails_read, result.emails_invalid, result.emails_matched) == (3, 1, 1)
    assert result.contact_ids == [contact.pk]
    assert ContactPoint.objects.get(contact=contact).status == "bounced"
    assert ContactPoint.objects.get(contact=other).status == "valid"
    assert Contact.objects.get(pk=contact.pk).version == version + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.detail["operation"] == "contact_points.bounced"
    assert "grace" not in str(event.detail).lower()
    # Running the same list again changes nothing.
    again = contact_points_mark_bounced(actor=rm_user, emails=["grace@example.com"], source="x")
    assert again.points_marked == 0 and again.contact_ids == []


def test_marking_deceased_suppresses_outreach_at_once(rm_user):
    contact = factories.make_contact(owner=rm_user)
    details.contact_point_add(actor=rm_user, contact=contact, kind="email", value="a@example.com")
    servicing = Purpose.objects.get(code="servicing-account")
    reachable = Contact.objects.filter(pk=contact.pk)
    assert contacts_may_contact(reachable, servicing, "email").exists()
    ids = contacts_mark_deceased(
        actor=rm_user, contact_ids=[contact.pk], source="list", deceased_on=date(2026, 1, 1)
    )
    assert ids == [contact.pk]
    contact.refresh_from_db()
    assert contact.is_deceased and contact.deceased_on == date(2026, 1, 1)
    assert not contacts_may_contact(reachable, servicing, "email").exists()
    decision = may_contact(contact_facts(contact), servicing.terms(), "email", timezone.now())
    assert Reason.DECEASED in decision.reasons
    assert contacts_mark_deceased(actor=rm_user, contact_ids=[contact.pk], source="list") == []


def test_names_out_of_normal_form_are_found():
    assert renormalised_names({"family_name": "ＣＨＥＮ", "given_name": "Grace"}) == {
        "family_name": "Chen"
    }


def test_renormalising_skips_a_contact_edited_meanwhile(rm_user):
    contact = factories.make_contact(owner=rm_user)
    Contact.objects.filter(pk=contact.pk).update(family_name="ＣＨＥＮ")
    stale = contact.version
    Contact.objects.filter(pk=contact.pk).update(version=F("version") + 1)
    assert contacts_renormalise_names(rows=[(contact.pk, stale, {"family_name": "Chen"})]) == []
    fresh = Contact.objects.get(pk=contact.pk)
    assert contacts_renormalise_names(
        rows=[(contact.pk, fresh.version, {"family_name": "Chen"})]
    ) == [contact.pk]
    fresh.refresh_from_db()
    assert fresh.family_name == "Chen" and fresh.version == stale + 2
