"""Erasure leaves nothing of the person behind, outside what a legal hold keeps.

The scan is generic: every concrete column of every installed model (JSON included,
encrypted fields decrypted by the ORM) and every stored file is searched for the person's
identifying values, so a table added later is covered without touching this test. Seeding
must put the person in every registered table (checked), so a new registered model fails
here until it is seeded too.
"""

import datetime
import json
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance import audit, registry
from compliance.consent.rules import Reason, RestrictionKind
from compliance.consent.services import (
    consent_grant,
    marketing_stop_all,
    privacy_notice_publish,
)
from compliance.erasure import restriction, suppression
from compliance.erasure.plan import ERASED_TEXT
from compliance.erasure.services import (
    PlanChangedError,
    erasure_execute,
    erasure_preview,
    legal_hold_place,
    legal_hold_release,
)
from compliance.models import (
    ContactRestriction,
    ContactSalt,
    DisclosedContact,
    ErasureRecord,
    ErasureStatus,
    LegalHold,
    LegalHoldKind,
    PrivacyNotice,
    Purpose,
)
from compliance.requests.access import access_export_build, access_export_start, export_dir
from compliance.requests.services import (
    request_create,
    request_note_add,
    request_start,
    request_verify_identity,
)
from compliance.sealing import audit_checkpoint_write, audit_seal_pending, verify_chain
from contacts.models import Contact, LifecycleStage, ReviewBatchRow, Tag
from contacts.services import details
from contacts.services.exports import contact_export_record
from contacts.services.review import BatchRowInput, review_batch_create
from contacts.services.tags import tags_assign
from contacts.tests import factories
from core import jobs

pytestmark = pytest.mark.django_db


def complete_held_erasures() -> int:
    """Run the nightly job as beat would; how many erasures it finished."""
    run = jobs.run_job("compliance.complete_held_erasures", triggered_by="beat")
    return run.counts["changed"]


PERSON = {
    "family_name": "Zhuangfeng",
    "given_name": "Sapphira",
    "name_zh": "莊鳳美玲",
    "name_romanised": "ZHUANG FENG MEI LING",
    "preferred_name": "Sapphirette",
    "date_of_birth": datetime.date(1975, 3, 14),
    "national_id": "A123456789",
    "national_id_country": "TW",
    "notes": "Prefers the Xinyi branch on Tuesdays",
}
EMAIL = "sapphira.zhuang@example.org"
PHONE = "0912 345 678"
ADDRESS = "台北市信義區松仁路100號"
ACCOUNT = "8812-3344-5566"
TITLE = "Chief Pearl Officer"

