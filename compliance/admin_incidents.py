"""The incident (breach) register in the DPO's console. Every write goes through
``compliance.incidents.services`` (audited); decisions and notices are append-only."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.incidents import services
from compliance.incidents.clocks import ClockStatus
from compliance.models import (
    BreachClockRule,
    Incident,
    IncidentDecision,
    IncidentNotice,
    NoticeRecipient,
)

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class IncidentForm(forms.ModelForm):
    # Declared, so the admin's split date/time widgets do not replace them.
    occurred_at = forms.DateTimeField(label=gettext_lazy("Happened at"), widget=DATETIME_INPUT)
    discovered_at = forms.DateTimeField(label=gettext_lazy("Discovered at"), widget=DATETIME_INPUT)

    class Meta:
        model = Incident
        fields = ("title", "description", "occurred_at", "discovered_at", "severity", "status")

    def clean(self):
        # The service checks again; here the errors land beside their fields.
        data = super().clean()
        occurred, discovered = data.get("occurred_at"), data.get("discovered_at")
        now = timezone.now()
        if occurred and occurred > now:
            self.add_error("occurred_at", _("An incident cannot have happened in the future."))
        if discovered and discovered > now:
            self.add_error("discovered_at", _("An incident cannot be discovered in the future."))
        elif occurred and discovered and discovered < occurred:
            self.add_error(
                "discovered_at", _("An incident cannot be discovered before it happened.")
            )
        return data


class SeenByForm(forms.Form):
    user = forms.ModelChoiceField(
        label=gettext_lazy("Account"), queryset=get_user_model().objects.order_by("username")
    )
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


class ContactIdsForm(forms.Form):
    contact_ids = forms.CharField(
        label=gettext_lazy("Contact ids"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Separated by spaces, commas or new lines."),
    )

    def clean_contact_ids(self) -> list[int]:
        parts = self.cleaned_data["contact_ids"].replace(",", " ").split()
        if not parts or not all(p.isdigit() for p in parts):
            raise ValidationError(_("Enter contact ids as numbers only."))
        return [int(p) for p in parts]


class DecisionForm(forms.ModelForm):
    class Meta:
        model = IncidentDecision
        fields = ("decision", "reason", "waives_clock")


class NoticeForm(forms.ModelForm):
    class Meta:
        model = IncidentNotice
        fields = ("recipient", "addressee", "sent_at", "reference", "people_notified")
        widgets = {"sent_at": DATETIME_INPUT}


class ReadOnlyInline(admin.TabularInline):
    """Part of the incident's record: whoever may see the incident sees it, nobody edits it
    here."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("compliance.view_incident")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DecisionInline(ReadOnlyInline):
    model = IncidentDecision
    fields = ("decided_at", "decided_by", "decision", "reason", "waives_clock")
    readonly_fields = fields


class NoticeInline(ReadOnlyInline):
    model = IncidentNotice
    fields = ("sent_at", "recipient", "addressee", "reference", "people_notified", "recorded_by")
    readonly_fields = fields


