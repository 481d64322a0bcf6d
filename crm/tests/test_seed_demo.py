"""The demo seed and the seeded vocabulary.

The seed writes in bulk, bypassing the per-contact services, so these tests hold every column
the services derive to what the services would have written.
"""

import importlib
import random
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from compliance.crypto import decrypt, lookup_hash
from compliance.models import AuditEvent
from compliance.sensitive import special_categories
from compliance.training import training_status
from contacts import validators
from contacts.models import (
    Contact,
    ContactPoint,
    ContactPointKind,
    ContactPointStatus,
    ContactTag,
    Employment,
    Interaction,
    Relationship,
    RiskAssessment,
    Tag,
)
from contacts.names import display_name
from contacts.services.contacts import refresh_search_tokens
from core import roles
from core.models import Team, User
from crm.demo import catalogue, people
from crm.demo.staff import DEMO_PASSWORD, STAFF
from crm.management.commands.seed_demo import refuse_in_production

BOOK_SIZE = 60
CATEGORIES = ("client-segment", "industry", "interest", "investment-preference")
vocabulary = importlib.import_module("contacts.migrations.0003_seed_vocabulary")


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def book(db):
    return seed(contacts=BOOK_SIZE, seed=7)


# --- the generators (no database) -------------------------------------------------------


def test_generated_national_ids_pass_the_checksum():
    rng = random.Random(1)
    for n in range(2000):
        value = people.tw_national_id(rng, female=n % 2 == 0, resident=n % 3 == 0)
        assert validators.is_valid_tw_national_id(value), value
        assert value[1] in ("29" if n % 2 == 0 else "18")


def test_generated_phones_parse_to_their_e164_form_however_they_are_typed():
    rng = random.Random(2)
    for n in range(2000):
        e164 = people.tw_mobile(rng) if n % 2 else people.tw_landline(rng)
        typed = people.phone_as_typed(rng, e164)
        if n % 5 == 0:
            typed = people.to_full_width(typed)
        phone = validators.parse_phone(typed)
        assert phone.e164 == e164, typed
        assert phone.phone_type == ("mobile" if n % 2 else "fixed")


def test_generated_emails_are_already_normalised():
    rng = random.Random(3)
    for _ in range(500):
        name = people.taiwanese_name(rng, female=rng.random() < 0.5)
        local = people.email_local(name.given_name, name.family_name, rng)
        for domain in people.PERSONAL_EMAIL_DOMAINS:
            address = f"{local}@{domain}"
            assert validators.normalize_email(address) == address


# --- staff ------------------------------------------------------------------------------


def test_every_demo_login_exists_with_its_roles_and_the_printed_password(book):
    for spec in STAFF:
        user = User.objects.get(username=spec.username)
        assert set(user.groups.values_list("name", flat=True)) == set(spec.roles)
        assert user.check_password(DEMO_PASSWORD)
        assert user.is_active
        # Only the console's users are staff: the administrator and the DPO.
        assert user.is_staff == (spec.username in {"admin_dave", "dpo_carol"})
        assert not user.is_superuser
        assert spec.username in book
        # Everyone but one has current privacy training (the gate's demonstration).
        assert training_status(user).is_current == (spec.username != "rm_helen")
    assert DEMO_PASSWORD in book
    assert "http://127.0.0.1:8000" in book


def test_each_team_is_led_by_its_team_lead(book):
    for team in Team.objects.all():
        assert team.lead is not None
        assert roles.TEAM_LEAD in roles.role_names(team.lead)
        assert team.lead.team_id == team.pk


def test_contacts_belong_only_to_relationship_managers(book):
    owners = User.objects.filter(book__isnull=False).distinct()
    assert owners.count() > 3
    for owner in owners:
        assert roles.RELATIONSHIP_MANAGER in roles.role_names(owner)


# --- the book: derived columns are what the services write -----------------------------


def test_the_book_has_the_requested_size_and_every_contact_a_name_and_owner(book):
    assert Contact.objects.count() == BOOK_SIZE
    for contact in Contact.objects.all():
        assert contact.owner_id
        assert contact.version == 1
        assert contact.display_name == display_name(
            family_name=contact.family_name,
            given_name=contact.given_name,
            name_zh=contact.name_zh,
            name_romanised=contact.name_romanised,
            preferred_name=contact.preferred_name,
        )
        assert contact.display_name
        for field in ("family_name", "given_name", "name_zh", "name_romanised", "preferred_name"):
            value = getattr(contact, field)
            assert validators.normalize_name(value) == value, (field, value)


def test_search_tokens_are_what_the_contact_service_computes(book):
    for contact in Contact.objects.all():
        assert contact.search_tokens == refresh_search_tokens(contact), contact.display_name


def test_national_ids_are_valid_encrypted_at_rest_and_hashed_for_lookup(book):
    with_id = Contact.objects.exclude(national_id_hash="")
    assert with_id.count() > BOOK_SIZE // 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, national_id FROM contacts_contact")
        stored = dict(cursor.fetchall())
    for contact in with_id:
        assert validators.is_valid_tw_national_id(contact.national_id)
        assert contact.national_id_country == "TW"
        assert contact.national_id_hash == lookup_hash(contact.national_id, scope="national_id")
        assert stored[contact.pk] != contact.national_id
        assert decrypt(stored[contact.pk]) == contact.national_id
    assert not Contact.objects.filter(national_id_hash="").exclude(national_id="").exists()


