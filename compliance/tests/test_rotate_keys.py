"""Re-encrypting every encrypted field under a new key, resumably."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from compliance import crypto, keys
from compliance.models import AuditAction, AuditEvent, KeyRotationRun
from contacts.models import Contact
from contacts.tests import factories
from contacts.validators import is_valid_tw_national_id

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()

# The other models with encrypted columns, empty in these tests: rotation walks them too.
NONE_ELSEWHERE = {
    "contacts.Account": 0,
    "contacts.PendingChange": 0,
    "contacts.ReviewBatchRow": 0,
}


def tw_national_ids(count: int) -> list[str]:
    found, n = [], 0
    while len(found) < count:
        stem = f"A1{n:07d}"
        found += [stem + d for d in "0123456789" if is_valid_tw_national_id(stem + d)][:1]
        n += 1
    return found


def raw_national_ids() -> dict[int, str]:
    """The stored tokens, read past the field (which would decrypt them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, national_id FROM contacts_contact ORDER BY id")
        return dict(cursor.fetchall())


def opens_with(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except Exception:
        return False
    return True


def rotate(*args: str) -> None:
    call_command("rotate_keys", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def book(settings, rm_user) -> dict[int, str]:
    """Five contacts whose national IDs were encrypted under key A, and one without."""
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    ids = {}
    for national_id in tw_national_ids(5):
        contact = factories.make_contact(
            owner=rm_user, national_id=national_id, national_id_country="TW"
        )
        ids[contact.pk] = national_id
    factories.make_contact(owner=rm_user)
    assert all(opens_with(KEY_A, t) for t in raw_national_ids().values() if t)
    return ids


def test_encrypted_fields_are_found_by_introspection():
    found = {
        model._meta.label: [f.name for f in fields] for model, fields in keys.encrypted_fields()
    }
    assert found["contacts.Contact"] == ["national_id"]


def test_a_rotation_killed_half_way_resumes_and_ends_readable_under_the_new_key_alone(
    settings, book
):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    first_two = sorted(book)[:2]

    rotate("--chunk-size", "2", "--max-chunks", "1")  # "killed" after one chunk

    run = KeyRotationRun.objects.get(model_label="contacts.Contact")
    assert run.finished_at is None
    assert (run.model_label, run.last_pk, run.rows_rotated) == (
        "contacts.Contact",
        str(first_two[-1]),
        2,
    )
    assert run.key_fingerprint == keys.key_fingerprint(KEY_B)
    tokens = raw_national_ids()
    assert [pk for pk in book if opens_with(KEY_B, tokens[pk])] == first_two

    rotate("--chunk-size", "2")

    run.refresh_from_db()
    assert run.finished_at is not None
    assert run.rows_rotated == 5
    # Resumed, not restarted (other models with encrypted fields get their own run).
    assert KeyRotationRun.objects.filter(model_label="contacts.Contact").count() == 1
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert {c.pk: c.national_id for c in Contact.objects.filter(pk__in=book)} == book
    assert Contact.objects.exclude(pk__in=book).get().national_id == ""
    events = AuditEvent.objects.filter(action=AuditAction.KEYS_ROTATED).order_by("pk")
    assert [(e.detail["complete"], e.detail["rows"]) for e in events] == [
        (False, {"contacts.Contact": 2}),
        (True, {"contacts.Contact": 3, **NONE_ELSEWHERE}),
    ]
    assert all(e.detail["key"] == keys.key_fingerprint(KEY_B) for e in events)


def test_a_crash_inside_a_chunk_rolls_that_chunk_back(settings, book, monkeypatch):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    calls = []
    real_rotate = crypto.rotate

    def crashing_rotate(token):
        calls.append(token)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real_rotate(token)

    monkeypatch.setattr(crypto, "rotate", crashing_rotate)
    with pytest.raises(RuntimeError, match="worker killed"):
        keys.keys_rotate(chunk_size=2)
    run = KeyRotationRun.objects.get()
    assert (run.last_pk, run.rows_rotated) == (str(sorted(book)[1]), 2)
    assert sum(opens_with(KEY_B, t) for t in raw_national_ids().values() if t) == 2

    monkeypatch.setattr(crypto, "rotate", real_rotate)
    assert keys.keys_rotate(chunk_size=2).complete
    assert all(opens_with(KEY_B, t) for t in raw_national_ids().values() if t)


def test_running_again_rewrites_nothing(settings, book):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    rotate()
    before = raw_national_ids()
    result = keys.keys_rotate()
    assert result.rows == {"contacts.Contact": 0, **NONE_ELSEWHERE}
    assert raw_national_ids() == before


def test_a_value_edited_while_its_chunk_runs_keeps_the_edit(settings, book, monkeypatch):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    target = sorted(book)[0]
    edited = tw_national_ids(6)[-1]
    real_rotate = crypto.rotate

    def rotate_while_someone_edits(token):
        if token == raw_national_ids()[target]:
            Contact.objects.filter(pk=target).update(national_id=edited)
        return real_rotate(token)

    monkeypatch.setattr(crypto, "rotate", rotate_while_someone_edits)
    keys.keys_rotate()
    assert Contact.objects.get(pk=target).national_id == edited


def test_a_value_no_key_opens_stops_the_run_with_a_clear_error(settings, book):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(CommandError, match=r"contacts\.Contact pk \d+ national_id opens with no"):
        rotate()
