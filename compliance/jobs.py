"""Compliance's nightly jobs, on the job framework (``core.jobs``)."""

from collections.abc import Sequence

from compliance.consent.services import consent_expire, consent_states_due
from compliance.models import ConsentState
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


def register_all() -> None:
    jobs.register(ExpireConsentsJob)
