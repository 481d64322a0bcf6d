"""What hangs off a demo contact: lifecycle dates, contact points, jobs, risk history, tags
and interactions. Mixed into ``crm.demo.book.BookBuilder``, whose state it shares.

Contacts and their details are plain dicts keyed by field attname (see ``crm.demo.bulk``).
"""

from datetime import date, datetime, timedelta

from contacts.models import ContactPointKind, ContactPointStatus, LifecycleStage, Organisation
from crm.demo import catalogue, people
from crm.demo.people import Name
from crm.demo.profiles import COMMON_INTERESTS, RISKY_PRODUCTS, Profile

LEVELS = ("conservative", "moderate", "aggressive")
CHANNELS = ("meeting", "call", "email", "message", "event")
CHANNEL_WEIGHTS = (30, 30, 20, 12, 8)
PROSPECT_SOURCES = ("referral", "event", "branch", "website", "import", "other")
CLIENT_SOURCES = ("existing", "referral", "branch", "event", "website")

# Shares of the deliberately messy records; with deaths, departures and near-duplicates
# they make up roughly 7% of the book.
INVALID_EMAIL_RATE = 0.015
INVALID_PHONE_RATE = 0.01
DO_NOT_CONTACT_RATE = 0.01
MISSING_RATE = 0.012  # each of: no date of birth, no risk assessment, no tags


def last_day(contact: dict, today: date) -> date:
    """The last day anything can have happened with the contact."""
    ends = (contact["relationship_ended_on"], contact["deceased_on"], today)
    return min(d for d in ends if d is not None)


