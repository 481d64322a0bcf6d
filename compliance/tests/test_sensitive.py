"""The special-category detector: a pure rule over text, English and Traditional Chinese,
tested both ways (what it must flag, what it must leave alone)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.sensitive import Category, flag_codes, special_categories

FLAGGED = [
    ("Client was diagnosed with diabetes last year", Category.HEALTH),
    ("Wife is pregnant, wants to pause investing", Category.HEALTH),
    ("On medication for anxiety; spoke slowly", Category.HEALTH),
    ("Hospitalised in March after a heart attack", Category.HEALTH),
    ("客戶罹患癌症，正在化療", Category.HEALTH),
    ("先生有糖尿病", Category.HEALTH),
    ("因憂鬱症請假三個月", Category.HEALTH),
    ("上週住院開刀", Category.HEALTH),
    ("女兒懷孕了", Category.HEALTH),
    ("Has a criminal record for fraud", Category.CRIMINAL),
    ("Was sentenced to two years in 2015", Category.CRIMINAL),
    ("他有前科", Category.CRIMINAL),
    ("曾被判刑入獄", Category.CRIMINAL),
    ("Devout Buddhist, avoid meat at dinners", Category.RELIGION),
    ("宗教信仰為基督徒", Category.RELIGION),
    ("Strong political views, avoid the topic", Category.POLITICS),
    ("是國民黨黨員", Category.POLITICS),
    ("支持某政黨", Category.POLITICS),
    ("Chairs the bank workers' trade union", Category.TRADE_UNION),
    ("擔任工會理事長", Category.TRADE_UNION),
    ("Lives with his same-sex partner", Category.SEXUAL_ORIENTATION),
    ("Openly gay, partner is also a client", Category.SEXUAL_ORIENTATION),
    ("性傾向為同性戀", Category.SEXUAL_ORIENTATION),
    ("Ethnicity noted at onboarding", Category.ETHNICITY),
    ("原住民身分", Category.ETHNICITY),
    ("Fingerprint on file for the safe box", Category.BIOMETRIC_GENETIC),
    ("做過基因檢測", Category.BIOMETRIC_GENETIC),
]

INNOCENT = [
    "Interested in cancer insurance and a critical illness rider",
    "想了解癌症險與住院醫療險",
    "Health insurance renewal due in May",
    "長照險保單到期",
    "Birthday party at the Grand Hotel on Friday",
    "Pays with UnionPay; European Union bond fund",
    "Wants a moderate risk portfolio, RR3 at most",
    "Great Depression era history buff",
    "Lives on Church Street near the temple market",
    "Ran a marathon race in Taipei",
    "年輕族群客戶偏好數位服務",
    "生技基金表現不錯",
    "Conviction: the market will recover",
    "Prefers morning calls; CFO of a listed company",
    "想投資台積電與美國公債",
    "",
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_special_category_text_is_flagged(text, category):
    assert category in special_categories(text)


@pytest.mark.parametrize("text", INNOCENT)
def test_ordinary_banking_notes_are_not_flagged(text):
    assert special_categories(text) == frozenset()


def test_several_categories_are_found_together_and_stored_sorted():
    assert flag_codes("前科累累，且有糖尿病; member of a trade union") == [
        "criminal",
        "health",
        "trade_union",
    ]


def test_english_matching_ignores_case_but_needs_whole_words():
    assert special_categories("DIAGNOSED WITH CANCER") == {Category.HEALTH}
    assert special_categories("Hivemind analytics; diabetesfree") == frozenset()


@given(st.text(max_size=300))
def test_any_text_gives_known_categories_without_error(text):
    found = special_categories(text)
    assert found <= set(Category)
    assert flag_codes(text) == sorted(c.value for c in found)


@given(
    before=st.text(alphabet="abcdefghij 0123456789", max_size=40),
    after=st.text(alphabet="abcdefghij 0123456789", max_size=40),
    case=st.sampled_from(FLAGGED),
)
def test_a_sensitive_sentence_is_found_whatever_surrounds_it(before, after, case):
    text, category = case
    assert category in special_categories(f"{before}. {text}. {after}")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz 0123456789,.", max_size=200))
def test_flagging_does_not_depend_on_letter_case(text):
    assert special_categories(text) == special_categories(text.upper())
