"""Search tokens for contacts. Pure: no Django I/O.

A contact's searchable text becomes a set of exact tokens stored in ``Contact.search_tokens``
and served by a GIN index on PostgreSQL, so a search is an index lookup at any size:

- Chinese names: every substring (陳怡君 -> 陳, 怡, 君, 陳怡, 怡君, 陳怡君). A two-character
  given name such as 怡君 is a token of its own, which a trigram index cannot offer.
- Latin names: each word lower-cased, and its prefixes from two letters (grace -> gr, gra...).
- Emails: the whole normalised address and its local part.
- Phones: the E.164 form, the national digits, and the last four digits.
"""

import re

from contacts.validators import has_cjk, phone_search_forms, to_half_width

MAX_CJK_RUN = 6
MIN_PREFIX = 2
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)
# The same ranges as ``validators.has_cjk``, extension B included: rare characters in
# registered names live outside the basic plane.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")


def _cjk_substrings(text: str) -> set[str]:
    tokens = set()
    for run in _CJK_RUN.findall(text):
        run = run[:MAX_CJK_RUN]
        for i in range(len(run)):
            for j in range(i + 1, len(run) + 1):
                tokens.add(run[i:j])
    return tokens


def _latin_tokens(text: str) -> set[str]:
    tokens = set()
    for word in _WORD.findall(to_half_width(text).lower()):
        if has_cjk(word):
            continue
        for part in {word, *re.split(r"[-'’]", word)}:
            for end in range(MIN_PREFIX, len(part) + 1):
                tokens.add(part[:end])
    return tokens


def contact_tokens(*, names: list[str], emails: list[str], phones: list[str]) -> str:
    """The ``search_tokens`` value: space-separated, space-padded, sorted for stable diffs."""
    tokens: set[str] = set()
    for name in names:
        tokens |= _cjk_substrings(name)
        tokens |= _latin_tokens(name)
    for email in emails:
        email = email.lower()
        local = email.split("@", 1)[0]
        tokens.add(email)
        tokens.add(local)
        # A query splits "grace.chen" into words, so index the local part's words too.
        tokens |= _latin_tokens(local)
    for e164 in phones:
        digits = re.sub(r"\D", "", e164)
        tokens.add(e164)
        tokens.add(digits[-4:])
        # National significant number with the trunk zero Taiwanese numbers are written with.
        if e164.startswith("+886"):
            tokens.add("0" + digits[3:])
    tokens.discard("")
    return " " + " ".join(sorted(tokens)) + " " if tokens else ""


def query_tokens(query: str) -> list[str]:
    """Tokens a search query must all match. Empty when the query has nothing searchable."""
    query = to_half_width(query or "").strip()
    if not query:
        return []
    if "@" in query:
        return [query.lower()]
    compact = re.sub(r"[\s().+-]", "", query)
    if compact.isdigit():
        if len(compact) == 4:
            return [compact]
        return phone_search_forms(query)[:1]
    tokens = []
    for word in query.split():
        if has_cjk(word):
            tokens.extend(run[:MAX_CJK_RUN] for run in _CJK_RUN.findall(word))
        else:
            tokens.extend(w for w in _WORD.findall(word.lower()) if len(w) >= MIN_PREFIX)
    return tokens
