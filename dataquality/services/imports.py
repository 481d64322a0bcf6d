"""Bounce lists and deceased lists, imported by compliance or data stewards.

CSV in UTF-8 (with or without BOM) or Big5/CP950 (what Excel in Taiwan writes). A bounce
list marks matching email contact points bounced; a deceased list marks a contact deceased
only on a national-ID match (by its keyed lookup hash). A match on name and date of birth
alone goes to a person for review (``DeceasedCandidate``), never straight to deceased.
The rows themselves are not kept; the import records counts only.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from compliance import audit
from compliance.crypto import lookup_hash
from contacts import validators
from contacts.models import Contact
from contacts.services.quality import contact_points_mark_bounced, contacts_mark_deceased
from dataquality.models import DeceasedCandidate, ListImport

MAX_ROWS = 100_000
ENCODINGS = ("utf-8-sig", "cp950")


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in: UTF-8 (BOM or not), else Big5/CP950."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _("The file is neither UTF-8 nor Big5 (CP950) text. Save it as CSV and try again.")
    )


def read_rows(data: bytes) -> tuple[list[dict[str, str]], str]:
    text, encoding = decode_csv(data)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ValidationError(_("The file is empty."))
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    rows = []
    for row in reader:
        rows.append({k: (v or "").strip() for k, v in row.items() if k})
        if len(rows) > MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(max)d rows. Split it and import each part.")
                % {"max": MAX_ROWS}
            )
    return rows, encoding


@dataclass
class ImportReport:
    list_import: ListImport
    errors: list[str] = field(default_factory=list)


def _require(rows: list[dict], columns: set[str], any_of: bool = False) -> None:
    present = set(rows[0]) if rows else set()
    missing = columns - present
    if (any_of and not (columns & present)) or (not any_of and missing):
        raise ValidationError(
            _("The file needs a column named: %(columns)s.")
            % {"columns": ", ".join(sorted(missing or columns))}
        )


@transaction.atomic
def bounce_list_import(*, actor, data: bytes) -> ImportReport:
    """Mark email contact points on the list bounced. Column: ``email``."""
    rows, encoding = read_rows(data)
    if not rows:
        raise ValidationError(_("The file has no rows."))
    _require(rows, {"email"})
    result = contact_points_mark_bounced(
        actor=actor, emails=[row.get("email", "") for row in rows], source="bounce list"
    )
    record = ListImport.objects.create(
        kind=ListImport.Kind.BOUNCES,
        imported_by=actor,
        encoding=encoding,
        rows=len(rows),
        matched=result.emails_matched,
        marked=result.points_marked,
        unmatched=result.emails_read - result.emails_invalid - result.emails_matched,
        invalid=result.emails_invalid + (len(rows) - result.emails_read),
    )
    return ImportReport(record)


def _name_keys(*names: str) -> set[str]:
    keys = set()
    for name in names:
        compact = "".join(validators.normalize_name(name or "").split()).casefold()
        if compact:
            keys.add(compact)
    return keys


@transaction.atomic
def deceased_list_import(*, actor, data: bytes) -> ImportReport:
    """Mark contacts deceased by national ID; send name + date-of-birth matches for review.

    Columns: ``national_id`` and/or ``name`` + ``date_of_birth`` (YYYY-MM-DD), optional
    ``country`` (of the ID, default TW) and ``date_of_death``.
    """
    rows, encoding = read_rows(data)
    if not rows:
        raise ValidationError(_("The file has no rows."))
    _require(rows, {"national_id", "name"}, any_of=True)
    record = ListImport.objects.create(
        kind=ListImport.Kind.DECEASED, imported_by=actor, encoding=encoding, rows=len(rows)
    )
    today = timezone.localdate()
    by_hash: dict[str, date | None] = {}
    by_name: list[tuple[set[str], date, date | None]] = []
    invalid = 0
    for row in rows:
        died = parse_date(row.get("date_of_death", "") or "") if row.get("date_of_death") else None
        if died and died > today:
            died = None
        national_id = row.get("national_id", "")
        if national_id:
            try:
                normal = validators.normalize_national_id(
                    national_id, country=(row.get("country") or "TW").upper()
                )
                by_hash[lookup_hash(normal, scope="national_id")] = died
            except ValidationError:
                invalid += 1
                continue
        born = parse_date(row.get("date_of_birth", "") or "") if row.get("date_of_birth") else None
        names = _name_keys(row.get("name", ""))
        if names and born:
            by_name.append((names, born, died))
        elif not national_id:
            invalid += 1
    matched_by_id = dict(
        Contact.objects.filter(national_id_hash__in=list(by_hash)).values_list(
            "pk", "national_id_hash"
        )
    )
    # Group by date of death so each group is one set-based update.
    by_date: dict[date | None, list[int]] = defaultdict(list)
    for pk, hashed in matched_by_id.items():
        by_date[by_hash[hashed]].append(pk)
    marked = 0
    for died, ids in by_date.items():
        marked += len(
            contacts_mark_deceased(
                actor=actor, contact_ids=ids, source="deceased list", deceased_on=died
            )
        )
    # Name + date of birth alone: a person decides. Contacts matched by ID are done already.
    candidates = []
    if by_name:
        births = {born for _, born, _ in by_name}
        possible = Contact.objects.filter(date_of_birth__in=births, is_deceased=False).exclude(
            pk__in=list(matched_by_id)
        )
        pending = set(
            DeceasedCandidate.objects.filter(status=DeceasedCandidate.Status.PENDING).values_list(
                "contact_id", flat=True
            )
        )
        for contact in possible.only(
            "pk", "date_of_birth", "family_name", "given_name", "name_zh", "display_name"
        ):
            keys = _name_keys(
                contact.display_name,
                contact.name_zh,
                f"{contact.family_name}{contact.given_name}",
                f"{contact.given_name} {contact.family_name}",
            )
            for names, born, died in by_name:
                if born == contact.date_of_birth and names & keys and contact.pk not in pending:
                    candidates.append(
                        DeceasedCandidate(contact=contact, list_import=record, deceased_on=died)
                    )
                    pending.add(contact.pk)
                    break
    DeceasedCandidate.objects.bulk_create(candidates)
    matched = len(matched_by_id) + len(candidates)
    record.matched = matched
    record.marked = marked
    record.for_review = len(candidates)
    record.invalid = invalid
    record.unmatched = max(0, len(rows) - invalid - matched)
    record.save(update_fields=["matched", "marked", "for_review", "invalid", "unmatched"])
    return ImportReport(record)


@transaction.atomic
def deceased_candidate_decide(*, actor, candidate: DeceasedCandidate, confirm: bool):
    """A person's decision on a name + date-of-birth match."""
    candidate = DeceasedCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DeceasedCandidate.Status.PENDING:
        raise ValidationError(_("Someone has already decided on this match."))
    before = candidate.status
    candidate.status = (
        DeceasedCandidate.Status.CONFIRMED if confirm else DeceasedCandidate.Status.REJECTED
    )
    candidate.reviewed_by = actor
    candidate.reviewed_at = timezone.now()
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    if confirm:
        contacts_mark_deceased(
            actor=actor,
            contact_ids=[candidate.contact_id],
            source="deceased list, confirmed by a person",
            deceased_on=candidate.deceased_on,
        )
    audit.record_updated(
        actor=actor,
        obj=candidate,
        contact_id=candidate.contact_id,
        changes={"status": (before, candidate.status)},
    )
    return candidate
