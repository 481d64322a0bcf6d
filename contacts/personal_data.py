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
            "search_tokens": "null",
            "tag_ids": "null",
            "notes_flags": "anonymise",
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
        # A dated risk profile of nobody serves nothing: the row goes (a KYC hold keeps it).
        fields={"level": "delete_row", "assessed_on": "delete_row", "valid_until": "delete_row"},
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
    registry.register(
        models.PendingChange,
        contact_path="contact",
        fields={"values": "delete_row", "national_id": "delete_row", "reason": "delete_row"},
        non_personal=("kind", "status"),
        category=_("Entries awaiting a reviewer (identity, contact details)"),
    )
    registry.register(
        models.ReviewBatchRow,
        contact_path="contact",
        fields={"values": "delete_row", "national_id": "delete_row", "errors": "delete_row"},
        category=_("Imported rows awaiting a reviewer"),
    )
    registry.declare_no_personal_data(
        models.ReviewBatch, "a batch's counts and status; its rows hold the personal data"
    )
    registry.declare_no_personal_data(models.RequiredFieldRule, "configuration: required fields")
    registry.declare_no_personal_data(models.ReviewRule, "configuration: what needs review")
    register_erasure_rules()
    register_retention_categories()


# KYC/AML records (identity, accounts, suitability) are kept this long after a client
# relationship ends (Taiwan Money Laundering Control Act Art. 8; EU AMLD Art. 40).
KYC_RETENTION_YEARS = 5
KYC_FIELDS = (
    "family_name",
    "given_name",
    "name_zh",
    "name_romanised",
    "preferred_name",
    "display_name",
    "date_of_birth",
    "national_id",
    "national_id_hash",
)


def kyc_hold(contact, *, today):
    """A client (current or former) needs a KYC/AML hold until five years after the
    relationship ended; a current client's relationship ends with the erasure."""
    from django.utils.translation import gettext

    from contacts.models import LifecycleStage

    was_client = contact.relationship_started_on is not None or contact.lifecycle_stage in (
        LifecycleStage.CLIENT,
        LifecycleStage.FORMER_CLIENT,
    )
    if not was_client:
        return None
    ended = contact.relationship_ended_on or today
    try:
        until = ended.replace(year=ended.year + KYC_RETENTION_YEARS)
    except ValueError:  # 29 February
        until = ended.replace(year=ended.year + KYC_RETENTION_YEARS, day=28)
    if until < today:
        return None
    reason = gettext("KYC/AML records kept %(years)s years after the relationship ended") % {
        "years": KYC_RETENTION_YEARS
    }
    return ("kyc_aml", reason, until)


def kyc_retention() -> str:
    """The KYC/AML hold in words, in the current language (for the records of processing)."""
    from django.utils.translation import gettext

    return gettext("KYC/AML hold: kept %(years)s years after the client relationship ended") % {
        "years": KYC_RETENTION_YEARS
    }


def suppression_identifiers(contact_id: int) -> list[tuple[str, str]]:
    """An erased contact's emails, phones and national ID, for the suppression list."""
    from contacts.models import Contact, ContactPoint, ContactPointKind

    found = [
        (kind, value)
        for kind, value in ContactPoint.objects.filter(
            contact_id=contact_id, kind__in=[ContactPointKind.EMAIL, ContactPointKind.PHONE]
        ).values_list("kind", "normalized")
        if value
    ]
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is not None and contact.national_id:
        found.append(("national_id", contact.national_id))
    return found


def register_erasure_rules() -> None:
    from contacts import models

    registry.declare_held("kyc_aml", models.Contact, KYC_FIELDS)
    registry.declare_held("kyc_aml", models.Account)
    registry.declare_held("kyc_aml", models.RiskAssessment)
    registry.register_statutory_hold(kyc_hold, scope="kyc_aml", retention=kyc_retention)
    registry.register_identifiers(suppression_identifiers)


def _years_before(today, years: int):
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def prospects_without_interaction(years: int, today):
    """Prospects added more than ``years`` ago with no interaction in the last ``years``."""
    from datetime import datetime, time

    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from contacts.models import Contact, Interaction, LifecycleStage

    cutoff = datetime.combine(
        _years_before(today, years), time.min, tzinfo=timezone.get_current_timezone()
    )
    recent = Interaction.objects.filter(contact_id=OuterRef("pk"), occurred_at__gte=cutoff)
    return Contact.objects.filter(
        lifecycle_stage=LifecycleStage.PROSPECT, created_at__lt=cutoff
    ).exclude(Exists(recent))


def former_clients_past_retention(years: int, today):
    """Former clients whose relationship ended more than ``years`` ago."""
    from contacts.models import Contact, LifecycleStage

    return Contact.objects.filter(
        lifecycle_stage=LifecycleStage.FORMER_CLIENT,
        relationship_ended_on__lt=_years_before(today, years),
    )


def register_retention_categories() -> None:
    from django.utils.translation import gettext_lazy as _

    registry.register_retention_category(
        "prospect_inactive",
        label=_("Prospects with no interaction"),
        due=prospects_without_interaction,
    )
    registry.register_retention_category(
        "former_client",
        label=_("Former clients, after the relationship ended"),
        due=former_clients_past_retention,
    )
