"""The personal-data registry: the one list of where personal data lives.

Each app declares, in ``AppConfig.ready()``, which fields of its models hold personal data
and how the rows reach a person (``contact_path``). Export, erasure, audit redaction and
retention read this registry, so a lower app can act on a higher app's tables without
importing them. Fields that could look personal but are not are declared too
(``non_personal``), and a test fails for any text-like field in neither list.

Tables that hold no contact data at all (staff accounts, the vocabulary, system tables) are
declared with ``declare_no_personal_data`` and the reason, so the completeness test
(``compliance/tests/test_registry_complete.py``) can tell them from forgotten ones.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class PersonalDataEntry:
    model: type[models.Model]
    # Field name -> how erasure treats it: "anonymise" (overwrite), "null", or "delete_row".
    fields: dict[str, str]
    # Lookup path from this model to the contact, e.g. "contact" or "" for Contact itself.
    contact_path: str
    non_personal: frozenset[str] = field(default_factory=frozenset)
    # Optional custom exporter: row -> dict. Default: the personal fields' values.
    export: Callable[[models.Model], dict] | None = None
    # For the records of processing (GDPR Art. 30): the category of personal data the table
    # holds, and how long it is kept (translatable text). Without a retention, the records of
    # processing state the retention policies and any statutory hold that apply.
    category: str = ""
    retention: str = ""

    @property
    def label(self) -> str:
        return self.model._meta.label


_registry: dict[str, PersonalDataEntry] = {}


def register(
    model: type[models.Model],
    *,
    fields: dict[str, str],
    contact_path: str,
    non_personal: tuple[str, ...] = (),
    export: Callable[[models.Model], dict] | None = None,
    category: str = "",
    retention: str = "",
) -> None:
    _registry[model._meta.label] = PersonalDataEntry(
        model=model,
        fields=dict(fields),
        contact_path=contact_path,
        non_personal=frozenset(non_personal),
        export=export,
        category=category,
        retention=retention,
    )


def entries() -> list[PersonalDataEntry]:
    return list(_registry.values())


def entry_for(model: type[models.Model]) -> PersonalDataEntry | None:
    return _registry.get(model._meta.label)


def entry_for_label(label: str) -> PersonalDataEntry:
    return _registry[label]


def is_personal(model: type[models.Model], field_name: str) -> bool:
    entry = entry_for(model)
    return entry is not None and field_name in entry.fields


_no_personal_data: dict[str, str] = {}


def declare_no_personal_data(model: type[models.Model], reason: str) -> None:
    """Declare that ``model`` holds no contact's personal data, and why."""
    _no_personal_data[model._meta.label] = reason


def no_personal_data() -> dict[str, str]:
    """Model label -> the reason it holds no contact's personal data."""
    return dict(_no_personal_data)


# --- legal holds and the suppression list ----------------------------------------------------

# Hold scope -> model label -> the fields a hold of that scope keeps ("*": the whole row).
_hold_scopes: dict[str, dict[str, frozenset[str] | str]] = {}


def declare_held(scope: str, model: type[models.Model], fields: tuple[str, ...] = ()) -> None:
    """Declare that a legal hold of ``scope`` (e.g. ``"kyc_aml"``) keeps ``fields`` of
    ``model`` through an erasure; no fields means every row of the model is kept whole.

    A hold whose scope declares nothing keeps everything (an open dispute freezes the file).
    """
    _hold_scopes.setdefault(scope, {})[model._meta.label] = frozenset(fields) if fields else "*"


def held_by(scope: str) -> dict[str, frozenset[str] | str] | None:
    """What a hold of ``scope`` keeps, by model label; ``None``: the scope keeps everything."""
    held = _hold_scopes.get(scope)
    return dict(held) if held else None


# Callables contact id -> [(kind, normalised value)] of identifiers to put on the
# suppression list when the contact is erased: "email", "phone", "national_id".
_identifier_sources: list[Callable[[int], list[tuple[str, str]]]] = []


def register_identifiers(source: Callable[[int], list[tuple[str, str]]]) -> None:
    if source not in _identifier_sources:
        _identifier_sources.append(source)


def identifiers_of(contact_id: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for source in _identifier_sources:
        found.extend(source(contact_id))
    return found


# A callable (contact, today) -> (hold kind, reason, until) | None: the hold the law requires
# before a contact may be erased (the KYC/AML records of a client, kept for years after the
# relationship ended). The contacts app knows what a client relationship is; it registers it.
_statutory_hold: Callable | None = None
# The statutory hold's scope (see ``declare_held``) and how long it keeps, in words, for the
# records of processing.
_statutory_hold_terms: tuple[str, Callable[[], str] | None] = ("", None)


def register_statutory_hold(
    rule: Callable, *, scope: str = "", retention: Callable[[], str] | None = None
) -> None:
    global _statutory_hold, _statutory_hold_terms
    _statutory_hold = rule
    _statutory_hold_terms = (scope, retention)


def statutory_hold_terms() -> tuple[str, Callable[[], str] | None]:
    """(scope, a callable giving its retention in words) of the registered statutory
    hold; ("", None) if none."""
    return _statutory_hold_terms


def statutory_hold(contact, *, today):
    return _statutory_hold(contact, today=today) if _statutory_hold else None


# --- retention -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionCategory:
    code: str
    label: str
    # (years, today) -> a queryset of the contacts whose retention period has run out.
    due: Callable


_retention_categories: dict[str, RetentionCategory] = {}


def register_retention_category(code: str, *, label, due: Callable) -> None:
    _retention_categories[code] = RetentionCategory(code=code, label=label, due=due)


def retention_categories() -> dict[str, RetentionCategory]:
    return dict(_retention_categories)
