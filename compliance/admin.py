"""The DPO's console: the audit log (read-only, filterable, exportable, verifiable), staff
training, and the periodic access review."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import (
    admin_consent,  # noqa: F401  (registers Purpose and PrivacyNotice)
    admin_erasure,  # noqa: F401  (registers holds, restrictions, disclosures, erasures)
    admin_incidents,  # noqa: F401  (registers the incident register)
    admin_requests,  # noqa: F401  (registers data-subject requests and their tables)
    selectors,
)
from compliance.admin_common import ContactIdFilter, export_response
from compliance.models import AccessReview, AuditEvent, TrainingCourse, TrainingRecord
from compliance.services import access_review_certify, training_record_save

EXPORT_HEADERS = (
    gettext_lazy("Time"),
    gettext_lazy("Actor"),
    gettext_lazy("Action"),
    gettext_lazy("Object type"),
    gettext_lazy("Object id"),
    gettext_lazy("Contact id"),
    gettext_lazy("IP address"),
    gettext_lazy("Request id"),
    gettext_lazy("Via"),
    gettext_lazy("Changes"),
    gettext_lazy("Detail"),
)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.cleaned_data["start"], time.min, tzinfo=tz)
        end = datetime.combine(self.cleaned_data["end"], time.min, tzinfo=tz) + timedelta(days=1)
        return start, end


class ActivityForm(PeriodForm):
    user = forms.ModelChoiceField(
        label=gettext_lazy("Account"), queryset=get_user_model().objects.order_by("username")
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "contact_id",
        "ip_address",
        "via",
    )
    list_filter = (
        ContactIdFilter,
        "action",
        "via",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("occurred_at", admin.DateFieldListFilter),
    )
    date_hierarchy = "occurred_at"
    list_select_related = ("actor",)
    show_full_result_count = False
    change_list_template = "admin/compliance/auditevent/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        own = [
            path(
                "activity/",
                self.admin_site.admin_view(self.activity_view),
                name="compliance_auditevent_activity",
            ),
            path(
                "verify/",
                self.admin_site.admin_view(self.verify_view),
                name="compliance_auditevent_verify",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        if "_export" in request.GET:
            if not self.has_view_permission(request):
                raise PermissionDenied
            fmt = request.GET["_export"]
            request.GET = request.GET.copy()
            del request.GET["_export"]
            changelist = self.get_changelist_instance(request)
            request.GET["_export"] = fmt
            rows = (
                (
                    e.occurred_at,
                    e.actor.username if e.actor else "",
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.contact_id,
                    e.ip_address,
                    e.request_id,
                    e.via,
                    e.changes,
                    e.detail,
                )
                for e in changelist.get_queryset(request).iterator(chunk_size=2000)
            )
            filters = {k: v for k, v in request.GET.items() if k != "_export"}
            return export_response(
                request, what="audit-log", headers=EXPORT_HEADERS, rows=rows, filters=filters
            )
        return super().changelist_view(request, extra_context)

    def activity_view(self, request):
        """Everything one account viewed, revealed or exported between two dates."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ActivityForm(request.GET or None)
        events = None
        if form.is_valid():
            start, end = form.bounds()
            events = selectors.account_activity(
                user=form.cleaned_data["user"], start=start, end=end
            )
            if "_export" in request.GET:
                rows = (
                    (
                        e.occurred_at,
                        e.actor.username,
                        e.action,
                        e.object_type,
                        e.object_id,
                        e.contact_id,
                        e.ip_address,
                        e.request_id,
                        e.via,
                        e.changes,
                        e.detail,
                    )
                    for e in events.iterator(chunk_size=2000)
                )
                return export_response(
                    request,
                    what="account-activity",
                    headers=EXPORT_HEADERS,
                    rows=rows,
                    filters={k: v for k, v in request.GET.items() if k != "_export"},
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("What an account saw"),
            "form": form,
            "events": events[:500] if events is not None else None,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/compliance/auditevent/activity.html", context)

    def verify_view(self, request):
        """Seal what is pending, then verify the whole chain and say what was found."""
        from compliance.sealing import audit_seal_pending, verify_chain

        if not self.has_view_permission(request):
            raise PermissionDenied
        result = None
        if request.method == "POST":
            audit_seal_pending()
            result = verify_chain()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Verify the audit log"),
            "result": result,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/compliance/auditevent/verify.html", context)


@admin.register(TrainingCourse)
class TrainingCourseAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_zh_hant", "is_privacy_course", "validity_months")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ("user", "course", "completed_on", "valid_until")
        widgets = {"completed_on": forms.DateInput(attrs={"type": "date"})}


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    form = TrainingRecordForm
    list_display = ("user", "course", "completed_on", "valid_until", "is_current")
    list_filter = ("course", ("valid_until", admin.DateFieldListFilter))
    list_select_related = ("user", "course")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ()
    change_list_template = "admin/compliance/trainingrecord/change_list.html"

    @admin.display(boolean=True, description=gettext_lazy("current"))
    def is_current(self, record: TrainingRecord) -> bool:
        return record.valid_until >= timezone.localdate()

    def save_model(self, request, obj, form, change):
        training_record_save(actor=request.user, record=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "overdue/",
                self.admin_site.admin_view(self.overdue_view),
                name="compliance_trainingrecord_overdue",
            ),
            *super().get_urls(),
        ]

    def overdue_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Staff without current privacy training"),
            "users": selectors.training_overdue(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/compliance/trainingrecord/overdue.html", context)


@admin.register(AccessReview)
class AccessReviewAdmin(admin.ModelAdmin):
    list_display = ("period_start", "period_end", "certified_by", "certified_at")
    list_select_related = ("certified_by",)
    readonly_fields = (
        "period_start",
        "period_end",
        "certified_by",
        "certified_at",
        "notes",
        "summary",
    )
    change_list_template = "admin/compliance/accessreview/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "report/",
                self.admin_site.admin_view(self.report_view),
                name="compliance_accessreview_report",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request):
        """The access review for a period; export it, or certify it as reviewed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.GET or None)
        rows = None
        if form.is_valid():
            start, end = form.bounds()
            rows = selectors.access_review_rows(start=start, end=end)
            if "_export" in request.GET:
                headers = [
                    _("User"),
                    _("Roles"),
                    _("Active"),
                    _("Last log-in"),
                    _("Log-ins"),
                    _("Contacts viewed"),
                    _("Exports"),
                    _("Reveals"),
                    _("Denied attempts"),
                ]
                return export_response(
                    request,
                    what="access-review",
                    headers=headers,
                    rows=(
                        (
                            r["user"].username,
                            ", ".join(r["roles"]),
                            r["is_active"],
                            r["last_login"],
                            r["logins"],
                            r["viewed"],
                            r["exports"],
                            r["reveals"],
                            r["denied"],
                        )
                        for r in rows
                    ),
                    filters={k: v for k, v in request.GET.items() if k != "_export"},
                )
            if request.method == "POST":
                if not request.user.has_perm("compliance.add_accessreview"):
                    raise PermissionDenied
                review = access_review_certify(
                    actor=request.user,
                    period_start=form.cleaned_data["start"],
                    period_end=form.cleaned_data["end"],
                    rows=rows,
                    notes=request.POST.get("notes", ""),
                )
                messages.success(request, _("Access review certified."))
                return redirect("admin:compliance_accessreview_change", review.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Access review"),
            "form": form,
            "rows": rows,
            "opts": self.model._meta,
            "can_certify": request.user.has_perm("compliance.add_accessreview"),
        }
        return TemplateResponse(request, "admin/compliance/accessreview/report.html", context)
