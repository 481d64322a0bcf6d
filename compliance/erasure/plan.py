"""The erasure plan: one object that both the preview shows and the execution applies, so
the two can never disagree.

``build_plan`` walks the personal-data registry (``compliance.registry``): for every
registered table, the contact's rows and what each field's treatment does to them
("anonymise" overwrites with a placeholder, "null" empties, "delete_row" deletes the row),
minus what the legal holds in force keep. ``apply_plan`` carries it out. Django admin
history (``LogEntry``) of every row touched is anonymised too, since its ``object_repr``
and ``change_message`` copy names and values.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

from compliance import registry
from compliance.crypto import EncryptedTextField
from compliance.models import ContactSalt, Disclosure, LegalHold, LegalHoldKind

ERASED_TEXT = "[erased]"
WHOLE_ROW = "*"


@dataclass(frozen=True)
class HoldInfo:
    """A hold in force (``id`` None: the statutory KYC hold execution will place)."""

    id: int | None
    kind: str
    reason: str
    until: date | None

    @property
    def kind_label(self) -> str:
        return str(dict(LegalHoldKind.choices).get(self.kind, self.kind))


@dataclass(frozen=True)
class TableAction:
    label: str
    name: str  # the model's verbose name, for the preview
    rows: int
    delete: bool  # rows are deleted (else the fields below are overwritten)
    fields: dict[str, str]  # field -> "anonymise" | "null", for the rows kept
    held_fields: tuple[str, ...] = ()  # kept by a hold
    held_whole_rows: bool = False  # every row kept whole by a hold
    pks: tuple = field(default=(), compare=False, repr=False)

    @property
    def acts(self) -> bool:
        return self.rows > 0 and not self.held_whole_rows and (self.delete or bool(self.fields))


@dataclass(frozen=True)
class DisclosureInfo:
    id: int
    recipient: str
    what: str
    disclosed_at: str


@dataclass(frozen=True)
class ErasurePlan:
    contact_id: int
    tables: tuple[TableAction, ...]
    holds: tuple[HoldInfo, ...]
    log_entries: int
    has_salt: bool
    disclosures: tuple[DisclosureInfo, ...]

    @property
    def is_held(self) -> bool:
        return any(t.held_fields or t.held_whole_rows for t in self.tables)

    @property
    def held_until(self) -> date | None:
        """When the last hold ends (None: open-ended, or nothing held)."""
        ends = [h.until for h in self.holds]
        return None if not ends or None in ends else max(ends)

    @property
    def fingerprint(self) -> str:
        """A digest of what the plan would do: the confirmation carries it, so an execution
        refuses a plan that changed since the DPO previewed it."""
        content = {
            "tables": [
                {k: v for k, v in asdict(t).items() if k != "pks"} for t in self.tables if t.rows
            ],
            "holds": [[h.kind, str(h.until)] for h in self.holds],
            "log_entries": self.log_entries,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]


def _rows_of(entry: registry.PersonalDataEntry, contact_id: int) -> Q:
    """The contact's rows in a registered table: through its contact path, and through any
    registered link to the contact (the other end of a relationship)."""
    path = entry.contact_path or "pk"
    condition = Q(**{path: contact_id})
    root = _root_label()
    for name in entry.fields:
        model_field = entry.model._meta.get_field(name)
        if (
            model_field.many_to_one
            and model_field.related_model._meta.label == root
            and name != entry.contact_path
        ):
            condition |= Q(**{name: contact_id})
    return condition


def _root_label() -> str:
    for entry in registry.entries():
        if entry.contact_path == "":
            return entry.label
    raise ImproperlyConfigured("no registry entry for the contact itself")


def _held_scope(holds: list[HoldInfo]) -> dict[str, frozenset[str] | str] | None:
    """Model label -> fields kept ("*": whole rows); None: everything is kept."""
    kept: dict[str, frozenset[str] | str] = {}
    for hold in holds:
        scope = registry.held_by(hold.kind)
        if scope is None:
            return None
        for label, fields in scope.items():
            if kept.get(label) == WHOLE_ROW or fields == WHOLE_ROW:
                kept[label] = WHOLE_ROW
            else:
                kept[label] = kept.get(label, frozenset()) | fields
    return kept


def active_holds(contact_id: int, *, today: date) -> list[HoldInfo]:
    return [
        HoldInfo(id=h.pk, kind=h.kind, reason=h.reason, until=h.ends_on)
        for h in LegalHold.objects.filter(contact_id=contact_id).active(today).order_by("id")
    ]


def build_plan(contact_id: int, *, holds: list[HoldInfo]) -> ErasurePlan:
    """What an erasure of ``contact_id`` does, given the ``holds`` in force."""
    kept = _held_scope(holds)
    tables = []
    pks_by_model: list[tuple[type[models.Model], tuple]] = []
    for entry in sorted(registry.entries(), key=lambda e: e.label):
        if not entry.fields:
            continue
        pks = tuple(
            entry.model._base_manager.filter(_rows_of(entry, contact_id))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        pks_by_model.append((entry.model, pks))
        held = WHOLE_ROW if kept is None else kept.get(entry.label, frozenset())
        delete = "delete_row" in entry.fields.values()
        if held == WHOLE_ROW or (delete and held):
            tables.append(
                TableAction(
                    label=entry.label,
                    name=str(entry.model._meta.verbose_name_plural),
                    rows=len(pks),
                    delete=delete,
                    fields={},
                    held_fields=tuple(sorted(entry.fields)),
                    held_whole_rows=True,
                    pks=pks,
                )
            )
            continue
        tables.append(
            TableAction(
                label=entry.label,
                name=str(entry.model._meta.verbose_name_plural),
                rows=len(pks),
                delete=delete,
                fields={} if delete else {n: t for n, t in entry.fields.items() if n not in held},
                held_fields=tuple(sorted(n for n in entry.fields if n in held)),
                pks=pks,
            )
        )
    return ErasurePlan(
        contact_id=contact_id,
        tables=tuple(tables),
        holds=tuple(holds),
        log_entries=_log_entries(pks_by_model).count(),
        has_salt=ContactSalt.objects.filter(contact_id=contact_id).exists(),
        disclosures=tuple(
            DisclosureInfo(
                id=d.pk,
                recipient=d.recipient,
                what=d.what,
                disclosed_at=d.disclosed_at.isoformat(),
            )
            for d in Disclosure.objects.filter(disclosed_contacts__contact_id=contact_id)
            .distinct()
            .order_by("disclosed_at", "id")
        ),
    )


def _log_entries(pks_by_model) -> models.QuerySet:
    condition = Q(pk__in=[])
    for model, pks in pks_by_model:
        if pks:
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            condition |= Q(content_type=content_type, object_id__in=[str(pk) for pk in pks])
    return LogEntry.objects.filter(condition)


def placeholder(model_field: models.Field, treatment: str):
    """The non-identifying value a field is overwritten with."""
    if isinstance(model_field, models.JSONField):
        return None if model_field.null else {}
    is_text = isinstance(model_field, models.CharField | models.TextField)
    # An encrypted value is emptied, never left behind encrypted under a key that may leak.
    if treatment == "anonymise" and is_text and not isinstance(model_field, EncryptedTextField):
        return ERASED_TEXT[: model_field.max_length] if model_field.max_length else ERASED_TEXT
    if model_field.null:
        return None
    if is_text:
        return ""
    if isinstance(model_field, models.BooleanField):
        return False
    raise ImproperlyConfigured(
        f"{model_field.model._meta.label}.{model_field.name} is not nullable: register it "
        "for erasure as 'delete_row', or make it nullable"
    )


def apply_plan(plan: ErasurePlan) -> dict[str, dict[str, int]]:
    """Carry the plan out; returns counts per table. Runs inside the caller's transaction."""
    counts: dict[str, dict[str, int]] = {}
    # History first: it is found through the rows the plan is about to delete.
    pks_by_model = [(registry.entry_for_label(t.label).model, t.pks) for t in plan.tables if t.rows]
    log_entries = _log_entries(pks_by_model).update(object_repr=ERASED_TEXT, change_message="")
    if log_entries:
        counts["admin.LogEntry"] = {"anonymised": log_entries}
    for table in plan.tables:
        if not table.acts:
            continue
        model = registry.entry_for_label(table.label).model
        rows = model._base_manager.filter(pk__in=table.pks)
        if table.delete:
            _total, per_model = rows.delete()
            counts[table.label] = {"deleted": per_model.get(table.label, 0)}
            continue
        values = {
            name: placeholder(model._meta.get_field(name), treatment)
            for name, treatment in table.fields.items()
        }
        updated = rows.update(**values)
        anonymised = sum(1 for t in table.fields.values() if t == "anonymise")
        counts[table.label] = {
            "rows": updated,
            "anonymised": updated * anonymised,
            "nulled": updated * (len(table.fields) - anonymised),
        }
    return counts
