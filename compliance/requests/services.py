"""Writes for data-subject requests: intake, assignment, identity, the workflow, notes and
reminders. Each write is synchronous, in its own transaction, with its audit event.

The workflow: received -> identity verified -> in progress -> completed; refused from any
open status, with a reason. Identity must be verified before any work starts (no data
leaves before that). Acknowledgement and the one extension are recorded beside the status.

Erasure, restriction and objections to direct marketing are carried out at completion by
the executors ``compliance.requests.executors`` registers: see ``register_executor`` and
``request_complete``.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import audit
from compliance.models import (
    OPEN_STATUSES,
    DataSubjectRequest,
    RequestDeadlineKind,
    RequestDeadlineRule,
    RequestNote,
    RequestReminder,
    RequestStatus,
)
from compliance.requests import clock
from compliance.requests.clock import RequestType
from core import roles

logger = logging.getLogger(__name__)

CLOCK_SLACK_SECONDS = 60
MAX_TEXT = 5000

# Types whose answer is the package of the person's data: completing needs one built.
ACCESS_TYPES = frozenset({RequestType.ACCESS, RequestType.COPY, RequestType.PORTABILITY})


# --- the integration point for erasure and restriction ---------------------------------------

Executor = Callable[..., bool | None]
_executors: dict[str, Executor] = {}


def register_executor(request_type: str, executor: Executor) -> None:
    """Let the module that carries out a type of request do it when the request completes.

    ``compliance.requests.executors`` registers erasure, restriction and objection in
    ``ComplianceConfig.ready()``. The executor is called inside ``request_complete``'s
    transaction, with the locked request and the completion's ``options`` as keyword
    arguments, before its status changes: if it raises, nothing is completed. Until a type
    has an executor, completing its request records the DPO's word that it was done by
    hand (the audit event says ``executed: false``).
    """
    _executors[request_type] = executor


def executor_for(request_type: str) -> Executor | None:
    return _executors.get(request_type)


# --- helpers ---------------------------------------------------------------------------------


def _lock(request: DataSubjectRequest) -> DataSubjectRequest:
    return (
        DataSubjectRequest.objects.select_for_update(of=("self",))
        .select_related("contact")
        .get(pk=request.pk)
    )


def _require_status(request: DataSubjectRequest, allowed, message: str) -> None:
    if request.status not in allowed:
        raise ValidationError(message)


def _require_open(request: DataSubjectRequest) -> None:
    _require_status(request, OPEN_STATUSES, _("This request is closed."))


def _text(value: str, *, field: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > MAX_TEXT:
        raise ValidationError(
            {field: [_("Keep this under %(max)d characters.") % {"max": MAX_TEXT}]}
        )
    return value


def check_assignee(user, contact) -> None:
    if not user.is_active:
        raise ValidationError({"assignee": [_("This account is not active.")]})
    visible = type(contact).objects.visible_to(user).filter(pk=contact.pk).exists()
    if not visible:
        raise ValidationError({"assignee": [_("This person cannot see the contact's record.")]})


def deadline_rule(jurisdiction: str, request_type: str) -> RequestDeadlineRule:
    rule = RequestDeadlineRule.objects.filter(
        jurisdiction=jurisdiction, request_type=request_type
    ).first()
    if rule is None:
        raise ValidationError(
            _(
                "No deadline is set for this type of request under %(law)s. Ask the DPO to "
                "add it to the request deadline rules."
            )
            % {"law": dict(clock.RequestJurisdiction.choices).get(jurisdiction, jurisdiction)}
        )
    return rule


def jurisdiction_of(contact) -> str:
    return clock.jurisdiction_for(
        contact.country_of_residence, default=settings.DSR_DEFAULT_JURISDICTION
    )


def deadline_rule_for(*, contact, request_type: str) -> RequestDeadlineRule:
    return deadline_rule(jurisdiction_of(contact), request_type)


# --- intake and the workflow -----------------------------------------------------------------


@transaction.atomic
def request_create(
    *,
    actor,
    contact,
    request_type: str,
    channel: str,
    description: str = "",
    received_at: datetime | None = None,
    assignee=None,
) -> DataSubjectRequest:
    """Record a request as received. The law follows the contact's country of residence
    (``DSR_DEFAULT_JURISDICTION`` for countries outside the three laws); the deadlines
    come from the DPO's table and count from the day it was received."""
    now = timezone.now()
    received_at = received_at or now
    if (received_at - now).total_seconds() > CLOCK_SLACK_SECONDS:
        raise ValidationError({"received_at": [_("This cannot be in the future.")]})
    if request_type not in RequestType.values:
        raise ValidationError({"request_type": [_("Choose a type of request.")]})
    description = _text(description, field="description", required=False)
    jurisdiction = jurisdiction_of(contact)
    terms = deadline_rule(jurisdiction, request_type).terms()
    due = clock.deadlines(timezone.localdate(received_at), terms)
    if assignee is not None:
        check_assignee(assignee, contact)
    request = DataSubjectRequest(
        contact=contact,
        request_type=request_type,
        jurisdiction=jurisdiction,
        channel=channel,
        received_at=received_at,
        description=description,
        assignee=assignee,
        received_by=actor if getattr(actor, "is_authenticated", False) else None,
        acknowledge_due_on=due.acknowledge_by,
        due_on=due.answer_by,
        original_due_on=due.answer_by,
    )
    request.full_clean()
    request.save()
    audit.request_received(actor=actor, request=request)
    return request


