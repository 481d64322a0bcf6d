"""Search tokens (pure) and the ``has_tokens`` lookup that serves them (database)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contacts.models import Contact, ContactPointKind
from contacts.search import contact_tokens, query_tokens
from contacts.services.details import contact_point_add
from contacts.tests import factories


def tokens_of(**kwargs) -> set[str]:
    value = contact_tokens(**{"names": [], "emails": [], "phones": [], **kwargs})
    return set(value.split())


def matches(query: str, **kwargs) -> bool:
    wanted = query_tokens(query)
    return bool(wanted) and set(wanted) <= tokens_of(**kwargs)


# --- contact_tokens ---------------------------------------------------------------------


def test_tokens_are_space_padded_and_sorted():
    value = contact_tokens(names=["Grace"], emails=[], phones=[])
    assert value == " gr gra grac grace "


def test_a_contact_with_nothing_searchable_has_no_tokens():
    assert contact_tokens(names=["", " "], emails=[], phones=[]) == ""


def test_every_substring_of_a_chinese_name_is_a_token():
    assert tokens_of(names=["陳怡君"]) == {"陳", "怡", "君", "陳怡", "怡君", "陳怡君"}


def test_latin_words_give_lower_case_prefixes_from_two_letters():
    tokens = tokens_of(names=["Grace Chen"])
    assert {"gr", "gra", "grac", "grace", "ch", "che", "chen"} <= tokens
    assert "g" not in tokens
    assert "Grace" not in tokens


def test_hyphenated_and_apostrophe_names_are_searchable_by_each_part():
    tokens = tokens_of(names=["Mary-Jane O'Brien"])
    assert {"mary-jane", "mary", "jane", "o'brien", "brien"} <= tokens


def test_full_width_latin_names_are_tokenised_as_ascii():
    assert "grace" in tokens_of(names=["ＧＲＡＣＥ"])


def test_email_tokens_are_the_address_its_local_part_and_its_words_lower_cased():
    tokens = tokens_of(emails=["Grace.Chen@example.com"])
    assert {"grace.chen@example.com", "grace.chen", "grace", "chen", "gr", "ch"} <= tokens
    assert not {"example", "example.com", "com"} & tokens


def test_taiwan_phone_tokens_are_e164_national_and_last_four():
    assert tokens_of(phones=["+886912345678"]) == {"+886912345678", "0912345678", "5678"}


def test_foreign_phone_tokens_have_no_taiwanese_national_form():
    assert tokens_of(phones=["+12125550100"]) == {"+12125550100", "0100"}


# --- query_tokens -----------------------------------------------------------------------


def test_a_two_character_given_name_finds_the_full_chinese_name():
    assert query_tokens("怡君") == ["怡君"]
    assert matches("怡君", names=["陳怡君"])


def test_a_chinese_query_does_not_match_characters_out_of_order():
    assert not matches("君怡", names=["陳怡君"])


def test_latin_prefix_queries_match():
    assert matches("gra", names=["Grace Chen"])
    assert matches("Grace Ch", names=["Grace Chen"])
    assert not matches("race", names=["Grace Chen"])


def test_single_letters_are_not_searchable():
    assert query_tokens("g") == []


@pytest.mark.parametrize("query", ["", "   ", "-", "()"])
def test_a_query_with_nothing_searchable_has_no_tokens(query):
    assert query_tokens(query) == []


def test_an_email_query_is_matched_whole_and_case_blind():
    assert query_tokens(" Grace.Chen@Example.com ") == ["grace.chen@example.com"]
    assert matches("GRACE.CHEN@EXAMPLE.COM", emails=["Grace.Chen@example.com"])


def test_an_email_local_part_query_matches():
    assert matches("grace.chen", emails=["grace.chen@example.com"])


@pytest.mark.parametrize(
    "query", ["0912 345 678", "0912-345-678", "+886 912 345 678", "０９１２３４５６７８", "5678"]
)
def test_phone_queries_typed_any_way_match(query):
    assert matches(query, phones=["+886912345678"])


def test_four_digits_match_only_the_last_four():
    assert query_tokens("5678") == ["5678"]
    assert not matches("1234", phones=["+886912345678"])


def test_a_mixed_query_needs_every_part():
    phones = ["+886912345678"]
    assert matches("陳 5678", names=["陳怡君"], phones=phones)
    assert not matches("林 5678", names=["陳怡君"], phones=phones)


CJK_CHARACTER = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # unified ideographs
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),  # extension A
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),  # extension B: rare names
)


@given(st.text(alphabet=CJK_CHARACTER, min_size=2, max_size=4), st.data())
def test_every_contiguous_substring_of_a_chinese_name_finds_it(name, data):
    start = data.draw(st.integers(0, len(name) - 1))
    end = data.draw(st.integers(start + 1, len(name)))
    assert matches(name[start:end], names=[name])


def test_a_rare_character_outside_the_basic_plane_is_searchable():
    # 𡘙 (U+21619) is in extension B; such characters appear in registered Taiwanese names.
    assert matches("𡘙", names=["林𡘙"])
    assert matches("林𡘙", names=["林𡘙"])


# --- the database lookup ----------------------------------------------------------------


def search(query: str):
    return set(Contact.objects.filter(search_tokens__has_tokens=query_tokens(query)))


@pytest.fixture
def book(rm_user):
    grace = factories.make_contact(
        owner=rm_user, family_name="Chen", given_name="Grace", name_zh="陳怡君"
    )
    contact_point_add(actor=rm_user, contact=grace, kind=ContactPointKind.PHONE, value="0912345678")
    contact_point_add(
        actor=rm_user, contact=grace, kind=ContactPointKind.EMAIL, value="grace_chen@example.com"
    )
    ming = factories.make_contact(
        owner=rm_user, family_name="Lin", given_name="Ming", name_zh="林怡明"
    )
    contact_point_add(
        actor=rm_user, contact=ming, kind=ContactPointKind.EMAIL, value="gracexchen@example.com"
    )
    return {"grace": grace, "ming": ming}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("怡君", {"grace"}),
        ("怡", {"grace", "ming"}),
        ("陳怡君", {"grace"}),
        ("gra", {"grace", "ming"}),
        ("grace chen", {"grace"}),
        ("0912 345 678", {"grace"}),
        ("5678", {"grace"}),
        ("grace_chen@example.com", {"grace"}),
        ("gracexchen@example.com", {"ming"}),
        ("lin ming", {"ming"}),
        ("chen 林", set()),
        ("nobody", set()),
    ],
)
def test_has_tokens_finds_the_contacts_holding_every_token(book, query, expected):
    assert search(query) == {book[name] for name in expected}


@pytest.mark.django_db
@pytest.mark.parametrize("tokens", [["%"], ["gr%"], ["_race"], ["gr_ce"], ["grace_chen%"], ["怡_"]])
def test_percent_and_underscore_are_not_wildcards(book, tokens):
    assert not Contact.objects.filter(search_tokens__has_tokens=tokens).exists()


@pytest.mark.django_db
def test_an_underscore_in_an_email_matches_only_itself(book):
    found = Contact.objects.filter(search_tokens__has_tokens=["grace_chen"])
    assert list(found) == [book["grace"]]


@pytest.mark.django_db
def test_an_empty_token_list_filters_nothing_out(book):
    assert Contact.objects.filter(search_tokens__has_tokens=[]).count() == 2


@pytest.mark.django_db
def test_a_name_typed_in_characters_into_family_and_given_is_found_whole(rm_user):
    contact = factories.make_contact(owner=rm_user, family_name="陳", given_name="怡君")
    assert search("陳怡君") == {contact}
    assert search("陳怡") == {contact}
