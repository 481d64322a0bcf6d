"""The admin console: staff with the compliance or administrator role, nobody else."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from core import roles

CONSOLE_ROLES = {roles.COMPLIANCE, roles.ADMINISTRATOR}


class PrudenceAdminSite(admin.AdminSite):
    site_header = _("Prudence admin console")
    site_title = _("Prudence")
    index_title = _("Administration and compliance")

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and bool(roles.role_names(user) & CONSOLE_ROLES)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        # One log-in page for the whole site: it is rate-limited, audited and asks for the
        # second factor. Public, so a visitor goes straight there with the page they asked
        # for, and a signed-in console user is not shown a log-in form again.
        from django.contrib.auth.views import redirect_to_login

        if self.has_permission(request):
            return redirect(self.index_url())
        return redirect_to_login(request.GET.get("next", self.index_url()))

    def index_url(self) -> str:
        from django.urls import reverse

        return reverse("admin:index", current_app=self.name)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request, *args, **kwargs):
            # A signed-in user without console access gets 403, not a second log-in page.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded


class PrudenceAdminConfig(AdminConfig):
    default_site = "crm.admin.PrudenceAdminSite"

    def ready(self) -> None:
        super().ready()
        # Bulk deletion would bypass the services (audit, retention rules).
        admin.site.disable_action("delete_selected")
