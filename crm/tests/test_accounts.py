"""Log-in, sessions, lock-out, the second factor and the browser-facing security headers."""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from compliance.models import AuditAction, AuditEvent
from contacts.tests import factories
from core.models import UserSession
from core.services import user_deactivate

PASSWORD = "correct horse battery staple"
ROOT = Path(settings.BASE_DIR)


def log_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_login_is_audited_and_registers_a_fresh_session(client, rm_user):
    client.get("/login/")
    before = client.cookies.get(settings.SESSION_COOKIE_NAME)
    response = log_in(client, rm_user.username)
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before is None or before.value != after
    assert UserSession.objects.filter(user=rm_user, session_key=after).exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=rm_user).count() == 1


@pytest.mark.django_db
def test_failed_logins_are_audited_and_lock_out_username_and_address(client, rm_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, rm_user.username, "wrong password").status_code == 200
    response = log_in(client, rm_user.username, "wrong password")
    assert response.status_code == 429
    # Locked out: even the right password is refused now.
    assert log_in(client, rm_user.username).status_code == 429
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=rm_user.username)
    assert failed.count() >= settings.AXES_FAILURE_LIMIT
    assert failed.filter(detail__locked_out=True).exists()
    # Another address is not locked out for that username.
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert log_in(other, rm_user.username).status_code == 302


@pytest.mark.django_db
def test_logout_ends_every_session_of_the_user(rm_user):
    laptop, phone = Client(), Client()
    log_in(laptop, rm_user.username)
    log_in(phone, rm_user.username)
    assert phone.get("/").status_code == 200
    laptop.post("/logout/")
    assert phone.get("/").status_code == 302
    assert not UserSession.objects.filter(user=rm_user).exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=rm_user).exists()


@pytest.mark.django_db
def test_deactivating_a_user_ends_their_sessions_at_once(client, rm_user):
    log_in(client, rm_user.username)
    user_deactivate(user=rm_user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_a_password_change_ends_the_other_sessions(client, rm_user):
    log_in(client, rm_user.username)
    rm_user.set_password("a completely different pass phrase")
    rm_user.save()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_sessions_expire_after_the_absolute_maximum(client, rm_user):
    log_in(client, rm_user.username)
    session = client.session
    session["auth_started_at"] = int(time.time()) - settings.SESSION_ABSOLUTE_MAX_AGE - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_sessions_expire_after_thirty_minutes_idle_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


@pytest.mark.django_db
def test_compliance_must_enrol_a_second_factor_before_seeing_anything(client, compliance_user):
    log_in(client, compliance_user.username)
    response = client.get("/contacts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/")

    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    assert page.context["enrolling"] is True
    assert client.get("/account/two-factor/qr.svg")["Content-Type"] == "image/svg+xml"

    device = TOTPDevice.objects.get(user=compliance_user)
    assert client.post("/account/two-factor/", {"token": "000000"}).status_code == 422
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code throttles the next try; the test need not wait
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post("/account/two-factor/?next=/contacts/", {"token": code})
    assert response.status_code == 302
    assert response["Location"] == "/contacts/"
    assert client.get("/contacts/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.django_db
def test_administrators_need_the_second_factor_in_the_admin_console(client, admin_user_role):
    log_in(client, admin_user_role.username)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/")


@pytest.mark.django_db
def test_relationship_managers_work_without_a_second_factor(client, rm_user):
    log_in(client, rm_user.username)
    assert client.get("/contacts/").status_code == 200


@pytest.mark.django_db
def test_admin_console_refuses_client_facing_roles_with_403(client, rm_user):
    client.force_login(rm_user)
    assert client.get("/admin/").status_code == 403


@pytest.mark.django_db
def test_admin_login_goes_to_the_one_site_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(rm_client):
    response = rm_client.get("/contacts/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_templates_hold_no_inline_script_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    inline_style = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        if inline_script.search(text) or inline_style.search(text):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_long_unicode_pass_phrases_are_accepted_without_composition_rules():
    user = factories.UserFactory.build(username="rm_passphrase")
    validate_password("我的密碼是一段很長的句子，沒有數字也沒有符號 " * 3, user)
    validate_password("correct horse battery staple on a quiet river bank " * 2, user)


@pytest.mark.parametrize("password", ["short", "password123", "qwertyuiop123"])
def test_short_or_common_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.django_db
def test_a_refused_page_is_audited_and_explained(rm_client, rm_user):
    response = rm_client.get("/contacts/handover/")
    assert response.status_code == 403
    assert "Your role does not allow" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED)
    assert event.actor == rm_user
    assert event.detail == {"reason": "forbidden", "path": "/contacts/handover/"}