# What must not survive, compared in lower case.
NEEDLES = [
    "zhuangfeng",
    "sapphira",
    "sapphirette",
    "莊鳳美玲",
    "zhuang feng",
    "1975-03-14",
    "a123456789",
    "xinyi branch",
    "sapphira.zhuang@example.org",
    "912345678",
    "912 345 678",
    "松仁路",
    "881233445566",
    "pearl officer",
]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Every place the app writes files, under a temporary directory."""
    settings.VAR_DIR = tmp_path / "var"
    settings.DSR_EXPORT_DIR = str(tmp_path / "var" / "private" / "access-exports")
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "var" / "audit-checkpoints.log")
    settings.AUDIT_ARCHIVE_DIR = str(tmp_path / "var" / "audit-archive")
    Path(settings.MEDIA_ROOT).mkdir(parents=True)
    return tmp_path


def seed_person(*, owner, officer, **overrides):
    """The person in every table the app has, through the services that write them."""
    values = {"lifecycle_stage": LifecycleStage.PROSPECT, "acquisition_source": "event"}
    person = factories.make_contact(owner=owner, **(values | PERSON | overrides))
    friend = factories.make_contact(owner=owner, family_name="Lin", given_name="Other")
    details.contact_point_add(actor=owner, contact=person, kind="email", value=EMAIL)
    details.contact_point_add(actor=owner, contact=person, kind="phone", value=PHONE)
    details.contact_point_add(
        actor=owner, contact=person, kind="address", value=ADDRESS, postal_code="110"
    )
    details.account_add(actor=owner, contact=person, kind="deposit", number=ACCOUNT)
    today = factories.today()
    details.risk_assessment_record(
        actor=owner,
        contact=person,
        level="moderate",
        assessed_on=today - datetime.timedelta(days=30),
        valid_until=today + datetime.timedelta(days=300),
    )
    details.employment_add(
        actor=owner, contact=person, organisation=factories.OrganisationFactory(), title=TITLE
    )
    details.relationship_add(actor=owner, from_contact=person, to_contact=friend, kind="spouse")
    details.relationship_add(
        actor=owner, from_contact=friend, to_contact=person, kind="business_partner"
    )
    details.interaction_add(
        actor=owner, contact=person, channel="meeting", summary="Met Sapphira at Xinyi branch"
    )
    tags_assign(actor=owner, contacts=[person], tags=[Tag.objects.get(code="segment-hnw")])
    purpose = Purpose.objects.get(code="marketing-email")
    notice = privacy_notice_publish(
        actor=officer,
        notice=PrivacyNotice(
            version="1",
            language="zh-hant",
            jurisdiction="TW",
            effective_from=today - datetime.timedelta(days=60),
            url="https://bank.example/privacy",
        ),
    )
    consent_grant(
        actor=owner,
        notice=notice,
        contact=person,
        purpose=purpose,
        channel="email",
        source="signed_paper",
        evidence_reference="Form signed by Zhuangfeng",
    )
    marketing_stop_all(
        actor=owner, contact=person, source="branch", evidence_reference="Sapphira called"
    )
    restriction.restriction_apply(
        actor=officer, contact=person, reason="Sapphira Zhuangfeng contests her address"
    )
    audit.revealed(
        actor=owner, contact=person, field="national_id", reason="Sapphira at the Xinyi counter"
    )
    contact_export_record(
        actor=owner, fmt="csv", contact_ids=[person.pk, friend.pk], filters={}, searched=False
    )
    LogEntry.objects.create(
        user=officer,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"name": "Zhuangfeng Sapphira"}}]),
    )
    seed_requests(person=person, officer=officer)
    seed_review(person=person, owner=owner)
    seed_quality(person=person, owner=owner, officer=officer)
    person.refresh_from_db()
    return person, friend


def seed_requests(*, person, officer):
    """An access request in progress, with a note and its package built on disk."""
    request = request_create(
        actor=officer,
        contact=person,
        request_type="access",
        channel="letter",
        description="Sapphira Zhuangfeng asks what the Xinyi branch holds",
    )
    request = request_verify_identity(
        actor=officer, request=request, method="id_document", evidence="ID card A123456789 seen"
    )
    request = request_start(actor=officer, request=request)
    request_note_add(actor=officer, request=request, body="Called Sapphira on 0912 345 678")
    export = access_export_start(actor=officer, request=request)
    built = access_export_build(export_id=export.pk)
    assert built is not None and (export_dir() / built.file_name).exists()


def seed_review(*, person, owner):
    """An imported row about the person, waiting for a reviewer (linked as the approval
    links a row to its contact)."""
    batch = review_batch_create(
        actor=owner,
        owner=owner,
        source_name="seminar.csv",
        rows=[
            BatchRowInput(
                number=1,
                values={
                    "family_name": PERSON["family_name"],
                    "given_name": PERSON["given_name"],
                    "notes": PERSON["notes"],
                    "lifecycle_stage": "prospect",
                },
            )
        ],
    )
    ReviewBatchRow.objects.filter(batch=batch).update(contact=person)


def seed_quality(*, person, owner, officer):
    """What the data-quality checks say about the person. (Its models are looked up by
    name: compliance, tests included, never imports the higher dataquality app.)"""
    quality = apps.get_app_config("dataquality")
    QualityIssue, ReviewTask, VerificationResult, DeceasedCandidate, ListImport = (
        quality.get_model(name)
        for name in (
            "QualityIssue",
            "ReviewTask",
            "VerificationResult",
            "DeceasedCandidate",
            "ListImport",
        )
    )
    today = factories.today()
    QualityIssue.objects.create(
        contact=person,
        rule="email_bounced",
        severity="warning",
        message="Email bounced",
        detected_on=today,
    )
    ReviewTask.objects.create(contact=person, assignee=owner, rule="stale", due_on=today)
    VerificationResult.objects.create(
        contact=person,
        contact_point=person.contact_points.get(kind="email"),
        source="dns",
        outcome="deliverable",
        detail="example.org accepts mail",
    )
    DeceasedCandidate.objects.create(
        contact=person,
        list_import=ListImport.objects.create(
            kind="deceased", imported_by=officer, encoding="utf-8"
        ),
    )


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def scan_database(needles, *, skip=lambda model, field, pk: False) -> list[str]:
    """Every concrete column of every installed model, as text, searched for ``needles``."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        fields = list(model._meta.concrete_fields)
        rows = model._base_manager.values_list(*[f.attname for f in fields])
        pk_index = fields.index(model._meta.pk)
        for row in rows.iterator():
            for model_field, value in zip(fields, row, strict=True):
                text = _as_text(value).lower()
                for needle in needles:
                    if needle in text and not skip(model, model_field, row[pk_index]):
                        hits.append(f"{model._meta.label}.{model_field.name}: {needle}")
    return hits


