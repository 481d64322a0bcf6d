"""The access and portability package: gathered through the personal-data registry,
built by a task into a private directory, downloaded once by the DPO, deleted after the
download or at expiry; every step audited."""

import datetime as dt
import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compliance.consent.services import consent_grant, privacy_notice_publish
from compliance.models import (
    AccessExport,
    AccessExportStatus,
    AuditAction,
    AuditEvent,
    PrivacyNotice,
    Purpose,
)
from compliance.requests import access, services, tasks
from compliance.tests.factories import make_request, verified_request
from contacts.services import details
from contacts.tests import factories
from core import jobs

pytestmark = pytest.mark.django_db


def expire_access_exports() -> int:
    """Run the nightly job as beat would; what it changed."""
    return jobs.run_job("compliance.expire_access_exports", triggered_by="beat").counts["changed"]


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.DSR_EXPORT_DIR = str(tmp_path / "private" / "exports")
    settings.DSR_EXPORT_TTL_HOURS = 72
    return Path(settings.DSR_EXPORT_DIR)


@pytest.fixture
def dpo(db):
    return factories.compliance_officer(username="dpo_acc", email="dpo@bank.example")


@pytest.fixture
def person(rm_user, dpo):
    contact = factories.make_contact(
        owner=rm_user,
        name_zh="陳怡君",
        national_id="A123456789",
        national_id_country="TW",
        notes="Prefers morning calls",
    )
    details.contact_point_add(actor=rm_user, contact=contact, kind="email", value="yi@example.com")
    details.account_add(actor=rm_user, contact=contact, kind="deposit", number="00112233")
    notice = privacy_notice_publish(
        actor=dpo,
        notice=PrivacyNotice(
            version="1",
            language="zh-hant",
            jurisdiction="TW",
            effective_from=dt.date(2024, 1, 1),
            url="https://bank.example/privacy",
        ),
    )
    consent_grant(
        actor=rm_user,
        contact=contact,
        purpose=Purpose.objects.get(code="marketing-email"),
        channel="email",
        source="web_form",
        evidence_reference="Form 7",
        notice=notice,
    )
    return contact


def built(request, dpo, django_capture_on_commit_callbacks) -> AccessExport:
    with django_capture_on_commit_callbacks(execute=True):
        export = access.access_export_start(actor=dpo, request=request)
    export.refresh_from_db()
    return export


def read_zip(content: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["data.json"]), files


def test_the_package_holds_everything_the_registry_finds(
    person, dpo, django_capture_on_commit_callbacks
):
    request = verified_request(contact=person, actor=dpo)
    services.request_note_add(actor=dpo, request=request, body="Sent by registered post")
    export = built(request, dpo, django_capture_on_commit_callbacks)
    assert export.status == AccessExportStatus.READY
    content, name = access.access_export_download(actor=dpo, export=export)
    assert name == f"data-subject-request-{request.pk}.zip"
    document, files = read_zip(content)
    data = document["data"]
    contact_row = data["contacts.Contact"][0]
    assert contact_row["name_zh"] == "陳怡君"
    assert contact_row["national_id"] == "A123456789"  # decrypted for the person
    assert contact_row["notes"] == "Prefers morning calls"
    assert "national_id_hash" not in contact_row
    assert "search_tokens" not in contact_row
    assert data["contacts.ContactPoint"][0]["value"] == "yi@example.com"
    assert data["contacts.Account"][0]["number"] == "00112233"
    consent = data["compliance.ConsentEvent"][0]
    assert (consent["purpose"], consent["kind"]) == ("marketing-email", "grant")
    assert consent["evidence_reference"] == "Form 7"
    assert data["compliance.RequestNote"][0]["body"] == "Sent by registered post"
    assert data["compliance.DataSubjectRequest"][0]["identity_evidence"]
    csv_text = files["csv/contacts.Contact.csv"].decode("utf-8-sig")
    assert "陳怡君" in csv_text
    assert "csv/compliance.ConsentEvent.csv" in files
    assert export.row_count == sum(len(rows) for rows in data.values())


def test_another_contact_in_the_book_is_named_only_by_id(
    person, rm_user, dpo, django_capture_on_commit_callbacks
):
    spouse = factories.make_contact(owner=rm_user, name_zh="王大明")
    details.relationship_add(actor=rm_user, from_contact=person, to_contact=spouse, kind="spouse")
    request = verified_request(contact=person, actor=dpo)
    export = built(request, dpo, django_capture_on_commit_callbacks)
    content, _ = access.access_export_download(actor=dpo, export=export)
    document, files = read_zip(content)
    assert document["data"]["contacts.Relationship"][0]["to_contact"] == spouse.pk
    assert "王大明" not in b"".join(files.values()).decode("utf-8", "ignore")


