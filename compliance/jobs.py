"""Compliance's nightly jobs, on the job framework (``core.jobs``)."""

from collections.abc import Sequence

from django.utils import timezone

from compliance.consent.services import consent_expire, consent_states_due
from compliance.erasure import retention
from compliance.erasure.services import erasure_complete
from compliance.models import ConsentState, DataSubjectRequest, ErasureRecord, ErasureStatus
from compliance.requests.access import access_export_expire, access_exports_due
from compliance.requests.services import reminder_candidates, request_reminders_due_send
from core import jobs


class ExpireConsentsJob(jobs.ModelJob):
    """Record, in the consent ledger, every granted consent whose expiry has passed. The
    may-contact decision never waits for this (it judges expiry at the time of each
    question); the ledger and the current state catch up here. Chunked by consent state id;
    each expiry re-checks the state under its row lock, so a redone chunk records nothing
    twice."""

    name = "compliance.expire_consents"
    # Each expiry locks its contact's row until the chunk commits: keep chunks short.
    chunk_size = 200

    def queryset(self):
        return consent_states_due(now=self.now)

    def process(self, chunk: Sequence) -> jobs.Counts:
        self._states = ConsentState.objects.in_bulk(chunk)
        return super().process(chunk)

    def process_one(self, key) -> bool:
        state = self._states.get(key)
        return state is not None and consent_expire(state=state, now=self.now) is not None


class CompleteHeldErasuresJob(jobs.ModelJob):
    """Finish the erasures a legal hold held back, once every hold on the contact has ended
    (``erasure_complete`` re-checks under the record's row lock, so a redone chunk erases
    nothing twice)."""

    name = "compliance.complete_held_erasures"
    chunk_size = 50

    def queryset(self):
        return ErasureRecord.objects.filter(status=ErasureStatus.HELD)

    def process_one(self, key) -> bool:
        record = ErasureRecord.objects.filter(pk=key).first()
        return record is not None and erasure_complete(
            record=record, today=timezone.localdate(self.now)
        )


class ApplyRetentionJob(jobs.ModelJob):
    """Erase the contacts whose retention period has run out under an active policy
    (``RetentionPolicy``), through ``erasure_execute``: legal holds apply as for any
    erasure. Each contact is checked again before it is erased."""

    name = "compliance.apply_retention"
    chunk_size = 50

    def queryset(self):
        return retention.contacts_due(today=timezone.localdate(self.now))

    def process_one(self, key) -> bool:
        today = timezone.localdate(self.now)
        return retention.retention_apply_one(contact_id=key, today=today) is not None


class RequestRemindersJob(jobs.ModelJob):
    """Remind assignees (or compliance, while nobody is assigned) of data-subject requests
    due soon or overdue. Each reminder is a unique row written with its email, so a redone
    chunk sends nothing twice. ``changed`` counts the reminders sent."""

    name = "compliance.send_request_reminders"
    chunk_size = 100

    def queryset(self):
        return reminder_candidates(today=timezone.localdate(self.now))

    def process(self, chunk: Sequence) -> jobs.Counts:
        today = timezone.localdate(self.now)
        requests = (
            DataSubjectRequest.objects.open()
            .filter(pk__in=chunk)
            .select_related("assignee")
            .prefetch_related("reminders")
            .order_by("pk")
        )
        counts = jobs.Counts(seen=len(chunk))
        for request in requests:
            sent = request_reminders_due_send(request=request, today=today)
            counts.changed += sent
            counts.skipped += 0 if sent else 1
        return counts


class ExpireAccessExportsJob(jobs.ModelJob):
    """Expire access packages whose download link has lapsed and delete their files, and
    delete any file a download left behind. ``changed`` counts the packages expired."""

    name = "compliance.expire_access_exports"
    chunk_size = 100

    def queryset(self):
        return access_exports_due(now=self.now)

    def process_one(self, key) -> bool:
        return access_export_expire(export_id=key, now=self.now)


def register_all() -> None:
    jobs.register(ExpireConsentsJob)
    jobs.register(CompleteHeldErasuresJob)
    jobs.register(ApplyRetentionJob)
    jobs.register(RequestRemindersJob)
    jobs.register(ExpireAccessExportsJob)
