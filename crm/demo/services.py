"""Loading the demo: staff, their employers and an invented book. Refused in production by
the ``seed_demo`` command, the only caller."""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from stdnum.tw import ubn

from compliance import audit
from compliance.models import TrainingCourse, TrainingRecord
from contacts.models import Contact, Organisation, Tag
from core import context, roles
from core.models import Team, User
from crm.demo import catalogue, staff
from crm.demo.book import BookBuilder
from crm.demo.bulk import Loader
from crm.demo.staff import DEMO_PASSWORD, STAFF


@dataclass
class SeedSummary:
    """How many rows of each kind one run wrote, by the keys ``BookBuilder`` counts."""

    counts: Counter = field(default_factory=Counter)


@transaction.atomic
def demo_staff_create() -> dict[str, User]:
    """Create (or bring back to the demo state) every demo user and team.

    Safe to run again: users are matched by username, teams by name.
    """
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL)}
    missing = set(roles.ALL) - set(groups)
    if missing:
        # The role groups come from crm.migrations.0001_roles; without them nobody can log in
        # to anything useful.
        raise RuntimeError(f"role groups missing, run migrate first: {sorted(missing)}")
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in staff.TEAMS}
    # One hash for everyone: the password is published anyway, and Argon2 at production
    # strength costs a fifth of a second per user, most of the quick start's wait.
    password = make_password(DEMO_PASSWORD)
    users = {}
    for spec in STAFF:
        user, _ = User.objects.get_or_create(username=spec.username)
        user.first_name, user.last_name = spec.first_name, spec.last_name
        user.email = f"{spec.username.replace('_', '.')}@bank.example.com"
        user.team = teams.get(spec.team)
        user.preferred_language = spec.language
        user.is_staff = spec.is_staff
        user.is_active = True
        # Django's password validators are skipped on purpose: the value is printed.
        user.password = password
        user.save()
        user.groups.set([groups[name] for name in spec.roles])
        users[spec.username] = user
    _demo_training(users)
    for team in teams.values():
        lead = next(
            users[s.username] for s in STAFF if s.team == team.name and roles.TEAM_LEAD in s.roles
        )
        if team.lead_id != lead.pk:
            team.lead = lead
            team.save(update_fields=["lead", "updated_at"])
    return users


def _demo_training(users: dict[str, User]) -> None:
    """Current privacy training for every demo user but one (exports, reveals and bulk
    edits need it)."""
    course, _ = TrainingCourse.objects.get_or_create(
        name_en="Personal data protection (annual)",
        defaults={"name_zh_hant": "個人資料保護年度訓練", "validity_months": 12},
    )
    today = timezone.localdate()
    for username, user in users.items():
        if username == staff.UNTRAINED:
            continue
        TrainingRecord.objects.get_or_create(
            user=user,
            course=course,
            defaults={
                "completed_on": today - timedelta(days=30),
                "valid_until": today + timedelta(days=335),
            },
        )


def demo_organisations_ensure(
    *, rng: random.Random, tags: dict[str, Tag]
) -> list[tuple[Organisation, bool]]:
    """The demo's employers, each with whether it is an SME; matched by name so a second
    run reuses them."""
    wanted = [entry[0] for entry in catalogue.ORGANISATIONS]
    existing = {o.name: o for o in Organisation.objects.filter(name__in=wanted)}
    result = []
    for name, name_zh, slug, industry, is_sme in catalogue.ORGANISATIONS:
        org = existing.get(name)
        if org is None:
            org = Organisation.objects.create(
                name=name,
                name_zh=name_zh,
                business_number=_business_number(rng),
                email_domain=f"{slug}.example.com",
                industry=tags.get(industry),
            )
        result.append((org, is_sme))
    return result


def _business_number(rng: random.Random) -> str:
    while True:
        number = f"{rng.randrange(10**8):08d}"
        if ubn.is_valid(number):
            return number


@transaction.atomic
def demo_book_seed(*, contacts: int, seed: int, users: dict) -> SeedSummary:
    """Add ``contacts`` invented contacts across the demo RMs' books, the same book for the
    same ``seed`` (dates count back from today, so "overdue" stays overdue)."""
    # Reproducible invented data, not secrets: a seeded PRNG is what is wanted here.
    rng = random.Random(seed)  # noqa: S311
    tags = {t.code: t for t in Tag.objects.filter(is_active=True)}
    owners = [(users[s.username], s.team, s.book_weight) for s in staff.STAFF if s.book_weight]
    # Their own stream: a second run reuses the organisations and draws nothing for them,
    # and must still build the same book.
    org_rng = random.Random(f"organisations-{seed}")  # noqa: S311
    organisations = demo_organisations_ensure(rng=org_rng, tags=tags)
    with Loader() as loader:
        loader.reserve(Contact, contacts)
        builder = BookBuilder(
            rng=rng,
            today=timezone.localdate(),
            owners=owners,
            tags=tags,
            organisations=organisations,
            loader=loader,
        )
        builder.build(contacts)
    with context.acting(via="command"):
        audit.batch(
            actor=None,
            operation="seed_demo",
            contact_ids=builder.contact_ids,
            detail={"seed": seed},
        )
    return SeedSummary(counts=builder.counts)
