"""The suppression list: keyed hashes of an erased person's email, phone and national ID,
linked to no contact. An erased person cannot be added again for marketing: contact creation
from a marketing source asks ``is_suppressed`` first, and so must any importer.

Values are compared in their normalised form (the contacts app's validators: a lower-case
email, an E.164 phone, an upper-case national ID).
"""

from collections.abc import Iterable

from django.db import transaction

from compliance.crypto import lookup_hash
from compliance.models import SuppressedIdentifier, SuppressionKind


def _canonical(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == SuppressionKind.EMAIL:
        return value.lower()
    if kind == SuppressionKind.NATIONAL_ID:
        return value.upper()
    return value


def suppression_hash(kind: str, value: str) -> str:
    value = _canonical(kind, value)
    return lookup_hash(value, scope=f"suppression:{kind}") if value else ""


@transaction.atomic
def suppression_add(identifiers: Iterable[tuple[str, str]]) -> int:
    """Put ``(kind, value)`` pairs on the list; those already there are skipped."""
    rows = {
        (kind, digest)
        for kind, value in identifiers
        if kind in SuppressionKind.values and (digest := suppression_hash(kind, value))
    }
    existing = set()
    for kind in {k for k, _ in rows}:
        existing.update(
            (kind, h)
            for h in SuppressedIdentifier.objects.filter(
                kind=kind, value_hash__in=[h for k, h in rows if k == kind]
            ).values_list("value_hash", flat=True)
        )
    new = [SuppressedIdentifier(kind=k, value_hash=h) for k, h in sorted(rows - existing)]
    SuppressedIdentifier.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def is_suppressed(*, email: str = "", phone: str = "", national_id: str = "") -> bool:
    """Whether any of the values belongs to an erased person."""
    wanted = [
        (kind, digest)
        for kind, value in (
            (SuppressionKind.EMAIL, email),
            (SuppressionKind.PHONE, phone),
            (SuppressionKind.NATIONAL_ID, national_id),
        )
        if (digest := suppression_hash(kind, value))
    ]
    if not wanted:
        return False
    condition = SuppressedIdentifier.objects.none()
    for kind, digest in wanted:
        condition |= SuppressedIdentifier.objects.filter(kind=kind, value_hash=digest)
    return condition.exists()