def _file_texts(path: Path):
    """The file's bytes as text, and each member's if it is a ZIP (compressed members
    would hide their content from a plain search)."""
    data = path.read_bytes()
    yield path.name, data
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                yield f"{path.name}!{name}", archive.read(name)


def scan_files(root: Path, needles) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            for name, data in _file_texts(path):
                text = data.decode("utf-8", "replace").lower()
                hits.extend(f"{name}: {n}" for n in needles if n in text)
    return hits


def test_seeding_reaches_every_registered_table(rm_user, compliance_user):
    person, _friend = seed_person(owner=rm_user, officer=compliance_user)
    from compliance.erasure.plan import _rows_of

    empty = [
        entry.label
        for entry in registry.entries()
        if not entry.model._base_manager.filter(_rows_of(entry, person.pk)).exists()
        and entry.label not in ("compliance.LegalHold", "compliance.ErasureRecord")
    ]
    assert not empty, f"seed the person into {empty}"
    assert scan_database(NEEDLES), "the scan must find the person before erasure"


def test_erasure_leaves_no_identifying_value_in_any_table_or_file(
    rm_user, compliance_user, storage, django_capture_on_commit_callbacks
):
    person, friend = seed_person(owner=rm_user, officer=compliance_user)
    audit_checkpoint_write()
    assert scan_files(storage, NEEDLES), "the scan must find the package before erasure"

    with django_capture_on_commit_callbacks(execute=True):
        record = erasure_execute(contact=person, by=compliance_user, reason="DSR 2026-001")

    audit_seal_pending()
    audit_checkpoint_write()
    assert scan_database(NEEDLES) == []
    assert scan_files(storage, NEEDLES) == []
    assert record.status == ErasureStatus.COMPLETE
    assert record.completed_at is not None
    assert record.counts["contacts.ContactPoint"] == {"deleted": 3}
    assert record.counts["contacts.Relationship"] == {"deleted": 2}
    assert record.counts["admin.LogEntry"] == {"anonymised": 1}
    assert record.counts["compliance.AccessExport"] == {"files_deleted": 1}
    # The erased person stays a row, marked, and the rest of the book is untouched.
    person.refresh_from_db()
    assert person.display_name == ERASED_TEXT
    assert person.national_id == ""
    friend.refresh_from_db()
    assert friend.family_name == "Lin"
    assert Contact.objects.visible_to(rm_user).filter(pk=person.pk).count() == 0
    assert Contact.objects.visible_to(compliance_user).filter(pk=person.pk).count() == 1


def test_erasure_destroys_the_salt_and_keeps_the_audit_chain_valid(rm_user, compliance_user):
    person, _friend = seed_person(owner=rm_user, officer=compliance_user)
    assert ContactSalt.objects.filter(contact_id=person.pk).exists()
    audit_seal_pending()

    erasure_execute(contact=person, by=compliance_user, reason="DSR 2026-002")

    audit_seal_pending()
    result = verify_chain()
    assert result.ok, result.problem
    assert not ContactSalt.objects.filter(contact_id=person.pk).exists()


