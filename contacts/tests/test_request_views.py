"""Data-subject requests in the RM's screens: the intake form from the contact page, the
contact page's card, the list of the book's requests, and the home page's due panel."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from compliance.models import AuditAction, AuditEvent, DataSubjectRequest, RequestStatus
from compliance.tests.factories import make_request
from contacts.tests import factories

pytestmark = pytest.mark.django_db


def test_an_rm_records_a_request_on_the_clients_behalf(rm_client, rm_user, contact):
    url = reverse("contacts:request_create", args=[contact.pk])
    page = rm_client.get(url)
    assert page.status_code == 200
    response = rm_client.post(
        url,
        {"request_type": "rectification", "channel": "rm", "description": "New address"},
    )
    assert response.status_code == 302
    assert response["Location"] == contact.get_absolute_url()
    request = DataSubjectRequest.objects.get()
    assert request.contact == contact
    assert request.received_by == rm_user
    assert request.status == RequestStatus.RECEIVED
    assert request.due_on == timezone.localdate() + dt.timedelta(days=30)  # Taiwan PDPA
    assert AuditEvent.objects.filter(action=AuditAction.REQUEST_RECEIVED, actor=rm_user).exists()


def test_a_request_dated_in_the_future_is_refused_with_a_clear_error(rm_client, contact):
    url = reverse("contacts:request_create", args=[contact.pk])
    later = timezone.localtime() + dt.timedelta(days=2)
    response = rm_client.post(
        url,
        {
            "request_type": "access",
            "channel": "branch",
            "received_at": later.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 422
    assert "cannot be in the future" in response.content.decode()
    assert not DataSubjectRequest.objects.exists()


def test_an_unknown_type_is_a_form_error(rm_client, contact):
    url = reverse("contacts:request_create", args=[contact.pk])
    response = rm_client.post(url, {"request_type": "telepathy", "channel": "branch"})
    assert response.status_code == 422
    assert not DataSubjectRequest.objects.exists()


def test_the_contact_page_lists_the_contacts_requests(rm_client, contact):
    make_request(contact=contact, request_type="erasure")
    page = rm_client.get(contact.get_absolute_url()).content.decode()
    assert 'data-testid="requests"' in page
    assert "Erasure" in page
    assert reverse("contacts:request_create", args=[contact.pk]) in page


def test_the_list_shows_the_requests_of_the_rms_book_only(rm_client, rm_user, other_rm):
    mine = factories.make_contact(owner=rm_user, name_zh="陳怡君")
    theirs = factories.make_contact(owner=other_rm, name_zh="王大明")
    make_request(contact=mine)
    make_request(contact=theirs)
    page = rm_client.get(reverse("contacts:request_list")).content.decode()
    assert "陳怡君" in page
    assert "王大明" not in page


def test_the_home_page_shows_the_assignees_requests_due_soon(rm_client, rm_user, contact):
    with time_machine.travel(timezone.now() - dt.timedelta(days=10)):
        due_soon = make_request(contact=contact, assignee=rm_user)  # due in 5 days
    make_request(contact=contact, request_type="erasure", assignee=rm_user)  # in 30 days
    page = rm_client.get(reverse("home")).content.decode()
    assert 'data-testid="requests-due"' in page
    assert str(due_soon) in page
    assert page.count(contact.get_absolute_url()) >= 1
    assert "Due soon" in page


def test_the_home_page_shows_no_panel_without_requests_due(rm_client, contact):
    make_request(contact=contact, request_type="erasure")
    page = rm_client.get(reverse("home")).content.decode()
    assert 'data-testid="requests-due"' not in page
