"""Log-in, log-out and the second factor. Each step is audited explicitly here."""

import base64
import time
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from compliance import audit
from core import services
from core.roles import needs_second_factor


class LoginView(auth_views.LoginView):
    """Django's log-in, plus the audit trail and the per-user session register."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        self.request.session["auth_started_at"] = int(time.time())
        services.user_session_record(
            user=user,
            session_key=self.request.session.session_key or "",
            ip_address=self.request.META.get("REMOTE_ADDR"),
        )
        audit.logged_in(user=user)
        if needs_second_factor(user):
            return redirect(f"{_two_factor_url()}?next={self.get_redirect_url() or '/'}")
        return response

    def form_invalid(self, form):
        audit.login_failed(
            username=self.request.POST.get("username", ""),
            locked_out=bool(getattr(self.request, "axes_locked_out", False)),
        )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    """Logging out ends every session of the user, on every device."""

    def post(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            audit.logged_out(user=user)
            services.user_sessions_end(user=user)
        return super().post(request, *args, **kwargs)


@login_not_required
def locked_out(request, credentials, *args, **kwargs):
    """django-axes calls this when a username + address is locked out."""
    username = (credentials or {}).get("username", "") or request.POST.get("username", "")
    audit.login_failed(username=username, locked_out=True)
    return render(request, "registration/locked_out.html", status=429)


def _two_factor_url() -> str:
    from django.urls import reverse

    return reverse("two_factor")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="default", confirmed=False)


@never_cache
def two_factor(request):
    """Enrol a TOTP authenticator (first time) or enter today's code."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = confirmed or _pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            next_url = request.GET.get("next", "/")
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = "/"
            return redirect(next_url)
        audit.login_failed(username=user.get_username())
        form.add_error(
            "token", _("That code is not valid. Check your device's clock and try again.")
        )
    secret = base64.b32encode(device.bin_key).decode() if not device.confirmed else ""
    return render(
        request,
        "registration/two_factor.html",
        {"form": form, "enrolling": not device.confirmed, "secret": secret},
        status=422 if form.errors else 200,
    )


@never_cache
def two_factor_qr(request):
    """The enrolment QR code as SVG (an image, so no inline script or style is needed)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        raise Http404
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