class DetailsMixin:
    def _lifecycle(self, contact: dict, stage: str, age: int) -> None:
        rng, today = self.rng, self.today
        years_known = max(1, min(age - 18, 25))
        if stage == LifecycleStage.PROSPECT:
            contact["acquisition_source"] = rng.choice(PROSPECT_SOURCES)
            if rng.random() < 0.3:
                contact["next_review_due"] = today + timedelta(days=rng.randint(-60, 120))
            return
        contact["acquisition_source"] = rng.choice(CLIENT_SOURCES)
        start = today - timedelta(days=rng.randint(60, 365 * years_known))
        contact["relationship_started_on"] = start
        if stage == LifecycleStage.FORMER_CLIENT:
            contact["relationship_ended_on"] = people.date_between(
                rng, start + timedelta(days=30), today - timedelta(days=20)
            )
            return
        # Reviewed yearly; a fifth or so are overdue.
        reviewed = today - timedelta(days=rng.randint(0, 450))
        contact["last_reviewed_on"] = max(reviewed, start)
        contact["next_review_due"] = contact["last_reviewed_on"] + timedelta(days=365)

    def _death(self, contact: dict, age: int) -> None:
        # Deaths come mostly in old age, and the bank hears of them late.
        rng, today = self.rng, self.today
        if rng.random() >= (0.03 if age >= 75 else 0.004) and self.trait != "deceased":
            return
        earliest = max(today - timedelta(days=900), contact["relationship_started_on"] or date.min)
        contact["is_deceased"] = True
        contact["deceased_on"] = people.date_between(rng, earliest, today - timedelta(days=5))

    def _national_id(self, *, female: bool, resident: bool) -> str:
        while True:
            value = people.tw_national_id(self.rng, female=female, resident=resident)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def _employer(self, sme: bool | None) -> Organisation:
        pool = {True: self.orgs_sme, False: self.orgs_large}.get(sme, self.organisations)
        return self.rng.choice(pool)

    def _employment(self, idx, contact, job, org, *, language, ended=False) -> None:
        """A job, sometimes ended (the contact left), sometimes after an earlier one."""
        if org is None:
            return
        rng, today = self.rng, self.today
        latest_start = today - timedelta(days=60)
        dob = contact["date_of_birth"]
        earliest = dob + timedelta(days=365 * 22) if dob else today - timedelta(days=3650)
        earliest = min(earliest, latest_start - timedelta(days=30))
        started = people.date_between(rng, earliest, latest_start)
        ended_on = None
        roll = rng.random()
        if ended or roll < 0.06:
            # They left and no later job is known: mail to the old employer reaches nobody.
            ended_on = people.date_between(
                rng, started + timedelta(days=1), today - timedelta(days=10)
            )
        elif roll < 0.10:
            first_start = people.date_between(rng, earliest, started)
            first_end = people.date_between(rng, first_start, started)
            self._job(idx, self._employer(None), job, language, first_start, first_end)
        self._job(idx, org, job, language, started, ended_on)
        # As employment_end decides: left once no job on record is current.
        self.has_current_job = self.has_current_job or ended_on is None
        contact["left_employer"] = not self.has_current_job

    def _job(self, idx, org, job, language, started, ended) -> None:
        title = self.rng.choice(catalogue.TITLES[job]["en" if language == "en" else "zh"])
        employment = {
            "organisation_id": org.pk,
            "title": title,
            "started_on": started,
            "ended_on": ended,
        }
        self.jobs.append((idx, employment))

    def _point(self, idx, kind, value, normalized, *, phone_type="", status=None, **extra):
        # The first point of each kind is the primary one, as contact_point_add makes it.
        primary = kind not in self.primary_kinds
        self.primary_kinds.add(kind)
        point = {
            "kind": kind,
            "value": value,
            "normalized": normalized,
            "phone_type": phone_type,
            "is_primary": primary,
            "status": status or ContactPointStatus.VALID,
            **extra,
        }
        self.points.append((idx, point))

    def _points(self, idx, name: Name, kind, employer, address):
        """Email, phones and address; returns what relatives and duplicates share."""
        rng = self.rng
        email = mobile = ""
        if kind != "minor" and (rng.random() < 0.88 or self.trait == "invalid_email"):
            email = self._email(idx, name, employer)
        if kind != "minor" or rng.random() < 0.3 or self.trait == "invalid_phone":
            mobile = self._mobile(idx)
        if rng.random() < 0.25:
            landline = people.tw_landline(rng)
            typed = people.phone_as_typed(rng, landline)
            self._point(idx, ContactPointKind.PHONE, typed, landline, phone_type="fixed")
        if address is None and rng.random() < 0.5:
            city, postal_code, road = rng.choice(catalogue.ADDRESSES)
            number = f"{rng.randint(1, 300)}號"
            if rng.random() < 0.6:
                number += f"{rng.randint(2, 25)}樓"
            typed = number
            if rng.random() < 0.1:
                typed = people.to_full_width(number)
            # As contact_point_add normalises it: half-width, spaces collapsed.
            address = (f"{city}{road}{typed}", f"{city}{road}{number}", postal_code)
        if address is not None:
            value, normalized, postal_code = address
            self._point(
                idx,
                ContactPointKind.ADDRESS,
                value,
                normalized,
                postal_code=postal_code,
                country="TW",
            )
        return email, mobile, address

    def _email(self, idx, name: Name, employer) -> str:
        rng = self.rng
        if employer and rng.random() < 0.4:
            domain = employer.email_domain
        else:
            domain = rng.choice(people.PERSONAL_EMAIL_DOMAINS)
        local = people.email_local(name.given_name, name.family_name, rng)
        while f"{local}@{domain}" in self.used_emails:
            local += str(rng.randrange(10))
        email = f"{local}@{domain}"
        self.used_emails.add(email)
        if rng.random() < INVALID_EMAIL_RATE or self.trait == "invalid_email":
            # Kept as typed so someone can fix it; nothing normalised, nothing to send to.
            broken = rng.choice(catalogue.BROKEN_EMAILS).format(local=local)
            self._point(idx, ContactPointKind.EMAIL, broken, "", status=ContactPointStatus.INVALID)
            return ""
        bounced = rng.random() < 0.01
        status = ContactPointStatus.BOUNCED if bounced else None
        self._point(idx, ContactPointKind.EMAIL, email, email, status=status)
        return email

    def _mobile(self, idx) -> str:
        rng = self.rng
        mobile = people.tw_mobile(rng)
        while mobile in self.used_mobiles:
            mobile = people.tw_mobile(rng)
        self.used_mobiles.add(mobile)
        if rng.random() < INVALID_PHONE_RATE or self.trait == "invalid_phone":
            typed = rng.choice(catalogue.BROKEN_PHONES)
            self._point(idx, ContactPointKind.PHONE, typed, "", status=ContactPointStatus.INVALID)
            return ""
        typed = people.phone_as_typed(rng, mobile)
        self._point(idx, ContactPointKind.PHONE, typed, mobile, phone_type="mobile")
        return mobile

    def _risk(self, idx, contact: dict, profile: Profile, kind: str) -> str:
        """1-3 dated assessments; the contact carries the latest one still valid, else the
        latest one (contact_refresh_risk)."""
        rng, today = self.rng, self.today
        expired = self.trait == "expired_risk"
        wanted = contact["lifecycle_stage"] != LifecycleStage.PROSPECT or rng.random() < 0.15
        missing = rng.random() < MISSING_RATE or self.trait == "no_risk"
        if kind == "minor" or not (wanted or expired) or (missing and not expired):
            return ""
        level = rng.choices(LEVELS, profile.risk)[0]
        end = last_day(contact, today)
        assessed = end - timedelta(days=rng.randint(0 if end == today else 1, 420))
        if expired:
            assessed = min(assessed, today - timedelta(days=400))
        professional = kind in ("uhnw", "institutional") and level == "aggressive"
        professional = professional and rng.random() < 0.4
        history = []
        for n in range(rng.choices((1, 2, 3), (45, 35, 20))[0]):
            years = 2 if rng.random() < 0.2 and not expired else 1
            history.append(
                {
                    "level": level if n == 0 else rng.choices(LEVELS, profile.risk)[0],
                    "assessed_on": assessed,
                    "valid_until": assessed + timedelta(days=365 * years),
                    "is_professional_investor": professional and n == 0,
                    "assessed_by_id": contact["owner_id"],
                }
            )
            assessed -= timedelta(days=rng.randint(330, 500))
        history.reverse()  # oldest first, so ids rise with dates as they would in life
        valid = [a for a in history if a["valid_until"] >= today]
        current = max(valid or history, key=lambda a: a["assessed_on"])
        contact["risk_level"] = current["level"]
        contact["risk_valid_until"] = current["valid_until"]
        self.risks.extend((idx, a) for a in history)
        return current["level"]

    def _tags(self, idx, contact: dict, profile: Profile, level: str, employer) -> None:
        """A segment, the employer's industry, a few interests and product appetites:
        terms under the categories, never a category itself."""
        rng = self.rng
        if rng.random() < MISSING_RATE or self.trait == "no_tags":
            return
        codes = {rng.choice(profile.segments)}
        if employer and employer.industry_id in self.tag_codes and rng.random() < 0.8:
            codes.add(self.tag_codes[employer.industry_id])
        elif self.industry_tags and rng.random() < 0.15:
            codes.add(rng.choice(self.industry_tags).code)
        interests = list(dict.fromkeys(profile.interests + COMMON_INTERESTS))
        if profile.interests:
            codes.update(rng.sample(interests, k=rng.choice((0, 0, 1, 1, 2))))
        products = profile.invest
        if level in ("", "conservative"):
            # Never record an appetite the suitability rules would forbid.
            products = tuple(p for p in products if p not in RISKY_PRODUCTS)
        if products:
            codes.update(rng.sample(products, k=min(len(products), rng.choice((1, 1, 2)))))
        for code in sorted(codes):
            tag = self.tags.get(code)
            if tag is not None and tag.parent_id is not None:
                link = {"tag_id": tag.pk, "assigned_by_id": contact["owner_id"]}
                self.tag_links.append((idx, link))

    def _interactions(self, idx, contact: dict, language: str, *, most=None) -> None:
        rng = self.rng
        stage = contact["lifecycle_stage"]
        if most is None:
            most = {LifecycleStage.PROSPECT: 2, LifecycleStage.CLIENT: 4}.get(stage, 3)
        count = rng.randint(0 if stage == LifecycleStage.PROSPECT else 1, most)
        end = last_day(contact, self.today) - timedelta(days=1)
        start = max(
            contact["relationship_started_on"] or end - timedelta(days=365),
            end - timedelta(days=730),
        )
        notes = catalogue.SUMMARIES["en" if language == "en" else "zh"]
        for channel in rng.choices(CHANNELS, CHANNEL_WEIGHTS, k=count):
            day = people.date_between(rng, min(start, end), end)
            hour, minute = rng.randint(9, 18), rng.choice((0, 15, 30, 45))
            item = {
                "occurred_at": datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz),
                "channel": channel,
                "summary": rng.choice(notes[channel]),
                "recorded_by_id": contact["owner_id"],
            }
            self.interactions.append((idx, item))
