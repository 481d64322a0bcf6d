from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from compliance import audit
from compliance.requests.selectors import requests_due_for
from contacts.selectors import book_summary, notes_needing_attention
from contacts.views.common import client_facing
from core.services import user_set_language
from dataquality.selectors import home_summary as quality_summary


@login_not_required
@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer: the process answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin console's)."""
    return redirect(static("favicon.svg"), permanent=True)


def home(request: HttpRequest) -> HttpResponse:
    """The RM's dashboard: their book at a glance. Other roles get their links."""
    facing = client_facing(request.user)
    summary = book_summary(user=request.user) if facing else None
    attention = notes_needing_attention(user=request.user) if facing else None
    # Data-subject requests assigned to the user that are due within a week or overdue.
    requests_due = requests_due_for(user=request.user)
    quality = quality_summary(user=request.user) if facing else None
    context = {
        "summary": summary,
        "attention": attention,
        "requests_due": requests_due,
        "quality": quality,
    }
    return render(request, "crm/home.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    try:
        user_set_language(user=request.user, language=language)
    except ValueError:
        return HttpResponse(status=400)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """The 403 page. Every refusal is audited: who tried what, from where."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        audit.access_denied(
            actor=user, object_type="url", object_id="", reason="forbidden", path=request.path
        )
    return render(request, "403.html", status=403)
