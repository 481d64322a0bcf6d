"""The contacts app's entries in the personal-data registry (see ``compliance.registry``)."""

from compliance import registry


def register_all() -> None:
    from contacts import models

    registry.register(
        models.Contact,
        contact_path="",
        fields={
            "family_name": "anonymise",
            "given_name": "anonymise",
            "name_zh": "anonymise",
            "name_romanised": "anonymise",
            "preferred_name": "anonymise",
            "display_name": "anonymise",
            "date_of_birth": "null",
            "national_id": "null",
            "national_id_hash": "anonymise",
            "deceased_on": "null",
            "notes": "anonymise",
            "search_tokens": "anonymise",
        },
        non_personal=(
            "preferred_language",
            "national_id_country",
            "country_of_residence",
            "lifecycle_stage",
            "acquisition_source",
            "risk_level",
        ),
    )
    registry.register(
        models.ContactPoint,
        contact_path="contact",
        fields={
            "value": "delete_row",
            "normalized": "delete_row",
            "postal_code": "delete_row",
            "label": "delete_row",
        },
        non_personal=("kind", "phone_type", "country", "status"),
    )
    registry.register(
        models.RiskAssessment,
        contact_path="contact",
        fields={"level": "anonymise", "assessed_on": "anonymise", "valid_until": "anonymise"},
    )
    registry.register(
        models.Employment,
        contact_path="contact",
        fields={"title": "delete_row", "organisation": "delete_row"},
    )
    registry.register(
        models.Relationship,
        contact_path="from_contact",
        fields={"kind": "delete_row", "to_contact": "delete_row"},
    )
    registry.register(
        models.Interaction,
        contact_path="contact",
        fields={"summary": "anonymise"},
        non_personal=("channel",),
    )
    registry.register(models.ContactTag, contact_path="contact", fields={"tag": "delete_row"})
    registry.declare_no_personal_data(models.Tag, "the governed vocabulary of tags")
    registry.declare_no_personal_data(models.Organisation, "companies and institutions, not people")
    registry.declare_no_personal_data(
        models.BookCover, "cover arrangements between members of staff"
    )
    registry.register(
        models.Account,
        contact_path="contact",
        fields={"number": "null", "number_hash": "anonymise"},
        non_personal=("kind", "institution"),
    )
    registry.register(
        models.PendingChange,
        contact_path="contact",
        fields={"values": "delete_row", "national_id": "delete_row", "reason": "delete_row"},
        non_personal=("kind", "status"),
    )
    registry.register(
        models.ReviewBatchRow,
        contact_path="contact",
        fields={"values": "delete_row", "national_id": "delete_row", "errors": "delete_row"},
    )
    registry.declare_no_personal_data(
        models.ReviewBatch, "a batch's counts and status; its rows hold the personal data"
    )
    registry.declare_no_personal_data(models.RequiredFieldRule, "configuration: required fields")
    registry.declare_no_personal_data(models.ReviewRule, "configuration: what needs review")
