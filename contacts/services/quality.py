"""Writes that data-quality work makes on the book, set-based.

The dataquality app computes a contact's quality summary and finds bounced or deceased
contacts; it writes them here, through the contacts app's own services, so lists, segments
and audiences filter on plain contact columns without importing dataquality.

Jobs never overwrite what a person did meanwhile: a summary is written only where the
contact's ``version`` (and its tags, ``tag_ids``) are still what the job read
(``UPDATE ... WHERE version = seen AND tag_ids = seen``). A contact a person changed during
the run keeps their change, stays pending (``quality_version < version``) and is scored
again by the next run. Tagging is not an edit (it leaves ``version`` alone, so it never
makes an open edit stale); the tag services mark the summary out of date instead
(``contacts_quality_mark_stale``).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from compliance import audit
from contacts import validators
from contacts.models import Contact, ContactPoint, ContactPointKind, ContactPointStatus

# Rows per UPDATE statement: well inside SQLite's 32,766 parameters (7 per row).
WRITE_BATCH = 2000


@dataclass(frozen=True)
class QualitySummary:
    """What a data-quality run concluded about one contact, read at ``seen_version``."""

    contact_id: int
    seen_version: int
    score: int
    has_blocking_issue: bool
    stale_since: date | None = None
    due_on: date | None = None
    seen_tag_ids: str = ""


def _values_sql(rows: int) -> str:
    if connection.vendor == "postgresql":
        row = "(%s::bigint, %s::integer, %s::smallint, %s::boolean, %s::date, %s::date, %s::text)"
    else:
        row = "(%s, %s, %s, %s, %s, %s, %s)"
    return ", ".join([row] * rows)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _write_chunk(chunk: Sequence[QualitySummary]) -> list[int]:
    table = connection.ops.quote_name(Contact._meta.db_table)
    # Placeholders only; the table name is ours.
    sql = (
        "WITH v (id, ver, score, blocking, stale, due, tags) AS "  # noqa: S608
        f"(VALUES {_values_sql(len(chunk))}) "
        f"UPDATE {table} SET quality_score = v.score, has_blocking_issue = v.blocking, "
        "stale_since = v.stale, quality_due_on = v.due, quality_version = v.ver "
        f"FROM v WHERE {table}.id = v.id AND {table}.version = v.ver "
        f"AND {table}.tag_ids = v.tags "
        f"RETURNING {table}.id"
    )
    params: list = []
    for s in chunk:
        params += [
            s.contact_id,
            s.seen_version,
            s.score,
            s.has_blocking_issue,
            _iso(s.stale_since),
            _iso(s.due_on),
            s.seen_tag_ids,
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def contact_quality_set_bulk(
    *, summaries: Iterable[QualitySummary], changed_ids: Iterable[int] = (), run: str = ""
) -> set[int]:
    """Write quality summaries onto contacts in bulk; return the ids written.

    A contact whose version moved on since the job read it is skipped (a person edited it,
    a consent was withdrawn, it was erased): its absence from the result tells the caller
    to leave its issues alone too. ``changed_ids`` are the contacts whose score, blocking
    flag or stale date differ from before; those written are audited as one batch event.
    """
    summaries = list(summaries)
    written: set[int] = set()
    for start in range(0, len(summaries), WRITE_BATCH):
        written.update(_write_chunk(summaries[start : start + WRITE_BATCH]))
    audited = written.intersection(changed_ids)
    if audited:
        audit.quality_summaries_written(contact_ids=audited, run=run)
    return written


@transaction.atomic
def contacts_quality_mark_stale(*, contact_ids: Iterable[int]) -> int:
    """Mark contacts' quality summaries out of date after a change that is not an edit of
    the record (its tags), so the next incremental run scores them again. The version is
    left alone: an edit opened before the change still saves."""
    ids = sorted(set(contact_ids))
    if not ids:
        return 0
    return Contact.objects.filter(pk__in=ids, quality_version__gt=0).update(quality_version=0)


@dataclass(frozen=True)
class BounceResult:
    emails_read: int
    emails_invalid: int
    emails_matched: int
    points_marked: int
    contact_ids: list[int]


@transaction.atomic
def contact_points_mark_bounced(*, actor, emails: Iterable[str], source: str) -> BounceResult:
    """Mark every email contact point at one of ``emails`` bounced, in one statement.

    The may-contact door reads the point's status from then on. Each contact touched gets a
    new version, so an edit opened before the bounce is refused rather than resurrecting it.
    """
    normalised: set[str] = set()
    read = invalid = 0
    for raw in emails:
        if not (raw or "").strip():
            continue
        read += 1
        try:
            normalised.add(validators.normalize_email(raw).lower())
        except ValidationError:
            invalid += 1
    # Mail systems treat the local part case-insensitively, and so do bounce lists.
    matched_points = ContactPoint.objects.annotate(address=Lower("normalized")).filter(
        kind=ContactPointKind.EMAIL, address__in=normalised
    )
    matched_emails = set(matched_points.values_list("address", flat=True).distinct())
    marked, contact_ids = contact_points_set_status(
        actor=actor,
        point_ids=matched_points.values_list("pk", flat=True),
        status=ContactPointStatus.BOUNCED,
        source=source,
    )
    return BounceResult(
        emails_read=read,
        emails_invalid=invalid,
        emails_matched=len(matched_emails),
        points_marked=marked,
        contact_ids=contact_ids,
    )


@transaction.atomic
def contact_points_set_status(
    *, actor, point_ids: Iterable[int], status: str, source: str
) -> tuple[int, list[int]]:
    """Set contact points' status (bounced from a bounce list, invalid when a deliverability
    check finds the domain gone), set-based. Each contact touched gets a new version, so an
    edit opened before it is refused rather than resurrecting the point. Returns how many
    points changed and the contacts they belong to; points already in ``status`` are left."""
    to_mark = list(
        ContactPoint.objects.filter(pk__in=list(point_ids))
        .exclude(status=status)
        .values_list("pk", "contact_id")
    )
    if not to_mark:
        return 0, []
    contact_ids = sorted({contact_id for _, contact_id in to_mark})
    now = timezone.now()
    marked = ContactPoint.objects.filter(pk__in=[pk for pk, _ in to_mark]).update(
        status=status, updated_at=now
    )
    Contact.objects.filter(pk__in=contact_ids).update(version=F("version") + 1, updated_at=now)
    audit.contact_points_status_set(
        actor=actor, contact_ids=contact_ids, points=marked, status=status, source=source
    )
    return marked, contact_ids


@transaction.atomic
def contacts_mark_deceased(
    *, actor, contact_ids: Iterable[int], source: str, deceased_on: date | None = None
) -> list[int]:
    """Mark contacts deceased; from this commit on, every outreach path refuses them (the
    may-contact door reads ``is_deceased``). Returns the ids that were not deceased before."""
    targets = Contact.objects.filter(pk__in=list(contact_ids), is_deceased=False)
    ids = sorted(targets.values_list("pk", flat=True))
    if not ids:
        return []
    values = {"is_deceased": True, "version": F("version") + 1, "updated_at": timezone.now()}
    Contact.objects.filter(pk__in=ids).update(**values)
    if deceased_on and deceased_on <= timezone.localdate():
        Contact.objects.filter(pk__in=ids, deceased_on__isnull=True).update(deceased_on=deceased_on)
    audit.contacts_marked_deceased(actor=actor, contact_ids=ids, source=source)
    return ids


def renormalised_names(values: dict[str, str]) -> dict[str, str]:
    """The names among ``values`` whose normal form differs from what is stored."""
    changed = {}
    for name, value in values.items():
        if not value:
            continue
        normal = validators.normalize_name(value)
        if normal != (value or ""):
            changed[name] = normal
    return changed


@transaction.atomic
def contacts_renormalise_names(
    *, rows: Sequence[tuple[int, int, dict[str, str]]], run: str = ""
) -> list[int]:
    """Rewrite contacts' names into their normal form (full-width to half-width, casing),
    one guarded UPDATE per contact changed: ``(contact_id, seen_version, new_values)``.

    Only contacts whose names actually change are passed in (a handful a night), and a
    contact edited since it was read is left alone. Returns the ids rewritten.
    """
    from contacts.names import display_name
    from contacts.services.contacts import NAME_FIELDS, _save_tokens

    written = []
    for contact_id, seen_version, values in rows:
        contact = Contact.objects.filter(pk=contact_id, version=seen_version).first()
        if contact is None:
            continue
        for name, value in values.items():
            setattr(contact, name, value)
        new_display = display_name(**{n: getattr(contact, n) for n in NAME_FIELDS})
        updated = Contact.objects.filter(Q(pk=contact_id) & Q(version=seen_version)).update(
            **values,
            display_name=new_display,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if updated:
            _save_tokens(contact)
            written.append(contact_id)
    if written:
        audit.contacts_renormalised(
            contact_ids=written, fields=sorted({n for _, _, v in rows for n in v}), run=run
        )
    return written
