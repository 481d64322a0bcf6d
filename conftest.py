"""Fixtures shared by every app's tests."""

import pytest

from contacts.tests import factories


@pytest.fixture
def rm_user(db):
    return factories.rm(username="rm_alice")


@pytest.fixture
def other_rm(db):
    return factories.rm(username="rm_bob")


@pytest.fixture
def compliance_user(db):
    return factories.compliance_officer(username="dpo_carol")


@pytest.fixture
def admin_user_role(db):
    return factories.administrator(username="admin_dave")


@pytest.fixture
def contact(rm_user):
    return factories.make_contact(owner=rm_user, name_zh="陳怡君", preferred_name="Grace")


@pytest.fixture
def rm_client(client, rm_user):
    client.force_login(rm_user)
    return client
