"""A relationship manager's day, in a real browser: log in, narrow the book by a tag and a
Chinese given name, open a contact, log a meeting and assign a tag without leaving the page,
switch to Traditional Chinese."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from contacts.models import Tag
from contacts.services.tags import tags_assign
from contacts.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # factories.UserFactory's


def in_chinese(msgid: str) -> str:
    with translation.override("zh-hant"):
        translated = translation.gettext(msgid)
    assert translated != msgid, f"{msgid!r} has no zh-Hant translation (compile the catalogue)"
    return translated


@pytest.fixture
def book():
    """An RM's book: one contact under a narrow segment, decoys around it."""
    rm = factories.rm(username="rm_journey")

    def contact(tag_code: str, **names):
        made = factories.make_contact(owner=rm, **names)
        tags_assign(actor=rm, contacts=[made], tags=[Tag.objects.get(code=tag_code)])
        return made

    return {
        "rm": rm,
        "grace": contact("segment-uhnw", name_zh="陳怡君", preferred_name="Grace"),
        "retiree": contact("segment-retiree", name_zh="林怡如"),
        "banker": contact("industry-banking", name_zh="王怡君"),
        "owner": contact("segment-sme-owner", name_zh="張怡君"),
        "individual": Tag.objects.get(code="segment-individual"),
    }


def rows(page):
    return page.locator("#contact-table tbody tr")


def test_an_rm_finds_a_client_logs_a_meeting_and_reads_the_page_in_chinese(page, book, screenshot):
    # Log in through the real log-in page.
    page.goto("/login/")
    page.get_by_label("Username").fill("rm_journey")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))

    # The list, narrowed by a mid-level tag: a contact tagged with a narrower term shows.
    page.goto("/contacts/")
    expect(rows(page)).to_have_count(4)
    page.locator("#id_tag").select_option(str(book["individual"].pk))
    expect(rows(page)).to_have_count(2)
    expect(page.locator("#contact-table")).to_contain_text("陳怡君")
    expect(page.locator("#contact-table")).to_contain_text("林怡如")
    expect(page.locator("#contact-table")).not_to_contain_text("王怡君")
    expect(page).to_have_url(re.compile(rf"tag={book['individual'].pk}"))

    # A two-character given name finds the full name (陳怡君), not 林怡如.
    search = page.locator("#id_q")
    search.fill("怡君")
    search.press("Enter")
    expect(rows(page)).to_have_count(1)
    expect(page.locator("#contact-table")).to_contain_text("陳怡君 (Grace Chen)")
    screenshot("contact-list")

    # Open the contact and log a meeting: the timeline updates in place, no page load.
    page.get_by_role("link", name="陳怡君 (Grace Chen)").click()
    expect(page.get_by_test_id("contact-name")).to_have_text("陳怡君 (Grace Chen)")
    page.evaluate("window.prudenceMarker = 'same page'")
    form = page.get_by_test_id("form-timeline")
    form.locator("select[name=channel]").select_option("meeting")
    form.locator("textarea[name=summary]").fill("Reviewed the portfolio over oolong tea")
    form.get_by_role("button", name="Add interaction").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Reviewed the portfolio over oolong tea")
    assert page.evaluate("window.prudenceMarker") == "same page"
    assert book["grace"].interactions.get().summary == "Reviewed the portfolio over oolong tea"

    # The other sections' forms load when opened: assign an interest, still on the same page.
    page.locator("#section-tags summary").click()
    form = page.get_by_test_id("form-tags")
    form.locator("select[name=tag]").select_option(str(Tag.objects.get(code="interest-golf").pk))
    form.get_by_role("button", name="Assign tag").click()
    expect(page.locator("#section-tags")).to_contain_text("Interest › Sports › Golf")
    assert page.evaluate("window.prudenceMarker") == "same page"
    screenshot("contact-page")

    # Switch to Traditional Chinese: the same page, now in Chinese, remembered on the user.
    page.get_by_test_id("switch-language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    navigation = page.locator("nav.navbar")
    expect(navigation).to_contain_text(in_chinese("Contacts"))
    expect(navigation).to_contain_text(in_chinese("Home"))
    expect(page.locator("#section-timeline")).to_contain_text(in_chinese("Interactions"))
    expect(page.get_by_test_id("contact-name")).to_have_text("陳怡君 (Grace Chen)")
    book["rm"].refresh_from_db()
    assert book["rm"].preferred_language == "zh-hant"
    screenshot("contact-page-zh-hant")

    assert page.problems == []
