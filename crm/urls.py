from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language as set_language_cookie

from crm import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("language/", views.set_language, name="set_language"),
    # Before log-in the choice is kept in a cookie; after, on the user.
    path(
        "language/public/",
        login_not_required(set_language_cookie),
        name="set_language_public",
    ),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("contacts/", include("contacts.urls")),
    path("admin/", admin.site.urls),
]
