"""Validators and normalisers for what people type. Pure: no database, no network.

Each ``normalize_*`` returns the canonical form or raises ``ValidationError`` with a message
the user can act on, in their language.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email
from stdnum import get_cc_module
from stdnum.exceptions import ValidationError as StdnumError

# --- names -----------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
# Particles that stay lower case inside a Latin surname: "van der Berg", "de la Cruz".
_LOWER_PARTICLES = {"van", "von", "der", "den", "de", "la", "le", "du", "da", "di", "del"}


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def to_half_width(text: str) -> str:
    """Full-width ASCII (ＡＢＣ１２３, the ideographic space) to ordinary ASCII; CJK untouched."""
    out = []
    for char in text:
        code = ord(char)
        if code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(char)
    return "".join(out)


def _recase(word: str) -> str:
    parts = re.split(r"([-'’])", word.lower())
    titled = "".join(p[:1].upper() + p[1:] if p not in "-'’" else p for p in parts)
    return unicodedata.normalize("NFC", titled)


def _title_word(word: str, *, last: bool = False) -> str:
    # A particle never ends a name: a final "Du" or "Le" is a surname (杜, 黎).
    if word.lower() in _LOWER_PARTICLES and not last:
        return word.lower()
    # Keep internal capitals people chose on purpose (McDonald, O'Brien): only fix
    # words typed all upper or all lower case.
    if word.isupper() or word.islower():
        titled = _recase(word)
        # Some letters change length with their case (ß -> SS, ﬁ -> FI, İ -> i + dot):
        # that spells another name and would change again on the next pass. Leave those.
        settled = not (titled.isupper() or titled.islower()) or _recase(titled) == titled
        if len(titled) == len(word) and settled:
            return titled
    return word


def normalize_name(text: str) -> str:
    """Trim, collapse spaces, full-width to half-width, sensible case for Latin names."""
    text = unicodedata.normalize("NFC", to_half_width(text or ""))
    text = _SPACES.sub(" ", text).strip()
    if not text or has_cjk(text):
        return text
    words = text.split(" ")
    titled = [_title_word(w, last=i == len(words) - 1) for i, w in enumerate(words)]
    if titled and titled[0] in _LOWER_PARTICLES:
        titled[0] = titled[0].capitalize()
    return " ".join(titled)


# --- dates -----------------------------------------------------------------------------

MAX_AGE_YEARS = 120


def validate_date_of_birth(value: date | None, *, today: date) -> None:
    if value is None:
        return
    if value > today:
        raise ValidationError(_("The date of birth cannot be in the future."), code="future")
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < oldest:
        raise ValidationError(
            _("The date of birth is more than %(years)d years ago.") % {"years": MAX_AGE_YEARS},
            code="too_old",
        )


# --- email -----------------------------------------------------------------------------


def normalize_email(text: str, *, check_deliverability: bool = False) -> str:
    """The normalised address, e.g. ``Grace.Chen@Example.COM`` -> ``Grace.Chen@example.com``."""
    text = to_half_width(text or "").strip()
    try:
        result = validate_email(text, check_deliverability=check_deliverability)
    except EmailNotValidError as error:
        raise ValidationError(
            _("“%(value)s” is not a valid email address.") % {"value": text}, code="invalid_email"
        ) from error
    return result.normalized


# --- phone -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Phone:
    e164: str
    is_mobile: bool
    national: str

    @property
    def phone_type(self) -> str:
        return "mobile" if self.is_mobile else "fixed"


def parse_phone(text: str, *, region: str | None = None) -> Phone:
    """Parse a phone number typed in any common form; ``region`` applies to local numbers."""
    region = region or settings.DEFAULT_PHONE_REGION
    cleaned = to_half_width(text or "").strip()
    message = _("“%(value)s” is not a phone number that can exist.") % {"value": cleaned}
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(message, code="invalid_phone") from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message, code="invalid_phone")
    number_type = phonenumbers.number_type(number)
    return Phone(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        is_mobile=number_type
        in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE),
        national=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
    )


def phone_search_forms(text: str, *, region: str | None = None) -> list[str]:
    """What a typed phone number should match: its E.164 form, or bare digits."""
    digits = re.sub(r"\D", "", to_half_width(text))
    try:
        return [parse_phone(text, region=region).e164]
    except ValidationError:
        return [digits] if digits else []


# --- national identifiers --------------------------------------------------------------

_TW_LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
_TW_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 1)


def _tw_checksum(letter_code: int, digits: str) -> bool:
    total = letter_code // 10 + (letter_code % 10) * 9
    total += sum(int(d) * w for d, w in zip(digits[:8], _TW_WEIGHTS, strict=True))
    total += int(digits[8])
    return total % 10 == 0


def is_valid_tw_national_id(value: str) -> bool:
    """Taiwan national ID (A123456789) or resident certificate, new (A800000014) or old
    (AA00000009) format."""
    value = value.upper()
    if re.fullmatch(r"[A-Z][1289]\d{8}", value):
        return _tw_checksum(_TW_LETTERS[value[0]], value[1:])
    if re.fullmatch(r"[A-Z][A-D]\d{8}", value):
        second = str(_TW_LETTERS[value[1]] % 10)
        return _tw_checksum(_TW_LETTERS[value[0]], second + value[2:])
    return False


# Other countries' personal identifiers that python-stdnum knows, by issuing country.
_STDNUM_PERSONAL_IDS = {
    "US": "ssn",
    "CN": "ric",
    "KR": "rrn",
    "FR": "nir",
    "DE": "idnr",
    "IT": "codicefiscale",
    "ES": "dni",
    "NL": "bsn",
    "SE": "personnummer",
    "MY": "nric",
    "TH": "pin",
    "ID": "nik",
    "IN": "aadhaar",
    "CA": "sin",
    "AU": "tfn",
}


def national_id_validator(country: str):
    """The stdnum module that validates ``country``'s personal identifier, if it has one."""
    name = _STDNUM_PERSONAL_IDS.get(country.upper())
    return get_cc_module(country.lower(), name) if name else None


