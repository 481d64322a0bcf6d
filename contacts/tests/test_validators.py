"""The entry rules for what people type: pure functions, no database."""

import re
import unicodedata
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from contacts import validators

# --- Taiwan national ID and resident certificate ----------------------------------------

# The Ministry of the Interior's letter codes, written out independently of the validator.
LETTER_CODES = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip
# Weight of each character position after the letter (the check digit weighs 1).
POSITION_WEIGHTS = {1: 8, 2: 7, 3: 6, 4: 5, 5: 4, 6: 3, 7: 2, 8: 1, 9: 1}


def tw_check_digit(letter: str, body: str) -> str:
    """The check digit for a letter and the eight digits after it (reference implementation)."""
    code = LETTER_CODES[letter]
    total = code // 10 + (code % 10) * 9
    total += sum(int(d) * w for d, w in zip(body, range(8, 0, -1), strict=True))
    return str(-total % 10)


@st.composite
def tw_national_ids(draw) -> str:
    """National IDs (A123456789) and new-format resident certificates (A800000014)."""
    letter = draw(st.sampled_from(sorted(LETTER_CODES)))
    body = draw(st.sampled_from("1289")) + draw(st.text("0123456789", min_size=7, max_size=7))
    return letter + body + tw_check_digit(letter, body)


@st.composite
def tw_old_resident_certificates(draw) -> str:
    """Old-format resident certificates (AA00000009): the second letter counts by its units."""
    letter = draw(st.sampled_from(sorted(LETTER_CODES)))
    second = draw(st.sampled_from("ABCD"))
    digits = draw(st.text("0123456789", min_size=7, max_size=7))
    return (
        letter + second + digits + tw_check_digit(letter, str(LETTER_CODES[second] % 10) + digits)
    )


@pytest.mark.parametrize(
    "value",
    ["A123456789", "F131104093", "A800000014", "AA00000009", "a123456789"],
)
def test_known_good_taiwan_ids_are_valid(value):
    assert validators.is_valid_tw_national_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "A123456788",  # check digit one off
        "A123456780",
        "A323456789",  # second character must be 1, 2, 8 or 9 (or A-D)
        "AE00000009",
        "A12345678",  # too short
        "A1234567890",  # too long
        "1123456789",  # must start with a letter
        "",
    ],
)
def test_malformed_or_one_off_taiwan_ids_are_invalid(value):
    assert not validators.is_valid_tw_national_id(value)


@given(tw_national_ids())
def test_every_generated_taiwan_id_is_valid(value):
    assert validators.is_valid_tw_national_id(value)


@given(tw_old_resident_certificates())
def test_every_generated_old_resident_certificate_is_valid(value):
    assert validators.is_valid_tw_national_id(value)


@given(tw_national_ids())
def test_a_single_digit_error_is_rejected_wherever_the_checksum_can_detect_it(value):
    """The official checksum is mod 10 with weights 8..1: a change of ``delta`` at weight ``w``
    goes unseen exactly when ``w * delta`` is a multiple of 10. So every error at the positions
    weighted 7, 3 and 1 (and the check digit) is caught, and the rest follow the formula."""
    for position, weight in POSITION_WEIGHTS.items():
        original = int(value[position])
        for digit in range(10):
            if digit == original:
                continue
            mutated = value[:position] + str(digit) + value[position + 1 :]
            if position == 1 and str(digit) not in "1289":
                assert not validators.is_valid_tw_national_id(mutated)
                continue
            unseen = weight * (digit - original) % 10 == 0
            assert validators.is_valid_tw_national_id(mutated) is unseen, mutated
            if weight in (7, 3, 1):
                assert not validators.is_valid_tw_national_id(mutated), mutated


def test_the_official_checksum_cannot_see_a_change_of_five_at_an_even_weight():
    # A documented limit of the Ministry's algorithm, not of ours: both are well-formed IDs.
    assert validators.is_valid_tw_national_id("A123456789")
    assert validators.is_valid_tw_national_id("A128456789")