def test_the_erased_contact_is_refused_by_the_may_contact_door(rm_user, compliance_user):
    from compliance.consent.queries import contact_facts, contacts_may_contact
    from compliance.consent.rules import may_contact

    person, _friend = seed_person(owner=rm_user, officer=compliance_user)
    erasure_execute(contact=person, by=compliance_user, reason="DSR")
    purpose = Purpose.objects.get(code="marketing-email")
    decision = may_contact(contact_facts(person), purpose.terms(), "email", timezone.now())
    assert not decision.allowed
    assert Reason.ERASED in decision.reasons
    assert (
        not contacts_may_contact(Contact.objects.all(), purpose, "email")
        .filter(pk=person.pk)
        .exists()
    )


def test_the_erasure_lists_whom_the_data_was_disclosed_to(rm_user, compliance_user):
    person, _friend = seed_person(owner=rm_user, officer=compliance_user)

    record = erasure_execute(contact=person, by=compliance_user, reason="DSR")

    assert len(record.disclosures) == 1
    assert "rm_alice" in record.disclosures[0]["recipient"]
    assert DisclosedContact.objects.filter(contact=person).exists()


def test_preview_and_execution_come_from_the_same_plan(rm_user, compliance_user):
    person, _friend = seed_person(owner=rm_user, officer=compliance_user)
    plan = erasure_preview(contact=person)
    by_label = {t.label: t for t in plan.tables}
    assert by_label["contacts.ContactPoint"].rows == 3
    assert by_label["contacts.ContactPoint"].delete
    assert by_label["contacts.Contact"].fields["family_name"] == "anonymise"
    assert plan.log_entries == 1

    record = erasure_execute(
        contact=person, by=compliance_user, reason="DSR", expected_fingerprint=plan.fingerprint
    )
    for table in plan.tables:
        if table.acts and table.delete:
            assert record.counts[table.label]["deleted"] == table.rows
        elif table.acts:
            assert record.counts[table.label]["rows"] == table.rows


def test_an_execution_refuses_a_plan_that_changed_since_the_preview(rm_user, compliance_user):
    person, _friend = seed_person(owner=rm_user, officer=compliance_user)
    plan = erasure_preview(contact=person)
    details.interaction_add(actor=rm_user, contact=person, channel="call", summary="Later call")

    with pytest.raises(PlanChangedError):
        erasure_execute(
            contact=person, by=compliance_user, reason="DSR", expected_fingerprint=plan.fingerprint
        )
    assert not ErasureRecord.objects.exists()


def test_a_contact_is_erased_only_once(rm_user, compliance_user):
    person, _friend = seed_person(owner=rm_user, officer=compliance_user)
    erasure_execute(contact=person, by=compliance_user, reason="DSR")
    with pytest.raises(ValidationError):
        erasure_execute(contact=person, by=compliance_user, reason="DSR again")


# --- legal holds -------------------------------------------------------------------------------

KYC_KEPT = [
    "zhuangfeng",
    "sapphira",
    "sapphirette",
    "zhuang feng",
    "莊鳳美玲",
    "1975-03-14",
    "a123456789",
    "881233445566",
]


