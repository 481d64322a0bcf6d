"""The DPO's console for legal holds, restrictions, the disclosure register and erasure
records. Every write goes through ``compliance.erasure`` (audited); nothing here is deleted.
The erasure itself starts from a contact (``contacts.admin.ContactAdmin.erasure_view``)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance import registry
from compliance.erasure import disclosure as disclosures
from compliance.erasure import restriction as restrictions
from compliance.erasure import retention, services
from compliance.models import (
    ContactRestriction,
    Disclosure,
    ErasureRecord,
    LegalHold,
    RetentionPolicy,
)


class _ReadOnlyOnceSaved(admin.ModelAdmin):
    """Added through a service, then never edited or deleted: history stays whole."""

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [f.name for f in self.model._meta.fields] + list(self.readonly_fields)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ("contact", "kind", "reason", "starts_on", "ends_on")
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }


@admin.register(LegalHold)
class LegalHoldAdmin(_ReadOnlyOnceSaved):
    form = LegalHoldForm
    list_display = ("contact_id", "kind", "reason", "starts_on", "ends_on", "released_at", "active")
    list_filter = ("kind", ("released_at", admin.EmptyFieldListFilter))
    raw_id_fields = ("contact",)
    actions = ("release",)

    @admin.display(boolean=True, description=_("in force"))
    def active(self, hold: LegalHold) -> bool:
        return hold.is_active()

    def save_model(self, request, obj, form, change):
        if change:
            return  # a hold is released, never edited
        placed = services.legal_hold_place(
            actor=request.user,
            contact=obj.contact,
            kind=obj.kind,
            reason=obj.reason,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
        )
        obj.pk = placed.pk

    @admin.action(description=_("Release the selected holds"), permissions=["change"])
    def release(self, request, queryset):
        released = 0
        for hold in queryset.filter(released_at__isnull=True):
            services.legal_hold_release(actor=request.user, hold=hold)
            released += 1
        messages.success(
            request,
            _("%(count)s holds released; held erasures finish tonight.") % {"count": released},
        )


class RestrictionForm(forms.ModelForm):
    class Meta:
        model = ContactRestriction
        fields = ("contact", "reason")

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason for the restriction."))
        return reason

    def clean(self):
        data = super().clean()
        contact = data.get("contact")
        if contact is not None and restrictions.active_restrictions(contact.pk).exists():
            self.add_error("contact", _("Processing of this contact is already restricted."))
        return data


@admin.register(ContactRestriction)
class ContactRestrictionAdmin(_ReadOnlyOnceSaved):
    form = RestrictionForm
    list_display = ("contact_id", "kind", "since", "lifted_at", "recorded_by")
    list_filter = ("kind", ("lifted_at", admin.EmptyFieldListFilter))
    list_select_related = ("recorded_by",)
    raw_id_fields = ("contact",)
    actions = ("lift",)

    def save_model(self, request, obj, form, change):
        if change:
            return
        restriction = restrictions.restriction_apply(
            actor=request.user, contact=obj.contact, reason=obj.reason
        )
        obj.pk = restriction.pk

    @admin.action(description=_("Lift the selected restrictions"), permissions=["change"])
    def lift(self, request, queryset):
        lifted = 0
        for restriction in queryset.filter(lifted_at__isnull=True):
            try:
                restrictions.restriction_lift(actor=request.user, restriction=restriction)
            except ValidationError as error:
                messages.error(request, _message(error))
            else:
                lifted += 1
        messages.success(request, _("%(count)s restrictions lifted.") % {"count": lifted})


class DisclosureForm(forms.ModelForm):
    contact_numbers = forms.CharField(
        label=_("Contact numbers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The numbers of the contacts disclosed, separated by commas or spaces."),
    )

    class Meta:
        model = Disclosure
        fields = ("recipient", "what", "legal_basis", "disclosed_at")

    def clean_contact_numbers(self):
        from django.apps import apps

        ids = disclosures.contact_ids_from_text(self.cleaned_data["contact_numbers"])
        contact_model = apps.get_model("contacts", "Contact")
        found = set(contact_model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = sorted(set(ids) - found)
        if missing:
            raise ValidationError(
                _("No contact has these numbers: %(numbers)s")
                % {"numbers": ", ".join(map(str, missing[:20]))}
            )
        return ids


@admin.register(Disclosure)
class DisclosureAdmin(_ReadOnlyOnceSaved):
    form = DisclosureForm
    list_display = ("disclosed_at", "recipient", "what", "legal_basis", "contact_count")
    list_filter = ("legal_basis", ("disclosed_at", admin.DateFieldListFilter))
    search_fields = ("recipient", "what")
    date_hierarchy = "disclosed_at"

    def get_fields(self, request, obj=None):
        if obj is None:
            return (*DisclosureForm.Meta.fields, "contact_numbers")
        return (*DisclosureForm.Meta.fields, "disclosed_by", "contact_count", "recorded_at")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        recorded = disclosures.disclosure_record(
            actor=request.user,
            recipient=obj.recipient,
            what=obj.what,
            legal_basis=obj.legal_basis,
            contact_ids=form.cleaned_data["contact_numbers"],
            disclosed_at=obj.disclosed_at or timezone.now(),
        )
        obj.pk = recorded.pk


@admin.register(ErasureRecord)
class ErasureRecordAdmin(_ReadOnlyOnceSaved):
    list_display = ("executed_at", "contact_id", "status", "executed_by", "request_id")
    list_filter = ("status", ("executed_at", admin.DateFieldListFilter))
    list_select_related = ("executed_by",)
    search_fields = ("request_id",)

    def has_add_permission(self, request) -> bool:
        return False  # An erasure starts from the contact: preview, confirm, execute.

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RetentionPolicyForm(forms.ModelForm):
    category = forms.ChoiceField(label=_("category"), choices=())

    class Meta:
        model = RetentionPolicy
        fields = ("category", "years", "is_active")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "category" in self.fields:  # read-only once saved
            self.fields["category"].choices = [
                (code, c.label) for code, c in registry.retention_categories().items()
            ]


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    form = RetentionPolicyForm
    list_display = ("category_label", "years", "is_active", "updated_by", "updated_at")
    list_filter = ("is_active",)
    change_list_template = "admin/compliance/retentionpolicy/change_list.html"

    @admin.display(description=_("category"), ordering="category")
    def category_label(self, policy: RetentionPolicy) -> str:
        category = registry.retention_categories().get(policy.category)
        return str(category.label) if category else policy.category

    def get_readonly_fields(self, request, obj=None):
        return ("category",) if obj else ()

    def save_model(self, request, obj, form, change):
        retention.retention_policy_save(actor=request.user, policy=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Deactivate a policy instead: its history stays.

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="compliance_retentionpolicy_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """What the next nightly run will erase, per policy."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("What the next retention run will erase"),
            "previews": retention.retention_preview(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/compliance/retentionpolicy/preview.html", context)
