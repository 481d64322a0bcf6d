"""The vocabulary and organisations in the admin console. Writes go through the services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from contacts.models import Organisation, Tag
from contacts.services.organisations import FIELDS, organisation_save
from contacts.services.tags import tag_create, tag_update
from contacts.validators import normalize_tw_business_number


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