def test_a_kyc_hold_keeps_identity_until_it_ends_then_the_nightly_task_finishes(
    rm_user, compliance_user, storage, django_capture_on_commit_callbacks
):
    ended = factories.today() - datetime.timedelta(days=2 * 365)
    person, _friend = seed_person(
        owner=rm_user,
        officer=compliance_user,
        lifecycle_stage=LifecycleStage.FORMER_CLIENT,
        relationship_started_on=ended - datetime.timedelta(days=3000),
        relationship_ended_on=ended,
    )
    plan = erasure_preview(contact=person)
    assert [h.kind for h in plan.holds] == [LegalHoldKind.KYC_AML]

    with django_capture_on_commit_callbacks(execute=True):
        record = erasure_execute(contact=person, by=compliance_user, reason="DSR 2026-003")

    hold = LegalHold.objects.get(contact=person)
    assert hold.ends_on == ended.replace(year=ended.year + 5)
    assert record.status == ErasureStatus.HELD
    assert record.held[0]["until"] == hold.ends_on.isoformat()
    # Held: identity, accounts, suitability. Gone: everything else.
    person.refresh_from_db()
    assert person.family_name == "Zhuangfeng"
    assert person.national_id == "A123456789"
    assert person.notes == ERASED_TEXT
    assert person.accounts.get().number == "881233445566"
    assert person.risk_assessments.exists()
    assert not person.contact_points.exists()
    kept = set(KYC_KEPT)
    held_rows = {
        ("contacts.Contact", person.pk),
        *(("contacts.Account", a) for a in person.accounts.values_list("pk", flat=True)),
    }

    def held(model, field, pk):
        return (model._meta.label, pk) in held_rows

    assert scan_database([n for n in NEEDLES if n not in kept]) == []
    assert scan_database(NEEDLES, skip=held) == []
    # Hidden from its RM, marked for compliance, refused by every outreach path.
    assert not Contact.objects.visible_to(rm_user).filter(pk=person.pk).exists()
    assert Contact.objects.visible_to(compliance_user).filter(pk=person.pk).exists()
    assert ContactRestriction.objects.filter(contact=person, kind=RestrictionKind.ERASED).exists()

    # The nightly task leaves it alone while the hold is in force...
    assert complete_held_erasures() == 0
    # ...and finishes the erasure once it has ended.
    with time_machine.travel(hold.ends_on + datetime.timedelta(days=1)):
        assert complete_held_erasures() == 1
        assert complete_held_erasures() == 0
    record.refresh_from_db()
    assert record.status == ErasureStatus.COMPLETE
    assert record.completed_at is not None
    assert scan_database(NEEDLES) == []
    assert scan_files(storage, NEEDLES) == []
    assert not Contact.objects.visible_to(rm_user).filter(pk=person.pk).exists()


def test_releasing_a_dispute_hold_lets_the_nightly_task_finish(rm_user, compliance_user):
    person, _friend = seed_person(owner=rm_user, officer=compliance_user)
    hold = legal_hold_place(
        actor=compliance_user, contact=person, kind=LegalHoldKind.DISPUTE, reason="Case 17"
    )
    record = erasure_execute(contact=person, by=compliance_user, reason="DSR")
    person.refresh_from_db()
    # A dispute freezes the whole file.
    assert person.notes == PERSON["notes"]
    assert person.contact_points.count() == 3
    assert record.status == ErasureStatus.HELD

    legal_hold_release(actor=compliance_user, hold=hold)
    assert complete_held_erasures() == 1
    assert scan_database(NEEDLES) == []


def test_a_client_without_an_end_date_is_held_five_years_from_today(rm_user, compliance_user):
    person = factories.make_contact(owner=rm_user, lifecycle_stage=LifecycleStage.CLIENT)
    plan = erasure_preview(contact=person)
    today = factories.today()
    assert plan.holds[0].until == today.replace(year=today.year + 5)


# --- suppression -------------------------------------------------------------------------------


def test_an_erased_person_cannot_be_added_again_from_a_marketing_source(rm_user, compliance_user):
    person, _friend = seed_person(owner=rm_user, officer=compliance_user)
    erasure_execute(contact=person, by=compliance_user, reason="DSR")

    assert suppression.is_suppressed(email=EMAIL.upper())
    assert suppression.is_suppressed(phone="+886912345678")
    assert suppression.is_suppressed(national_id="a123456789")
    assert not suppression.is_suppressed(email="someone.else@example.org")
    with pytest.raises(ValidationError) as error:
        factories.make_contact(
            owner=rm_user,
            national_id="A123456789",
            national_id_country="TW",
            acquisition_source="event",
        )
    assert "erased" in str(error.value.message_dict["national_id"])
    newcomer = factories.make_contact(owner=rm_user, acquisition_source="import")
    with pytest.raises(ValidationError) as error:
        details.contact_point_add(actor=rm_user, contact=newcomer, kind="email", value=EMAIL)
    assert "value" in error.value.message_dict
    # An existing client relationship is not marketing.
    client = factories.make_contact(
        owner=rm_user,
        national_id="A123456789",
        national_id_country="TW",
        acquisition_source="existing",
    )
    assert client.pk
