"""Rows of the demo book and the columns derived from them. Pure: no Django I/O.

A contact is a plain dict keyed by field attname until it is written (``crm.demo.bulk``).
"""

from datetime import date
from functools import lru_cache

from contacts.search import contact_tokens
from crm.demo.people import Name


@lru_cache(maxsize=65536)
def _name_tokens(name_fields: tuple[str, ...]) -> frozenset[str]:
    # Names repeat across a book (陳怡君 is common), emails and phones do not: tokenising each
    # distinct name once is a fifth of the Python time of a large load.
    return frozenset(contact_tokens(names=list(name_fields), emails=[], phones=[]).split())


def search_tokens(name_fields: tuple[str, ...], emails: list[str], phones: list[str]) -> str:
    """``contact_tokens`` over names, emails and phones, with the names' part cached.

    The token set is a union over its inputs, so it splits; the result is spelt as
    ``contact_tokens`` spells it (sorted, space-separated and space-padded), and the demo
    tests compare it with ``refresh_search_tokens`` for every contact.
    """
    tokens = set(_name_tokens(name_fields))
    if emails or phones:
        tokens.update(contact_tokens(names=[], emails=emails, phones=phones).split())
    return " " + " ".join(sorted(tokens)) + " " if tokens else ""


def new_contact(name: Name, owner_id: int, *, language: str, dob, stage: str) -> dict:
    """A contact row with every column the builder reads before it is finished."""
    return {
        "family_name": name.family_name,
        "given_name": name.given_name,
        "name_zh": name.name_zh,
        "name_romanised": name.name_romanised,
        "preferred_name": name.preferred_name,
        "preferred_language": language,
        "date_of_birth": dob,
        "lifecycle_stage": stage,
        "owner_id": owner_id,
        "created_by_id": owner_id,
        "country_of_residence": "TW",
        "national_id": "",
        "national_id_country": "",
        "acquisition_source": "",
        "relationship_started_on": None,
        "relationship_ended_on": None,
        "is_deceased": False,
        "deceased_on": None,
        "do_not_contact": False,
        "left_employer": False,
        "last_reviewed_on": None,
        "next_review_due": None,
        "risk_level": "",
        "risk_valid_until": None,
        "version": 1,
    }


def age_on(dob: date, today: date) -> int:
    """Age in whole years on ``today``."""
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
