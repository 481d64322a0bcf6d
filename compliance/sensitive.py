"""Does this free text look like special-category personal data (GDPR Art. 9 and 10; Taiwan
PDPA Art. 6: medical records, health, genetics, sex life, criminal records)? A pure rule
over plain text, in English and Traditional Chinese. No database.

It flags for a person to look at; it does not decide. So it leans to fewer false alarms:
words that are mostly innocent in a bank's notes are left out ("party", "union", "race",
"church", "temple", "stroke", "probation"), and insurance products named after an illness
("cancer insurance", 癌症險, 住院醫療險) are a product interest, not a diagnosis.
"""

import re
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Category(StrEnum):
    HEALTH = "health"
    CRIMINAL = "criminal"
    RELIGION = "religion"
    POLITICS = "politics"
    TRADE_UNION = "trade_union"
    SEXUAL_ORIENTATION = "sexual_orientation"
    ETHNICITY = "ethnicity"
    BIOMETRIC_GENETIC = "biometric_genetic"


LABELS = {
    Category.HEALTH: _("health"),
    Category.CRIMINAL: _("criminal records"),
    Category.RELIGION: _("religion"),
    Category.POLITICS: _("political opinions"),
    Category.TRADE_UNION: _("trade-union membership"),
    Category.SEXUAL_ORIENTATION: _("sexual orientation"),
    Category.ETHNICITY: _("ethnicity"),
    Category.BIOMETRIC_GENETIC: _("biometric or genetic data"),
}


def labels(codes) -> list[str]:
    """Stored codes as words a person reads, in the active language."""
    return [str(LABELS[Category(code)]) for code in codes if code in Category._value2member_map_]


# English: whole words or phrases, case-insensitive. Chinese: substrings (no word breaks).
_ENGLISH: dict[Category, tuple[str, ...]] = {
    Category.HEALTH: (
        r"diagnos(?:is|ed|es)",
        r"cancer",
        r"tumou?rs?",
        r"chemo(?:therapy)?",
        r"diabet(?:es|ic)",
        r"clinical depression",
        r"depressive",
        r"anxiety disorder",
        r"bipolar",
        r"schizophreni[ac]",
        r"dementia",
        r"alzheimer'?s",
        r"parkinson'?s",
        r"hiv",
        r"aids patient",
        r"hospitali[sz](?:ed|ation)",
        r"in hospital",
        r"(?:had|has|having|needs|needed|underwent) (?:an? )?(?:surgery|operation)",
        r"heart attack",
        r"pregnan(?:t|cy)",
        r"miscarriage",
        r"disabled",
        r"disabilit(?:y|ies)",
        r"wheelchair",
        r"medications?",
        r"prescribed",
        r"mental (?:health|illness)",
        r"illness(?:es)?",
        r"terminally ill",
        r"dialysis",
        r"autis(?:m|tic)",
        r"adhd",
    ),
    Category.CRIMINAL: (
        r"criminal (?:record|conviction|charges?|case)",
        r"convicted",
        r"sentenced",
        r"imprison(?:ed|ment)",
        r"in (?:prison|jail)",
        r"jailed",
        r"on parole",
        r"arrested",
        r"indicted",
        r"on bail",
        r"prior convictions?",
    ),
    Category.RELIGION: (
        r"religio(?:n|us)",
        r"christian",
        r"catholic",
        r"muslim",
        r"islamic",
        r"buddhist",
        r"taoist",
        r"jewish",
        r"hindu",
        r"atheist",
        r"mosque",
        r"synagogue",
        r"goes to church",
        r"attends church",
    ),
    Category.POLITICS: (
        r"political (?:party|parties|views?|opinions?|affiliation|leanings?)",
        r"kmt",
        r"kuomintang",
        r"democratic progressive party",
        r"votes? for",
        r"party member(?:ship)?",
    ),
    Category.TRADE_UNION: (
        r"trade unions?",
        r"labou?r unions?",
        r"union member(?:ship)?",
        r"unioni[sz]ed",
    ),
    Category.SEXUAL_ORIENTATION: (
        r"sexual orientation",
        r"gay",
        r"lesbian",
        r"bisexual",
        r"homosexual",
        r"transgender",
        r"lgbtq?\+?",
        r"same-sex partner",
    ),
    Category.ETHNICITY: (
        r"ethnic(?:ity|ities)?",
        r"racial",
        r"indigenous",
        r"aboriginal",
    ),
    Category.BIOMETRIC_GENETIC: (
        r"fingerprints?",
        r"dna",
        r"genetic",
        r"genome",
        r"biometric",
        r"facial recognition",
        r"iris scan",
    ),
}

