"""The DPO's console for data-subject requests: intake, the workflow page, the overdue
dashboard, the deadline table, and the one download of an access package. Every write goes
through ``compliance.requests.services`` (audited); the console never edits a request's
fields directly."""

from functools import partial, update_wrapper

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import dashboard
from compliance.erasure import services as erasure_services
from compliance.erasure.plan import ErasurePlan
from compliance.models import (
    AccessExport,
    AccessExportStatus,
    DataSubjectRequest,
    RequestDeadlineRule,
    RequestStatus,
)
from compliance.requests import access, executors, selectors, services
from compliance.requests import forms as request_forms
from compliance.requests.clock import DueBucket, RequestType
from core.exceptions import ApplicationError

BUCKET_TITLES = {
    DueBucket.OVERDUE: gettext_lazy("Overdue"),
    DueBucket.THIS_WEEK: gettext_lazy("Due within 7 days"),
    DueBucket.LATER: gettext_lazy("Later"),
}


def _model_view(model_admin, view):
    """``admin_view`` for an extra page, marked with its model admin as Django marks its
    own pages (the permission matrix reads it)."""

    def wrapper(*args, **kwargs):
        return model_admin.admin_site.admin_view(view)(*args, **kwargs)

    wrapper.model_admin = model_admin
    return update_wrapper(wrapper, view)


class RequestAddForm(forms.ModelForm):
    class Meta:
        model = DataSubjectRequest
        fields = ("contact", "request_type", "channel", "received_at", "description", "assignee")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "received_at" in self.fields:
            self.fields["received_at"].required = False
            self.fields["received_at"].help_text = _("Leave empty for now.")

    def clean(self):
        # The service's checks that depend on the contact, asked early so the DPO's typing
        # is kept; the service checks again when it saves.
        data = super().clean()
        contact, assignee = data.get("contact"), data.get("assignee")
        if contact is not None and data.get("request_type"):
            try:
                services.deadline_rule_for(contact=contact, request_type=data["request_type"])
                if assignee is not None:
                    services.check_assignee(assignee, contact)
            except ValidationError as error:
                for field, errors in _error_items(error):
                    self.add_error(field if field in self.fields else None, errors)
        return data


def _complete_step(user, request: DataSubjectRequest, plan: ErasurePlan | None):
    """The form and the call that complete ``request``: an erasure asks for the typed
    confirmation of the plan previewed on the page; an objection may stop all marketing."""
    if request.request_type == RequestType.ERASURE and plan is not None:
        form_class = partial(
            request_forms.RequestErasureConfirmForm,
            contact_id=request.contact_id,
            initial={
                "fingerprint": plan.fingerprint,
                "reason": executors.request_reference(request),
            },
        )

        def options(d):
            return {"reason": d["reason"], "expected_fingerprint": d["fingerprint"]}

    elif request.request_type == RequestType.OBJECTION:
        form_class = request_forms.ObjectionCompleteForm

        def options(d):
            return {"stop_marketing": d["stop_marketing"]}

    else:
        form_class = request_forms.EmptyForm

        def options(d):
            return {}

    return (
        form_class,
        request.status == RequestStatus.IN_PROGRESS,
        lambda d: services.request_complete(actor=user, request=request, options=options(d)),
        gettext_lazy("Request completed."),
    )


