"""The data-quality dashboard in a real browser: an RM sees where their book is rotting in
charts (SVG, no script), follows the blocking count to the filtered list, and opens a
contact whose data-quality panel names the issue."""

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from contacts.services.quality import contacts_mark_deceased
from contacts.tests import factories
from dataquality.services.runs import quality_run
from dataquality.tests.factories import contact_with_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # factories.UserFactory's


@pytest.fixture
def scored_book(reference_data):
    """Two contacts in the RM's book (one deceased), one deceased in another book, scored
    by two nightly runs (so the trend has two points)."""
    importlib.import_module("contacts.migrations.0010_seed_entry_rules").seed(apps, None)
    rm = factories.rm(username="rm_quality")
    other = factories.rm(username="rm_other")
    dead = contact_with_email(owner=rm, name_zh="陳逝者")
    tidy = contact_with_email(owner=rm, name_zh="林清爽")
    elsewhere = contact_with_email(owner=other, name_zh="王他人")
    contacts_mark_deceased(actor=rm, contact_ids=[dead.pk, elsewhere.pk], source="registry")
    quality_run(kind="full")
    quality_run(kind="full")
    return {"dead": dead, "tidy": tidy}


def test_an_rm_reads_the_dashboard_and_follows_it_to_the_contact(page, scored_book, screenshot):
    page.goto("/login/")
    page.get_by_label("Username").fill("rm_quality")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))

    page.goto("/quality/")
    expect(page.get_by_test_id("dq-total")).to_have_text("2")
    expect(page.get_by_test_id("dq-blocking")).to_have_text("1")

    # The charts are inline SVG with their figures in accessible text.
    issues = page.locator('svg[role="img"][aria-label="Open issues by rule"]')
    expect(issues).to_have_count(1)
    expect(issues.locator("rect > title")).to_have_text(["Deceased: 1"])
    scores = page.locator('svg[role="img"][aria-label="Contacts by quality score"]')
    titles = scores.locator("rect > title").all_text_contents()
    assert len(titles) == 10
    assert sum(int(t.rsplit(": ", 1)[1]) for t in titles) == 2  # both contacts scored
    expect(page.locator(".dq-chart polyline")).to_have_count(1)  # the trend
    assert page.locator("script:not([src])").count() == 0
    screenshot("quality-dashboard")

    # The blocking count leads to the list filtered on blocking issues: my one, not theirs.
    page.get_by_test_id("dq-blocking").click()
    expect(page).to_have_url(re.compile(r"/contacts/\?blocking=on"))
    rows = page.locator("#contact-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("陳逝者")

    # The contact's page loads its data-quality panel, which names the issue.
    rows.get_by_role("link", name=re.compile("陳逝者")).click()
    panel = page.get_by_test_id("contact-quality")
    expect(panel).to_contain_text("Blocking issue")
    expect(panel).to_contain_text("Deceased")
    expect(panel).to_contain_text("Close open business and stop all outreach.")
    screenshot("contact-quality-panel")
    assert page.problems == []
