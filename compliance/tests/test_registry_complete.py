"""The personal-data registry is complete: every field of our own models that could hold
personal data is in a registry entry (or declared not personal), or its model is declared to
hold no contact data. Export, erasure, audit redaction and retention read the registry, so a
forgotten field would be a field they silently skip."""

from django.apps import apps
from django.db import models

from compliance import registry

OUR_APPS = ("core", "compliance", "contacts", "dataquality", "crm")

# Field types that can carry a person's data: free text, documents, blobs.
TEXT_LIKE = (
    models.CharField,  # EmailField, SlugField, URLField are CharFields
    models.TextField,
    models.JSONField,
    models.FileField,
    models.BinaryField,
)


def _our_models():
    for label in OUR_APPS:
        if label not in apps.app_configs:
            continue
        for model in apps.get_app_config(label).get_models():
            if not model._meta.abstract and not model._meta.proxy:
                yield model


def _could_hold_personal_data(field) -> bool:
    if not field.concrete:
        return False
    if field.is_relation:
        return field.related_model is not None and field.related_model._meta.label == (
            "contacts.Contact"
        )
    return isinstance(field, TEXT_LIKE)


def _covered(entry, field) -> bool:
    path_head = entry.contact_path.split("__", 1)[0]
    return (
        field.name in entry.fields or field.name in entry.non_personal or (field.name == path_head)
    )


def unregistered_fields() -> list[str]:
    declared = registry.no_personal_data()
    offenders = []
    for model in _our_models():
        label = model._meta.label
        if label in declared:
            continue
        entry = registry.entry_for(model)
        for field in model._meta.get_fields():
            if not _could_hold_personal_data(field):
                continue
            if entry is None or not _covered(entry, field):
                offenders.append(f"{label}.{field.name}")
    return offenders


def test_every_field_that_could_hold_personal_data_is_registered():
    offenders = unregistered_fields()
    assert not offenders, (
        "These fields could hold personal data but no registry entry names them. Add them "
        "to their app's personal_data.py (fields, or non_personal), or declare the model "
        "with registry.declare_no_personal_data(model, reason):\n  " + "\n  ".join(offenders)
    )


def test_registry_entries_name_real_fields():
    wrong = []
    for entry in registry.entries():
        names = {f.name for f in entry.model._meta.get_fields()}
        for name in (*entry.fields, *entry.non_personal):
            if name not in names:
                wrong.append(f"{entry.label}.{name}")
        if entry.contact_path and entry.contact_path.split("__", 1)[0] not in names:
            wrong.append(f"{entry.label} contact_path {entry.contact_path}")
    assert not wrong, wrong


def test_erasure_treatments_are_known():
    treatments = {t for entry in registry.entries() for t in entry.fields.values()}
    assert treatments <= {"anonymise", "null", "delete_row"}


def test_a_model_is_either_registered_or_declared_free_of_personal_data_not_both():
    registered = {entry.label for entry in registry.entries()}
    assert not registered & set(registry.no_personal_data())


def test_every_declaration_gives_a_reason():
    assert all(reason.strip() for reason in registry.no_personal_data().values())


def test_the_consent_ledger_is_registered_through_its_contact():
    for label in (
        "compliance.ConsentEvent",
        "compliance.ConsentState",
        "compliance.ContactMarketingRefusal",
        "compliance.ContactRestriction",
    ):
        entry = registry.entry_for(apps.get_model(label))
        assert entry is not None, label
        assert entry.contact_path == "contact"
    event = apps.get_model("compliance.ConsentEvent")
    assert registry.is_personal(event, "evidence_reference")


def test_request_free_text_and_identity_evidence_are_registered_as_personal():
    request = apps.get_model("compliance.DataSubjectRequest")
    for name in ("description", "identity_evidence", "extension_reason", "refusal_reason"):
        assert registry.is_personal(request, name), name
    assert registry.entry_for(request).contact_path == "contact"
    note = apps.get_model("compliance.RequestNote")
    assert registry.is_personal(note, "body")
    assert registry.entry_for(note).contact_path == "request__contact"


def test_the_incident_register_is_declared_and_names_contacts_by_id_only():
    declared = registry.no_personal_data()
    for label in (
        "compliance.Incident",
        "compliance.IncidentContact",
        "compliance.IncidentDecision",
        "compliance.IncidentNotice",
        "compliance.BreachClockRule",
    ):
        assert label in declared, label
    affected = apps.get_model("compliance.IncidentContact")
    assert not any(
        f.is_relation and f.related_model._meta.label == "contacts.Contact"
        for f in affected._meta.get_fields()
        if f.concrete
    )
