"""Four-eyes review in a real browser: a reviewer approves one colleague's change and rejects
another with a reason, which the colleague then reads on the contact page."""

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from contacts.models import Contact
from contacts.services.contacts import contact_update
from contacts.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # factories.UserFactory's


@pytest.fixture
def entry_rules(reference_data):
    """The default entry rules the data migration wrote (flushed by earlier tests)."""
    importlib.import_module("contacts.migrations.0010_seed_entry_rules").seed(apps, None)


@pytest.fixture
def held(entry_rules):
    rm = factories.rm(username="rm_proposer")
    factories.reviewer(username="rev_journey")

    def propose(name_zh: str, new_name: str) -> Contact:
        contact = factories.make_contact(owner=rm, lifecycle_stage="client", name_zh=name_zh)
        contact_update(
            actor=rm, contact=contact, expected_version=contact.version, name_zh=new_name
        )
        return contact

    return {"approve": propose("王小明", "王大明"), "reject": propose("林美玲", "林美鈴")}


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))


def open_entry(page, name: str) -> None:
    page.get_by_test_id("nav-review").click()
    row = page.get_by_test_id("review-queue").locator("tr", has_text=name)
    row.get_by_role("link", name="Review").click()
    expect(page.get_by_test_id("review-contact")).to_have_text(re.compile(name))


def test_a_reviewer_approves_one_change_and_rejects_another(page, held, screenshot):
    log_in(page, "rev_journey")

    # Approve: the diff shows before and after; approval applies it.
    open_entry(page, "王小明")
    diff = page.get_by_test_id("review-diff")
    expect(diff).to_contain_text("王小明")
    expect(diff).to_contain_text("王大明")
    screenshot("review-diff")
    page.get_by_test_id("approve").click()
    expect(page).to_have_url(re.compile(r"/contacts/review/$"))
    expect(page.locator("main")).to_contain_text("Approved and applied.")
    held["approve"].refresh_from_db()
    assert held["approve"].name_zh == "王大明"

    # Reject: a reason is required, and the proposer reads it.
    open_entry(page, "林美玲")
    page.get_by_test_id("reject").click()
    expect(page.locator("main")).to_contain_text("This field is required.")
    page.get_by_label("Reason for rejection").fill("The ID card reads 林美玲")
    page.get_by_test_id("reject").click()
    expect(page.locator("main")).to_contain_text("Rejected.")
    expect(page.get_by_test_id("review-queue-empty")).to_be_visible()
    held["reject"].refresh_from_db()
    assert held["reject"].name_zh == "林美玲"
    # The empty reason was answered 422 (an invalid form), which Chromium logs; nothing else.
    assert [p for p in page.problems if "status of 422" not in p] == []
    page.problems.clear()

    page.context.clear_cookies()
    log_in(page, "rm_proposer")
    page.goto(held["reject"].get_absolute_url())
    expect(page.get_by_test_id("review-status")).to_contain_text("The ID card reads 林美玲")
    screenshot("review-rejected-seen-by-proposer")
    assert page.problems == []
