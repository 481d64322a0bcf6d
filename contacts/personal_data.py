"""The contacts app's entries in the personal-data registry (see ``compliance.registry``)."""

from django.utils.translation import gettext_lazy as _

from compliance import registry


def register_all() -> None:
    from contacts import models

    registry.register(
        models.Contact,
        category=_("Identity and profile"),
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
            "notes_flags": "anonymise",
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
        category=_("Contact details"),
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
        category=_("Financial profile (risk assessment)"),
        contact_path="contact",
        fields={"level": "anonymise", "assessed_on": "anonymise", "valid_until": "anonymise"},
    )
    registry.register(
        models.Employment,
        category=_("Professional details"),
        contact_path="contact",
        fields={"title": "delete_row", "organisation": "delete_row"},
    )
    registry.register(
        models.Relationship,
        category=_("Family and business relationships"),
        contact_path="from_contact",
        fields={"kind": "delete_row", "to_contact": "delete_row"},
    )
    registry.register(
        models.Interaction,
        category=_("Interaction history"),
        contact_path="contact",
        fields={"summary": "anonymise", "sensitive_flags": "anonymise"},
        non_personal=("channel",),
    )
    registry.register(
        models.ContactTag,
        contact_path="contact",
        fields={"tag": "delete_row"},
        category=_("Segments and interests"),
    )
    registry.declare_no_personal_data(models.Tag, "the governed vocabulary of tags")
    registry.declare_no_personal_data(models.Organisation, "companies and institutions, not people")
    registry.declare_no_personal_data(
        models.BookCover, "cover arrangements between members of staff"
    )
    registry.register(
        models.Account,
        category=_("Financial accounts"),
        contact_path="contact",
        fields={"number": "null", "number_hash": "anonymise"},
        non_personal=("kind", "institution"),
    )
