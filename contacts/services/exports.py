"""Recording a contact export: the audit event and the disclosure register, together."""

from django.db import transaction
from django.utils.translation import gettext as _

from compliance import audit
from compliance.consent.rules import LawfulBasis
from compliance.erasure.disclosure import disclosure_record
from compliance.models import Disclosure

EXPORTED_FIELDS = "name, Chinese name, lifecycle stage, risk profile, RM, email, phone"


@transaction.atomic
def contact_export_record(
    *, actor, fmt: str, contact_ids: list[int], filters: dict, searched: bool
) -> Disclosure:
    """An export took these contacts' data out of Prudence: audit it and enter it in the
    disclosure register, so an erasure can tell whom the data went to."""
    audit.exported(
        actor=actor,
        what="contacts",
        fmt=fmt,
        row_count=len(contact_ids),
        filters=filters,
        searched=searched,
        contact_ids=contact_ids,
    )
    return disclosure_record(
        actor=actor,
        recipient=_("%(user)s (contact list export)") % {"user": actor.get_username()},
        what=f"{fmt.upper()}: {EXPORTED_FIELDS}",
        legal_basis=LawfulBasis.LEGITIMATE_INTEREST,
        contact_ids=contact_ids,
    )
