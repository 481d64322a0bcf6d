"""The records of processing activities (GDPR Art. 30): built from the processing purposes
and the personal-data registry, with the controller from settings. A read; no writes."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import registry
from compliance.consent.rules import Channel, LawfulBasis
from compliance.models import Purpose, RetentionPolicy

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
    # Records kept outside the registry's tables (the audit log), with how long.
    other_retention: list[str]


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


def _policy_terms() -> str:
    """The DPO's retention policies in force, in words: every registered table goes with
    its contact when the contact is erased."""
    categories = registry.retention_categories()
    terms = [
        _("%(category)s: erased after %(years)s years")
        % {"category": categories[p.category].label, "years": p.years}
        for p in RetentionPolicy.objects.filter(is_active=True).order_by("category")
        if p.category in categories
    ]
    return "; ".join(terms)


def _retention(entry: registry.PersonalDataEntry, policies: str, held: dict, hold_text: str):
    """What the app knows of how long ``entry``'s rows are kept: the entry's own statement,
    else the retention policies (applied by the nightly job) and the statutory hold that
    keeps some of it longer."""
    if entry.retention:
        return str(entry.retention)
    parts = []
    if policies:
        parts.append(
            _("Erased with the contact (%(policies)s), or on request") % {"policies": policies}
        )
    else:
        parts.append(_("Erased with the contact, on request"))
    if hold_text and entry.label in held:
        kept = held[entry.label]
        if kept == "*":
            parts.append(hold_text)
        else:
            names = ", ".join(
                str(entry.model._meta.get_field(name).verbose_name) for name in sorted(kept)
            )
            parts.append(f"{hold_text} ({names})")
    return "; ".join(parts)


def data_records() -> list[DataRecord]:
    records = []
    policies = _policy_terms()
    scope, hold_retention = registry.statutory_hold_terms()
    held = (registry.held_by(scope) or {}) if scope else {}
    hold_text = hold_retention() if hold_retention else ""
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
                retention=_retention(entry, policies, held, hold_text),
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
        other_retention=[
            _(
                "Audit log (personal values as keyed hashes only): kept %(years)s years, "
                "then archived"
            )
            % {"years": settings.AUDIT_RETENTION_YEARS}
        ],
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
    for retention in data.other_retention:
        yield (_("Retention"), retention, "", "", "", "", "", "", "")
