from django.db import transaction

from contacts import validators
from contacts.models import Organisation

FIELDS = ("name", "name_zh", "business_number", "country", "email_domain", "industry")


@transaction.atomic
def organisation_save(*, organisation: Organisation) -> Organisation:
    """Create or update an organisation, validating its business number where we know how."""
    organisation.name = validators.normalize_name(organisation.name)
    organisation.email_domain = organisation.email_domain.strip().lower().lstrip("@")
    if organisation.business_number and organisation.country == "TW":
        organisation.business_number = validators.normalize_tw_business_number(
            organisation.business_number
        )
    organisation.full_clean()
    organisation.save()
    return organisation
