"""Encryption at rest, key rotation and keyed lookup hashes."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from compliance import crypto
from contacts.models import Contact

NATIONAL_ID = "A123456789"


@pytest.fixture
def old_key(settings):
    return settings.FIELD_ENCRYPTION_KEYS[0]


@pytest.fixture
def new_key():
    return Fernet.generate_key().decode()


# --- encrypt / decrypt ------------------------------------------------------------------


@given(st.text(max_size=200))
def test_decrypt_undoes_encrypt(value):
    assert crypto.decrypt(crypto.encrypt(value)) == value


def test_the_token_does_not_contain_the_value():
    token = crypto.encrypt(NATIONAL_ID)
    assert NATIONAL_ID not in token
    assert token != NATIONAL_ID


def test_the_same_value_encrypts_differently_each_time():
    assert crypto.encrypt(NATIONAL_ID) != crypto.encrypt(NATIONAL_ID)


def test_a_token_from_an_unknown_key_does_not_decrypt():
    foreign = Fernet(Fernet.generate_key()).encrypt(b"A123456789").decode()
    with pytest.raises(InvalidToken):
        crypto.decrypt(foreign)


# --- rotation ---------------------------------------------------------------------------


def test_after_prepending_a_new_key_old_tokens_still_decrypt(settings, old_key, new_key):
    token = crypto.encrypt(NATIONAL_ID)
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert crypto.decrypt(token) == NATIONAL_ID


def test_the_first_key_encrypts(settings, old_key, new_key):
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    token = crypto.encrypt(NATIONAL_ID)
    assert Fernet(new_key.encode()).decrypt(token.encode()).decode() == NATIONAL_ID
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(token.encode())


def test_a_rotated_token_decrypts_with_the_new_key_alone(settings, old_key, new_key):
    token = crypto.encrypt(NATIONAL_ID)
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    rotated = crypto.rotate(token)
    assert rotated != token

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(rotated) == NATIONAL_ID
    with pytest.raises(InvalidToken):
        crypto.decrypt(token)


# --- the encrypted column ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_column_holds_a_token_and_the_model_sees_plain_text(contact):
    Contact.objects.filter(pk=contact.pk).update(national_id=NATIONAL_ID)
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM contacts_contact WHERE id = %s", [contact.pk])
        (stored,) = cursor.fetchone()
    assert stored != NATIONAL_ID
    assert crypto.decrypt(stored) == NATIONAL_ID
    assert Contact.objects.get(pk=contact.pk).national_id == NATIONAL_ID


@pytest.mark.django_db
def test_a_blank_value_is_stored_blank(contact):
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM contacts_contact WHERE id = %s", [contact.pk])
        assert cursor.fetchone() == ("",)


@pytest.mark.django_db
def test_a_row_encrypted_under_a_dropped_key_fails_loudly_naming_the_field(
    settings, contact, new_key
):
    Contact.objects.filter(pk=contact.pk).update(national_id=NATIONAL_ID)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    with pytest.raises(InvalidToken, match=r"Contact\.national_id"):
        Contact.objects.get(pk=contact.pk)


# --- lookup_hash ------------------------------------------------------------------------


def test_lookup_hash_is_stable_hex():
    digest = crypto.lookup_hash(NATIONAL_ID, scope="national_id")
    assert digest == crypto.lookup_hash(NATIONAL_ID, scope="national_id")
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert NATIONAL_ID not in digest


def test_lookup_hash_depends_on_the_scope():
    assert crypto.lookup_hash(NATIONAL_ID, scope="national_id") != crypto.lookup_hash(
        NATIONAL_ID, scope="account_number"
    )


def test_lookup_hash_depends_on_the_hash_key(settings):
    before = crypto.lookup_hash(NATIONAL_ID, scope="national_id")
    settings.HASH_KEY = "another-hash-key"
    assert crypto.lookup_hash(NATIONAL_ID, scope="national_id") != before


def test_lookup_hash_does_not_depend_on_the_encryption_keys(settings, new_key):
    before = crypto.lookup_hash(NATIONAL_ID, scope="national_id")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert crypto.lookup_hash(NATIONAL_ID, scope="national_id") == before


def test_lookup_hash_of_nothing_is_blank():
    assert crypto.lookup_hash("", scope="national_id") == ""


def test_scope_and_value_do_not_run_into_each_other():
    assert crypto.lookup_hash("bc", scope="a") != crypto.lookup_hash("c", scope="ab")


# --- mask -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A123456789", "••••••6789"),
        ("12345", "•2345"),
        ("1234", "••••"),
        ("12", "••"),
        ("", ""),
    ],
)
def test_mask_shows_only_the_last_four(value, expected):
    assert crypto.mask(value) == expected


def test_mask_can_show_fewer():
    assert crypto.mask("A123456789", visible=2) == "••••••••89"
