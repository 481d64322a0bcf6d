"""The access and portability package: everything held about a person, as a ZIP of
machine-readable JSON and readable CSV, built by a task, downloaded once by the DPO.

What is gathered comes from the personal-data registry alone (``compliance.registry``):
for each entry, the rows reached through its ``contact_path``, exported by the entry's own
``export`` callable where it has one, otherwise as its declared fields. Encrypted fields
are decrypted by their field on load, so the package holds the values in clear; keyed
hashes and search tokens are left out (they are derived from values already there and mean
nothing to the person).

Files go to ``DSR_EXPORT_DIR``, a private directory (never under media or static), under a
random name, readable by the owner only. The file is deleted after its one download or at
expiry (``access_exports_expire``, nightly).
"""

import hashlib
import io
import json
import logging
import os
import secrets
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit, registry
from compliance.models import (
    AccessExport,
    AccessExportStatus,
    DataSubjectRequest,
    RequestStatus,
)
from compliance.requests.services import ACCESS_TYPES
from core import exports

logger = logging.getLogger(__name__)

DOWNLOAD_PERMISSION = "compliance.download_accessexport"


# --- gathering -------------------------------------------------------------------------------


def _is_derived(field: models.Field) -> bool:
    return field.name.endswith("_hash") or field.name == "search_tokens"


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def _field_value(row: models.Model, field: models.Field):
    if field.is_relation:
        related = getattr(row, field.name)
        if related is None:
            return None
        # Another person in the book is named by id only: their data is not this person's.
        if field.related_model._meta.label == "contacts.Contact":
            return related.pk
        return str(related)
    return _plain(getattr(row, field.attname))


def _entry_fields(entry: registry.PersonalDataEntry) -> list[models.Field]:
    path_head = entry.contact_path.split("__", 1)[0]
    names = [*entry.fields, *sorted(entry.non_personal)]
    fields = []
    for name in names:
        field = entry.model._meta.get_field(name)
        if name == path_head or _is_derived(field) or not field.concrete:
            continue
        fields.append(field)
    return fields


def _rows(entry: registry.PersonalDataEntry, contact) -> models.QuerySet:
    manager = entry.model._default_manager
    if not entry.contact_path:
        return manager.filter(pk=contact.pk)
    return manager.filter(**{entry.contact_path: contact}).order_by("pk")


def gather(contact) -> dict[str, list[dict]]:
    """Everything the registry knows about ``contact``: model label -> rows as dicts."""
    data: dict[str, list[dict]] = {}
    for entry in sorted(registry.entries(), key=lambda e: e.label):
        fields = _entry_fields(entry)
        rows = []
        for row in _rows(entry, contact):
            if entry.export is not None:
                values = {k: _plain(v) for k, v in entry.export(row).items()}
            else:
                values = {f.name: _field_value(row, f) for f in fields}
            rows.append({"id": row.pk, **values})
        if rows:
            data[entry.label] = rows
    return data


def package(*, contact, request: DataSubjectRequest, data: dict[str, list[dict]]) -> bytes:
    """The ZIP: ``data.json`` (everything, machine-readable) and one CSV per table."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        document = {
            "request": request.pk,
            "request_type": request.request_type,
            "contact": contact.pk,
            "generated_at": timezone.now().isoformat(),
            "data": data,
        }
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        for label, rows in data.items():
            headers = list(dict.fromkeys(key for row in rows for key in row))
            content = exports.write_csv(
                headers, ([_csv_value(row.get(h)) for h in headers] for row in rows)
            )
            archive.writestr(f"csv/{label}.csv", content)
    return buffer.getvalue()


def _csv_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


# --- files -----------------------------------------------------------------------------------


def export_dir() -> Path:
    directory = Path(settings.DSR_EXPORT_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _path(export: AccessExport) -> Path:
    return export_dir() / export.file_name


def _delete_file(name: str) -> None:
    if not name:
        return
    try:
        (export_dir() / name).unlink(missing_ok=True)
    except OSError:
        logger.exception("could not delete access export file %s", name)


# --- services --------------------------------------------------------------------------------


@transaction.atomic
def access_export_start(*, actor, request: DataSubjectRequest) -> AccessExport:
    """Ask for the package to be built (a task, inline in the quick start). Only once the
    requester's identity is verified, and one package at a time."""
    from compliance.requests.tasks import build_access_export

    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if request.request_type not in ACCESS_TYPES:
        raise ValidationError(_("Only access, copy and portability requests get a package."))
    if request.status not in (RequestStatus.IDENTITY_VERIFIED, RequestStatus.IN_PROGRESS):
        raise ValidationError(
            _("The package can be built once the identity is verified, while the request is open.")
        )
    if request.exports.filter(
        status__in=(AccessExportStatus.PENDING, AccessExportStatus.READY)
    ).exists():
        raise ValidationError(_("A package for this request is already being built or waiting."))
    export = AccessExport.objects.create(request=request, requested_by=actor)
    audit.access_export_requested(actor=actor, export=export)
    transaction.on_commit(lambda: build_access_export.delay(export.pk))
    return export