# Each workflow step: its form, whether it applies now, and the service call.
def _steps(user, request: DataSubjectRequest, *, plan: ErasurePlan | None = None) -> dict:
    is_open = request.is_open
    status = request.status
    return {
        "assign": (
            request_forms.AssignForm,
            is_open,
            lambda d: services.request_assign(actor=user, request=request, assignee=d["assignee"]),
            gettext_lazy("Assigned."),
        ),
        "verify": (
            request_forms.VerifyIdentityForm,
            status == RequestStatus.RECEIVED,
            lambda d: services.request_verify_identity(
                actor=user, request=request, method=d["method"], evidence=d["evidence"]
            ),
            gettext_lazy("Identity verified."),
        ),
        "acknowledge": (
            request_forms.EmptyForm,
            is_open and request.acknowledged_at is None,
            lambda d: services.request_acknowledge(actor=user, request=request),
            gettext_lazy("Acknowledgement recorded."),
        ),
        "start": (
            request_forms.EmptyForm,
            status == RequestStatus.IDENTITY_VERIFIED,
            lambda d: services.request_start(actor=user, request=request),
            gettext_lazy("Work started."),
        ),
        "export": (
            request_forms.EmptyForm,
            request.request_type in services.ACCESS_TYPES
            and status in (RequestStatus.IDENTITY_VERIFIED, RequestStatus.IN_PROGRESS),
            lambda d: access.access_export_start(actor=user, request=request),
            gettext_lazy("The package is being built."),
        ),
        "extend": (
            request_forms.ExtendForm,
            is_open and not request.is_extended,
            lambda d: services.request_extend(
                actor=user, request=request, reason=d["reason"], new_due_on=d["new_due_on"]
            ),
            gettext_lazy("Deadline extended."),
        ),
        "complete": _complete_step(user, request, plan),
        "refuse": (
            request_forms.RefuseForm,
            is_open,
            lambda d: services.request_refuse(actor=user, request=request, reason=d["reason"]),
            gettext_lazy("Request refused."),
        ),
        "note": (
            request_forms.NoteForm,
            True,
            lambda d: services.request_note_add(actor=user, request=request, body=d["body"]),
            gettext_lazy("Note added."),
        ),
    }


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(admin.ModelAdmin):
    form = RequestAddForm
    list_display = (
        "__str__",
        "contact",
        "status",
        "jurisdiction",
        "assignee",
        "received_at",
        "due_on",
        "is_extended",
    )
    list_filter = (
        "status",
        "request_type",
        "jurisdiction",
        ("assignee", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("contact", "assignee")
    raw_id_fields = ("contact",)
    date_hierarchy = "received_at"
    change_list_template = "admin/compliance/datasubjectrequest/change_list.html"
    change_form_template = "admin/compliance/datasubjectrequest/change_form.html"

    @admin.display(boolean=True, description=gettext_lazy("extended"))
    def is_extended(self, obj: DataSubjectRequest) -> bool:
        return obj.is_extended

    def get_queryset(self, request):
        return DataSubjectRequest.objects.visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contact":
            # The one door, here too: only contacts the user may see can be named.
            kwargs["queryset"] = db_field.related_model.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return RequestAddForm.Meta.fields
        return (
            "contact",
            "request_type",
            "jurisdiction",
            "channel",
            "received_at",
            "received_by",
            "description",
            "status",
            "assignee",
            "acknowledge_due_on",
            "acknowledged_at",
            "due_on",
            "original_due_on",
            "extension_reason",
            "extended_at",
            "extended_by",
            "identity_method",
            "identity_evidence",
            "identity_verified_at",
            "identity_verified_by",
            "closed_at",
            "closed_by",
            "refusal_reason",
        )

    def get_readonly_fields(self, request, obj=None):
        # A request changes only through its workflow steps, each audited.
        return self.get_fields(request, obj) if obj is not None else ()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing is editable here; the workflow page acts
        data = form.cleaned_data
        created = services.request_create(
            actor=request.user,
            contact=data["contact"],
            request_type=data["request_type"],
            channel=data["channel"],
            received_at=data.get("received_at"),
            description=data.get("description", ""),
            assignee=data.get("assignee"),
        )
        obj.pk = created.pk
        obj._state.adding = False

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # A service refusal on add (no deadline rule, an assignee who cannot see the
        # contact) goes back onto the form instead of a server error.
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        if obj is not None:
            extra |= {
                "notes": obj.notes.select_related("author"),
                "exports": obj.exports.select_related("downloaded_by"),
                "reminders": obj.reminders.order_by("sent_at"),
                "workflow_url": reverse(
                    "admin:compliance_datasubjectrequest_workflow", args=[obj.pk]
                ),
            }
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))

    def get_urls(self):
        return [
            path(
                "dashboard/",
                _model_view(self, self.dashboard_view),
                name="compliance_datasubjectrequest_dashboard",
            ),
            path(
                "dpo/",
                _model_view(self, self.dpo_dashboard_view),
                name="compliance_dpo_dashboard",
            ),
            path(
                "<path:object_id>/workflow/",
                _model_view(self, self.workflow_view),
                name="compliance_datasubjectrequest_workflow",
            ),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        """Open requests grouped by their nearest deadline: overdue, this week, later."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        groups = selectors.requests_dashboard()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Data-subject requests by due date"),
            "groups": [(BUCKET_TITLES[key], key, rows) for key, rows in groups.items()],
            "today": timezone.localdate(),
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/compliance/datasubjectrequest/dashboard.html", context
        )

    def dpo_dashboard_view(self, request):
        """The DPO's overview: requests by due date, consent coverage, erasures and holds,
        incidents and their clocks. For compliance staff (who see requests)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = dashboard.dpo_dashboard()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Data protection dashboard"),
            "buckets": [
                (BUCKET_TITLES[key], key, data["requests"][key]) for key in DueBucket.values
            ],
            **data,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/compliance/dpo_dashboard.html", context)

    def workflow_view(self, request, object_id):
        """Every step that applies to the request now, each a small form."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        plan = None
        if (
            obj.request_type == RequestType.ERASURE
            and obj.status == RequestStatus.IN_PROGRESS
            and not erasure_services.is_erased(obj.contact_id)
        ):
            # The same plan the execution applies: what goes, what a hold keeps and why,
            # whom the data was disclosed to.
            plan = erasure_services.erasure_preview(contact=obj.contact)
        steps = _steps(request.user, obj, plan=plan)
        bound = {}
        status = 200
        if request.method == "POST":
            name = request.POST.get("step", "")
            if name not in steps or not steps[name][1]:
                messages.error(request, _("This step does not apply to the request now."))
                return redirect(request.path)
            form_class, _applies, act, done = steps[name]
            form = form_class(request.POST, prefix=name)
            if form.is_valid():
                try:
                    act(form.cleaned_data)
                except ValidationError as error:
                    for field, errors in _error_items(error):
                        form.add_error(field if field in form.fields else None, errors)
                except ApplicationError as error:  # the plan changed since the preview
                    form.add_error(None, error.message)
                else:
                    messages.success(request, done)
                    return redirect(request.path)
            bound[name] = form
            status = 422
        forms_now = [
            (name, bound.get(name) or form_class(prefix=name))
            for name, (form_class, applies, _act, _done) in steps.items()
            if applies
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Work on %(request)s") % {"request": obj},
            "original": obj,
            "step_forms": forms_now,
            "exports": obj.exports.all(),
            "notes": obj.notes.select_related("author"),
            "plan": plan,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request,
            "admin/compliance/datasubjectrequest/workflow.html",
            context,
            status=status,
        )


def _error_items(error: ValidationError):
    if hasattr(error, "error_dict"):
        return error.message_dict.items()
    return [(None, error.messages)]


@admin.register(RequestDeadlineRule)
class RequestDeadlineRuleAdmin(admin.ModelAdmin):
    list_display = (
        "jurisdiction",
        "request_type",
        "answer_amount",
        "answer_unit",
        "extension_amount",
        "extension_unit",
        "acknowledge_amount",
        "acknowledge_unit",
    )
    list_filter = ("jurisdiction",)
    ordering = ("jurisdiction", "request_type")

    def get_readonly_fields(self, request, obj=None):
        # A row is the law's answer for one pair; change its periods, not what it is for.
        return ("jurisdiction", "request_type") if obj else ()

    def save_model(self, request, obj, form, change):
        services.deadline_rule_save(actor=request.user, rule=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessExport)
class AccessExportAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "status",
        "requested_by",
        "built_at",
        "expires_at",
        "downloaded_at",
        "downloaded_by",
    )
    list_filter = ("status",)
    list_select_related = ("request", "requested_by", "downloaded_by")
    readonly_fields = (
        "request",
        "status",
        "row_count",
        "size",
        "sha256",
        "error",
        "requested_by",
        "requested_at",
        "built_at",
        "expires_at",
        "downloaded_at",
        "downloaded_by",
        "deleted_at",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return AccessExport.objects.filter(
            request__in=DataSubjectRequest.objects.visible_to(request.user)
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_download_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(access.DOWNLOAD_PERMISSION)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/download/",
                _model_view(self, self.download_view),
                name="compliance_accessexport_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, object_id):
        """GET asks for confirmation; POST hands the file over, once."""
        if not self.has_download_permission(request):
            raise PermissionDenied
        export = self.get_object(request, object_id)
        if export is None:
            raise Http404
        if request.method == "POST":
            try:
                content, name = access.access_export_download(actor=request.user, export=export)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
            response = HttpResponse(content, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "no-store"
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Download the package for %(request)s") % {"request": export.request},
            "export": export,
            "available": export.status == AccessExportStatus.READY
            and export.expires_at > timezone.now(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/compliance/accessexport/download.html", context)
