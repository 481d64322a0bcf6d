"""Invented people for the demo book. Pure: no Django I/O; every choice comes from the
``random.Random`` the caller passes, so a seed gives the same book every time.

Values come out already in the form the contact services store: names as ``normalize_name``
leaves them, phones in E.164, emails normalised. Generating canonical forms directly, instead
of parsing what we generated, is what lets 100,000 contacts load in seconds; the demo tests
check a sample against the real normalisers.
"""

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from contacts.validators import normalize_name
from crm.demo import names

# Letter values of the Taiwan national ID checksum (the same table as
# ``contacts.validators``; repeated so the generator stays a plain function of its inputs).
_TW_LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
_TW_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 1)
# Household registration letters, weighted roughly by population: Taipei, New Taipei,
# Taoyuan, Hsinchu city and county, Taichung, Tainan, Kaohsiung, Changhua.
_ID_LETTERS = "AAAAFFFFHHHOOJJBBBBDDEEEN"

PERSONAL_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


def _normalised(entries):
    return [tuple(normalize_name(x) if i else x for i, x in enumerate(e)) for e in entries]


FAMILY_NAMES = [
    (zh, normalize_name(wg), normalize_name(py)) for zh, wg, py, _ in names.FAMILY_NAMES
]
FAMILY_CUM_WEIGHTS = list(accumulate(w for *_, w in names.FAMILY_NAMES))
GIVEN_FEMALE = _normalised(names.GIVEN_NAMES_FEMALE)
GIVEN_MALE = _normalised(names.GIVEN_NAMES_MALE)
WESTERN_FAMILY = [normalize_name(n) for n in names.WESTERN_FAMILY_NAMES]


def tw_national_id(rng: random.Random, *, female: bool, resident: bool = False) -> str:
    """A checksum-valid Taiwan national ID, or (``resident``) a new-format resident
    certificate number as foreign residents hold."""
    letter = rng.choice(_ID_LETTERS)
    # Gender digit: 1/2 on a national ID, 8/9 on a resident certificate.
    second = {(False, False): "1", (False, True): "2", (True, False): "8", (True, True): "9"}[
        (resident, female)
    ]
    body = second + f"{rng.randrange(10**7):07d}"
    code = _TW_LETTERS[letter]
    total = code // 10 + (code % 10) * 9
    total += sum(int(d) * w for d, w in zip(body, _TW_WEIGHTS, strict=True))
    return f"{letter}{body}{(10 - total % 10) % 10}"


def tw_mobile(rng: random.Random) -> str:
    """E.164 form of a Taiwan mobile number (09x xxx xxx)."""
    return f"+8869{rng.randrange(9)}{rng.randrange(10**7):07d}"


# (E.164 area prefix, subscriber-number prefix, digits after it): Taipei 02-2/02-8,
# Taoyuan 03-3, Hsinchu 03-5, Taichung 04-2, Kaohsiung 07.
_LANDLINES = (("+8862", "2", 7), ("+8862", "8", 7), ("+8863", "3", 6), ("+8863", "5", 6))
_LANDLINES += (("+8864", "2", 7), ("+8867", "3", 6))


def tw_landline(rng: random.Random) -> str:
    area, lead, rest = rng.choice(_LANDLINES)
    return f"{area}{lead}{rng.randrange(10**rest):0{rest}d}"


def national_form(e164: str) -> str:
    """+886912345678 -> 0912345678."""
    return "0" + e164[4:]


def phone_as_typed(rng: random.Random, e164: str) -> str:
    """The same number the way people write it on forms and business cards."""
    national = national_form(e164)
    if national.startswith("09"):
        styles = (
            national,
            f"{national[:4]}-{national[4:7]}-{national[7:]}",
            f"{national[:4]} {national[4:7]} {national[7:]}",
            f"+886 {national[1:4]} {national[4:7]} {national[7:]}",
            f"+886-{national[1:]}",
        )
    else:
        area_len = 2
        area, number = national[:area_len], national[area_len:]
        half = len(number) - 4
        styles = (
            f"{area}-{number[:half]}-{number[half:]}",
            f"({area}) {number[:half]}-{number[half:]}",
            f"+886-{area[1:]}-{number[:half]}-{number[half:]}",
            national,
        )
    return rng.choice(styles)


def to_full_width(text: str) -> str:
    """ASCII digits and letters to full width, as some Taiwanese input methods type them."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


_NOT_LOCAL = re.compile(r"[^a-z0-9.]")


def email_local(given: str, family: str, rng: random.Random) -> str:
    given = _NOT_LOCAL.sub("", given.lower().replace("-", ""))
    family = _NOT_LOCAL.sub("", family.lower().replace(" ", ""))
    style = rng.randrange(4)
    if style == 0:
        return f"{given}.{family}"
    if style == 1:
        return f"{family}.{given}"
    if style == 2:
        return f"{given[:1]}{family}{rng.randrange(10, 100)}"
    return f"{family}{given}{rng.randrange(1960, 2005)}"


def date_between(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end]; ``start`` when the range is empty."""
    span = (end - start).days
    return start + timedelta(days=rng.randint(0, span)) if span > 0 else start


def birth_date(rng: random.Random, *, today: date, min_age: int, max_age: int) -> date:
    oldest = today - timedelta(days=int(365.25 * (max_age + 1)) - 1)
    youngest = today - timedelta(days=int(365.25 * min_age) + 1)
    return date_between(rng, oldest, youngest)


@dataclass(slots=True)
class Name:
    family_name: str
    given_name: str
    name_zh: str = ""
    name_romanised: str = ""
    preferred_name: str = ""
    # Kept to spell the person the other way in a near-duplicate.
    pinyin_family: str = ""
    pinyin_given: str = ""


def taiwanese_name(
    rng: random.Random, *, female: bool, family: tuple | None = None, english: float = 0.4
) -> Name:
    zh_family, wg_family, py_family = (
        family or rng.choices(FAMILY_NAMES, cum_weights=FAMILY_CUM_WEIGHTS)[0]
    )
    zh_given, wg_given, py_given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    preferred = ""
    if rng.random() < english:
        preferred = rng.choice(names.PREFERRED_FEMALE if female else names.PREFERRED_MALE)
    return Name(
        family_name=wg_family,
        given_name=wg_given,
        name_zh=zh_family + zh_given,
        name_romanised=f"{wg_family} {wg_given}",
        preferred_name=preferred,
        pinyin_family=py_family,
        pinyin_given=py_given,
    )


def family_of(name: Name) -> tuple:
    """The family-name entry a child of ``name`` inherits."""
    return next(f for f in FAMILY_NAMES if f[0] == name.name_zh[:1] and f[1] == name.family_name)


def western_name(rng: random.Random, *, female: bool) -> Name:
    given = rng.choice(names.WESTERN_GIVEN_FEMALE if female else names.WESTERN_GIVEN_MALE)
    return Name(family_name=rng.choice(WESTERN_FAMILY), given_name=normalize_name(given))


def pinyin_variant(name: Name) -> Name:
    """The same person as a colleague typed them from a Pinyin document, English name unknown."""
    family = name.pinyin_family or name.family_name
    given = name.pinyin_given or name.given_name
    return Name(
        family_name=family,
        given_name=given,
        name_zh=name.name_zh,
        name_romanised=f"{family} {given}" if name.name_romanised else "",
        pinyin_family=name.pinyin_family,
        pinyin_given=name.pinyin_given,
    )
