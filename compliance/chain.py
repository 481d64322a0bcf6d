"""The audit log's hash chain: pure functions, no Django, no I/O.

Each sealed event is one link: ``hash = SHA-256(prev_hash + canonical event)``, where the
canonical event is compact JSON with sorted keys of the event's fields as stored. The first
link's ``prev_hash`` is ``GENESIS_HASH`` (or the end hash of the last archived segment).
Changing, removing or reordering any event changes every hash after it.

``ChainVerifier`` walks links in sequence order and names the first one that does not hold.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64

# The fields of an event that the chain covers, in the canonical form's key names.
EVENT_KEYS = (
    "id",
    "occurred_at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "contact_id",
    "changes",
    "detail",
    "ip",
    "request_id",
    "via",
)


def iso_utc(moment: datetime) -> str:
    """One spelling per instant: UTC, microseconds always shown. Naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    elif moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def canonical_event(
    *,
    id: int,
    occurred_at: datetime | str,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    contact_id: int | None,
    changes: Mapping | None,
    detail: Mapping | None,
    ip: str | None,
    request_id: str,
    via: str,
) -> dict:
    """The event as the chain sees it: plain JSON values only."""
    return {
        "id": int(id),
        "occurred_at": occurred_at if isinstance(occurred_at, str) else iso_utc(occurred_at),
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type or "",
        "object_id": object_id or "",
        "contact_id": contact_id,
        "changes": changes or {},
        "detail": detail or {},
        "ip": ip or None,
        "request_id": request_id or "",
        "via": via or "",
    }


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_bytes(event: Mapping) -> bytes:
    """Compact JSON, keys sorted at every depth, UTF-8: the bytes that are hashed."""
    return _ENCODER.encode(event).encode()


def link_hash(prev_hash: str, event: Mapping) -> str:
    """The hash of the link that seals ``event`` after a link whose hash is ``prev_hash``."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_bytes(event)).hexdigest()


def link_chain(prev_hash: str, events: list[Mapping]) -> list[str]:
    """Hashes for ``events`` sealed one after another from ``prev_hash``."""
    hashes = []
    for event in events:
        prev_hash = link_hash(prev_hash, event)
        hashes.append(prev_hash)
    return hashes


@dataclass(frozen=True)
class Problem:
    sequence: int | None
    event_id: int | None
    kind: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class ChainVerifier:
    """Checks links one at a time, in sequence order, from a known start.

    Feed it every link with ``check``; it returns the first ``Problem`` it finds (and keeps
    returning ``None`` for good links). ``head_sequence``/``head_hash`` then name the head.
    """

    start_sequence: int = 1
    start_hash: str = GENESIS_HASH
    count: int = 0

    def __post_init__(self) -> None:
        self.head_sequence = self.start_sequence - 1
        self.head_hash = self.start_hash

    def check(
        self,
        *,
        sequence: int,
        event_id: int,
        prev_hash: str,
        hash: str,
        event: Mapping | None,
    ) -> Problem | None:
        expected = self.head_sequence + 1
        if sequence != expected:
            if sequence > expected:
                missing = (
                    f"sequence {expected} is missing"
                    if sequence == expected + 1
                    else f"sequences {expected} to {sequence - 1} are missing"
                )
                return Problem(
                    sequence, event_id, "gap", f"Gap in the chain: {missing} (next is {sequence})."
                )
            return Problem(
                sequence,
                event_id,
                "order",
                f"Out of order: sequence {sequence} follows sequence {self.head_sequence}.",
            )
        if prev_hash != self.head_hash:
            return Problem(
                sequence,
                event_id,
                "link",
                f"Broken link at sequence {sequence}: its previous hash {prev_hash[:16]}… is "
                f"not the hash of sequence {self.head_sequence} ({self.head_hash[:16]}…).",
            )
        if event is None:
            return Problem(
                sequence,
                event_id,
                "deleted",
                f"Event {event_id} (sequence {sequence}) was deleted: its seal remains, the "
                "event does not.",
            )
        if event["id"] != event_id:
            return Problem(
                sequence,
                event_id,
                "mismatch",
                f"Sequence {sequence} seals event {event_id} but was given event {event['id']}.",
            )
        if link_hash(prev_hash, event) != hash:
            return Problem(
                sequence,
                event_id,
                "altered",
                f"Event {event_id} (sequence {sequence}) was altered: its hash no longer "
                "recomputes from the event as stored.",
            )
        self.head_sequence = sequence
        self.head_hash = hash
        self.count += 1
        return None


@dataclass(frozen=True)
class Checkpoint:
    """A chain head written outside the database: ``sequence hash time`` on one line."""

    sequence: int
    hash: str
    written_at: str

    def line(self) -> str:
        return f"{self.sequence} {self.hash} {self.written_at}\n"

    @classmethod
    def parse(cls, line: str) -> "Checkpoint":
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit() or len(parts[1]) != 64:
            raise ValueError(f"not a checkpoint line: {line.strip()!r}")
        return cls(sequence=int(parts[0]), hash=parts[1], written_at=parts[2])


def last_checkpoint(lines: list[str]) -> Checkpoint | None:
    """The newest checkpoint in a file's lines (blank lines and ``#`` comments skipped)."""
    for line in reversed(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            return Checkpoint.parse(line)
    return None
