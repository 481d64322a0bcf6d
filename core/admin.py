from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import Team, User
from core.services import user_sessions_end


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Prudence"), {"fields": ("team", "preferred_language")}),
    )
    list_display = ("username", "first_name", "last_name", "team", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups", "team")
    list_select_related = ("team",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and ("is_active" in form.changed_data or "password" in form.changed_data):
            # Deactivated or given a new password: signed out everywhere, at once.
            user_sessions_end(user=obj)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "lead")
    list_select_related = ("lead",)
    search_fields = ("name",)
