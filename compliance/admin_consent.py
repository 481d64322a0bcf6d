"""The DPO's console for processing purposes, privacy notices and the consent ledger. Writes
go through ``compliance.consent.services`` (audited); a published notice is never edited, and
the ledger is read-only here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance import ropa
from compliance.admin_common import ContactIdFilter, export_filters, export_response
from compliance.consent import queries, services
from compliance.consent.rules import Channel, LawfulBasis
from compliance.models import ConsentEvent, PrivacyNotice, Purpose


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
    change_list_template = "admin/compliance/purpose/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # The ledger and the audit log name purposes by code.
        return ("code",) if obj else ()

    def save_model(self, request, obj, form, change):
        services.purpose_save(actor=request.user, purpose=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Retire a purpose instead: consents point at it.

    def get_urls(self):
        return [
            path(
                "records-of-processing/",
                self.admin_site.admin_view(self.ropa_view),
                name="compliance_purpose_ropa",
            ),
            *super().get_urls(),
        ]

    def ropa_view(self, request):
        """The records of processing activities (GDPR Art. 30), as a page or a download."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = ropa.report()
        if "_export" in request.GET:
            return export_response(
                request,
                what="records-of-processing",
                headers=ropa.EXPORT_HEADERS,
                rows=ropa.export_rows(data),
                filters={},
            )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Records of processing activities"),
            "report": data,
            "generated_at": timezone.now(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/compliance/purpose/ropa.html", context)


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


CONSENT_EXPORT_HEADERS = (
    _("Event id"),
    _("Contact id"),
    _("Purpose"),
    _("Channel"),
    _("Kind"),
    _("Lawful basis"),
    _("Source"),
    _("Evidence reference"),
    _("Privacy notice"),
    _("Occurred at"),
    _("Expires at"),
    _("Recorded by"),
    _("Recorded at"),
)


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    """The consent ledger, for the DPO to browse and export. Append-only: no add, change
    or delete here; consents are recorded on the contact page through the services."""

    list_display = (
        "occurred_at",
        "contact_id",
        "purpose",
        "channel",
        "kind",
        "lawful_basis",
        "source",
        "expires_at",
        "recorded_by",
        "recorded_at",
    )
    list_filter = (
        ContactIdFilter,
        "purpose",
        "channel",
        "kind",
        "source",
        "lawful_basis",
        ("occurred_at", admin.DateFieldListFilter),
        ("recorded_at", admin.DateFieldListFilter),
    )
    search_fields = ("contact__id",)
    search_help_text = _("Search by contact id.")
    date_hierarchy = "occurred_at"
    list_select_related = ("purpose", "recorded_by")
    show_full_result_count = False
    change_list_template = "admin/compliance/consentevent/change_list.html"

    def get_search_results(self, request, queryset, search_term):
        # Contact ids only: a name typed here would search nothing, so say so by finding
        # nothing rather than matching ids by accident.
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(contact_id=int(term)), False
        return queryset.none(), False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if "_export" not in request.GET:
            return super().changelist_view(request, extra_context)
        if not self.has_view_permission(request):
            raise PermissionDenied
        fmt = request.GET["_export"]
        request.GET = request.GET.copy()
        del request.GET["_export"]
        changelist = self.get_changelist_instance(request)
        request.GET["_export"] = fmt
        rows = (
            (
                e.pk,
                e.contact_id,
                e.purpose.code,
                e.channel,
                e.kind,
                e.lawful_basis,
                e.source,
                e.evidence_reference,
                str(e.notice) if e.notice_id else "",
                e.occurred_at,
                e.expires_at,
                e.recorded_by.username if e.recorded_by_id else "",
                e.recorded_at,
            )
            for e in changelist.get_queryset(request)
            .select_related("purpose", "notice", "recorded_by")
            .iterator(chunk_size=2000)
        )
        return export_response(
            request,
            what="consent-ledger",
            headers=CONSENT_EXPORT_HEADERS,
            rows=rows,
            filters=export_filters(request),
            contact_id_column=1,
        )
