"""The vocabulary and organisations in the admin console. Writes go through the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from compliance import audit
from compliance.consent.rules import RestrictionKind
from compliance.erasure import services as erasure_services
from compliance.erasure.forms import ErasureConfirmForm
from contacts.forms import apply_errors
from contacts.models import Contact, Organisation, RequiredFieldRule, ReviewRule, Tag
from contacts.models.contact import restriction_exists
from contacts.services.entry_rules import required_field_rule_save, review_rule_save
from contacts.services.organisations import FIELDS, organisation_save
from contacts.services.tags import tag_create, tag_update
from contacts.validators import normalize_tw_business_number
from core.exceptions import ApplicationError


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("indented_label", "label_zh_hant", "code", "is_active")
    list_filter = ("is_active", "depth")
    search_fields = ("code", "label_en", "label_zh_hant")
    fields = ("parent", "code", "label_en", "label_zh_hant", "is_active")
    ordering = ("path",)

    def get_readonly_fields(self, request, obj=None):
        # Moving a term would silently change every filter that includes its old subtree.
        return ("parent", "code") if obj else ()

    @admin.display(description=Tag._meta.get_field("label_en").verbose_name, ordering="path")
    def indented_label(self, tag: Tag) -> str:
        return "\u2003" * tag.depth + tag.label_en

    def save_model(self, request, obj, form, change):
        if change:
            tag_update(
                tag=obj,
                label_en=obj.label_en,
                label_zh_hant=obj.label_zh_hant,
                is_active=obj.is_active,
            )
        else:
            created = tag_create(
                code=obj.code,
                label_en=obj.label_en,
                label_zh_hant=obj.label_zh_hant,
                parent=obj.parent,
            )
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Retire a term instead: assignments keep their history.


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = FIELDS

    def clean(self):
        data = super().clean()
        if data.get("business_number") and data.get("country") == "TW":
            try:
                data["business_number"] = normalize_tw_business_number(data["business_number"])
            except ValidationError as error:
                self.add_error("business_number", error)
        return data


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ("name", "name_zh", "business_number", "country", "email_domain")
    search_fields = ("name", "name_zh", "business_number", "email_domain")
    list_select_related = ("industry",)
    autocomplete_fields = ()

    def save_model(self, request, obj, form, change):
        organisation_save(organisation=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Contacts in the console are read-only and masked, and go through the one visibility
    door: compliance sees every book (each page view audited), administrators none."""

    list_display = (
        "display_name",
        "lifecycle_stage",
        "owner",
        "masked_national_id",
        "erased",
        "restricted",
        "updated_at",
    )
    list_filter = ("lifecycle_stage", "is_deceased", "do_not_contact")
    list_select_related = ("owner",)
    show_full_result_count = False
    fields = (
        "display_name",
        "lifecycle_stage",
        "owner",
        "masked_national_id",
        "national_id_country",
        "country_of_residence",
        "date_of_birth",
        "is_deceased",
        "do_not_contact",
        "left_employer",
        "created_at",
        "updated_at",
        "version",
    )
    readonly_fields = fields
    change_form_template = "admin/contacts/contact/change_form.html"

    def get_queryset(self, request):
        return Contact.objects.visible_to(request.user).annotate(
            is_erased=restriction_exists(RestrictionKind.ERASED),
            is_restricted=restriction_exists(RestrictionKind.RESTRICTED),
        )

    @admin.display(boolean=True, description=_lazy("erased"))
    def erased(self, contact: Contact) -> bool:
        return contact.is_erased

    @admin.display(boolean=True, description=_lazy("restricted"))
    def restricted(self, contact: Contact) -> bool:
        return contact.is_restricted

    @admin.display(description=Contact._meta.get_field("national_id").verbose_name)
    def masked_national_id(self, contact: Contact) -> str:
        return contact.national_id_masked

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_erase": self.has_erase_permission(request)}
        response = super().change_view(request, object_id, form_url, extra_context)
        contact = self.get_queryset(request).filter(pk=object_id).first()
        if contact is not None and response.status_code == 200:
            audit.contact_viewed(actor=request.user, contact=contact)
        return response

    def has_add_permission(self, request) -> bool:
        return False  # Contacts enter through the RM screens, where entry rules apply.

    def has_erase_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("compliance.add_erasurerecord")

    def get_urls(self):
        return [
            path(
                "<path:object_id>/erasure/",
                self.admin_site.admin_view(self.erasure_view),
                name="contacts_contact_erasure",
            ),
            *super().get_urls(),
        ]

    def erasure_view(self, request, object_id):
        """Preview what an erasure would do, then execute it on typed confirmation. The
        preview and the execution are built from the same plan; a plan that changed in
        between is refused."""
        if not self.has_erase_permission(request):
            raise PermissionDenied
        contact = get_object_or_404(self.get_queryset(request), pk=object_id)
        plan = erasure_services.erasure_preview(contact=contact)
        erased = erasure_services.is_erased(contact.pk)
        form = ErasureConfirmForm(
            request.POST if request.method == "POST" else None,
            contact_id=contact.pk,
            initial={"fingerprint": plan.fingerprint},
        )
        if request.method == "POST" and not erased and form.is_valid():
            try:
                record = erasure_services.erasure_execute(
                    contact=contact,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    request_id=form.cleaned_data["request_id"] or None,
                    expected_fingerprint=form.cleaned_data["fingerprint"],
                )
            except ApplicationError as error:
                messages.error(request, error.message)
                return redirect(request.path)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The contact was erased."))
                return redirect("admin:compliance_erasurerecord_change", record.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase contact %(number)s") % {"number": contact.pk},
            "contact": contact,
            "plan": plan,
            "form": form,
            "erased": erased,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/contacts/contact/erasure.html", context)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Erasure is a data-subject request, not a delete button.


@admin.register(RequiredFieldRule)
class RequiredFieldRuleAdmin(admin.ModelAdmin):
    """What a contact must have, per stage and segment; blocking or a data-quality issue."""

    list_display = ("lifecycle_stage", "segment", "requirement", "severity", "is_active")
    list_filter = ("lifecycle_stage", "severity", "is_active")
    list_editable = ()
    list_select_related = ("segment",)
    fields = ("lifecycle_stage", "segment", "requirement", "severity", "is_active")

    def save_model(self, request, obj, form, change):
        required_field_rule_save(actor=request.user, rule=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Switch a rule off instead: the audit log keeps what was in force.


@admin.register(ReviewRule)
class ReviewRuleAdmin(admin.ModelAdmin):
    """Which entries wait for a reviewer, per lifecycle stage."""

    list_display = ("lifecycle_stage", "subject", "is_active")
    list_filter = ("lifecycle_stage", "is_active")
    fields = ("lifecycle_stage", "subject", "is_active")

    def save_model(self, request, obj, form, change):
        review_rule_save(actor=request.user, rule=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