def test_the_file_is_private_and_deleted_after_its_one_download(
    person, dpo, export_dir, settings, django_capture_on_commit_callbacks
):
    request = verified_request(contact=person, actor=dpo)
    export = built(request, dpo, django_capture_on_commit_callbacks)
    path = export_dir / export.file_name
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert "陳怡君" not in export.file_name
    with django_capture_on_commit_callbacks(execute=True):
        access.access_export_download(actor=dpo, export=export)
    assert not path.exists()
    export.refresh_from_db()
    assert export.status == AccessExportStatus.DOWNLOADED
    assert export.downloaded_by == dpo
    with pytest.raises(ValidationError, match="no longer available"):
        access.access_export_download(actor=dpo, export=export)
    actions = list(
        AuditEvent.objects.filter(object_type="compliance.AccessExport")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.ACCESS_EXPORT_REQUESTED,
        AuditAction.ACCESS_EXPORT_BUILT,
        AuditAction.ACCESS_EXPORT_DOWNLOADED,
    ]


def test_only_a_holder_of_the_download_permission_may_download(
    person, rm_user, dpo, django_capture_on_commit_callbacks
):
    request = verified_request(contact=person, actor=dpo)
    export = built(request, dpo, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        access.access_export_download(actor=rm_user, export=export)
    export.refresh_from_db()
    assert export.status == AccessExportStatus.READY


def test_the_link_expires_and_the_sweep_deletes_the_file_once(
    person, dpo, export_dir, django_capture_on_commit_callbacks
):
    request = verified_request(contact=person, actor=dpo)
    export = built(request, dpo, django_capture_on_commit_callbacks)
    path = export_dir / export.file_name
    later = timezone.now() + dt.timedelta(hours=73)
    with time_machine.travel(later, tick=False):
        with pytest.raises(ValidationError, match="expired"):
            access.access_export_download(actor=dpo, export=export)
        with django_capture_on_commit_callbacks(execute=True):
            assert expire_access_exports() == 1
        assert expire_access_exports() == 0
    assert not path.exists()
    export.refresh_from_db()
    assert export.status == AccessExportStatus.EXPIRED
    assert export.deleted_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_EXPORT_EXPIRED).count() == 1


def test_within_its_life_the_sweep_leaves_the_package_alone(
    person, dpo, export_dir, django_capture_on_commit_callbacks
):
    request = verified_request(contact=person, actor=dpo)
    export = built(request, dpo, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=71), tick=False):
        assert expire_access_exports() == 0
    assert (export_dir / export.file_name).exists()


def test_a_file_left_behind_by_a_download_is_swept(
    person, dpo, export_dir, django_capture_on_commit_callbacks
):
    request = verified_request(contact=person, actor=dpo)
    export = built(request, dpo, django_capture_on_commit_callbacks)
    access.access_export_download(actor=dpo, export=export)  # on-commit deletion never ran
    assert (export_dir / export.file_name).exists()
    expire_access_exports()
    assert not (export_dir / export.file_name).exists()


def test_no_package_before_the_identity_is_verified(person, dpo):
    request = make_request(contact=person)
    with pytest.raises(ValidationError, match="identity is verified"):
        access.access_export_start(actor=dpo, request=request)
    assert not AccessExport.objects.exists()


def test_only_access_copy_and_portability_get_a_package(person, dpo):
    request = verified_request(contact=person, actor=dpo, request_type="rectification")
    with pytest.raises(ValidationError, match="Only access"):
        access.access_export_start(actor=dpo, request=request)


def test_one_package_at_a_time(person, dpo, django_capture_on_commit_callbacks):
    request = verified_request(contact=person, actor=dpo, request_type="portability")
    built(request, dpo, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="already"):
        access.access_export_start(actor=dpo, request=request)


def test_a_rerun_of_the_build_task_builds_nothing_twice(
    person, dpo, export_dir, django_capture_on_commit_callbacks
):
    request = verified_request(contact=person, actor=dpo)
    export = built(request, dpo, django_capture_on_commit_callbacks)
    tasks.build_access_export(export.pk)
    assert [p.name for p in export_dir.iterdir()] == [export.file_name]
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_EXPORT_BUILT).count() == 1


def test_a_failed_build_is_recorded_and_leaves_no_file(
    person, dpo, export_dir, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(contact):
        raise RuntimeError("registry exploded")

    monkeypatch.setattr(access, "gather", broken)
    request = verified_request(contact=person, actor=dpo)
    export = built(request, dpo, django_capture_on_commit_callbacks)
    assert export.status == AccessExportStatus.FAILED
    assert export.error == "RuntimeError"
    assert list(export_dir.iterdir()) == []
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_EXPORT_FAILED).exists()
    monkeypatch.undo()
    assert built(request, dpo, django_capture_on_commit_callbacks).status == "ready"


def test_an_access_request_completes_once_its_package_is_built(
    person, dpo, django_capture_on_commit_callbacks
):
    request = verified_request(contact=person, actor=dpo, request_type="copy")
    built(request, dpo, django_capture_on_commit_callbacks)
    assert services.request_complete(actor=dpo, request=request).status == "completed"


def test_a_compliance_officer_without_staff_status_may_not_download(
    person, dpo, django_capture_on_commit_callbacks
):
    from core import roles

    request = verified_request(contact=person, actor=dpo)
    export = built(request, dpo, django_capture_on_commit_callbacks)
    not_staff = factories.UserFactory(username="dpo_nostaff", roles=[roles.COMPLIANCE])
    with pytest.raises(PermissionDenied):
        access.access_export_download(actor=not_staff, export=export)
