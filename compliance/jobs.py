"""Compliance's nightly jobs, on the job framework (``core.jobs``)."""

from collections.abc import Sequence

from django.utils import timezone

from compliance.consent.services import consent_expire, consent_states_due
from compliance.erasure import retention
from compliance.erasure.services import erasure_complete
from compliance.models import ConsentState, ErasureRecord, ErasureStatus
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


def register_all() -> None:
    jobs.register(ExpireConsentsJob)
    jobs.register(CompleteHeldErasuresJob)
    jobs.register(ApplyRetentionJob)