def access_export_build(*, export_id: int) -> AccessExport | None:
    """Build the package (the task's one call). Does nothing for an export not pending,
    so a redelivered task builds nothing twice."""
    name = f"{secrets.token_hex(16)}.zip"
    try:
        with transaction.atomic():
            export = (
                AccessExport.objects.select_for_update(of=("self",))
                .select_related("request")
                .filter(pk=export_id, status=AccessExportStatus.PENDING)
                .first()
            )
            if export is None:
                return None
            request = export.request
            contact = apps.get_model("contacts", "Contact").objects.get(pk=request.contact_id)
            data = gather(contact)
            content = package(contact=contact, request=request, data=data)
            path = export_dir() / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            now = timezone.now()
            export.file_name = name
            export.sha256 = hashlib.sha256(content).hexdigest()
            export.size = len(content)
            export.row_count = sum(len(rows) for rows in data.values())
            export.status = AccessExportStatus.READY
            export.built_at = now
            export.expires_at = now + timedelta(hours=settings.DSR_EXPORT_TTL_HOURS)
            export.save()
            audit.access_export_built(export=export)
            return export
    except Exception as error:
        _delete_file(name)
        logger.exception("access export %s failed", export_id)
        with transaction.atomic():
            export = AccessExport.objects.select_for_update().get(pk=export_id)
            if export.status == AccessExportStatus.PENDING:
                export.status = AccessExportStatus.FAILED
                export.error = type(error).__name__[:200]
                export.save(update_fields=["status", "error"])
                audit.access_export_failed(export=export)
        # Recorded and logged; the DPO sees "failed" and builds again. Not raised: a retry
        # would only fail the same way, and inline (the quick start) it would break the page.
        return None


@transaction.atomic
def access_export_download(*, actor, export: AccessExport) -> tuple[bytes, str]:
    """The one download: the file's bytes and a name for them, for the DPO. The file is
    deleted once the download is recorded; a second download, or one after expiry, is
    refused."""
    # The DPO's console only: staff, with the permission only the compliance role holds.
    if not (actor.is_staff and actor.has_perm(DOWNLOAD_PERMISSION)):
        raise PermissionDenied
    export = (
        AccessExport.objects.select_for_update(of=("self",))
        .select_related("request")
        .get(pk=export.pk)
    )
    now = timezone.now()
    if export.status != AccessExportStatus.READY:
        raise ValidationError(_("This package is no longer available."))
    if export.expires_at <= now:
        raise ValidationError(_("This link has expired. Build the package again."))
    content = _path(export).read_bytes()
    if hashlib.sha256(content).hexdigest() != export.sha256:
        raise ValidationError(_("The package file does not match what was built. Build it again."))
    export.status = AccessExportStatus.DOWNLOADED
    export.downloaded_at = now
    export.downloaded_by = actor
    export.deleted_at = now
    export.save(update_fields=["status", "downloaded_at", "downloaded_by", "deleted_at"])
    audit.access_export_downloaded(actor=actor, export=export)
    name = export.file_name
    transaction.on_commit(lambda: _delete_file(name))
    return content, f"data-subject-request-{export.request_id}.zip"


def access_exports_due(*, now: datetime):
    """Packages whose link has lapsed, and packages gone (downloaded, expired) whose file
    may have been left behind by a crash between the commit and the deletion."""
    return AccessExport.objects.filter(
        Q(status=AccessExportStatus.READY, expires_at__lte=now)
        | Q(status__in=(AccessExportStatus.DOWNLOADED, AccessExportStatus.EXPIRED))
        & ~Q(file_name="")
    )


@transaction.atomic
def access_export_expire(*, export_id: int, now: datetime) -> bool:
    """Expire one package past its link's life (its file deleted after commit), or delete
    a file a download or an expiry left behind. True if it did either. Safe to rerun."""
    export = (
        AccessExport.objects.select_for_update(of=("self",))
        .select_related("request")
        .filter(pk=export_id)
        .first()
    )
    if export is None:
        return False
    if export.status == AccessExportStatus.READY and export.expires_at <= now:
        export.status = AccessExportStatus.EXPIRED
        export.deleted_at = now
        export.save(update_fields=["status", "deleted_at"])
        audit.access_export_expired(export=export)
        name = export.file_name
        transaction.on_commit(lambda: _delete_file(name))
        return True
    gone = (AccessExportStatus.DOWNLOADED, AccessExportStatus.EXPIRED)
    if export.status in gone and export.file_name and (export_dir() / export.file_name).exists():
        _delete_file(export.file_name)
    return False


def access_exports_expire(*, now: datetime | None = None) -> int:
    """Every package due, in one go (the nightly job, ``compliance.jobs.
    ExpireAccessExportsJob``, does the same in chunks); how many expired. Safe to rerun."""
    now = now or timezone.now()
    return sum(
        access_export_expire(export_id=pk, now=now)
        for pk in access_exports_due(now=now).order_by("pk").values_list("pk", flat=True)
    )


def access_exports_discard(*, contact_id: int) -> int:
    """Erasure: withdraw every package of the contact's requests that is still waiting
    (being built or ready) and delete their files once the erasure commits. The package is
    a copy of everything held about the person; it must not outlive their erasure. Runs in
    the caller's transaction."""
    now = timezone.now()
    discarded = 0
    waiting = AccessExport.objects.select_for_update(of=("self",)).filter(
        request__contact_id=contact_id,
        status__in=(AccessExportStatus.PENDING, AccessExportStatus.READY),
    )
    for export in waiting.select_related("request"):
        export.status = AccessExportStatus.EXPIRED
        export.deleted_at = now
        export.save(update_fields=["status", "deleted_at"])
        audit.access_export_expired(export=export)
        name = export.file_name
        transaction.on_commit(lambda name=name: _delete_file(name))
        discarded += 1
    return discarded