def test_contact_points_are_normalised_as_the_service_would(book):
    points = ContactPoint.objects.all()
    assert points.filter(kind=ContactPointKind.EMAIL).exists()
    assert points.filter(kind=ContactPointKind.PHONE, phone_type="fixed").exists()
    for point in points:
        if point.status == ContactPointStatus.INVALID:
            # Kept as typed for someone to fix; nothing a campaign could use.
            assert point.normalized == ""
            normalise = {
                ContactPointKind.EMAIL: validators.normalize_email,
                ContactPointKind.PHONE: validators.parse_phone,
            }[point.kind]
            with pytest.raises(ValidationError):
                normalise(point.value)
        elif point.kind == ContactPointKind.EMAIL:
            assert validators.normalize_email(point.value) == point.normalized
        elif point.kind == ContactPointKind.PHONE:
            phone = validators.parse_phone(point.value)
            assert (phone.e164, phone.phone_type) == (point.normalized, point.phone_type)
        else:
            expected = " ".join(validators.to_half_width(point.value).split())
            assert point.normalized == expected
            assert validators.normalize_postal_code(point.postal_code, country="TW")
    # One primary point of each kind, as contact_point_add keeps it.
    kinds = points.values("contact_id", "kind").annotate(
        primaries=Count("id", filter=Q(is_primary=True))
    )
    assert {row["primaries"] for row in kinds} == {1}


def test_risk_profile_is_the_latest_valid_assessment_else_the_latest(book):
    today = timezone.localdate()
    for contact in Contact.objects.prefetch_related("risk_assessments"):
        history = sorted(contact.risk_assessments.all(), key=lambda a: (a.assessed_on, a.pk))
        valid = [a for a in history if a.valid_until >= today]
        latest = (valid or history or [None])[-1]
        assert contact.risk_level == (latest.level if latest else "")
        assert contact.risk_valid_until == (latest.valid_until if latest else None)
        for assessment in history:
            assert assessment.assessed_on <= today
            assert assessment.valid_until > assessment.assessed_on


def test_left_employer_is_set_once_no_job_is_current(book):
    today = timezone.localdate()
    for contact in Contact.objects.prefetch_related("employments"):
        jobs = list(contact.employments.all())
        current = [j for j in jobs if j.ended_on is None or j.ended_on >= today]
        assert contact.left_employer == (bool(jobs) and not current), contact.display_name


def test_dates_hang_together(book):
    now = timezone.now()
    assert not Interaction.objects.filter(occurred_at__gt=now).exists()
    for contact in Contact.objects.all():
        if contact.deceased_on:
            assert contact.is_deceased
            assert not contact.interactions.filter(occurred_at__date__gt=contact.deceased_on)
        if contact.relationship_ended_on:
            assert contact.relationship_started_on <= contact.relationship_ended_on


# --- the book is messy on purpose -------------------------------------------------------


def test_the_book_holds_each_kind_of_problem_the_app_must_catch(book):
    today = timezone.localdate()
    assert Contact.objects.filter(is_deceased=True, deceased_on__isnull=False).exists()
    assert Contact.objects.filter(do_not_contact=True).exists()
    assert ContactPoint.objects.filter(
        kind=ContactPointKind.EMAIL, status=ContactPointStatus.INVALID
    ).exists()
    assert ContactPoint.objects.filter(
        kind=ContactPointKind.PHONE, status=ContactPointStatus.INVALID
    ).exists()
    assert Employment.objects.filter(ended_on__lt=today).exists()
    assert Contact.objects.filter(left_employer=True).exists()
    assert Contact.objects.filter(risk_valid_until__lt=today).exists()
    assert (
        Contact.objects.filter(lifecycle_stage="client", risk_assessments__isnull=True).exists()
        or Contact.objects.filter(risk_level="").exists()
    )
    assert Contact.objects.filter(date_of_birth__isnull=True).exists()
    assert Contact.objects.filter(tag_assignments__isnull=True).exists()
    assert Contact.objects.filter(next_review_due__lt=today).exists()
    assert {"prospect", "client"} <= set(Contact.objects.values_list("lifecycle_stage", flat=True))


def test_near_duplicates_share_an_identifier_with_someone(book):
    shared_email = (
        ContactPoint.objects.filter(kind=ContactPointKind.EMAIL)
        .exclude(normalized="")
        .values("normalized")
        .annotate(n=Count("contact", distinct=True))
        .filter(n__gt=1)
    )
    shared_phone = (
        ContactPoint.objects.filter(kind=ContactPointKind.PHONE)
        .exclude(normalized="")
        .values("normalized")
        .annotate(n=Count("contact", distinct=True))
        .filter(n__gt=1)
    )
    assert shared_email.exists() or shared_phone.exists()