def normalize_national_id(value: str, *, country: str) -> str:
    """Validate by the issuing country's rules and return the compact form."""
    compact = re.sub(r"[\s-]", "", to_half_width(value or "")).upper()
    if not compact:
        return ""
    if not country:
        raise ValidationError(
            _("Choose the country that issued the national ID."), code="id_country_missing"
        )
    invalid = ValidationError(
        _("This is not a valid national ID for %(country)s.") % {"country": country.upper()},
        code="invalid_national_id",
    )
    if country.upper() == "TW":
        if not is_valid_tw_national_id(compact):
            raise invalid
        return compact
    module = national_id_validator(country)
    if module is None:
        if not re.fullmatch(r"[0-9A-Z]{4,30}", compact):
            raise invalid
        return compact
    try:
        return module.compact(module.validate(compact)).upper()
    except StdnumError as error:
        raise invalid from error


_UBN_WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)


def is_valid_tw_business_number(value: str) -> bool:
    """Since April 2023 the Ministry of Finance accepts a total divisible by 5, not only by
    10 (python-stdnum still applies the old rule). A 7 in the seventh place gives 28 -> 10,
    which may also count as 1."""
    if not re.fullmatch(r"\d{8}", value):
        return False
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(value, _UBN_WEIGHTS, strict=True))
    return total % 5 == 0 or (value[6] == "7" and (total + 1) % 5 == 0)


def normalize_tw_business_number(value: str) -> str:
    compact = re.sub(r"\D", "", to_half_width(value or ""))
    if not is_valid_tw_business_number(compact):
        raise ValidationError(
            _("This is not a valid Taiwan unified business number."), code="invalid_ubn"
        )
    return compact


# --- postal codes ----------------------------------------------------------------------

_POSTAL_PATTERNS = {
    "TW": r"\d{3}(\d{2}|\d{3})?",
    "US": r"\d{5}(-\d{4})?",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
    "JP": r"\d{3}-?\d{4}",
    "SG": r"\d{6}",
    "CN": r"\d{6}",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
    "AU": r"\d{4}",
}


def normalize_postal_code(value: str, *, country: str) -> str:
    compact = _SPACES.sub(" ", to_half_width(value or "")).strip().upper()
    pattern = _POSTAL_PATTERNS.get((country or "").upper())
    if not compact or pattern is None:
        return compact
    if not re.fullmatch(pattern, compact):
        raise ValidationError(
            _("“%(value)s” is not a postal code used in %(country)s.")
            % {"value": compact, "country": country.upper()},
            code="invalid_postal_code",
        )
    return compact