def test_national_id_is_compacted_upper_cased_and_half_width():
    assert (
        validators.normalize_national_id(" ａ１２３-４５６ ７８９ ", country="tw") == "A123456789"
    )


def test_invalid_taiwan_national_id_raises_with_a_code():
    with pytest.raises(ValidationError) as error:
        validators.normalize_national_id("A123456788", country="TW")
    assert error.value.code == "invalid_national_id"
    assert "TW" in error.value.messages[0]


def test_national_id_without_an_issuing_country_is_refused():
    with pytest.raises(ValidationError) as error:
        validators.normalize_national_id("A123456789", country="")
    assert error.value.code == "id_country_missing"


def test_blank_national_id_is_blank_whatever_the_country():
    assert validators.normalize_national_id("  ", country="") == ""


# --- other countries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "value", "expected"),
    [
        ("US", "536-90-4399", "536904399"),
        ("CN", "11010519491231002x", "11010519491231002X"),
    ],
)
def test_other_countries_ids_are_checked_by_stdnum(country, value, expected):
    assert validators.normalize_national_id(value, country=country) == expected


@pytest.mark.parametrize(
    ("country", "value"),
    [
        ("US", "078-05-1120"),  # the Woolworth wallet number, blacklisted
        ("US", "000-12-3456"),
        ("CN", "110105194912310021"),  # check character off
    ],
)
def test_other_countries_invalid_ids_are_refused(country, value):
    with pytest.raises(ValidationError):
        validators.normalize_national_id(value, country=country)


@pytest.mark.parametrize("country", sorted(validators._STDNUM_PERSONAL_IDS))
def test_every_listed_country_has_a_stdnum_module(country):
    module = validators.national_id_validator(country)
    assert callable(module.validate)


def test_country_without_a_known_scheme_falls_back_to_a_plain_format_check():
    assert validators.national_id_validator("ZZ") is None
    assert validators.normalize_national_id("ab 12-34", country="ZZ") == "AB1234"


@pytest.mark.parametrize("value", ["AB1", "AB!1234", "X" * 31])
def test_unknown_country_fallback_refuses_implausible_values(value):
    with pytest.raises(ValidationError):
        validators.normalize_national_id(value, country="ZZ")


# --- Taiwan unified business number -----------------------------------------------------

UBN_WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)


def ubn_total(number: str) -> int:
    return sum(sum(divmod(int(d) * w, 10)) for d, w in zip(number, UBN_WEIGHTS, strict=True))


@pytest.mark.parametrize(
    "value", ["04595257", "00501503", "22099131", "０４５９５２５７", "0459-5257"]
)
def test_valid_business_numbers_are_compacted(value):
    assert validators.normalize_tw_business_number(value) == re.sub(
        r"\D", "", validators.to_half_width(value)
    )


def test_seventh_digit_seven_may_count_as_one():
    # 7 x 4 = 28 -> 2 + 8 = 10, which the rule also lets count as 1.
    number = "1000007"
    last = next(d for d in "0123456789" if ubn_total(number + d) % 10 == 9)
    assert validators.normalize_tw_business_number(number + last) == number + last


def test_business_number_issued_under_the_2023_divisible_by_five_rule_is_valid():
    # Since April 2023 the Ministry of Finance issues numbers whose total is divisible by 5.
    number = "1234567"
    last = next(d for d in "0123456789" if ubn_total(number + d) % 10 == 5)
    assert validators.normalize_tw_business_number(number + last) == number + last


@pytest.mark.parametrize("value", ["00501502", "04595258", "1234567", "123456789", "abcdefgh", ""])
def test_invalid_business_numbers_are_refused(value):
    with pytest.raises(ValidationError) as error:
        validators.normalize_tw_business_number(value)
    assert error.value.code == "invalid_ubn"


# --- email ------------------------------------------------------------------------------


def test_email_domain_is_lower_cased_and_local_part_kept():
    assert validators.normalize_email(" Grace.Chen@Example.COM ") == "Grace.Chen@example.com"


