"""Fixtures shared by every app's tests."""

import pytest

from contacts.tests import factories
from core.testing import login_verified

# Lets the test database reset despite the audit log's append-only triggers.
pytest_plugins = ["compliance.testing"]


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


@pytest.fixture
def compliance_client(client, compliance_user):
    """A compliance officer who has passed the second factor."""
    return login_verified(client, compliance_user)


@pytest.fixture
def admin_client_role(client, admin_user_role):
    """An administrator (no client data) who has passed the second factor."""
    return login_verified(client, admin_user_role)
