"""The disclosure register: who received which contacts' data, when, why and from whom.

The contacts of a disclosure are stored set-based: from a queryset with one
``INSERT ... SELECT``, or from a list of ids with chunked bulk inserts, so an export of a
million rows is a few statements, not a million.
"""

from collections.abc import Iterable
from datetime import datetime
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit
from compliance.models import DisclosedContact, Disclosure

CHUNK = 5000


def _insert_select(disclosure: Disclosure, contacts: QuerySet) -> int:
    sql, params = contacts.order_by().values("pk").distinct().query.sql_with_params()
    table = DisclosedContact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            # The table name is ours and the subquery is Django's own, with its parameters.
            f"INSERT INTO {table} (disclosure_id, contact_id) "  # noqa: S608
            f"SELECT %s, sub.pk FROM ({sql}) sub",
            [disclosure.pk, *params],
        )
        return cursor.rowcount


def _insert_ids(disclosure: Disclosure, contact_ids: Iterable[int]) -> int:
    count = 0
    seen: set[int] = set()
    unique = (i for i in contact_ids if not (i in seen or seen.add(i)))
    while chunk := list(islice(unique, CHUNK)):
        DisclosedContact.objects.bulk_create(
            [DisclosedContact(disclosure=disclosure, contact_id=i) for i in chunk]
        )
        count += len(chunk)
    return count


@transaction.atomic
def disclosure_record(
    *,
    actor,
    recipient: str,
    what: str,
    legal_basis: str,
    contact_ids: Iterable[int] | None = None,
    contacts: QuerySet | None = None,
    disclosed_at: datetime | None = None,
) -> Disclosure:
    """Record that ``recipient`` received ``what`` about the contacts given, either as a
    queryset (``contacts``, inserted with one ``INSERT ... SELECT``) or as ids."""
    disclosure = Disclosure(
        recipient=recipient,
        what=what,
        legal_basis=legal_basis,
        disclosed_by=actor if getattr(actor, "is_authenticated", False) else None,
        disclosed_at=disclosed_at or timezone.now(),
    )
    disclosure.full_clean()
    disclosure.save()
    if contacts is not None and contact_ids is not None:
        raise TypeError("give contacts or contact_ids, not both")
    if contacts is not None:
        count = _insert_select(disclosure, contacts)
    else:
        count = _insert_ids(disclosure, contact_ids or [])
    if count < 0:  # a backend that does not report the row count
        count = disclosure.disclosed_contacts.count()
    disclosure.contact_count = count
    disclosure.save(update_fields=["contact_count"])
    audit.disclosure_recorded(actor=actor, disclosure=disclosure)
    return disclosure


def contact_ids_from_text(text: str) -> list[int]:
    """Parse contact numbers typed or pasted by the DPO (commas, spaces or new lines)."""
    ids = []
    for token in text.replace(",", " ").split():
        if not token.isdigit():
            raise ValidationError(_("Enter contact numbers separated by commas or spaces."))
        ids.append(int(token))
    return ids
