"""The records of processing activities (GDPR Art. 30): built from the processing purposes
and the personal-data registry, with the controller from settings. A read; no writes."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import registry
from compliance.consent.rules import Channel, LawfulBasis
from compliance.models import Purpose

ERASURE_LABELS = {
    "anonymise": gettext_lazy("anonymised"),
    "null": gettext_lazy("cleared"),
    "delete_row": gettext_lazy("row deleted"),
}

# What Prudence itself does to protect the book (Art. 30(1)(g)); each is enforced in code.
SECURITY_MEASURES = (
    gettext_lazy("National IDs and account numbers encrypted at rest with rotatable keys"),
    gettext_lazy("Each relationship manager sees only their own book; every view is audited"),
    gettext_lazy("Tamper-evident audit log, sealed in a hash chain"),
    gettext_lazy("Second factor required for staff and compliance"),
    gettext_lazy("Exports, imports and reveals need current privacy training"),
)


@dataclass(frozen=True)
class PurposeRecord:
    code: str
    label_en: str
    label_zh_hant: str
    is_marketing: bool
    lawful_bases: list[str]
    channels: list[str]


@dataclass(frozen=True)
class DataRecord:
    table: str
    label: str
    category: str
    fields: list[tuple[str, str]]  # (field's name as people read it, erasure treatment)
    retention: str


@dataclass(frozen=True)
class Report:
    controller: dict
    purposes: list[PurposeRecord]
    data: list[DataRecord]
    recipients: list[str]
    transfers: list[str]
    security: list[str]


def _labels(values, choices) -> list[str]:
    names = dict(choices)
    return [str(names.get(v, v)) for v in values]


def purpose_records() -> list[PurposeRecord]:
    return [
        PurposeRecord(
            code=p.code,
            label_en=p.label_en,
            label_zh_hant=p.label_zh_hant,
            is_marketing=p.is_marketing,
            lawful_bases=_labels(p.lawful_bases, LawfulBasis.choices),
            channels=_labels(p.channels, Channel.choices),
        )
        for p in Purpose.objects.filter(is_active=True).order_by("position", "code")
    ]


def data_records() -> list[DataRecord]:
    records = []
    for entry in sorted(registry.entries(), key=lambda e: e.label):
        if not entry.fields:
            continue
        opts = entry.model._meta
        fields = [
            (str(opts.get_field(name).verbose_name), str(ERASURE_LABELS.get(treatment, treatment)))
            for name, treatment in entry.fields.items()
        ]
        records.append(
            DataRecord(
                table=entry.label,
                label=str(opts.verbose_name_plural),
                category=str(entry.category) if entry.category else _("not stated"),
                fields=fields,
                retention=str(entry.retention) if entry.retention else _("not stated"),
            )
        )
    return records


def report() -> Report:
    return Report(
        controller=dict(settings.PRIVACY_CONTROLLER),
        purposes=purpose_records(),
        data=data_records(),
        recipients=list(settings.PRIVACY_RECIPIENTS),
        transfers=list(settings.PRIVACY_TRANSFERS),
        security=[str(m) for m in SECURITY_MEASURES],
    )


EXPORT_HEADERS = (
    gettext_lazy("Section"),
    gettext_lazy("Item"),
    gettext_lazy("Label (English)"),
    gettext_lazy("Label (Traditional Chinese)"),
    gettext_lazy("Lawful bases"),
    gettext_lazy("Channels"),
    gettext_lazy("Category of personal data"),
    gettext_lazy("Fields (erasure)"),
    gettext_lazy("Retention"),
)


def export_rows(data: Report):
    """One sheet: the controller, then one row per purpose, then one per table of personal
    data, then recipients, transfers and security measures."""
    controller_labels = {
        "name": _("Controller"),
        "address": _("Address"),
        "contact": _("Contact"),
        "representative": _("Representative in the EU"),
        "dpo_name": _("Data protection officer"),
        "dpo_contact": _("DPO contact"),
    }
    for key, label in controller_labels.items():
        yield (_("Controller"), label, data.controller.get(key, ""), "", "", "", "", "", "")
    for p in data.purposes:
        yield (
            _("Purpose"),
            p.code,
            p.label_en,
            p.label_zh_hant,
            ", ".join(p.lawful_bases),
            ", ".join(p.channels),
            "",
            "",
            "",
        )
    for d in data.data:
        fields = "; ".join(f"{name} ({treatment})" for name, treatment in d.fields)
        yield (_("Personal data"), d.table, d.label, "", "", "", d.category, fields, d.retention)
    for recipient in data.recipients:
        yield (_("Recipients"), recipient, "", "", "", "", "", "", "")
    for transfer in data.transfers:
        yield (_("Transfers"), transfer, "", "", "", "", "", "", "")
    for measure in data.security:
        yield (_("Security measures"), measure, "", "", "", "", "", "", "")