_CHINESE: dict[Category, tuple[str, ...]] = {
    Category.HEALTH: (
        "癌症",
        "罹癌",
        "腫瘤",
        "化療",
        "糖尿病",
        "憂鬱症",
        "躁鬱症",
        "思覺失調",
        "失智",
        "帕金森",
        "愛滋",
        "住院",
        "開刀",
        "手術",
        "心臟病",
        "中風",
        "洗腎",
        "懷孕",
        "流產",
        "身心障礙",
        "殘障",
        "輪椅",
        "診斷",
        "服藥",
        "用藥",
        "處方",
        "病情",
        "重病",
        "精神疾病",
        "自閉症",
    ),
    Category.CRIMINAL: (
        "前科",
        "判刑",
        "入獄",
        "坐牢",
        "服刑",
        "犯罪紀錄",
        "犯罪記錄",
        "假釋",
        "緩刑",
        "被起訴",
        "遭起訴",
        "被逮捕",
        "交保",
    ),
    Category.RELIGION: (
        "宗教",
        "基督徒",
        "天主教",
        "佛教徒",
        "道教",
        "穆斯林",
        "回教",
        "伊斯蘭",
        "教會",
        "信徒",
    ),
    Category.POLITICS: (
        "政黨",
        "黨員",
        "國民黨",
        "民進黨",
        "民眾黨",
        "時代力量",
        "政治立場",
        "政治傾向",
        "支持藍營",
        "支持綠營",
    ),
    Category.TRADE_UNION: ("工會",),
    Category.SEXUAL_ORIENTATION: (
        "性傾向",
        "性取向",
        "同性戀",
        "雙性戀",
        "跨性別",
        "同性伴侶",
    ),
    Category.ETHNICITY: ("種族", "族裔", "原住民"),
    Category.BIOMETRIC_GENETIC: ("指紋", "基因", "生物特徵", "臉部辨識", "人臉辨識", "虹膜"),
}

# Named products and common phrases that contain a flagged word but say nothing about the
# person: removed before matching.
_HARMLESS = re.compile(
    r"(?:health|medical|cancer|critical[- ]illness|hospital(?:i[sz]ation)?|disability|"
    r"long[- ]term[- ]care|life)[- ](?:insurance|cover|policy|policies|plan|rider|fund)s?"
    r"|great depression"
    r"|(?:癌症|住院|醫療|重大疾病|重疾|長照|失能|手術|意外)(?:醫療)?(?:險|保險|保單|附約|給付)"
    r"|生技基金|基因(?:科技|產業)?(?:股|基金)",
    re.IGNORECASE,
)

_ENGLISH_PATTERNS = {
    category: re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)
    for category, words in _ENGLISH.items()
}
_CHINESE_PATTERNS = {
    category: re.compile("|".join(re.escape(w) for w in words))
    for category, words in _CHINESE.items()
}


def special_categories(text: str) -> frozenset[Category]:
    """The special categories the text seems to mention; empty when none."""
    if not text:
        return frozenset()
    cleaned = _HARMLESS.sub(" ", text)
    found = set()
    for category in Category:
        if _ENGLISH_PATTERNS[category].search(cleaned) or _CHINESE_PATTERNS[category].search(
            cleaned
        ):
            found.add(category)
    return frozenset(found)


def flag_codes(text: str) -> list[str]:
    """``special_categories`` as a sorted list of codes, as stored on a row."""
    return sorted(c.value for c in special_categories(text))
