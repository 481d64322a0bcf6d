"""The demo's members of staff: fixed usernames, one shared password, every role. Plain data."""

from dataclasses import dataclass

from core import roles

# Printed at the end of every run: demo data only, never a real deployment.
DEMO_PASSWORD = "prudence-demo"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    team: str = ""
    language: str = "en"
    is_staff: bool = False
    # Relative size of the book this person keeps; zero for staff with no book.
    book_weight: int = 0


# Everyone has current privacy training except this RM, who shows what the gate looks like.
UNTRAINED = "rm_helen"

RM = (roles.RELATIONSHIP_MANAGER,)
LEAD = (roles.RELATIONSHIP_MANAGER, roles.TEAM_LEAD)

TAIPEI = "Taipei Private Banking"
HSINCHU = "Hsinchu SME"
TAICHUNG = "Taichung Wealth Management"
TEAMS = (TAIPEI, HSINCHU, TAICHUNG)

STAFF = (
    DemoUser("lead_tina", "Tina", "Huang", LEAD, TAIPEI, "zh-hant", book_weight=3),
    DemoUser("rm_alice", "Alice", "Chen", RM, TAIPEI, book_weight=10),
    DemoUser("rm_bob", "Bob", "Lin", RM, TAIPEI, "zh-hant", book_weight=9),
    DemoUser("rm_cindy", "Cindy", "Wang", RM, TAIPEI, "zh-hant", book_weight=8),
    DemoUser("lead_kevin", "Kevin", "Tsai", LEAD, HSINCHU, "zh-hant", book_weight=3),
    DemoUser("rm_eric", "Eric", "Chang", RM, HSINCHU, book_weight=9),
    DemoUser("rm_fiona", "Fiona", "Lee", RM, HSINCHU, "zh-hant", book_weight=8),
    DemoUser("lead_wendy", "Wendy", "Wu", LEAD, TAICHUNG, "zh-hant", book_weight=3),
    DemoUser("rm_gary", "Gary", "Liu", RM, TAICHUNG, "zh-hant", book_weight=9),
    DemoUser("rm_helen", "Helen", "Yang", RM, TAICHUNG, book_weight=8),
    DemoUser("reviewer_ryan", "Ryan", "Hsu", (roles.REVIEWER,), TAIPEI),
    DemoUser("dpo_carol", "Carol", "Cheng", (roles.COMPLIANCE,), language="zh-hant", is_staff=True),
    DemoUser("admin_dave", "Dave", "Kuo", (roles.ADMINISTRATOR,), is_staff=True),
)
