"""Kinds of client in the demo book, and which kinds each team serves. Plain data.

A profile ties together what makes a book believable: a retiree is conservative and likes
time deposits, an SME owner runs a small company and asks about FX hedging. Tags are given by
vocabulary code (contacts.0003_seed_vocabulary); codes an administrator has removed are skipped.
"""

from dataclasses import dataclass

from crm.demo import staff

CONSERVATIVE, MODERATE, AGGRESSIVE = "conservative", "moderate", "aggressive"

# Products that only suit a moderate or aggressive profile; never tagged on a conservative one.
RISKY_PRODUCTS = frozenset(
    {
        "invest-structured-products",
        "invest-derivatives",
        "invest-private-equity",
        "invest-high-yield-bonds",
        "invest-us-equities",
        "invest-japan-equities",
        "invest-equity",
        "invest-alternatives",
    }
)

COMMON_INTERESTS = (
    "interest-travel",
    "interest-golf",
    "interest-hiking",
    "interest-fine-dining",
    "interest-sports",
    "interest-lifestyle",
    "interest-tea",
    "interest-cycling",
    "interest-classical-music",
    "interest-arts-culture",
)


@dataclass(frozen=True)
class Profile:
    segments: tuple[str, ...]
    ages: tuple[int, int]
    # Weights of conservative, moderate, aggressive.
    risk: tuple[int, int, int]
    # Kind of job (crm.demo.catalogue.TITLES) and how likely one is on record.
    job: str
    employed: float
    # Whether the employer is a small company (True), a large one (False), or either (None).
    sme: bool | None
    invest: tuple[str, ...]
    interests: tuple[str, ...]
    # Weights of prospect, client, former client.
    lifecycle: tuple[int, int, int] = (30, 60, 10)
    english_name: float = 0.4


PROFILES = {
    "uhnw": Profile(
        segments=("segment-uhnw",),
        ages=(45, 82),
        risk=(15, 40, 45),
        job="owner",
        employed=0.7,
        sme=False,
        invest=(
            "invest-private-equity",
            "invest-structured-products",
            "invest-us-equities",
            "invest-reits",
            "invest-gold",
            "invest-corporate-bonds",
            "invest-foreign-currency-deposits",
            "invest-alternatives",
        ),
        interests=(
            "interest-art-collecting",
            "interest-wine",
            "interest-philanthropy",
            "interest-estate-planning",
            "interest-tax-planning",
        ),
        lifecycle=(15, 80, 5),
    ),
    "hnw": Profile(
        segments=("segment-hnw", "segment-hnw", "segment-hnw", "segment-individual"),
        ages=(40, 78),
        risk=(25, 45, 30),
        job="executive",
        employed=0.6,
        sme=None,
        invest=(
            "invest-structured-products",
            "invest-corporate-bonds",
            "invest-us-equities",
            "invest-taiwan-equities",
            "invest-mutual-funds",
            "invest-savings-insurance",
            "invest-foreign-currency-deposits",
            "invest-esg",
            "invest-derivatives",
        ),
        interests=(
            "interest-golf",
            "interest-wine",
            "interest-estate-planning",
            "interest-education-planning",
            "interest-art-collecting",
        ),
    ),
    "mass_affluent": Profile(
        segments=("segment-mass-affluent",),
        ages=(30, 62),
        risk=(35, 45, 20),
        job="staff",
        employed=0.75,
        sme=None,
        invest=(
            "invest-mutual-funds",
            "invest-etfs",
            "invest-taiwan-equities",
            "invest-savings-insurance",
            "invest-time-deposits",
            "invest-funds",
            "invest-monthly-income-funds",
        ),
        interests=("interest-education-planning", "interest-retirement-planning"),
    ),
    "young": Profile(
        segments=("segment-young-professional",),
        ages=(24, 36),
        risk=(10, 45, 45),
        job="professional",
        employed=0.85,
        sme=False,
        invest=(
            "invest-etfs",
            "invest-us-equities",
            "invest-esg",
            "invest-taiwan-equities",
            "invest-investment-linked-insurance",
        ),
        interests=("interest-travel", "interest-cycling", "interest-hiking"),
        lifecycle=(45, 50, 5),
        english_name=0.6,
    ),
    "retiree": Profile(
        segments=("segment-retiree",),
        ages=(62, 90),
        risk=(70, 28, 2),
        job="staff",
        employed=0.0,
        sme=None,
        invest=(
            "invest-time-deposits",
            "invest-government-bonds",
            "invest-monthly-income-funds",
            "invest-savings-insurance",
            "invest-fixed-income",
        ),
        interests=("interest-retirement-planning", "interest-tea", "interest-estate-planning"),
        lifecycle=(10, 75, 15),
        english_name=0.15,
    ),
    "sme_owner": Profile(
        segments=("segment-sme-owner",),
        ages=(35, 72),
        risk=(20, 50, 30),
        job="owner",
        employed=0.95,
        sme=True,
        invest=(
            "invest-foreign-currency-deposits",
            "invest-corporate-bonds",
            "invest-structured-products",
            "invest-taiwan-equities",
            "invest-savings-insurance",
        ),
        interests=("interest-golf", "interest-tax-planning", "interest-estate-planning"),
    ),
    "executive": Profile(
        segments=("segment-corporate-executive",),
        ages=(38, 66),
        risk=(20, 50, 30),
        job="executive",
        employed=0.95,
        sme=False,
        invest=(
            "invest-us-equities",
            "invest-etfs",
            "invest-corporate-bonds",
            "invest-esg",
            "invest-structured-products",
        ),
        interests=("interest-golf", "interest-education-planning", "interest-wine"),
    ),
    "licensed": Profile(
        segments=("segment-licensed-professional",),
        ages=(30, 68),
        risk=(30, 50, 20),
        job="professional",
        employed=0.9,
        sme=True,
        invest=(
            "invest-mutual-funds",
            "invest-government-bonds",
            "invest-savings-insurance",
            "invest-reits",
            "invest-taiwan-equities",
        ),
        interests=("interest-classical-music", "interest-travel", "interest-tax-planning"),
    ),
    "institutional": Profile(
        segments=("segment-family-office", "segment-foundation", "segment-pension-fund"),
        ages=(35, 70),
        risk=(30, 50, 20),
        job="executive",
        employed=1.0,
        sme=False,
        invest=(
            "invest-government-bonds",
            "invest-corporate-bonds",
            "invest-private-equity",
            "invest-esg",
        ),
        interests=("interest-philanthropy",),
        lifecycle=(30, 65, 5),
    ),
    # Children in a client household, tied to a parent by "guardian of".
    "minor": Profile(
        segments=("segment-individual",),
        ages=(6, 17),
        risk=(1, 0, 0),
        job="staff",
        employed=0.0,
        sme=None,
        invest=("invest-time-deposits",),
        interests=(),
        lifecycle=(20, 80, 0),
        english_name=0.3,
    ),
}

# Which kinds of client each team's book holds, by weight.
TEAM_MIX = {
    staff.TAIPEI: {
        "uhnw": 6,
        "hnw": 30,
        "executive": 18,
        "licensed": 12,
        "mass_affluent": 12,
        "retiree": 10,
        "young": 7,
        "institutional": 5,
    },
    staff.HSINCHU: {
        "sme_owner": 35,
        "executive": 20,
        "young": 20,
        "hnw": 10,
        "mass_affluent": 10,
        "licensed": 5,
    },
    staff.TAICHUNG: {
        "mass_affluent": 30,
        "retiree": 20,
        "sme_owner": 20,
        "hnw": 12,
        "young": 10,
        "licensed": 8,
    },
}
