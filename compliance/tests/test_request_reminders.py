"""Reminders of due and overdue requests: sent by email to the assignee (or, while nobody
is assigned, to compliance), each at most once, by a nightly task that is safe to rerun."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from compliance.models import AuditAction, AuditEvent, RequestReminder
from compliance.requests import services
from compliance.tests.factories import make_request
from contacts.tests import factories
from core import jobs

pytestmark = pytest.mark.django_db


def send_request_reminders() -> int:
    """Run the nightly job as beat would; what it changed."""
    return jobs.run_job("compliance.send_request_reminders", triggered_by="beat").counts["changed"]


TAIPEI = dt.timezone(dt.timedelta(hours=8))


def night(year, month, day):
    return time_machine.travel(dt.datetime(year, month, day, 3, tzinfo=TAIPEI), tick=False)


@pytest.fixture
def dpo(db):
    return factories.compliance_officer(username="dpo_rem", email="dpo@bank.example")


@pytest.fixture
def request_due_16_june(rm_user, dpo):
    contact = factories.make_contact(owner=rm_user, country_of_residence="TW", name_zh="林小美")
    with night(2025, 6, 1):
        request = make_request(contact=contact, description="All statements")
        return services.request_assign(actor=dpo, request=request, assignee=dpo)


def test_no_reminder_while_the_deadline_is_far(request_due_16_june):
    with night(2025, 6, 5):
        assert send_request_reminders() == 0
    assert not mail.outbox


def test_the_assignee_is_reminded_a_week_before_and_a_rerun_sends_nothing(request_due_16_june):
    with night(2025, 6, 9):
        assert send_request_reminders() == 1
        assert send_request_reminders() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dpo@bank.example"]
    assert f"#{request_due_16_june.pk}" in message.subject
    assert "2025-06-16" in message.body
    # The email leaves the firm: nothing about the person in it.
    assert "林小美" not in message.subject + message.body
    assert "statements" not in message.body
    reminder = RequestReminder.objects.get()
    assert (reminder.deadline, reminder.stage) == ("answer", "due_7")
    event = AuditEvent.objects.get(action=AuditAction.REQUEST_REMINDER_SENT)
    assert event.detail["stage"] == "due_7"
    assert event.actor is None


def test_each_stage_is_sent_once_over_many_nights(request_due_16_june):
    for day in range(5, 25):
        with night(2025, 6, day):
            send_request_reminders()
    stages = list(RequestReminder.objects.order_by("sent_at").values_list("stage", flat=True))
    assert stages == ["due_7", "due_2", "overdue"]
    assert len(mail.outbox) == 3
    assert mail.outbox[-1].subject.startswith("Overdue")


def test_an_extension_brings_a_fresh_set_of_reminders(request_due_16_june, dpo):
    with night(2025, 6, 10):
        send_request_reminders()
        services.request_extend(actor=dpo, request=request_due_16_june, reason="Archives")
    with night(2025, 6, 24):  # the new deadline is 1 July: a week before it
        assert send_request_reminders() == 1
    assert RequestReminder.objects.filter(due_on=dt.date(2025, 7, 1)).exists()


def test_closed_requests_are_not_reminded(request_due_16_june, dpo):
    services.request_refuse(actor=dpo, request=request_due_16_june, reason="Duplicate")
    with night(2025, 6, 20):
        assert send_request_reminders() == 0


def test_an_unassigned_request_reminds_every_compliance_officer(rm_user, dpo):
    other = factories.compliance_officer(username="dpo_two", email="two@bank.example")
    contact = factories.make_contact(owner=rm_user, country_of_residence="TW")
    with night(2025, 6, 1):
        make_request(contact=contact)
    with night(2025, 6, 15):
        assert send_request_reminders() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["dpo@bank.example", "two@bank.example"]
    assert RequestReminder.objects.get().recipients == sorted([dpo.pk, other.pk])


def test_the_ccpa_acknowledgement_has_its_own_reminder_until_acknowledged(rm_user, dpo):
    contact = factories.make_contact(owner=rm_user, country_of_residence="US")
    with night(2025, 3, 7):
        request = make_request(contact=contact, assignee=dpo)  # acknowledge by 21 March
    with night(2025, 3, 20):
        assert send_request_reminders() == 1
    assert RequestReminder.objects.get().deadline == "acknowledge"
    services.request_acknowledge(actor=dpo, request=request)
    with night(2025, 3, 24):
        assert send_request_reminders() == 0


def test_a_failed_email_leaves_no_reminder_and_is_tried_again(request_due_16_june, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(services, "send_mail", broken)
    with night(2025, 6, 9):
        assert send_request_reminders() == 0
    assert not RequestReminder.objects.exists()
    monkeypatch.undo()
    with night(2025, 6, 10):
        assert send_request_reminders() == 1


def test_the_reminders_run_as_a_job_with_a_run_record(request_due_16_june):
    from core.models import JobRun

    with night(2025, 6, 9):
        run = jobs.run_job("compliance.send_request_reminders", triggered_by="beat")
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.counts == {"seen": 1, "changed": 1, "skipped": 0, "errors": 0}