def test_full_width_email_is_read_as_ascii():
    assert validators.normalize_email("ｇｒａｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ") == "grace@example.com"


@pytest.mark.parametrize("value", ["notanemail", "grace@@example.com", "grace@", ""])
def test_invalid_email_raises_with_the_value_in_the_message(value):
    with pytest.raises(ValidationError) as error:
        validators.normalize_email(value)
    assert error.value.code == "invalid_email"
    assert f"“{value}”" in error.value.messages[0]


# --- phone ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "e164", "is_mobile"),
    [
        ("0912-345-678", "+886912345678", True),
        ("+886 912 345 678", "+886912345678", True),
        ("０９１２３４５６７８", "+886912345678", True),
        ("(02) 2345-6789", "+886223456789", False),
        ("+886-2-2345-6789", "+886223456789", False),
    ],
)
def test_phone_numbers_typed_any_common_way_become_e164(typed, e164, is_mobile):
    phone = validators.parse_phone(typed)
    assert phone.e164 == e164
    assert phone.is_mobile is is_mobile
    assert phone.phone_type == ("mobile" if is_mobile else "fixed")


def test_phone_national_form_is_how_taiwanese_write_it():
    assert validators.parse_phone("+886912345678").national == "0912 345 678"


def test_local_number_is_read_in_the_region_given():
    assert validators.parse_phone("(212) 555-0100", region="US").e164 == "+12125550100"


def test_default_region_comes_from_settings(settings):
    settings.DEFAULT_PHONE_REGION = "US"
    assert validators.parse_phone("(212) 555-0100").e164 == "+12125550100"


@pytest.mark.parametrize("typed", ["12", "0212345678", "09123456789", "abc", "", "+886 0"])
def test_impossible_phone_number_raises_with_a_message(typed):
    with pytest.raises(ValidationError) as error:
        validators.parse_phone(typed)
    assert error.value.code == "invalid_phone"
    assert "is not a phone number that can exist" in error.value.messages[0]


def test_phone_search_forms_fall_back_to_bare_digits():
    assert validators.phone_search_forms("0912 345 678") == ["+886912345678"]
    assert validators.phone_search_forms("12-34") == ["1234"]
    assert validators.phone_search_forms("---") == []


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  grace   chen ", "Grace Chen"),
        ("JOHN SMITH", "John Smith"),
        ("john smith", "John Smith"),
        ("ｊｏｈｎ\u3000ｓｍｉｔｈ", "John Smith"),
        ("McDonald", "McDonald"),
        ("ronald McDONALD", "Ronald McDONALD"),
        ("mary-jane o'brien", "Mary-Jane O'Brien"),
        ("jan van der berg", "Jan van der Berg"),
        ("DE LA CRUZ", "De la Cruz"),
        ("van der berg", "Van der Berg"),
        ("陳 怡君", "陳 怡君"),
        ("  陳怡君  ", "陳怡君"),
        ("陳 grace", "陳 grace"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_name(typed, expected):
    assert validators.normalize_name(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("grace du", "Grace Du"), ("MEI-LING LE", "Mei-Ling Le"), ("Grace Di", "Grace Di")],
)
def test_a_surname_spelt_like_a_particle_keeps_its_capital_at_the_end(typed, expected):
    # Du (杜), Le (黎), Di (狄) are surnames; a particle never ends a name.
    assert validators.normalize_name(typed) == expected


def test_normalize_name_composes_accents():
    assert validators.normalize_name("jose\u0301") == "José"


@pytest.mark.parametrize("typed", ["ß", "ﬁona", "İİ"])
def test_words_whose_case_mapping_changes_length_are_left_as_typed(typed):
    # Upper-casing ß gives SS and lower-casing İ gives i + a combining dot: that would spell
    # a different name, so such words keep the case they were typed in.
    assert validators.normalize_name(typed) == typed


@pytest.mark.parametrize(
    ("typed", "expected"), [("strauß", "Strauß"), ("İLKER", "İlker"), ("ÉMILE ZOLA", "Émile Zola")]
)
def test_non_ascii_letters_are_cased_when_their_length_holds(typed, expected):
    assert validators.normalize_name(typed) == expected


