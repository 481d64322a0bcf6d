"""Four-eyes review: what is held, approval through the services, stale and self-review
refused, rejection with a reason, and bulk entries reviewed as one batch."""

from datetime import date, timedelta
from unittest.mock import patch

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from compliance.consent.queries import contact_facts as consent_facts
from compliance.consent.rules import Reason, may_contact
from compliance.models import AuditAction, AuditEvent
from contacts.models import (
    ChangeKind,
    Contact,
    PendingChange,
    ReviewBatch,
    ReviewRule,
    ReviewStatus,
)
from contacts.services import details
from contacts.services import review as review_module
from contacts.services.contacts import contact_create, contact_update
from contacts.services.review import (
    BatchRowInput,
    change_approve,
    change_reject,
    review_batch_apply,
    review_batch_approve,
    review_batch_create,
    review_batch_errors,
    review_batch_reject,
    review_batch_sample,
)
from contacts.tests import factories

pytestmark = pytest.mark.django_db

NATIONAL_ID = "A123456789"


@pytest.fixture
def reviewer(db):
    return factories.reviewer(username="rev_rita")


@pytest.fixture
def client_contact(rm_user):
    return factories.make_contact(owner=rm_user, lifecycle_stage="client", name_zh="王小明")


def pending(contact) -> PendingChange:
    return PendingChange.objects.pending().get(contact=contact)


# --- new contacts --------------------------------------------------------------------------------


def test_a_new_contact_is_in_the_book_awaiting_review_and_may_not_be_contacted(rm_user):
    contact = contact_create(actor=rm_user, family_name="Lin", lifecycle_stage="prospect")
    contact.refresh_from_db()
    assert contact.awaiting_review
    change = pending(contact)
    assert (change.kind, change.proposed_by, change.base_version) == ("create", rm_user, 1)
    assert AuditEvent.objects.filter(
        action=AuditAction.REVIEW_PROPOSED, contact_id=contact.pk
    ).exists()
    from compliance.models import Purpose

    purpose = Purpose.objects.get(code="marketing-email")
    decision = may_contact(consent_facts(contact), purpose.terms(), "email", now=contact.created_at)
    assert Reason.AWAITING_REVIEW in decision.reasons


def test_approving_a_new_contact_clears_the_mark(rm_user, reviewer):
    contact = contact_create(actor=rm_user, family_name="Lin", lifecycle_stage="prospect")
    change = change_approve(actor=reviewer, change=pending(contact), seen_version=1)
    contact.refresh_from_db()
    assert not contact.awaiting_review
    assert (change.status, change.reviewed_by) == (ReviewStatus.APPROVED, reviewer)
    event = AuditEvent.objects.get(action=AuditAction.REVIEW_APPROVED, contact_id=contact.pk)
    assert event.actor == reviewer
    assert event.detail["proposed_by"] == rm_user.pk


def test_a_new_contact_changed_after_the_diff_was_shown_is_not_approved(rm_user, reviewer):
    contact = contact_create(actor=rm_user, family_name="Lin", lifecycle_stage="prospect")
    details.contact_point_add(actor=rm_user, contact=contact, kind="email", value="l@x.tw")
    with pytest.raises(ValidationError, match="changed after this change was proposed"):
        change_approve(actor=reviewer, change=pending(contact), seen_version=1)
    contact.refresh_from_db()
    assert contact.awaiting_review


def test_nobody_reviews_their_own_entry(rm_user):
    both = factories.UserFactory(username="rm_and_reviewer", roles=["relationship_manager"])
    both.groups.add(*factories.reviewer(username="tmp").groups.all())
    contact = contact_create(actor=both, family_name="Lin", lifecycle_stage="prospect")
    with pytest.raises(ValidationError, match="Nobody reviews their own entry"):
        change_approve(actor=both, change=pending(contact))
    with pytest.raises(ValidationError, match="Nobody reviews their own entry"):
        change_reject(actor=both, change=pending(contact), reason="Mine")
    assert pending(contact).status == ReviewStatus.PENDING


def test_only_a_reviewer_may_approve(rm_user, other_rm):
    contact = contact_create(actor=rm_user, family_name="Lin", lifecycle_stage="prospect")
    with pytest.raises(PermissionDenied):
        change_approve(actor=other_rm, change=pending(contact))


