"""Building the demo book: a documented bulk path.

It writes in chunks (``COPY`` on PostgreSQL, ``bulk_create`` elsewhere; see
``crm.demo.bulk``) instead of calling the per-contact services (a 100,000-contact book
through ``contact_create`` would take the better part of an hour), so it must write every
derived column exactly as the services would:

- ``display_name`` by ``contacts.names.display_name``;
- ``search_tokens`` by ``contacts.search.contact_tokens`` over the names and the normalised
  emails and phones, as ``contacts.services.contacts.refresh_search_tokens`` reads them;
- ``national_id`` encrypted by its own field and
  ``national_id_hash`` by ``compliance.crypto.lookup_hash``;
- ``risk_level``/``risk_valid_until`` from the latest valid assessment, else the latest one
  (``contact_refresh_risk``);
- ``left_employer`` once no job on record is current (``employment_end``).

``crm/tests/test_seed_demo.py`` holds it to that. One batch audit event records the load.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from django.utils import timezone

from compliance.crypto import lookup_hash
from contacts.fields import IdSetField
from contacts.models import (
    Contact,
    ContactPoint,
    ContactPointKind,
    ContactTag,
    Employment,
    Interaction,
    LifecycleStage,
    Organisation,
    Relationship,
    RelationshipKind,
    RiskAssessment,
)
from contacts.names import display_name
from crm.demo import names, people
from crm.demo.bulk import Loader, TableWriter
from crm.demo.details import DO_NOT_CONTACT_RATE, MISSING_RATE, DetailsMixin
from crm.demo.people import Name
from crm.demo.profiles import PROFILES, TEAM_MIX
from crm.demo.rows import age_on, new_contact, search_tokens

# Contacts built in memory before one round of inserts: big enough that per-query cost
# vanishes, small enough that memory stays flat at any book size.
CHUNK_SIZE = 5000
DUPLICATE_RATE = 0.025
# Every kind of problem the app exists to catch appears early in any book, however small,
# so a 60-contact demo (or test) shows each one: one of these is forced on every third of
# the first contacts; after that they occur at their natural rates.
SHOWCASE = (
    "deceased",
    "invalid_email",
    "left_employer",
    "expired_risk",
    "duplicate",
    "invalid_phone",
    "do_not_contact",
    "no_date_of_birth",
    "no_risk",
    "no_tags",
)
SHOWCASE_EVERY = 3
STAGES = (LifecycleStage.PROSPECT, LifecycleStage.CLIENT, LifecycleStage.FORMER_CLIENT)


@dataclass(slots=True)
class _Person:
    """What a relative or a near-duplicate takes from a contact already built."""

    idx: int
    name: Name
    female: bool
    western: bool
    owner_id: int
    dob: date | None
    national_id: str
    email: str
    mobile: str
    address: tuple[str, str, str] | None  # as typed, normalised, postal code
    employer: Organisation | None


class BookBuilder(DetailsMixin):
    """Builds contacts and everything hanging off them in memory, a chunk at a time, and
    writes each chunk with one ``COPY`` (or ``bulk_create``) per table."""

    def __init__(self, *, rng, today, owners, tags, organisations, loader: Loader) -> None:
        self.rng = rng
        self.loader = loader
        self.today = today
        self.tz = timezone.get_current_timezone()
        self.owners = owners  # [(user, team name, weight)]
        self.owner_cum_weights = list(accumulate(w for *_, w in owners))
        self.mixes = {
            team: (list(mix), list(accumulate(mix.values()))) for team, mix in TEAM_MIX.items()
        }
        self.tags = tags
        self.tag_codes = {t.pk: t.code for t in tags.values()}
        self.industry_tags = [t for t in tags.values() if t.code.startswith("industry-")]
        self.orgs_sme = [o for o, is_sme in organisations if is_sme]
        self.orgs_large = [o for o, is_sme in organisations if not is_sme]
        self.organisations = [o for o, _ in organisations]
        self.used_ids: set[str] = set()
        self.used_emails: set[str] = set()
        self.used_mobiles: set[str] = set()
        self.contact_ids: list[int] = []
        self.counts: Counter = Counter()
        self.trait = ""  # the showcase problem forced on the contact being built, if any
        self.showcased = 0
        self.writers = {
            "contacts": TableWriter(Contact, with_pk=True),
            "contact_points": TableWriter(ContactPoint),
            "risk_assessments": TableWriter(RiskAssessment),
            "employments": TableWriter(Employment),
            "interactions": TableWriter(Interaction),
            "tag_assignments": TableWriter(ContactTag),
            "relationships": TableWriter(Relationship),
        }
        self._reset()

    def _reset(self) -> None:
        # Rows as dicts; details are (index of their contact in ``contacts``, row).
        self.contacts: list[dict] = []
        self.points: list[tuple[int, dict]] = []
        self.risks: list[tuple[int, dict]] = []
        self.jobs: list[tuple[int, dict]] = []
        self.interactions: list[tuple[int, dict]] = []
        self.tag_links: list[tuple[int, dict]] = []
        self.links: list[tuple[int, int, str, int]] = []
        self.people: list[_Person] = []

    def _start_contact(self) -> int:
        self.primary_kinds: set[str] = set()
        self.has_current_job = False
        return len(self.contacts)

    # --- the book ------------------------------------------------------------------------

    def build(self, total: int) -> None:
        built = 0
        while built < total:
            built += self._group(room=total - built)
            if len(self.contacts) >= CHUNK_SIZE:
                self.flush()
        self.flush()

    def _showcase_trait(self) -> str:
        if self.showcased == len(SHOWCASE):
            return ""
        position = len(self.contact_ids) + len(self.contacts)
        if position < (self.showcased + 1) * SHOWCASE_EVERY - 1:
            return ""
        self.showcased += 1
        return SHOWCASE[self.showcased - 1]

    def _group(self, *, room: int) -> int:
        """One contact, sometimes with a relative or partner; returns how many were made."""
        rng = self.rng
        trait = self._showcase_trait()
        duplicate = rng.random() < DUPLICATE_RATE or trait == "duplicate"
        if self.people and duplicate:
            self._near_duplicate(rng.choice(self.people[-200:]))
            return 1
        owner, team, _ = rng.choices(self.owners, cum_weights=self.owner_cum_weights)[0]
        kinds, weights = self.mixes[team]
        kind = rng.choices(kinds, cum_weights=weights)[0]
        self.trait = trait
        person = self._person(kind, owner.pk)
        self.trait = ""
        age = age_on(person.dob, self.today)
        roll = rng.random()
        if room < 2:
            return 1
        if roll < 0.10 and age >= 28:
            self._relative(person, kind, RelationshipKind.SPOUSE, ages=(max(24, age - 5), age + 5))
        elif roll < 0.13 and 30 <= age <= 55:
            self._relative(person, "minor", RelationshipKind.GUARDIAN, ages=(6, min(17, age - 22)))
        elif roll < 0.15 and age >= 58:
            self._relative(person, "young", RelationshipKind.HOUSEHOLD, ages=(25, age - 23))
        elif roll < 0.20 and kind == "sme_owner" and person.employer:
            self._relative(person, kind, RelationshipKind.BUSINESS_PARTNER, ages=(35, 70))
        else:
            return 1
        return 2

    def _relative(self, person: _Person, kind: str, link: str, *, ages) -> None:
        household = link != RelationshipKind.BUSINESS_PARTNER
        child = link in (RelationshipKind.GUARDIAN, RelationshipKind.HOUSEHOLD)
        # Children take the father's family name (a Western family's, whoever the parent).
        inherits = child and (person.western or not person.female)
        relative = self._person(
            kind,
            person.owner_id,
            ages=ages,
            female=(not person.female) if link == RelationshipKind.SPOUSE else None,
            western=person.western if household else False,
            family=person.name if inherits else None,
            address=person.address if household else None,
            employer=person.employer if not household else None,
        )
        self.links.append((person.idx, relative.idx, link, person.owner_id))

    # --- one contact ---------------------------------------------------------------------

    def _person(
        self,
        kind: str,
        owner_id: int,
        *,
        ages=None,
        female=None,
        western=None,
        family: Name | None = None,
        address=None,
        employer=None,
    ) -> _Person:
        rng, today = self.rng, self.today
        profile = PROFILES[kind]
        idx = self._start_contact()
        female = rng.random() < 0.5 if female is None else female
        if western is None:
            western = kind not in ("minor", "retiree") and rng.random() < 0.06
        name = self._name(female=female, western=western, family=family, kind=kind)
        lo, hi = ages or profile.ages
        dob = people.birth_date(rng, today=today, min_age=lo, max_age=max(lo, hi))
        age = age_on(dob, today)
        stage = rng.choices(STAGES, profile.lifecycle)[0]
        english = western or (name.preferred_name and rng.random() < 0.2)
        language = "en" if english else "zh-hant"

        contact = new_contact(name, owner_id, language=language, dob=dob, stage=stage)
        self._lifecycle(contact, stage, age)
        self._death(contact, age)
        if (stage != LifecycleStage.PROSPECT or rng.random() < 0.15) and rng.random() < 0.95:
            contact["national_id"] = self._national_id(female=female, resident=western)
            contact["national_id_country"] = "TW"
        if western and rng.random() < 0.1:
            contact["country_of_residence"] = rng.choice(names.WESTERN_COUNTRIES)
        contact["do_not_contact"] = (
            rng.random() < DO_NOT_CONTACT_RATE or self.trait == "do_not_contact"
        )

        leaves = self.trait == "left_employer"
        if employer is None and (rng.random() < profile.employed or leaves):
            employer = self._employer(profile.sme)
        self._employment(idx, contact, profile.job, employer, language=language, ended=leaves)
        if kind == "retiree" and rng.random() < 0.15:
            self._employment(
                idx, contact, "staff", self._employer(None), language=language, ended=True
            )
        email, mobile, home = self._points(idx, name, kind, employer, address)
        level = self._risk(idx, contact, profile, kind)
        self._tags(idx, contact, profile, level, employer)
        self._interactions(idx, contact, language)
        # Missing on purpose, after the jobs were dated from it.
        if kind != "minor" and (rng.random() < MISSING_RATE or self.trait == "no_date_of_birth"):
            contact["date_of_birth"] = None
        self._finish(contact)

        person = _Person(
            idx=idx,
            name=name,
            female=female,
            western=western,
            owner_id=owner_id,
            dob=dob,
            national_id=contact["national_id"],
            email=email,
            mobile=mobile,
            address=home,
            employer=employer,
        )
        self.people.append(person)
        return person

    def _name(self, *, female: bool, western: bool, family: Name | None, kind: str) -> Name:
        rng = self.rng
        if western:
            name = people.western_name(rng, female=female)
            if family is not None:
                name.family_name = family.family_name
            return name
        return people.taiwanese_name(
            rng,
            female=female,
            family=people.family_of(family) if family is not None else None,
            english=PROFILES[kind].english_name,
        )

    def _near_duplicate(self, original: _Person) -> None:
        """The same person typed in again, a little differently, usually as a prospect from
        an event list or an import, sometimes into another RM's book."""
        rng, today = self.rng, self.today
        idx = self._start_contact()
        name = original.name
        variants = rng.sample(["pinyin", "no_chinese", "phone", "email"], k=rng.choice((1, 2)))
        if not original.western and "pinyin" in variants:
            name = people.pinyin_variant(name)
        if "no_chinese" in variants:
            name = Name(
                family_name=name.family_name,
                given_name=name.given_name,
                name_romanised=name.name_romanised,
                preferred_name=name.preferred_name,
            )
        owner_id = original.owner_id
        if rng.random() < 0.4:
            owner_id = rng.choices(self.owners, cum_weights=self.owner_cum_weights)[0][0].pk
        stage = rng.choice(
            (LifecycleStage.PROSPECT, LifecycleStage.PROSPECT, LifecycleStage.CLIENT)
        )
        contact = new_contact(
            name,
            owner_id,
            language="en" if original.western else "zh-hant",
            dob=original.dob if rng.random() < 0.5 else None,
            stage=stage,
        )
        contact["acquisition_source"] = rng.choice(("event", "import", "referral"))
        if stage == LifecycleStage.CLIENT:
            contact["relationship_started_on"] = today - timedelta(days=rng.randint(1, 400))
        if original.national_id and rng.random() < 0.3:
            contact["national_id"], contact["national_id_country"] = original.national_id, "TW"
        if original.email:
            local, domain = original.email.rsplit("@", 1)
            typed = f"{local}@{domain.upper()}" if "email" in variants else original.email
            # email-validator lower-cases the domain and keeps the local part as typed.
            self._point(idx, ContactPointKind.EMAIL, typed, f"{local}@{domain.lower()}")
        if original.mobile:
            typed = people.phone_as_typed(rng, original.mobile)
            if "phone" in variants and rng.random() < 0.3:
                typed = people.to_full_width(typed)
            self._point(idx, ContactPointKind.PHONE, typed, original.mobile, phone_type="mobile")
        if rng.random() < 0.4:
            self._interactions(idx, contact, contact["preferred_language"], most=1)
        self._finish(contact)
        self.counts["near_duplicates"] += 1

    def _finish(self, contact: dict) -> None:
        """The derived columns, exactly as the contact services write them, then keep it."""
        name_fields = (
            contact["family_name"],
            contact["given_name"],
            contact["name_zh"],
            contact["name_romanised"],
            contact["preferred_name"],
        )
        contact["display_name"] = display_name(
            family_name=contact["family_name"],
            given_name=contact["given_name"],
            name_zh=contact["name_zh"],
            name_romanised=contact["name_romanised"],
            preferred_name=contact["preferred_name"],
        )
        idx = len(self.contacts)
        emails, phones = [], []
        # This contact's points are the tail of the list.
        for owner_idx, point in reversed(self.points):
            if owner_idx != idx:
                break
            normalized, kind = point["normalized"], point["kind"]
            if normalized and kind == ContactPointKind.EMAIL:
                emails.append(normalized)
            elif normalized and kind == ContactPointKind.PHONE:
                phones.append(normalized)
        contact["search_tokens"] = search_tokens(name_fields, emails, phones)
        contact["national_id_hash"] = lookup_hash(contact["national_id"], scope="national_id")
        self.contacts.append(contact)

    # --- writing -------------------------------------------------------------------------

    def flush(self) -> None:
        if not self.contacts:
            return
        loader = self.loader
        tag_ids: dict[int, list[int]] = {}
        for idx, link in self.tag_links:
            tag_ids.setdefault(idx, []).append(link["tag_id"])
        for idx, contact in enumerate(self.contacts):
            contact["tag_ids"] = IdSetField.spell(tag_ids.get(idx, ()))
        ids = loader.insert_parents(self.writers["contacts"], self.contacts)
        for key, rows in (
            ("contact_points", self.points),
            ("risk_assessments", self.risks),
            ("employments", self.jobs),
            ("interactions", self.interactions),
            ("tag_assignments", self.tag_links),
        ):
            for idx, row in rows:
                row["contact_id"] = ids[idx]
            loader.insert(self.writers[key], [row for _, row in rows])
            self.counts[key] += len(rows)
        relationships = [
            {"from_contact_id": ids[a], "to_contact_id": ids[b], "kind": kind, "created_by_id": by}
            for a, b, kind, by in self.links
        ]
        loader.insert(self.writers["relationships"], relationships)
        loader.end_chunk()
        self.counts["relationships"] += len(relationships)
        today = self.today
        for contact in self.contacts:
            self.counts["contacts"] += 1
            risk_until = contact["risk_valid_until"]
            self.counts["risk_expired"] += risk_until is not None and risk_until < today
            due = contact["next_review_due"]
            self.counts["review_overdue"] += due is not None and due < today
            self.counts["deceased"] += contact["is_deceased"]
            self.counts["do_not_contact"] += contact["do_not_contact"]
            self.counts["left_employer"] += contact["left_employer"]
        self.counts["invalid_points"] += sum(1 for _, p in self.points if not p["normalized"])
        self.contact_ids.extend(ids)
        self._reset()
