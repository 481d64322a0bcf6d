"""Whole-book runs: full and incremental, snapshots, reminders."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from contacts.models import Contact
from contacts.services import details
from contacts.services.contacts import contact_update
from contacts.services.quality import contacts_mark_deceased
from contacts.tests import factories
from dataquality.models import QualityRun, QualitySnapshot, ReviewTask
from dataquality.services.runs import contact_id_chunks, quality_run, review_reminders_send
from dataquality.tests.factories import contact_with_email

pytestmark = pytest.mark.django_db


def test_chunks_walk_the_ids_in_order_and_resume_after_a_given_id(rm_user):
    ids = [factories.make_contact(owner=rm_user).pk for _ in range(5)]
    today = timezone.localdate()
    assert list(contact_id_chunks(kind="full", today=today, size=2)) == [
        ids[0:2],
        ids[2:4],
        ids[4:5],
    ]
    assert list(contact_id_chunks(kind="full", today=today, after=ids[2], size=10)) == [ids[3:]]


def test_an_incremental_run_touches_only_what_changed(rm_user):
    contacts = [contact_with_email(owner=rm_user) for _ in range(4)]
    full = quality_run(kind="full", size=2)
    assert full.contacts_read == 4 and full.contacts_written == 4
    nothing = quality_run(kind="incremental")
    assert nothing.contacts_read == 0
    changed = contacts[1]
    contact_update(
        actor=rm_user, contact=changed, expected_version=changed.version, notes="new note"
    )
    run = quality_run(kind="incremental")
    assert run.contacts_read == 1 and run.contacts_written == 1


def test_an_incremental_run_picks_up_what_fell_due_by_date(rm_user):
    # A client's email and risk assessment wait for four eyes: entered with the new
    # contact, they are approved with it.
    contact = contact_with_email(owner=rm_user, lifecycle_stage="client", approved=False)
    details.risk_assessment_record(
        actor=rm_user,
        contact=contact,
        level="moderate",
        assessed_on=timezone.localdate() - timedelta(days=10),
        valid_until=timezone.localdate() + timedelta(days=2),
    )
    factories.approve_pending(contact)
    quality_run(kind="full")
    contact.refresh_from_db()
    assert not contact.has_blocking_issue
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        run = quality_run(kind="incremental")
        assert run.contacts_read == 1
    contact.refresh_from_db()
    assert contact.has_blocking_issue
    assert contact.quality_issues.filter(rule="risk_expired", resolved_on__isnull=True).exists()


def test_a_run_leaves_a_snapshot_per_rm(rm_user, other_rm):
    dead = contact_with_email(owner=rm_user)
    contact_with_email(owner=other_rm)
    contacts_mark_deceased(actor=rm_user, contact_ids=[dead.pk], source="t")
    run = quality_run(kind="full")
    run.refresh_from_db()
    assert run.finished_at is not None
    mine = QualitySnapshot.objects.get(run=run, owner=rm_user)
    assert (mine.contacts, mine.blocking, mine.open_issues) >= (1, 1, 1)
    assert mine.score_sum == Contact.objects.get(pk=dead.pk).quality_score
    assert QualitySnapshot.objects.filter(run=run, owner=other_rm).exists()
    assert QualityRun.objects.count() == 1


def test_reminders_email_each_rm_once_with_counts_only(rm_user, django_capture_on_commit_callbacks):
    rm_user.email = "alice@bank.example"
    rm_user.save()
    dead = contact_with_email(owner=rm_user, given_name="Secretname")
    contacts_mark_deceased(actor=rm_user, contact_ids=[dead.pk], source="t")
    quality_run(kind="full")
    with django_capture_on_commit_callbacks(execute=True):
        assert review_reminders_send() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@bank.example"]
    assert "Secretname" not in mail.outbox[0].body
    assert ReviewTask.objects.get(contact=dead).reminded_on == timezone.localdate()
    assert review_reminders_send() == 0