def test_rejecting_a_new_contact_needs_a_reason_and_removes_it(rm_user, reviewer):
    contact = contact_create(actor=rm_user, family_name="Lin", lifecycle_stage="prospect")
    change = pending(contact)
    with pytest.raises(ValidationError):
        change_reject(actor=reviewer, change=change, reason="  ")
    change = change_reject(actor=reviewer, change=change, reason="Duplicate of Lin Mei")
    assert not Contact.objects.filter(pk=contact.pk).exists()
    change.refresh_from_db()
    assert (change.status, change.reason, change.proposed_by) == (
        ReviewStatus.REJECTED,
        "Duplicate of Lin Mei",
        rm_user,
    )
    event = AuditEvent.objects.get(action=AuditAction.REVIEW_REJECTED)
    assert "Duplicate" not in str(event.changes)
    assert event.changes["reason"]["new"].startswith("h:")


def test_an_entry_is_reviewed_once(rm_user, reviewer):
    contact = contact_create(actor=rm_user, family_name="Lin", lifecycle_stage="prospect")
    change = change_approve(actor=reviewer, change=pending(contact))
    with pytest.raises(ValidationError, match="already been reviewed"):
        change_reject(actor=reviewer, change=change, reason="Too late")


def test_with_review_switched_off_a_new_contact_is_saved_at_once(rm_user):
    ReviewRule.objects.filter(subject="new_contact").update(is_active=False)
    contact = contact_create(actor=rm_user, family_name="Lin", lifecycle_stage="prospect")
    assert not contact.awaiting_review
    assert not PendingChange.objects.exists()


# --- a client's sensitive changes ----------------------------------------------------------------


def test_a_clients_name_change_is_held_while_the_rest_is_saved(rm_user, client_contact):
    contact = contact_update(
        actor=rm_user,
        contact=client_contact,
        expected_version=client_contact.version,
        name_zh="王大明",
        notes="Prefers mornings",
    )
    contact.refresh_from_db()
    assert (contact.name_zh, contact.notes) == ("王小明", "Prefers mornings")
    change = pending(contact)
    assert change.kind == ChangeKind.UPDATE
    assert change.values == {"name_zh": "王大明"}
    assert change.base_version == contact.version
    event = AuditEvent.objects.get(action=AuditAction.REVIEW_PROPOSED, object_id=str(change.pk))
    assert event.detail["fields"] == ["name_zh"]
    assert "王大明" not in str(event.detail)


def test_approval_applies_the_held_change_through_the_services(rm_user, reviewer, client_contact):
    contact_update(
        actor=rm_user,
        contact=client_contact,
        expected_version=client_contact.version,
        date_of_birth=date(1975, 3, 4),
        national_id=NATIONAL_ID,
        national_id_country="TW",
    )
    change = pending(client_contact)
    assert change.values["national_id"] is True
    assert change.national_id == NATIONAL_ID
    change_approve(actor=reviewer, change=change)
    contact = Contact.objects.get(pk=client_contact.pk)
    assert (contact.date_of_birth, contact.national_id) == (date(1975, 3, 4), NATIONAL_ID)
    updated = AuditEvent.objects.get(action=AuditAction.CONTACT_UPDATED, contact_id=contact.pk)
    assert NATIONAL_ID not in str(updated.changes)


def test_a_proposed_national_id_is_encrypted_at_rest(rm_user, client_contact):
    contact_update(
        actor=rm_user,
        contact=client_contact,
        expected_version=client_contact.version,
        national_id=NATIONAL_ID,
        national_id_country="TW",
    )
    with connection.cursor() as cursor:
        cursor.execute('SELECT national_id, "values" FROM contacts_pendingchange')
        raw_id, raw_values = cursor.fetchone()
    assert NATIONAL_ID not in raw_id
    assert NATIONAL_ID not in str(raw_values)