@transaction.atomic
def request_assign(*, actor, request: DataSubjectRequest, assignee) -> DataSubjectRequest:
    """Give the request to someone who can see the contact's record."""
    request = _lock(request)
    _require_open(request)
    check_assignee(assignee, request.contact)
    previous = request.assignee_id
    if previous == assignee.pk:
        return request
    request.assignee = assignee
    request.save(update_fields=["assignee", "updated_at"])
    audit.request_assigned(actor=actor, request=request, previous_id=previous)
    return request


@transaction.atomic
def request_verify_identity(
    *, actor, request: DataSubjectRequest, method: str, evidence: str
) -> DataSubjectRequest:
    """Record how the requester proved who they are, what was seen, and who checked."""
    request = _lock(request)
    _require_status(
        request,
        {RequestStatus.RECEIVED},
        _("The requester's identity can only be verified once, before the work starts."),
    )
    request.identity_method = method
    request.identity_evidence = _text(evidence, field="identity_evidence")
    request.identity_verified_at = timezone.now()
    request.identity_verified_by = actor
    request.status = RequestStatus.IDENTITY_VERIFIED
    request.full_clean()
    request.save(
        update_fields=[
            "identity_method",
            "identity_evidence",
            "identity_verified_at",
            "identity_verified_by",
            "status",
            "updated_at",
        ]
    )
    audit.request_identity_verified(actor=actor, request=request)
    return request


@transaction.atomic
def request_acknowledge(
    *, actor, request: DataSubjectRequest, acknowledged_at: datetime | None = None
) -> DataSubjectRequest:
    """Record that the requester was told the request arrived (the CCPA wants it within
    ten business days)."""
    request = _lock(request)
    _require_open(request)
    if request.acknowledged_at is not None:
        raise ValidationError(_("This request was already acknowledged."))
    now = timezone.now()
    acknowledged_at = acknowledged_at or now
    if (acknowledged_at - now).total_seconds() > CLOCK_SLACK_SECONDS:
        raise ValidationError({"acknowledged_at": [_("This cannot be in the future.")]})
    if acknowledged_at < request.received_at:
        raise ValidationError(
            {"acknowledged_at": [_("A request cannot be acknowledged before it arrived.")]}
        )
    request.acknowledged_at = acknowledged_at
    request.save(update_fields=["acknowledged_at", "updated_at"])
    audit.request_acknowledged(actor=actor, request=request)
    return request


@transaction.atomic
def request_start(*, actor, request: DataSubjectRequest) -> DataSubjectRequest:
    request = _lock(request)
    _require_status(
        request,
        {RequestStatus.IDENTITY_VERIFIED},
        _("Work can start only once the requester's identity is verified."),
    )
    request.status = RequestStatus.IN_PROGRESS
    request.save(update_fields=["status", "updated_at"])
    audit.request_started(actor=actor, request=request)
    return request


