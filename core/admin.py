from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import JobRun, Team, User
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


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Recent runs of the background jobs, read-only: runs are written by the jobs alone."""

    list_display = (
        "job_name",
        "status",
        "triggered_by",
        "started_at",
        "duration_display",
        "seen",
        "changed",
        "skipped",
        "errors",
        "error_summary",
    )
    list_filter = ("job_name", "status", "triggered_by", ("started_at", admin.DateFieldListFilter))
    date_hierarchy = "started_at"
    show_full_result_count = False
    fields = (
        "job_name",
        "status",
        "triggered_by",
        "requested_by",
        "started_at",
        "finished_at",
        "duration_display",
        "updated_at",
        "chunks_done",
        "counts",
        "cursor",
        "resumed_from",
        "error_summary",
        "worker",
    )
    readonly_fields = fields

    @admin.display(description=_("duration"))
    def duration_display(self, run: JobRun) -> str:
        duration = run.duration
        if duration is None:
            return "-"
        seconds = int(duration.total_seconds())
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02}:{seconds:02}"

    @admin.display(description=_("seen"))
    def seen(self, run: JobRun) -> int:
        return run.counts.get("seen", 0)

    @admin.display(description=_("changed"))
    def changed(self, run: JobRun) -> int:
        return run.counts.get("changed", 0)

    @admin.display(description=_("skipped"))
    def skipped(self, run: JobRun) -> int:
        return run.counts.get("skipped", 0)

    @admin.display(description=_("errors"))
    def errors(self, run: JobRun) -> int:
        return run.counts.get("errors", 0)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