NAME_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        st.sampled_from(" \u3000\tabcXYZ-'ßİıﬁ陳怡君ＡＢｃ"),
    ),
    max_size=40,
)


@given(NAME_TEXT)
@example("ß")
@example("ı\u0307")
@example("İİ")
@example("ﬁ")
@example("de")
def test_normalize_name_is_idempotent(text):
    once = validators.normalize_name(text)
    assert validators.normalize_name(once) == once


@given(NAME_TEXT)
@example("ß")
@example("İİ")
def test_normalize_name_is_never_longer_than_the_nfc_input(text):
    assert len(validators.normalize_name(text)) <= len(unicodedata.normalize("NFC", text))


CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


@given(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
            st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
            st.sampled_from(" ab\u3000ＡＢ"),
        ),
        max_size=20,
    )
)
def test_normalize_name_keeps_cjk_characters_in_order(text):
    nfc = unicodedata.normalize("NFC", text)
    assert CJK.findall(validators.normalize_name(text)) == CJK.findall(nfc)


def test_to_half_width_leaves_cjk_alone():
    assert validators.to_half_width("陳ＡＢ１２\u3000怡君") == "陳AB12 怡君"


# --- date of birth ----------------------------------------------------------------------

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize(
    "born",
    [TODAY, TODAY - timedelta(days=1), date(1905, 6, 15), date(2000, 2, 29), None],
)
def test_plausible_dates_of_birth_pass(born):
    assert validators.validate_date_of_birth(born, today=TODAY) is None


def test_date_of_birth_in_the_future_is_refused():
    with pytest.raises(ValidationError) as error:
        validators.validate_date_of_birth(TODAY + timedelta(days=1), today=TODAY)
    assert error.value.code == "future"


def test_date_of_birth_more_than_120_years_ago_is_refused():
    with pytest.raises(ValidationError) as error:
        validators.validate_date_of_birth(date(1905, 6, 14), today=TODAY)
    assert error.value.code == "too_old"
    assert "120" in error.value.messages[0]


def test_on_29_february_the_oldest_date_is_28_february_when_that_year_had_none():
    leap_day = date(2020, 2, 29)  # 1900 was not a leap year
    validators.validate_date_of_birth(date(1900, 2, 28), today=leap_day)
    with pytest.raises(ValidationError):
        validators.validate_date_of_birth(date(1900, 2, 27), today=leap_day)


def test_on_29_february_the_oldest_date_is_29_february_when_that_year_had_one():
    leap_day = date(2024, 2, 29)
    validators.validate_date_of_birth(date(1904, 2, 29), today=leap_day)
    with pytest.raises(ValidationError):
        validators.validate_date_of_birth(date(1904, 2, 28), today=leap_day)


# --- postal codes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "typed", "expected"),
    [
        ("TW", "100", "100"),
        ("TW", "10001", "10001"),
        ("TW", "100001", "100001"),
        ("tw", "１０６", "106"),
        ("US", "94105", "94105"),
        ("US", "94105-1234", "94105-1234"),
        ("GB", "sw1a 1aa", "SW1A 1AA"),
        ("JP", "100-0001", "100-0001"),
        ("XX", " anything  goes ", "ANYTHING GOES"),
        ("", "12", "12"),
        ("TW", "", ""),
    ],
)
def test_postal_codes_that_fit_their_country_pass(country, typed, expected):
    assert validators.normalize_postal_code(typed, country=country) == expected


@pytest.mark.parametrize(
    ("country", "typed"),
    [("TW", "10"), ("TW", "1000"), ("TW", "1000001"), ("US", "9410"), ("US", "94105-12")],
)
def test_postal_codes_that_do_not_fit_their_country_are_refused(country, typed):
    with pytest.raises(ValidationError) as error:
        validators.normalize_postal_code(typed, country=country)
    assert error.value.code == "invalid_postal_code"