EXTENSION_ERRORS = {
    "already_extended": gettext_lazy("This request was already extended; the law allows it once."),
    "past_due": gettext_lazy("The deadline has passed; it can no longer be extended."),
    "no_extension": gettext_lazy("The deadline rule allows no extension for this request."),
    "not_later": gettext_lazy("The new date must be after the current deadline."),
    "beyond_limit": gettext_lazy("The law allows an extension until %(limit)s at the latest."),
}


@transaction.atomic
def request_extend(
    *, actor, request: DataSubjectRequest, reason: str, new_due_on: date | None = None
) -> DataSubjectRequest:
    """Take the one extension the law allows, with its reason, before the deadline
    passes; without a date, the full extension."""
    request = _lock(request)
    _require_open(request)
    reason = _text(reason, field="extension_reason")
    terms = deadline_rule(request.jurisdiction, request.request_type).terms()
    try:
        due = clock.extended_due(
            today=timezone.localdate(),
            original_due=request.due_on,
            terms=terms,
            already_extended=request.is_extended,
            requested=new_due_on,
        )
    except clock.ExtensionRefused as refused:
        limit = clock.extension_limit(request.due_on, terms).isoformat()
        message = str(EXTENSION_ERRORS[refused.code]) % {"limit": limit}
        field = "new_due_on" if refused.code in ("not_later", "beyond_limit") else None
        raise ValidationError({field: [message]} if field else message) from refused
    request.due_on = due
    request.extension_reason = reason
    request.extended_at = timezone.now()
    request.extended_by = actor
    request.full_clean()
    request.save(
        update_fields=["due_on", "extension_reason", "extended_at", "extended_by", "updated_at"]
    )
    audit.request_extended(actor=actor, request=request)
    return request


@transaction.atomic
def request_complete(
    *, actor, request: DataSubjectRequest, options: dict | None = None
) -> DataSubjectRequest:
    """Close the request as answered.

    An access, copy or portability request needs its package built first. For erasure,
    restriction and objection, the registered executor runs here, in this transaction
    (``register_executor``), with ``options`` (an erasure's reason and previewed plan
    fingerprint, an objection's "stop all marketing").
    """
    request = _lock(request)
    _require_status(
        request, {RequestStatus.IN_PROGRESS}, _("Only a request in progress can be completed.")
    )
    if (
        request.request_type in ACCESS_TYPES
        and not request.exports.filter(built_at__isnull=False).exists()
    ):
        raise ValidationError(_("Build the package of the person's data before completing."))
    executor = executor_for(request.request_type)
    # An executor returns False when it had nothing to do (an objection without "stop all
    # marketing"): the audit then says the DPO answered it by hand.
    executed = (
        executor is not None
        and executor(actor=actor, request=request, **(options or {})) is not False
    )
    request.status = RequestStatus.COMPLETED
    request.closed_at = timezone.now()
    request.closed_by = actor
    request.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    audit.request_completed(actor=actor, request=request, executed=executed)
    return request


@transaction.atomic
def request_refuse(*, actor, request: DataSubjectRequest, reason: str) -> DataSubjectRequest:
    """Refuse the request (unfounded, excessive, identity not proven, a legal duty to keep
    the data...). The reason is required: the requester must be told it."""
    request = _lock(request)
    _require_open(request)
    request.refusal_reason = _text(reason, field="refusal_reason")
    request.status = RequestStatus.REFUSED
    request.closed_at = timezone.now()
    request.closed_by = actor
    request.full_clean()
    request.save(update_fields=["refusal_reason", "status", "closed_at", "closed_by", "updated_at"])
    audit.request_refused(actor=actor, request=request)
    return request


@transaction.atomic
def request_note_add(*, actor, request: DataSubjectRequest, body: str) -> RequestNote:
    note = RequestNote(
        request=request,
        body=_text(body, field="body"),
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    note.full_clean()
    note.save()
    audit.request_note_added(actor=actor, note=note)
    return note


@transaction.atomic
def deadline_rule_save(*, actor, rule: RequestDeadlineRule) -> RequestDeadlineRule:
    """The DPO changes a row of the deadline table. Running requests keep their dates."""
    rule.full_clean()
    rule.save()
    audit.request_rule_saved(actor=actor, rule=rule)
    return rule


# --- reminders -------------------------------------------------------------------------------


def _reminder_recipients(request: DataSubjectRequest) -> list:
    """The assignee; while nobody is assigned, every active compliance officer."""
    if request.assignee is not None and request.assignee.is_active and request.assignee.email:
        return [request.assignee]
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.COMPLIANCE)
        .exclude(email="")
        .order_by("pk")
    )


