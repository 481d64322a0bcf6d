"""The hash chain engine, without a database."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance import chain


def event(n: int = 1, **overrides) -> dict:
    values = {
        "id": n,
        "occurred_at": datetime(2026, 1, 2, 3, 4, 5, 600_000, tzinfo=UTC),
        "actor_id": 7,
        "action": "contact.updated",
        "object_type": "contacts.Contact",
        "object_id": str(n),
        "contact_id": n,
        "changes": {"notes": {"old": "a", "new": "b"}},
        "detail": {},
        "ip": "10.0.0.1",
        "request_id": "req",
        "via": "web",
    }
    return chain.canonical_event(**(values | overrides))


def sealed(events: list[dict], start: str = chain.GENESIS_HASH, first: int = 1) -> list[dict]:
    links, prev = [], start
    for offset, ev in enumerate(events):
        link = chain.link_hash(prev, ev)
        links.append(
            {"sequence": first + offset, "event_id": ev["id"], "prev_hash": prev, "hash": link}
        )
        prev = link
    return links


def run(verifier: chain.ChainVerifier, events: list[dict | None], links: list[dict]):
    for ev, link in zip(events, links, strict=True):
        problem = verifier.check(event=ev, **link)
        if problem:
            return problem
    return None


def test_the_same_event_always_hashes_the_same():
    assert chain.link_hash(chain.GENESIS_HASH, event()) == chain.link_hash(
        chain.GENESIS_HASH, event()
    )


def test_key_order_does_not_matter_but_values_do():
    a = event(changes={"x": 1, "y": {"b": 2, "a": 1}})
    b = event(changes={"y": {"a": 1, "b": 2}, "x": 1})
    assert chain.canonical_bytes(a) == chain.canonical_bytes(b)
    assert chain.link_hash("0" * 64, a) != chain.link_hash("0" * 64, event(changes={"x": 2}))


def test_one_instant_has_one_spelling_whatever_the_time_zone():
    taipei = timezone(timedelta(hours=8))
    utc = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert chain.iso_utc(utc) == "2026-01-02T03:04:05.000000+00:00"
    assert chain.iso_utc(utc.astimezone(taipei)) == chain.iso_utc(utc)
    assert chain.iso_utc(utc.replace(tzinfo=None)) == chain.iso_utc(utc)


def test_the_previous_hash_is_part_of_the_link():
    assert chain.link_hash("0" * 64, event()) != chain.link_hash("1" * 64, event())


@given(
    field=st.sampled_from(
        ["actor_id", "action", "object_type", "object_id", "contact_id", "ip", "request_id", "via"]
    ),
    value=st.text(max_size=5) | st.integers() | st.none(),
)
def test_changing_any_field_changes_the_hash(field, value):
    original = event()
    changed = dict(original, **{field: value})
    if changed != original:
        assert chain.link_hash("0" * 64, changed) != chain.link_hash("0" * 64, original)


def test_an_intact_chain_verifies_and_names_its_head():
    events = [event(n) for n in (3, 1, 2)]  # sealing order need not be id order
    links = sealed(events)
    verifier = chain.ChainVerifier()
    assert run(verifier, events, links) is None
    assert verifier.count == 3
    assert (verifier.head_sequence, verifier.head_hash) == (3, links[-1]["hash"])
    assert chain.link_chain(chain.GENESIS_HASH, events) == [link["hash"] for link in links]


def test_an_altered_event_is_named():
    events = [event(n) for n in range(1, 5)]
    links = sealed(events)
    events[2] = dict(events[2], detail={"forged": True})
    problem = run(chain.ChainVerifier(), events, links)
    assert (problem.kind, problem.sequence, problem.event_id) == ("altered", 3, 3)
    assert "Event 3 (sequence 3) was altered" in str(problem)


def test_a_deleted_event_is_named():
    events = [event(n) for n in range(1, 4)]
    links = sealed(events)
    problem = run(chain.ChainVerifier(), [events[0], None, events[2]], links)
    assert (problem.kind, problem.sequence) == ("deleted", 2)


def test_a_missing_link_is_a_gap():
    events = [event(n) for n in range(1, 6)]
    links = sealed(events)
    problem = run(chain.ChainVerifier(), events[:2] + events[4:], links[:2] + links[4:])
    assert problem.kind == "gap"
    assert "sequences 3 to 4 are missing" in str(problem)


def test_a_rewritten_previous_hash_is_a_broken_link():
    events = [event(n) for n in range(1, 4)]
    links = sealed(events)
    links[1]["prev_hash"] = "f" * 64
    assert run(chain.ChainVerifier(), events, links).kind == "link"


def test_links_out_of_order_are_reported():
    events = [event(n) for n in range(1, 4)]
    links = sealed(events)
    problem = run(chain.ChainVerifier(), [events[0], events[0]], [links[0], links[0]])
    assert problem.kind == "order"


def test_a_seal_given_the_wrong_event_is_reported():
    events = [event(1), event(2)]
    links = sealed(events)
    assert run(chain.ChainVerifier(), [events[1]], [links[0]]).kind == "mismatch"


def test_a_chain_can_start_after_an_archived_segment():
    events = [event(n) for n in range(1, 7)]
    links = sealed(events)
    verifier = chain.ChainVerifier(start_sequence=4, start_hash=links[2]["hash"])
    assert run(verifier, events[3:], links[3:]) is None
    assert verifier.head_sequence == 6
    assert run(chain.ChainVerifier(), events[3:], links[3:]).kind == "gap"


def test_checkpoint_lines_round_trip_and_the_last_one_counts():
    point = chain.Checkpoint(12, "a" * 64, "2026-01-02T00:00:00.000000+00:00")
    older = chain.Checkpoint(3, "b" * 64, "2026-01-01T00:00:00.000000+00:00")
    assert chain.Checkpoint.parse(point.line()) == point
    assert chain.last_checkpoint([older.line(), point.line(), "", "# note"]) == point
    assert chain.last_checkpoint([]) is None
    with pytest.raises(ValueError, match="not a checkpoint"):
        chain.Checkpoint.parse("12 short 2026")
