import time
import uuid
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation


class UserLanguageMiddleware:
    """Activate the signed-in user's chosen language (the choice is per user, not per browser)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class RequestContextMiddleware:
    """Give every request an id and remember its client address for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.context import acting

        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        via = "admin" if request.path.startswith("/admin/") else "web"
        with acting(ip_address=request.META.get("REMOTE_ADDR"), request_id=request_id, via=via):
            request.request_id = request_id
            response = self.get_response(request)
        response.headers["X-Request-ID"] = request_id
        return response


class SessionLimitsMiddleware:
    """End a session that has lasted longer than SESSION_ABSOLUTE_MAX_AGE, however active.

    Inactivity is handled by SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST (a sliding
    window); this is the hard ceiling on top of it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.setdefault("auth_started_at", int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_MAX_AGE:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class SecondFactorMiddleware:
    """Users who see every book or run the system must have passed TOTP this session."""

    ALLOWED = frozenset(
        {
            "two_factor",
            "two_factor_qr",
            "logout",
            "login",
            "health",
            "set_language",
            "set_language_public",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from core.roles import needs_second_factor

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not needs_second_factor(user):
            return None
        if user.is_verified() or request.resolver_match.url_name in self.ALLOWED:
            return None
        return redirect(f"{reverse('two_factor')}?next={quote(request.get_full_path())}")