def test_approval_is_refused_when_the_contact_changed_since(rm_user, reviewer, client_contact):
    contact_update(
        actor=rm_user,
        contact=client_contact,
        expected_version=client_contact.version,
        family_name="Wang",
    )
    change = pending(client_contact)
    client_contact.refresh_from_db()
    contact_update(
        actor=rm_user,
        contact=client_contact,
        expected_version=client_contact.version,
        notes="Changed meanwhile",
    )
    with pytest.raises(ValidationError, match="changed after this change was proposed"):
        change_approve(actor=reviewer, change=change)
    change.refresh_from_db()
    assert change.status == ReviewStatus.PENDING
    client_contact.refresh_from_db()
    assert client_contact.family_name == "Chen"


def test_a_prospects_name_change_needs_no_review(rm_user, contact):
    contact = contact_update(actor=rm_user, contact=contact, expected_version=1, name_zh="陳怡")
    assert contact.name_zh == "陳怡"
    assert not PendingChange.objects.pending().exists()


def test_a_clients_new_contact_point_and_risk_assessment_wait_for_review(
    rm_user, reviewer, client_contact
):
    today = factories.today()
    held_point = details.contact_point_add(
        actor=rm_user, contact=client_contact, kind="email", value="wang@example.com"
    )
    assert isinstance(held_point, PendingChange)
    assert not client_contact.contact_points.exists()
    change_approve(actor=reviewer, change=held_point)
    point = client_contact.contact_points.get()
    assert point.normalized == "wang@example.com"

    client_contact.refresh_from_db()
    held_risk = details.risk_assessment_record(
        actor=rm_user,
        contact=client_contact,
        level="moderate",
        assessed_on=today,
        valid_until=today + timedelta(days=365),
    )
    assert isinstance(held_risk, PendingChange)
    change_approve(actor=reviewer, change=held_risk)
    client_contact.refresh_from_db()
    assert client_contact.current_risk_level == "moderate"

    held_removal = details.contact_point_remove(actor=rm_user, point=point)
    assert held_removal.kind == ChangeKind.POINT_REMOVE
    assert client_contact.contact_points.exists()
    change_reject(actor=reviewer, change=held_removal, reason="Still their address")
    assert client_contact.contact_points.exists()


def test_an_invalid_point_is_refused_before_it_is_held(rm_user, client_contact):
    with pytest.raises(ValidationError):
        details.contact_point_add(
            actor=rm_user, contact=client_contact, kind="phone", value="not a phone"
        )
    assert not PendingChange.objects.pending().exists()


def test_a_held_change_that_would_break_a_blocking_rule_is_refused_at_once(rm_user, client_contact):
    with pytest.raises(ValidationError):
        contact_update(
            actor=rm_user,
            contact=client_contact,
            expected_version=client_contact.version,
            date_of_birth=None,
        )
    assert not PendingChange.objects.pending().exists()


# --- bulk entries --------------------------------------------------------------------------------


def rows(n: int, *, bad: tuple[int, ...] = ()) -> list[BatchRowInput]:
    out = []
    for i in range(1, n + 1):
        values = {"family_name": f"Lee{i}", "lifecycle_stage": "prospect"}
        if i in bad:
            values = {"family_name": "", "lifecycle_stage": "prospect"}
        out.append(BatchRowInput(number=i, values=values))
    return out


def test_a_batch_is_checked_row_by_row_and_nothing_is_created_yet(rm_user):
    batch = review_batch_create(
        actor=rm_user, owner=rm_user, source_name="seminar.csv", rows=rows(30, bad=(4, 9))
    )
    assert (batch.row_count, batch.error_count) == (30, 2)
    assert [r.number for r in review_batch_errors(batch)] == [4, 9]
    assert "family_name" in review_batch_errors(batch)[0].errors
    sample = review_batch_sample(batch, size=5)
    assert len(sample) == 5
    assert all(not r.errors for r in sample)
    assert [r.pk for r in review_batch_sample(batch, size=5)] == [r.pk for r in sample]
    assert not Contact.objects.exists()


def test_approving_a_batch_creates_every_valid_row_through_the_services(rm_user, reviewer):
    batch = review_batch_create(
        actor=rm_user, owner=rm_user, source_name="seminar.csv", rows=rows(5, bad=(2,))
    )
    batch = review_batch_approve(actor=reviewer, batch=batch)
    created = Contact.objects.filter(owner=rm_user)
    assert created.count() == 4 == batch.created_count
    assert not created.filter(awaiting_review=True).exists()
    assert not PendingChange.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.CONTACT_CREATED).count() == 4
    event = AuditEvent.objects.get(action=AuditAction.REVIEW_APPROVED, object_id=str(batch.pk))
    assert event.detail["created"] == 4


