"""Browser tests: Playwright's sync API driving the system's Chromium against live_server.

The browser is Debian's ``chromium`` package, found on PATH. Nothing is ever downloaded
(no ``playwright install``). Without Chromium the tests skip, unless
PRUDENCE_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

import importlib
import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission

# The live server's database is flushed after each test; the audit tables let that flush
# through only with compliance.testing's hatch (harmless if the root conftest loads it too).
from compliance.testing import _audit_tables_open_for_flush  # noqa: F401
from crm.roles import ROLE_PERMISSIONS

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
TIMEOUT_MS = 5_000


def _unavailable(reason: str):
    if os.environ.get("PRUDENCE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and PRUDENCE_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(f"{reason}: browser tests skipped (install the Debian package `chromium`)")


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = shutil.which("chromium")
    if path is None:
        _unavailable("chromium is not on PATH")
    return path


@pytest.fixture
def allow_async_unsafe(monkeypatch):
    """Playwright's sync API keeps an event loop in this thread, and Django refuses ORM calls
    from a thread with a running loop. The test's own ORM calls are safe (the server answers
    from its own thread), so allow them, for these tests only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def reference_data(transactional_db):
    """The roles, the vocabulary, the purposes, the retention policies, the request deadline
    rules and the breach clocks the data migrations wrote. A transactional test that ran
    earlier in the session has flushed them, so put them back (idempotently)."""
    seed = importlib.import_module("contacts.migrations.0003_seed_vocabulary").seed
    seed(apps, None)
    importlib.import_module("compliance.migrations.0005_consent").seed_purposes(apps, None)
    for module, function in (
        ("0008_seed_retention_policies", "seed"),
        ("0010_seed_request_deadline_rules", "seed_deadline_rules"),
        ("0013_seed_breach_clocks", "seed_breach_clocks"),
    ):
        getattr(importlib.import_module(f"compliance.migrations.{module}"), function)(apps, None)
    for role, dotted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in (name.split(".") for name in dotted)
            ]
        )


@pytest.fixture
def browser(chromium_executable, allow_async_unsafe):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server, reference_data):
    """A fresh browser context on the live server. Console errors and failed requests are
    collected on ``page.problems`` for the test to assert on."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            page.problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("requestfailed", lambda request: page.problems.append(f"failed: {request.url}"))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def screenshot(page):
    """Save a screenshot under var/screenshots/ (gitignored) for people to look at."""

    def take(name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
