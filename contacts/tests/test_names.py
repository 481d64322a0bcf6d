"""How a contact's name is shown: pure, no database."""

import pytest

from contacts.names import display_name, latin_name


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (
            {"name_zh": "陳怡君", "preferred_name": "Grace", "family_name": "Chen"},
            "陳怡君 (Grace Chen)",
        ),
        (
            {"name_zh": "陳怡君", "preferred_name": "Grace Chen", "family_name": "Chen"},
            "陳怡君 (Grace Chen)",
        ),
        (
            {"name_zh": "陳怡君", "given_name": "Yi-Chun", "family_name": "Chen"},
            "陳怡君 (Yi-Chun Chen)",
        ),
        ({"name_zh": "陳怡君", "name_romanised": "Chen Yi-Chun"}, "陳怡君 (Chen Yi-Chun)"),
        ({"name_zh": "陳怡君"}, "陳怡君"),
        ({"given_name": "Grace", "family_name": "Chen"}, "Grace Chen"),
        ({"preferred_name": "Grace", "family_name": "Chen", "given_name": "Yi-Chun"}, "Grace Chen"),
        ({"preferred_name": " Grace "}, "Grace"),
        ({"family_name": "Chen"}, "Chen"),
        ({"given_name": "Grace"}, "Grace"),
        ({"name_romanised": " Chen Yi-Chun "}, "Chen Yi-Chun"),
        ({}, ""),
    ],
)
def test_display_name(names, expected):
    assert display_name(**names) == expected


def test_the_latin_name_wins_over_the_passport_romanisation():
    shown = display_name(given_name="Grace", family_name="Chen", name_romanised="Chen Yi-Chun")
    assert shown == "Grace Chen"


def test_a_preferred_name_with_a_space_is_a_whole_name_not_a_given_name():
    assert latin_name(family_name="Chen", given_name="", preferred_name="Grace Lin") == "Grace Lin"


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"family_name": "陳", "given_name": "怡君"}, "陳怡君"),
        ({"family_name": "陳", "given_name": "怡君", "preferred_name": "Grace"}, "陳怡君 (Grace)"),
        (
            {"family_name": "陳", "given_name": "怡君", "name_romanised": "Chen Yi-Chun"},
            "陳怡君 (Chen Yi-Chun)",
        ),
    ],
)
def test_a_name_typed_in_characters_into_family_and_given_reads_family_first(names, expected):
    # Chinese names are written family name first with no space: never "怡君 陳".
    assert display_name(**names) == expected
