"""Country names in the user's language, from Babel's CLDR data (no network, no list to keep)."""

from functools import cache

from babel import Locale
from django.utils.translation import get_language, to_locale

# Codes CLDR lists that are not countries a person lives in or has an ID from.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "XK"}


@cache
def _choices(locale: str) -> tuple[tuple[str, str], ...]:
    territories = Locale.parse(locale).territories
    codes = [c for c in territories if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES]
    first = ["TW"]
    rest = sorted((c for c in codes if c not in first), key=lambda c: territories[c])
    return tuple((c, territories[c]) for c in first + rest)


def country_choices() -> tuple[tuple[str, str], ...]:
    language = get_language() or "en"
    locale = "zh_Hant_TW" if language.startswith("zh") else to_locale(language)
    return _choices(locale)


def country_name(code: str) -> str:
    return dict(country_choices()).get(code, code)
