"""What a stolen copy of the database reveals: no national ID in clear."""

import shutil
import subprocess

import pytest
from django.db import connection

from contacts.tests import factories

NATIONAL_ID = "A123456789"
ACCOUNT_NUMBER = "98765432101234"


@pytest.fixture
def person(transactional_db):
    from contacts.services.details import account_add

    owner = factories.rm(username="rm_dump")
    person = factories.make_contact(
        owner=owner,
        family_name="Dumpling",
        national_id=NATIONAL_ID,
        national_id_country="TW",
    )
    account_add(actor=owner, contact=person, kind="securities", number=ACCOUNT_NUMBER)
    return person


def database_dump() -> bytes:
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            pytest.skip("pg_dump is not installed")
        command = [pg_dump, "--data-only", "--dbname", settings["NAME"]]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings.get(key):
                command += [flag, str(settings[key])]
        return subprocess.run(command, capture_output=True, check=True, timeout=120).stdout
    # SQLite: the database file's exact bytes (the test database lives in memory).
    connection.ensure_connection()
    return connection.connection.serialize()


def test_a_raw_database_dump_shows_no_national_id_or_account_number_in_clear(person):
    dump = database_dump()
    assert b"Dumpling" in dump  # the dump does hold the contact
    assert NATIONAL_ID.encode() not in dump
    assert NATIONAL_ID.lower().encode() not in dump
    assert ACCOUNT_NUMBER.encode() not in dump