def test_rejecting_a_batch_discards_every_row(rm_user, reviewer):
    batch = review_batch_create(actor=rm_user, owner=rm_user, source_name="x.csv", rows=rows(3))
    with pytest.raises(ValidationError):
        review_batch_reject(actor=reviewer, batch=batch, reason="")
    batch = review_batch_reject(actor=reviewer, batch=batch, reason="Wrong list")
    assert batch.status == ReviewStatus.REJECTED
    assert not batch.rows.exists()
    assert not Contact.objects.exists()


def test_a_batch_is_not_approved_by_whoever_proposed_it(rm_user):
    both = factories.reviewer(username="rev_rm")
    batch = review_batch_create(actor=both, owner=rm_user, source_name="x.csv", rows=rows(2))
    with pytest.raises(ValidationError, match="Nobody reviews their own entry"):
        review_batch_approve(actor=both, batch=batch)
    assert ReviewBatch.objects.get().status == ReviewStatus.PENDING


def test_a_small_batch_is_applied_within_the_approval(rm_user, reviewer, settings):
    settings.REVIEW_BATCH_INLINE_ROWS = 5
    batch = review_batch_create(actor=rm_user, owner=rm_user, source_name="x.csv", rows=rows(5))
    batch = review_batch_approve(actor=reviewer, batch=batch)
    assert batch.applied_at is not None and batch.created_count == 5


def test_a_large_batch_is_applied_by_a_task_in_chunks_after_the_approval_commits(
    rm_user, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.REVIEW_BATCH_INLINE_ROWS = 3
    batch = review_batch_create(
        actor=rm_user, owner=rm_user, source_name="big.csv", rows=rows(7, bad=(2,))
    )
    with django_capture_on_commit_callbacks() as callbacks:
        batch = review_batch_approve(actor=reviewer, batch=batch)
        # Approved, nothing created yet: the task starts once the approval commits.
        assert batch.status == ReviewStatus.APPROVED and batch.applied_at is None
        assert not Contact.objects.exists()
    assert len(callbacks) == 1
    with patch("contacts.services.review.APPLY_CHUNK", 4):
        callbacks[0]()  # the task, run eagerly as without a broker
    batch.refresh_from_db()
    assert batch.applied_at is not None and batch.created_count == 6
    assert Contact.objects.filter(owner=rm_user, awaiting_review=False).count() == 6
    assert not batch.rows.filter(errors={}, contact__isnull=True).exists()
    approvals = AuditEvent.objects.filter(
        action=AuditAction.REVIEW_APPROVED, object_id=str(batch.pk)
    ).order_by("id")
    assert [len(e.detail["contact_ids"]) for e in approvals] == [0, 4, 2]


def test_applying_a_batch_again_or_after_a_crash_creates_no_row_twice(rm_user, reviewer, settings):
    settings.REVIEW_BATCH_INLINE_ROWS = 1
    batch = review_batch_create(actor=rm_user, owner=rm_user, source_name="x.csv", rows=rows(5))
    with patch("contacts.tasks.apply_review_batch.delay"):
        review_batch_approve(actor=reviewer, batch=batch)
    real_create = review_module._create_rows
    calls = []

    def worker_dies_in_the_second_chunk(batch, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real_create(batch, rows)

    with (
        patch.object(review_module, "_create_rows", worker_dies_in_the_second_chunk),
        pytest.raises(RuntimeError),
    ):
        review_batch_apply(batch_id=batch.pk, chunk=2)
    batch.refresh_from_db()
    assert (batch.created_count, batch.applied_at) == (2, None)
    review_batch_apply(batch_id=batch.pk, chunk=2)  # redelivered: resumes
    review_batch_apply(batch_id=batch.pk, chunk=2)  # a duplicate delivery: nothing to do
    batch.refresh_from_db()
    assert batch.applied_at is not None
    assert batch.created_count == 5 == Contact.objects.filter(owner=rm_user).count()
