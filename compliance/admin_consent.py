"""The DPO's console for processing purposes and privacy notices. Writes go through
``compliance.consent.services`` (audited); a published notice is never edited."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.consent import queries, services
from compliance.consent.rules import Channel, LawfulBasis
from compliance.models import PrivacyNotice, Purpose


class PurposeForm(forms.ModelForm):
    lawful_bases = forms.MultipleChoiceField(
        label=_("Lawful bases"),
        choices=LawfulBasis.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A purpose resting on consent alone needs a consent on record."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_('"Any channel" keeps one consent for every channel.'),
    )

    class Meta:
        model = Purpose
        fields = (
            "code",
            "label_en",
            "label_zh_hant",
            "is_marketing",
            "lawful_bases",
            "channels",
            "is_active",
            "position",
        )


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    form = PurposeForm
    list_display = ("label_en", "label_zh_hant", "code", "is_marketing", "is_active", "position")
    list_filter = ("is_marketing", "is_active")
    search_fields = ("code", "label_en", "label_zh_hant")
    ordering = ("position", "code")

    def get_readonly_fields(self, request, obj=None):
        # The ledger and the audit log name purposes by code.
        return ("code",) if obj else ()

    def save_model(self, request, obj, form, change):
        services.purpose_save(actor=request.user, purpose=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Retire a purpose instead: consents point at it.


def _https_urls(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class PrivacyNoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = (
            "jurisdiction",
            "language",
            "version",
            "effective_from",
            "material_change",
            "text",
            "url",
        )
        formfield_callback = _https_urls


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    form = PrivacyNoticeForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "jurisdiction",
        "language",
        "version",
        "effective_from",
        "material_change",
        "published_by",
    )
    list_filter = ("jurisdiction", "language", "material_change")
    ordering = ("jurisdiction", "language", "-effective_from")
    fields = PrivacyNoticeForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*self.fields, "published_by", "reconsent_count")

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return (*self.fields, "published_by", "reconsent_count")

    @admin.display(description=_("contacts to ask again"))
    def reconsent_count(self, notice: PrivacyNotice) -> int | str:
        if not notice.material_change:
            return "—"
        return queries.contacts_for_reconsent(notice).count()

    def save_model(self, request, obj, form, change):
        services.privacy_notice_publish(actor=request.user, notice=obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # Published notices never change; publish a new version.

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