def test_tags_are_terms_never_category_roots(book):
    assert ContactTag.objects.exists()
    assert not ContactTag.objects.filter(tag__parent__isnull=True).exists()
    used = {path[:5] for path in ContactTag.objects.values_list("tag__path", flat=True)}
    categories = set(Tag.objects.categories().values_list("path", flat=True))
    assert len(used & categories) >= 3


def test_relationships_link_two_different_contacts(book):
    for relationship in Relationship.objects.all():
        assert relationship.from_contact_id != relationship.to_contact_id
        assert relationship.created_by_id == relationship.from_contact.owner_id


def test_the_load_is_audited_as_one_batch(book):
    event = AuditEvent.objects.get(action="batch", detail__operation="seed_demo")
    assert event.detail["count"] == BOOK_SIZE
    assert sorted(event.detail["contact_ids"]) == sorted(
        Contact.objects.values_list("pk", flat=True)
    )


# --- running the command ------------------------------------------------------------------


def _book_fingerprint():
    return list(
        Contact.objects.order_by("pk").values_list(
            "display_name", "national_id_hash", "lifecycle_stage", "risk_level", "search_tokens"
        )
    )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_book():
    seed(contacts=25, seed=11)
    first = _book_fingerprint()
    Contact.objects.all().delete()
    seed(contacts=25, seed=11)
    assert _book_fingerprint() == first
    Contact.objects.all().delete()
    seed(contacts=25, seed=12)
    assert _book_fingerprint() != first


@pytest.mark.django_db
def test_if_empty_leaves_a_seeded_book_alone_but_still_prints_the_logins():
    seed(contacts=20, seed=3)
    before = Contact.objects.count(), RiskAssessment.objects.count()
    output = seed(contacts=20, if_empty=True)
    assert (Contact.objects.count(), RiskAssessment.objects.count()) == before
    assert "rm_alice" in output
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_book():
    seed(contacts=10, if_empty=True)
    assert Contact.objects.count() == 10


@pytest.mark.django_db
def test_refuses_to_run_under_production_settings(settings):
    settings.SETTINGS_MODULE = "crm.settings.production"
    with pytest.raises(CommandError, match="production"):
        seed(contacts=5)
    assert not Contact.objects.exists()
    assert not User.objects.filter(username="rm_alice").exists()


def test_the_guard_lets_development_settings_through(settings):
    settings.SETTINGS_MODULE = "crm.settings.local"
    refuse_in_production()


@pytest.mark.django_db
def test_a_negative_count_is_refused():
    with pytest.raises(CommandError):
        seed(contacts=-1)


# --- the vocabulary migration -----------------------------------------------------------


@pytest.mark.django_db
def test_each_category_is_seeded_with_a_tree_and_chinese_labels():
    tags = {t.code: t for t in Tag.objects.all()}
    for code in CATEGORIES:
        category = tags[code]
        assert category.parent_id is None
        assert category.depth == 0
        depths = set(Tag.objects.subtree(category).values_list("depth", flat=True))
        assert {0, 1, 2} <= depths, code
    for tag in tags.values():
        assert tag.label_en.strip()
        assert tag.label_zh_hant.strip()
        assert validators.has_cjk(tag.label_zh_hant), tag.code
    assert tags["segment-uhnw"].parent == tags["segment-hnw"]
    assert tags["segment-hnw"].depth == 2
    assert tags["segment-sme-owner"].label_zh_hant == "中小企業主"
    assert tags["invest-structured-products"].label_zh_hant == "結構型商品"
    assert tags["invest-derivatives"].label_zh_hant == "衍生性金融商品"


@pytest.mark.django_db
def test_seeded_paths_and_depths_are_consistent():
    tags = list(Tag.objects.select_related("parent"))
    assert len({t.path for t in tags}) == len(tags)
    for tag in tags:
        assert len(tag.path) == 5 * (tag.depth + 1)
        assert tag.path.endswith(".")
        if tag.parent is None:
            assert tag.depth == 0
        else:
            assert tag.path.startswith(tag.parent.path)
            assert tag.depth == tag.parent.depth + 1


@pytest.mark.django_db
def test_unapplying_the_vocabulary_removes_it_and_reapplying_restores_it():
    before = dict(Tag.objects.values_list("code", "path"))
    vocabulary.unseed(apps, None)
    assert not Tag.objects.filter(code__in=before).exists()
    vocabulary.seed(apps, None)
    assert dict(Tag.objects.values_list("code", "path")) == before


@pytest.mark.django_db
def test_unapplying_the_vocabulary_refuses_while_terms_are_assigned(book):
    with pytest.raises(RuntimeError, match="assigned"):
        vocabulary.unseed(apps, None)
    assert Tag.objects.filter(code="segment-hnw").exists()


def test_the_demo_interaction_notes_raise_no_special_category_flag():
    """Everyday banking notes, in both languages, are the detector's false-alarm check."""
    flagged = [
        text
        for language in catalogue.SUMMARIES.values()
        for texts in language.values()
        for text in texts
        if special_categories(text)
    ]
    assert flagged == []
