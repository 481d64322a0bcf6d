"""Data-subject request services: intake and the clocks, the workflow, every rule, and the
audit trail (which never holds the free text in clear)."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.models import (
    AuditAction,
    AuditEvent,
    DataSubjectRequest,
    RequestDeadlineRule,
    RequestStatus,
)
from compliance.requests import services
from compliance.requests.clock import RequestType
from compliance.tests.factories import make_request, verified_request
from contacts.tests import factories

pytestmark = pytest.mark.django_db

TAIPEI = dt.timezone(dt.timedelta(hours=8))


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=TAIPEI)


@pytest.fixture
def dpo(db):
    return factories.compliance_officer(username="dpo_req", email="dpo@bank.example")


def resident(owner, country: str):
    return factories.make_contact(owner=owner, country_of_residence=country)


def events(action):
    return AuditEvent.objects.filter(action=action)


# --- intake and deadlines ------------------------------------------------------------------


@time_machine.travel(at(2025, 1, 31), tick=False)
def test_a_gdpr_request_is_due_one_month_later_clamped_to_the_month_end(rm_user):
    request = make_request(contact=resident(rm_user, "DE"), request_type="access")
    assert request.jurisdiction == "gdpr"
    assert request.due_on == dt.date(2025, 2, 28)
    assert request.original_due_on == dt.date(2025, 2, 28)
    assert request.acknowledge_due_on is None
    assert request.status == RequestStatus.RECEIVED
    assert request.received_by == rm_user


@time_machine.travel(at(2025, 3, 7), tick=False)  # a Friday
def test_a_ccpa_request_is_acknowledged_in_ten_business_days_and_answered_in_45(rm_user):
    request = make_request(contact=resident(rm_user, "US"), request_type="erasure")
    assert request.jurisdiction == "ccpa"
    assert request.acknowledge_due_on == dt.date(2025, 3, 21)
    assert request.due_on == dt.date(2025, 4, 21)


@time_machine.travel(at(2025, 6, 1), tick=False)
@pytest.mark.parametrize(
    ("request_type", "due"),
    [("access", dt.date(2025, 6, 16)), ("copy", dt.date(2025, 6, 16))]
    + [(t, dt.date(2025, 7, 1)) for t in ("rectification", "restriction", "erasure")],
)
def test_a_taiwan_request_is_due_in_15_or_30_days_by_type(rm_user, request_type, due):
    request = make_request(contact=resident(rm_user, "TW"), request_type=request_type)
    assert request.jurisdiction == "pdpa"
    assert request.due_on == due


@time_machine.travel(at(2025, 6, 1), tick=False)
def test_other_countries_use_the_configured_default_law(rm_user, settings):
    settings.DSR_DEFAULT_JURISDICTION = "gdpr"
    request = make_request(contact=resident(rm_user, "JP"))
    assert request.jurisdiction == "gdpr"
    assert request.due_on == dt.date(2025, 7, 1)


@time_machine.travel(at(2025, 6, 1), tick=False)
def test_the_dpos_table_decides_the_period_and_running_requests_keep_theirs(rm_user, dpo):
    contact = resident(rm_user, "TW")
    before = make_request(contact=contact)
    rule = RequestDeadlineRule.objects.get(jurisdiction="pdpa", request_type="access")
    rule.answer_amount = 10
    services.deadline_rule_save(actor=dpo, rule=rule)
    after = make_request(contact=contact)
    before.refresh_from_db()
    assert before.due_on == dt.date(2025, 6, 16)
    assert after.due_on == dt.date(2025, 6, 11)
    assert events(AuditAction.REQUEST_RULE_SAVED).get().detail["answer"] == [10, "days"]


def test_a_missing_rule_is_a_clear_error_and_nothing_is_saved(rm_user):
    RequestDeadlineRule.objects.filter(jurisdiction="pdpa", request_type="objection").delete()
    with pytest.raises(ValidationError, match="No deadline is set"):
        make_request(contact=resident(rm_user, "TW"), request_type="objection")
    assert not DataSubjectRequest.objects.exists()


def test_a_request_cannot_be_received_in_the_future(rm_user):
    with pytest.raises(ValidationError) as error:
        make_request(
            contact=resident(rm_user, "TW"), received_at=timezone.now() + dt.timedelta(hours=2)
        )
    assert "received_at" in error.value.message_dict


@time_machine.travel(at(2025, 6, 10), tick=False)
def test_the_clock_counts_from_the_day_received_not_the_day_recorded(rm_user):
    request = make_request(contact=resident(rm_user, "TW"), received_at=at(2025, 6, 2))
    assert request.due_on == dt.date(2025, 6, 17)


def test_intake_is_audited_with_the_description_hashed(rm_user):
    contact = resident(rm_user, "TW")
    request = make_request(contact=contact, description="Wants every call recording of 2024")
    event = events(AuditAction.REQUEST_RECEIVED).get()
    assert event.contact_id == contact.pk
    assert event.detail["request"] == request.pk
    assert event.detail["type"] == "access"
    assert event.changes["description"]["new"].startswith("h:")
    assert "recording" not in json.dumps(event.changes) + json.dumps(event.detail)


# --- assignment ----------------------------------------------------------------------------


def test_a_request_is_assigned_to_someone_who_can_see_the_contact(rm_user, other_rm, dpo):
    request = make_request(contact=resident(rm_user, "TW"))
    with pytest.raises(ValidationError) as error:
        services.request_assign(actor=dpo, request=request, assignee=other_rm)
    assert "assignee" in error.value.message_dict
    request = services.request_assign(actor=dpo, request=request, assignee=dpo)
    assert request.assignee == dpo
    event = events(AuditAction.REQUEST_ASSIGNED).get()
    assert event.detail["assignee"] == dpo.pk
    assert event.detail["previous_assignee"] is None


# --- the workflow --------------------------------------------------------------------------


def test_identity_verification_records_method_evidence_and_who(rm_user, dpo):
    request = make_request(contact=resident(rm_user, "TW"))
    request = services.request_verify_identity(
        actor=dpo, request=request, method="id_document", evidence="ID card A123 seen"
    )
    assert request.status == RequestStatus.IDENTITY_VERIFIED
    assert request.identity_method == "id_document"
    assert request.identity_evidence == "ID card A123 seen"
    assert request.identity_verified_by == dpo
    assert request.identity_verified_at is not None
    event = events(AuditAction.REQUEST_IDENTITY_VERIFIED).get()
    assert event.detail["method"] == "id_document"
    assert event.detail["verified_by"] == dpo.pk
    assert "A123" not in json.dumps(event.changes)


def test_identity_needs_evidence_and_a_known_method(rm_user, dpo):
    request = make_request(contact=resident(rm_user, "TW"))
    with pytest.raises(ValidationError) as error:
        services.request_verify_identity(
            actor=dpo, request=request, method="id_document", evidence="  "
        )
    assert "identity_evidence" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.request_verify_identity(actor=dpo, request=request, method="magic", evidence="x")
    assert "identity_method" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED


def test_work_cannot_start_before_identity_is_verified(rm_user, dpo):
    request = make_request(contact=resident(rm_user, "TW"))
    with pytest.raises(ValidationError, match="identity is verified"):
        services.request_start(actor=dpo, request=request)


def test_identity_is_verified_once(rm_user, dpo):
    request = verified_request(contact=resident(rm_user, "TW"), actor=dpo)
    with pytest.raises(ValidationError):
        services.request_verify_identity(
            actor=dpo, request=request, method="other", evidence="again"
        )


def test_a_rectification_goes_from_received_to_completed(rm_user, dpo):
    request = verified_request(
        contact=resident(rm_user, "TW"), actor=dpo, request_type="rectification"
    )
    assert request.status == RequestStatus.IN_PROGRESS
    request = services.request_complete(actor=dpo, request=request)
    assert request.status == RequestStatus.COMPLETED
    assert request.closed_by == dpo
    actions = list(
        AuditEvent.objects.filter(
            object_id=str(request.pk), object_type="compliance.DataSubjectRequest"
        )
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.REQUEST_RECEIVED,
        AuditAction.REQUEST_IDENTITY_VERIFIED,
        AuditAction.REQUEST_STARTED,
        AuditAction.REQUEST_COMPLETED,
    ]


def test_only_a_request_in_progress_can_be_completed(rm_user, dpo):
    request = make_request(contact=resident(rm_user, "TW"), request_type="objection")
    with pytest.raises(ValidationError, match="in progress"):
        services.request_complete(actor=dpo, request=request)


def test_an_access_request_needs_its_package_before_completing(rm_user, dpo):
    request = verified_request(contact=resident(rm_user, "TW"), actor=dpo)
    with pytest.raises(ValidationError, match="package"):
        services.request_complete(actor=dpo, request=request)


def test_a_refusal_needs_a_reason_and_closes_the_request(rm_user, dpo):
    request = make_request(contact=resident(rm_user, "TW"))
    with pytest.raises(ValidationError) as error:
        services.request_refuse(actor=dpo, request=request, reason="")
    assert "refusal_reason" in error.value.message_dict
    request = services.request_refuse(
        actor=dpo, request=request, reason="Manifestly unfounded: third request this month"
    )
    assert request.status == RequestStatus.REFUSED
    assert request.closed_at is not None
    event = events(AuditAction.REQUEST_REFUSED).get()
    assert "unfounded" not in json.dumps(event.changes)
    with pytest.raises(ValidationError, match="closed"):
        services.request_refuse(actor=dpo, request=request, reason="again")
    with pytest.raises(ValidationError, match="closed"):
        services.request_assign(actor=dpo, request=request, assignee=dpo)


def test_a_closed_request_takes_no_extension(rm_user, dpo):
    request = make_request(contact=resident(rm_user, "TW"))
    services.request_refuse(actor=dpo, request=request, reason="Not our client")
    with pytest.raises(ValidationError, match="closed"):
        services.request_extend(actor=dpo, request=request, reason="More time")


def test_a_note_is_kept_and_audited_without_its_text(rm_user, dpo):
    request = make_request(contact=resident(rm_user, "TW"))
    note = services.request_note_add(actor=dpo, request=request, body="Called Mr Chen back")
    assert request.notes.get() == note
    assert note.author == dpo
    event = events(AuditAction.REQUEST_NOTE_ADDED).get()
    assert event.detail["request"] == request.pk
    assert "Chen" not in json.dumps(event.changes)
    with pytest.raises(ValidationError):
        services.request_note_add(actor=dpo, request=request, body="x" * 5001)


# --- acknowledgement -----------------------------------------------------------------------


def test_a_request_is_acknowledged_once(rm_user, dpo):
    request = make_request(contact=resident(rm_user, "US"))
    request = services.request_acknowledge(actor=dpo, request=request)
    assert request.acknowledged_at is not None
    assert events(AuditAction.REQUEST_ACKNOWLEDGED).count() == 1
    with pytest.raises(ValidationError, match="already"):
        services.request_acknowledge(actor=dpo, request=request)


def test_an_acknowledgement_cannot_predate_the_request(rm_user, dpo):
    request = make_request(contact=resident(rm_user, "US"))
    with pytest.raises(ValidationError) as error:
        services.request_acknowledge(
            actor=dpo, request=request, acknowledged_at=request.received_at - dt.timedelta(days=1)
        )
    assert "acknowledged_at" in error.value.message_dict


# --- extensions ----------------------------------------------------------------------------


def test_an_extension_needs_a_reason_and_is_taken_once(rm_user, dpo):
    with time_machine.travel(at(2025, 1, 31), tick=False):
        request = make_request(contact=resident(rm_user, "DE"))
    with time_machine.travel(at(2025, 2, 20), tick=False):
        with pytest.raises(ValidationError) as error:
            services.request_extend(actor=dpo, request=request, reason=" ")
        assert "extension_reason" in error.value.message_dict
        request = services.request_extend(
            actor=dpo, request=request, reason="Complex: twelve years of statements"
        )
        assert request.due_on == dt.date(2025, 4, 28)
        assert request.original_due_on == dt.date(2025, 2, 28)
        assert request.extended_by == dpo
        with pytest.raises(ValidationError, match="once"):
            services.request_extend(actor=dpo, request=request, reason="Still more")
    event = events(AuditAction.REQUEST_EXTENDED).get()
    assert event.detail["due_on"] == "2025-04-28"
    assert event.detail["original_due_on"] == "2025-02-28"
    assert "statements" not in json.dumps(event.changes)


def test_an_extension_may_not_pass_the_laws_limit(rm_user, dpo):
    with time_machine.travel(at(2025, 6, 1), tick=False):
        request = make_request(contact=resident(rm_user, "TW"))  # due 16 June
        with pytest.raises(ValidationError) as error:
            services.request_extend(
                actor=dpo, request=request, reason="Busy", new_due_on=dt.date(2025, 7, 2)
            )
        assert "2025-07-01" in str(error.value.message_dict["new_due_on"])
        request = services.request_extend(
            actor=dpo, request=request, reason="Archive search", new_due_on=dt.date(2025, 6, 25)
        )
    assert request.due_on == dt.date(2025, 6, 25)


def test_an_overdue_request_can_no_longer_be_extended(rm_user, dpo):
    with time_machine.travel(at(2025, 6, 1), tick=False):
        request = make_request(contact=resident(rm_user, "TW"))
    with (
        time_machine.travel(at(2025, 6, 17), tick=False),
        pytest.raises(ValidationError, match="passed"),
    ):
        services.request_extend(actor=dpo, request=request, reason="Too late")
    request.refresh_from_db()
    assert request.due_on == dt.date(2025, 6, 16)
    assert not request.is_extended


# --- erasure and restriction: the integration point ------------------------------------------


def test_completing_an_erasure_runs_the_registered_executor_in_the_same_transaction(
    rm_user, dpo, monkeypatch
):
    monkeypatch.setattr(services, "_executors", {})
    calls = []
    services.register_executor(
        RequestType.ERASURE, lambda *, actor, request: calls.append((actor, request.pk))
    )
    request = verified_request(contact=resident(rm_user, "TW"), actor=dpo, request_type="erasure")
    services.request_complete(actor=dpo, request=request)
    assert calls == [(dpo, request.pk)]


def test_a_failing_executor_leaves_the_request_in_progress(rm_user, dpo, monkeypatch):
    monkeypatch.setattr(services, "_executors", {})

    def refuse(*, actor, request):
        raise ValidationError("Legal hold on this contact")

    services.register_executor(RequestType.RESTRICTION, refuse)
    request = verified_request(
        contact=resident(rm_user, "TW"), actor=dpo, request_type="restriction"
    )
    with pytest.raises(ValidationError, match="Legal hold"):
        services.request_complete(actor=dpo, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    assert not events(AuditAction.REQUEST_COMPLETED).exists()


# --- who sees which requests ---------------------------------------------------------------


def test_an_rm_sees_the_requests_of_their_book_only(rm_user, other_rm, compliance_user):
    mine = make_request(contact=resident(rm_user, "TW"))
    theirs = make_request(contact=resident(other_rm, "TW"))
    assert list(DataSubjectRequest.objects.visible_to(rm_user)) == [mine]
    assert set(DataSubjectRequest.objects.visible_to(compliance_user)) == {mine, theirs}


# --- selectors -----------------------------------------------------------------------------


def test_the_home_panel_lists_the_assignees_requests_due_soon_or_overdue(rm_user, dpo):
    from compliance.requests.selectors import requests_due_for

    contact = resident(rm_user, "TW")
    with time_machine.travel(at(2025, 6, 1), tick=False):
        soon = make_request(contact=contact, assignee=rm_user)  # due 16 June
        make_request(contact=contact, assignee=dpo)  # someone else's
        make_request(contact=contact, request_type="erasure", assignee=rm_user)  # 1 July
    with time_machine.travel(at(2025, 5, 25), tick=False):
        late = make_request(contact=contact, assignee=rm_user)  # due 9 June
    due = requests_due_for(user=rm_user, today=dt.date(2025, 6, 10))
    assert [(d.request, d.bucket) for d in due] == [(late, "overdue"), (soon, "this_week")]


def test_the_dashboard_groups_open_requests_by_due_date(rm_user, dpo):
    from compliance.requests.selectors import requests_dashboard

    contact = resident(rm_user, "TW")
    with time_machine.travel(at(2025, 6, 1), tick=False):
        this_week = make_request(contact=contact)  # 16 June
        later = make_request(contact=contact, request_type="erasure")  # 1 July
        closed = make_request(contact=contact)
        services.request_refuse(actor=dpo, request=closed, reason="Duplicate")
    with time_machine.travel(at(2025, 5, 1), tick=False):
        overdue = make_request(contact=resident(rm_user, "US"))  # acknowledge by 15 May
    groups = requests_dashboard(today=dt.date(2025, 6, 12))
    assert [d.request for d in groups["overdue"]] == [overdue]
    assert groups["overdue"][0].deadline == "acknowledge"
    assert [d.request for d in groups["this_week"]] == [this_week]
    assert [d.request for d in groups["later"]] == [later]


def test_the_seeded_deadline_table_matches_the_laws_defaults():
    from compliance.requests.clock import DEFAULT_TERMS

    seeded = {
        (r.jurisdiction, r.request_type): r.terms() for r in RequestDeadlineRule.objects.all()
    }
    assert seeded == DEFAULT_TERMS
