import uuid

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
