from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language as set_language_cookie

from crm import accounts, views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin console's).
    path("favicon.ico", views.favicon, name="favicon"),
    path("language/", views.set_language, name="set_language"),
    # Before log-in the choice is kept in a cookie; after, on the user.
    path(
        "language/public/",
        login_not_required(set_language_cookie),
        name="set_language_public",
    ),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", accounts.two_factor, name="two_factor"),
    path("account/two-factor/qr.svg", accounts.two_factor_qr, name="two_factor_qr"),
    path("contacts/", include("contacts.urls")),
    path("quality/", include("dataquality.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "crm.views.permission_denied"
