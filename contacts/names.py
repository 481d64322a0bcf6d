"""How a person's name is shown. Pure: no Django I/O.

Chinese names are written family name first with no space (陳怡君). A contact known by
characters is shown by them, with the Latin name they use in brackets: 陳怡君 (Grace Chen).
Western names are given name first: Grace Chen.
"""

from contacts.validators import has_cjk


def latin_name(*, family_name: str, given_name: str, preferred_name: str) -> str:
    if preferred_name:
        # A preferred name like "Grace" stands for the given name; "Grace Chen" is whole.
        if " " in preferred_name.strip() or not family_name:
            return preferred_name.strip()
        return f"{preferred_name.strip()} {family_name}".strip()
    return " ".join(part for part in (given_name, family_name) if part).strip()


def display_name(
    *,
    family_name: str = "",
    given_name: str = "",
    name_zh: str = "",
    preferred_name: str = "",
    name_romanised: str = "",
) -> str:
    if not name_zh and has_cjk(family_name + given_name):
        # Characters typed into the family and given fields: a Chinese name, family first.
        name_zh, family_name, given_name = f"{family_name}{given_name}".strip(), "", ""
    latin = (
        latin_name(family_name=family_name, given_name=given_name, preferred_name=preferred_name)
        or name_romanised.strip()
    )
    if name_zh:
        return f"{name_zh} ({latin})" if latin else name_zh
    return latin