CLOCK_LABELS = {
    ClockStatus.DUE: gettext_lazy("due"),
    ClockStatus.OVERDUE: gettext_lazy("overdue"),
    ClockStatus.MET: gettext_lazy("met"),
    ClockStatus.WAIVED: gettext_lazy("waived"),
}


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    form = IncidentForm
    list_display = (
        "__str__",
        "severity",
        "status",
        "occurred_at",
        "discovered_at",
        "affected_count",
        "clock_summary",
    )
    list_filter = ("severity", "status", ("discovered_at", admin.DateFieldListFilter))
    search_fields = ("title",)
    inlines = (DecisionInline, NoticeInline)
    change_form_template = "admin/compliance/incident/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(affected_total=Count("affected", distinct=True))
            .prefetch_related("notices", "decisions__waives_clock")
        )

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj else []

    def get_fields(self, request, obj=None):
        fields = IncidentForm.Meta.fields
        return fields if obj else tuple(f for f in fields if f != "status")

    @admin.display(description=gettext_lazy("people affected"), ordering="affected_total")
    def affected_count(self, incident: Incident) -> int:
        return incident.affected_total

    @admin.display(description=gettext_lazy("notification clocks"))
    def clock_summary(self, incident: Incident) -> str:
        rules = getattr(self, "_rules", None)
        if rules is None:
            self._rules = rules = services.clock_rules()
        by_code = {rule.code: row for rule, row in rules}
        found = services.incident_clocks(incident, rules=[rule for rule, _row in rules])
        return "; ".join(f"{by_code[c.rule.code].label}: {CLOCK_LABELS[c.status]}" for c in found)

    def changelist_view(self, request, extra_context=None):
        self._rules = None  # the rules once per page, not once per row
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            opened = services.incident_open(
                actor=request.user,
                title=obj.title,
                description=obj.description,
                occurred_at=obj.occurred_at,
                discovered_at=obj.discovered_at,
                severity=obj.severity,
            )
            obj.pk = opened.pk
            return
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        services.incident_update(actor=request.user, incident=obj, **values)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the register is a legal record

    def _clean_or_error(self, form, call):
        """Run a service; its ValidationError goes back onto the form."""
        try:
            return call()
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
            return None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            rules = services.clock_rules()
            by_code = {rule.code: row for rule, row in rules}
            now = timezone.now()
            context["clocks"] = [
                {
                    "label": by_code[c.rule.code].label,
                    "status": c.status.value,
                    "status_label": CLOCK_LABELS[c.status],
                    "due_at": c.due_at,
                    "met_at": c.met_at,
                    "late": c.late,
                    "hours_left": (
                        round(c.time_left(now).total_seconds() / 3600, 1)
                        if c.time_left(now) is not None
                        else None
                    ),
                }
                for c in services.incident_clocks(obj, rules=[r for r, _row in rules], now=now)
            ]
            context["affected_total"] = obj.affected.count()
            context["can_act"] = self.has_change_permission(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- the incident's own steps -------------------------------------------------------------

    def get_urls(self):
        info = "compliance_incident"
        own = [
            path(
                "<int:pk>/seen-by/",
                self.admin_site.admin_view(self.seen_by_view),
                name=f"{info}_seen_by",
            ),
            path(
                "<int:pk>/contacts/",
                self.admin_site.admin_view(self.contacts_view),
                name=f"{info}_contacts",
            ),
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name=f"{info}_decide",
            ),
            path(
                "<int:pk>/notice/",
                self.admin_site.admin_view(self.notice_view),
                name=f"{info}_notice",
            ),
        ]
        return own + super().get_urls()

    def _incident_for_change(self, request, pk: int) -> Incident:
        incident = get_object_or_404(Incident, pk=pk)
        if not self.has_change_permission(request, incident):
            raise PermissionDenied
        return incident

    def _step(self, request, incident, *, title: str, form, intro: str = ""):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "form": form,
            "incident": incident,
            "opts": self.model._meta,
            "original": incident,
        }
        return TemplateResponse(request, "admin/compliance/incident/step.html", context)

    def _done(self, request, incident, message: str):
        messages.success(request, message)
        return redirect(reverse("admin:compliance_incident_change", args=[incident.pk]))

    def seen_by_view(self, request, pk: int):
        """Add everyone an account saw in a period, from the audit log."""
        incident = self._incident_for_change(request, pk)
        form = SeenByForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            start, end = form.bounds()
            added = self._clean_or_error(
                form,
                lambda: services.incident_add_contacts_seen_by(
                    actor=request.user,
                    incident=incident,
                    user=form.cleaned_data["user"],
                    start=start,
                    end=end,
                ),
            )
            if added is not None:
                return self._done(
                    request, incident, _("%(count)d contacts added.") % {"count": added}
                )
        return self._step(
            request,
            incident,
            title=_("Add the contacts an account saw"),
            form=form,
            intro=_(
                "Every contact whose page the account viewed, whose masked value it revealed "
                "or whom it exported in the period is added to the incident."
            ),
        )

    def contacts_view(self, request, pk: int):
        incident = self._incident_for_change(request, pk)
        form = ContactIdsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            added = self._clean_or_error(
                form,
                lambda: services.incident_add_contacts(
                    actor=request.user,
                    incident=incident,
                    contact_ids=form.cleaned_data["contact_ids"],
                ),
            )
            if added is not None:
                return self._done(
                    request, incident, _("%(count)d contacts added.") % {"count": added}
                )
        return self._step(request, incident, title=_("Add affected contacts by id"), form=form)

    def decide_view(self, request, pk: int):
        incident = self._incident_for_change(request, pk)
        form = DecisionForm(request.POST or None)
        form.fields["waives_clock"].queryset = BreachClockRule.objects.filter(is_active=True)
        if request.method == "POST" and form.is_valid():
            row = self._clean_or_error(
                form,
                lambda: services.incident_decide(
                    actor=request.user,
                    incident=incident,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    waives_clock=form.cleaned_data["waives_clock"],
                ),
            )
            if row is not None:
                return self._done(request, incident, _("Decision recorded."))
        return self._step(request, incident, title=_("Record a decision"), form=form)

    def notice_view(self, request, pk: int):
        incident = self._incident_for_change(request, pk)
        initial = {"sent_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        initial["recipient"] = NoticeRecipient.AUTHORITY
        form = NoticeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            row = self._clean_or_error(
                form,
                lambda: services.incident_notice_record(
                    actor=request.user, incident=incident, **form.cleaned_data
                ),
            )
            if row is not None:
                return self._done(request, incident, _("Notice recorded."))
        return self._step(request, incident, title=_("Record a notice sent"), form=form)


class BreachClockRuleForm(forms.ModelForm):
    class Meta:
        model = BreachClockRule
        fields = (
            "code",
            "label_en",
            "label_zh_hant",
            "recipient",
            "hours",
            "is_active",
            "position",
        )


@admin.register(BreachClockRule)
class BreachClockRuleAdmin(admin.ModelAdmin):
    form = BreachClockRuleForm
    list_display = ("label_en", "label_zh_hant", "recipient", "hours", "is_active", "position")
    ordering = ("position", "code")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def save_model(self, request, obj, form, change):
        services.breach_clock_rule_save(actor=request.user, rule=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire a clock instead: decisions name it