def _reminder_text(request: DataSubjectRequest, *, deadline: str, due_on: date, stage: str):
    values = {
        "number": request.pk,
        "type": request.get_request_type_display(),
        "date": due_on.isoformat(),
    }
    if deadline == RequestDeadlineKind.ACKNOWLEDGE:
        subject = _("Data-subject request #%(number)s: acknowledge by %(date)s") % values
        body = _("Data-subject request #%(number)s (%(type)s) must be acknowledged by %(date)s.")
    else:
        subject = _("Data-subject request #%(number)s: answer by %(date)s") % values
        body = _("Data-subject request #%(number)s (%(type)s) must be answered by %(date)s.")
    if stage == clock.ReminderStage.OVERDUE:
        subject = _("Overdue: %(subject)s") % {"subject": subject}
    # No name or detail of the person: an email leaves the firm's systems.
    return subject, body % values + "\n\n" + _("Open Prudence to see the request.")


@transaction.atomic
def request_reminder_send(
    *, request: DataSubjectRequest, deadline: str, due_on: date, stage: str
) -> RequestReminder | None:
    """Send one reminder once: the row and the email go together.

    The email is sent inside the transaction, after the row is written: if sending fails,
    the row rolls back and tomorrow's run tries again. (A crash between the send and the
    commit could repeat one reminder; losing one silently would be worse.)
    """
    recipients = _reminder_recipients(request)
    try:
        with transaction.atomic():
            reminder = RequestReminder.objects.create(
                request=request,
                deadline=deadline,
                stage=stage,
                due_on=due_on,
                recipients=[user.pk for user in recipients],
            )
    except IntegrityError:
        return None  # another run sent it
    for user in recipients:
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject, body = _reminder_text(request, deadline=deadline, due_on=due_on, stage=stage)
            send_mail(subject, body, None, [user.email])
    audit.request_reminder_sent(reminder=reminder)
    return reminder


def _open_deadlines(request: DataSubjectRequest):
    if request.acknowledge_due_on and request.acknowledged_at is None:
        yield RequestDeadlineKind.ACKNOWLEDGE, request.acknowledge_due_on
    yield RequestDeadlineKind.ANSWER, request.due_on


def reminder_candidates(*, today: date):
    """Open requests with a deadline near enough (or past) for a reminder to be due."""
    horizon = today + timedelta(days=max(days for _, days in clock.ADVANCE_REMINDERS))
    return DataSubjectRequest.objects.open().filter(
        Q(due_on__lte=horizon) | Q(acknowledge_due_on__lte=horizon, acknowledged_at__isnull=True)
    )


def request_reminders_due_send(*, request: DataSubjectRequest, today: date) -> int:
    """Send the reminders now due for one request, each once; how many were sent."""
    sent = 0
    for deadline, due_on in _open_deadlines(request):
        already = {
            r.stage
            for r in request.reminders.all()
            if r.deadline == deadline and r.due_on == due_on
        }
        stage = clock.reminder_due(today=today, due_on=due_on, sent=already)
        if stage is None:
            continue
        try:
            if request_reminder_send(
                request=request, deadline=deadline, due_on=due_on, stage=stage
            ):
                sent += 1
        except Exception:
            # One bad address must not stop everyone else's reminders.
            logger.exception("reminder for request %s could not be sent", request.pk)
    return sent


def request_reminders_send(*, today: date | None = None) -> int:
    """Every reminder due today, in one go (the nightly job,
    ``compliance.jobs.RequestRemindersJob``, does the same in chunks). Safe to run twice."""
    today = today or timezone.localdate()
    candidates = (
        reminder_candidates(today=today)
        .select_related("assignee")
        .prefetch_related("reminders")
        .order_by("pk")
    )
    return sum(
        request_reminders_due_send(request=request, today=today)
        for request in candidates.iterator(chunk_size=200)
    )
