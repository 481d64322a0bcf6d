"""The review screens: the queue, the diff, approve and reject, and what the proposer sees."""

import pytest
from django.urls import reverse

from compliance.models import AuditAction, AuditEvent
from contacts.models import Contact, PendingChange, ReviewStatus
from contacts.services.contacts import contact_create, contact_update
from contacts.services.review import BatchRowInput, review_batch_create
from contacts.tests import factories

pytestmark = pytest.mark.django_db

NATIONAL_ID = "A123456789"


@pytest.fixture
def reviewer_client(client):
    client.force_login(factories.reviewer(username="rev_rita"))
    return client


@pytest.fixture
def held_name_change(other_rm):
    contact = factories.make_contact(
        owner=other_rm, lifecycle_stage="client", name_zh="王小明", notes="Secret note"
    )
    contact_update(
        actor=other_rm,
        contact=contact,
        expected_version=contact.version,
        name_zh="王大明",
        national_id=NATIONAL_ID,
        national_id_country="TW",
    )
    return PendingChange.objects.pending().get(contact=contact)


def test_the_reviewer_has_a_queue_in_the_navigation(reviewer_client, held_name_change):
    page = reviewer_client.get(reverse("home")).content.decode()
    assert reverse("contacts:review_queue") in page
    response = reviewer_client.get(reverse("contacts:review_queue"))
    assert response.status_code == 200
    assert (
        reverse("contacts:review_change", args=[held_name_change.pk]) in response.content.decode()
    )


def test_the_diff_shows_before_and_after_masked_and_nothing_else_of_the_book(
    reviewer_client, held_name_change
):
    response = reviewer_client.get(reverse("contacts:review_change", args=[held_name_change.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "王小明" in page and "王大明" in page
    assert NATIONAL_ID not in page
    assert "••••••6789" in page
    assert "Secret note" not in page
    assert reverse("contacts:detail", args=[held_name_change.contact_id]) not in page
    # The reviewer still cannot open the contact itself.
    detail = reverse("contacts:detail", args=[held_name_change.contact_id])
    assert reviewer_client.get(detail).status_code == 403


def test_approving_applies_the_change_and_returns_to_the_queue(reviewer_client, held_name_change):
    url = reverse("contacts:review_approve", args=[held_name_change.pk])
    response = reviewer_client.post(url, {"seen_version": held_name_change.contact.version})
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:review_queue")
    contact = Contact.objects.get(pk=held_name_change.contact_id)
    assert (contact.name_zh, contact.national_id) == ("王大明", NATIONAL_ID)


def test_a_stale_approval_is_refused_with_a_clear_message(
    reviewer_client, held_name_change, other_rm
):
    contact = held_name_change.contact
    contact_update(
        actor=other_rm, contact=contact, expected_version=contact.version, notes="Meanwhile"
    )
    url = reverse("contacts:review_approve", args=[held_name_change.pk])
    response = reviewer_client.post(url, follow=True)
    page = response.content.decode()
    assert "changed after this change was proposed" in page
    held_name_change.refresh_from_db()
    assert held_name_change.status == ReviewStatus.PENDING


def test_rejecting_needs_a_reason_and_the_proposer_sees_it(
    reviewer_client, held_name_change, client, other_rm
):
    url = reverse("contacts:review_reject", args=[held_name_change.pk])
    assert reviewer_client.post(url, {"reason": ""}).status_code == 422
    response = reviewer_client.post(url, {"reason": "Name does not match the ID card"})
    assert response.status_code == 302
    held_name_change.refresh_from_db()
    assert held_name_change.status == ReviewStatus.REJECTED
    client.force_login(other_rm)
    detail = client.get(held_name_change.contact.get_absolute_url()).content.decode()
    assert "Name does not match the ID card" in detail
    mine = client.get(reverse("contacts:review_mine")).content.decode()
    assert "Name does not match the ID card" in mine


def test_a_reviewer_sees_no_buttons_on_their_own_entry(client, rm_user):
    both = factories.reviewer(username="rev_rm")
    both.groups.add(*rm_user.groups.all())
    contact = contact_create(actor=both, family_name="Mine", lifecycle_stage="prospect")
    change = PendingChange.objects.get(contact=contact)
    client.force_login(both)
    page = client.get(reverse("contacts:review_change", args=[change.pk])).content.decode()
    assert "your own entry" in page
    assert reverse("contacts:review_approve", args=[change.pk]) not in page
    client.post(reverse("contacts:review_approve", args=[change.pk]))
    change.refresh_from_db()
    assert change.status == ReviewStatus.PENDING


def test_a_new_contact_shows_awaiting_review_to_its_proposer(rm_client):
    data = {
        "family_name": "Newcomer",
        "lifecycle_stage": "prospect",
        "country_of_residence": "TW",
        "preferred_language": "en",
    }
    response = rm_client.post(reverse("contacts:create"), data, follow=True)
    page = response.content.decode()
    assert "awaits review" in page
    assert 'data-testid="awaiting-review"' in page


def test_a_clients_new_phone_is_held_and_the_page_says_so(rm_client, rm_user):
    contact = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    url = reverse("contacts:section_add", args=[contact.pk, "points"])
    response = rm_client.post(url, {"kind": "phone", "value": "0912345678"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == contact.get_absolute_url()
    page = rm_client.get(contact.get_absolute_url()).content.decode()
    assert "Saved for review" in page
    assert not contact.contact_points.exists()


def test_the_batch_page_shows_the_row_report_and_a_sample(reviewer_client, other_rm):
    batch = review_batch_create(
        actor=other_rm,
        owner=other_rm,
        source_name="seminar.csv",
        rows=[
            BatchRowInput(number=1, values={"family_name": "Ko", "lifecycle_stage": "prospect"}),
            BatchRowInput(number=2, values={"family_name": "", "lifecycle_stage": "prospect"}),
        ],
    )
    page = reviewer_client.get(reverse("contacts:review_batch", args=[batch.pk])).content
    page = page.decode()
    assert "Ko" in page
    assert "Enter at least one name" in page
    response = reviewer_client.post(reverse("contacts:review_batch_approve", args=[batch.pk]))
    assert response.status_code == 302
    assert Contact.objects.filter(owner=other_rm, family_name="Ko").exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.REVIEW_APPROVED, object_id=str(batch.pk)
    ).exists()


def test_a_large_batch_shows_its_progress_until_applied(
    reviewer_client, other_rm, settings, django_capture_on_commit_callbacks
):
    settings.REVIEW_BATCH_INLINE_ROWS = 1
    batch = review_batch_create(
        actor=other_rm,
        owner=other_rm,
        source_name="big.csv",
        rows=[
            BatchRowInput(number=n, values={"family_name": f"Ko{n}", "lifecycle_stage": "prospect"})
            for n in (1, 2, 3)
        ],
    )
    url = reverse("contacts:review_batch", args=[batch.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        response = reviewer_client.post(reverse("contacts:review_batch_approve", args=[batch.pk]))
    assert response.status_code == 302 and response["Location"] == url
    page = reviewer_client.get(url).content.decode()
    assert "The contacts are being created." in page
    assert 'hx-trigger="every 2s"' in page and '<progress id="batch-progress-bar"' in page
    assert 'value="0" max="3"' in page
    partial = reviewer_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "Creating contacts: 0 of 3" in partial
    for callback in callbacks:
        callback()  # the task, as a worker would run it
    partial = reviewer_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Applied: 3 contacts created." in partial
    assert "hx-trigger" not in partial  # done: the polling stops
    assert Contact.objects.filter(owner=other_rm).count() == 3
