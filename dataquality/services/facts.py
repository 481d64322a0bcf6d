"""Reading a chunk of contacts as plain facts for the rules: a fixed handful of queries per
chunk, whatever its size, never one per contact."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from contacts import validators
from contacts.models import Contact, ContactPoint, Employment, Tag
from contacts.models.tags import PATH_SEGMENT_WIDTH
from dataquality.rules import ContactFacts, EmploymentFact, PointFact

DEFAULT_HNW_TAG_CODES = ("segment-hnw",)


@dataclass(frozen=True)
class Loaded:
    """A contact's facts and what the job must know to write back safely."""

    facts: ContactFacts
    seen_version: int
    owner_id: int
    previous: tuple  # (score, has_blocking_issue, stale_since, due_on) on file
    quality_version: int = 0  # the version the summary on file was computed at
    tag_ids: str = ""  # ``Contact.tag_ids`` as read: the write is guarded by it too


def among(field: str, ids) -> Q:
    """``field IN ids``, for thousands of ids. On PostgreSQL the ids travel as one array
    parameter (Django compiling a 5,000-item IN list costs more than running the query)."""
    ids = list(ids)
    if connection.vendor == "postgresql" and len(ids) > 100:
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})
    return Q(**{f"{field}__in": ids})


def tag_codes_by_id() -> dict[int, frozenset[str]]:
    """Each tag's code with its ancestors' codes, for the whole vocabulary (a few hundred
    terms): what a contact's ``tag_ids`` mean to the required-field policies."""
    rows = list(Tag.objects.values_list("pk", "path", "code"))
    code_at = {path: code for _, path, code in rows}
    width = PATH_SEGMENT_WIDTH + 1
    return {
        pk: frozenset(
            code_at[path[: width * i]]
            for i in range(1, len(path) // width + 1)
            if path[: width * i] in code_at
        )
        for pk, path, _ in rows
    }


def _ids(spelled: str) -> list[int]:
    return [int(i) for i in (spelled or "").split()]


def hnw_tag_ids() -> list[int]:
    """The high-net-worth segment tags and everything under them."""
    codes = getattr(settings, "DATAQUALITY_HNW_TAG_CODES", DEFAULT_HNW_TAG_CODES)
    ids: set[int] = set()
    for tag in Tag.objects.filter(code__in=codes):
        ids.update(Tag.objects.subtree(tag).values_list("pk", flat=True))
    return sorted(ids)


# A plain ASCII address the full validator would accept as it stands: checked by regex
# alone, which is a hundred times cheaper than the validator (most of a book looks like it).
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
)


_E164 = re.compile(r"\+[1-9]\d{6,14}")
_NON_DIGITS = re.compile(r"\D")


def _phone_consistent(value: str, normalized: str) -> bool:
    """The stored E.164 form still matches the digits as typed (``0912-345-678`` and
    ``+886912345678``): the validator produced it and nothing changed the value since."""
    if not _E164.fullmatch(normalized or ""):
        return False
    national = _NON_DIGITS.sub("", validators.to_half_width(value or "")).lstrip("0")
    return len(national) >= 6 and normalized.endswith(national)


def passes_validation(kind: str, value: str, normalized: str = "") -> bool:
    """Today's validators still accept a stored contact point (they may have grown
    stricter, or the value came in through an import that bypassed them)."""
    try:
        if kind == "email":
            text = (value or "").strip()
            if not (text == normalized and _PLAIN_EMAIL.fullmatch(text)):
                validators.normalize_email(value)
        elif kind == "phone" and not _phone_consistent(value, normalized):
            validators.parse_phone(value)
    except ValidationError:
        return False
    return True


def load_facts(
    contact_ids: list[int],
    *,
    hnw_tags: list[int] | None = None,
    tag_codes: dict[int, frozenset[str]] | None = None,
) -> list[Loaded]:
    """Facts for the given contacts, in three queries (tags come from ``Contact.tag_ids``)."""
    hnw = frozenset(hnw_tag_ids() if hnw_tags is None else hnw_tags)
    tag_codes = tag_codes_by_id() if tag_codes is None else tag_codes
    rows = Contact.objects.filter(among("pk", contact_ids)).values_list(
        "pk",
        "version",
        "owner_id",
        "lifecycle_stage",
        "display_name",
        "date_of_birth",
        "national_id_hash",
        "is_deceased",
        "deceased_on",
        "do_not_contact",
        "left_employer",
        "risk_valid_until",
        "last_reviewed_on",
        "created_at",
        "quality_score",
        "has_blocking_issue",
        "stale_since",
        "quality_due_on",
        "quality_version",
        "acquisition_source",
        "tag_ids",
    )
    points: dict[int, list[PointFact]] = defaultdict(list)
    for contact_id, kind, normalized, status, verified_on, primary in (
        ContactPoint.objects.filter(among("contact_id", contact_ids))
        .values_list("contact_id", "kind", "normalized", "status", "verified_on", "is_primary")
        .order_by()
    ):
        domain = normalized.rsplit("@", 1)[-1].lower() if kind == "email" and normalized else ""
        points[contact_id].append(
            PointFact(
                kind=kind,
                status=status,
                verified_on=verified_on,
                is_primary=primary,
                domain=domain,
            )
        )
    jobs: dict[int, list[EmploymentFact]] = defaultdict(list)
    for contact_id, domain, ended_on in (
        Employment.objects.filter(among("contact_id", contact_ids))
        .values_list("contact_id", "organisation__email_domain", "ended_on")
        .order_by()
    ):
        jobs[contact_id].append(EmploymentFact(domain=(domain or "").lower(), ended_on=ended_on))
    loaded = []
    for (
        pk,
        version,
        owner_id,
        stage,
        name,
        dob,
        nid_hash,
        deceased,
        deceased_on,
        dnc,
        left,
        risk_until,
        reviewed,
        created_at,
        score,
        blocking,
        stale,
        due,
        quality_version,
        source,
        spelled_tags,
    ) in rows:
        tags = _ids(spelled_tags)
        codes: frozenset[str] = frozenset().union(*(tag_codes.get(t, ()) for t in tags))
        facts = ContactFacts(
            contact_id=pk,
            lifecycle_stage=stage,
            has_name=bool(name),
            has_date_of_birth=dob is not None,
            has_national_id=bool(nid_hash),
            is_deceased=deceased,
            deceased_on=deceased_on,
            do_not_contact=dnc,
            left_employer=left,
            is_high_net_worth=not hnw.isdisjoint(tags),
            risk_valid_until=risk_until,
            last_reviewed_on=reviewed,
            created_on=_local_date(created_at),
            points=tuple(points.get(pk, ())),
            employments=tuple(jobs.get(pk, ())),
            date_of_birth=dob,
            acquisition_source=source or "",
            tag_codes=codes,
        )
        loaded.append(
            Loaded(
                facts,
                version,
                owner_id,
                (score, blocking, stale, due),
                quality_version,
                spelled_tags or "",
            )
        )
    return loaded


def _local_date(moment) -> date | None:
    from django.utils import timezone

    return timezone.localdate(moment) if moment else None
