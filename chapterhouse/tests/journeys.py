"""The pages of the main journeys, with the data to show on each, built with the factories.

Shared by the phone-width browser test (tests/browser/test_phones.py) and the
page-weight test (tests/test_page_weight.py), so both look at the same pages: home,
a chapter and its sections, the members list, a profile, the decisions list, a
proposal in deliberation, one in voting with the ranked ballot, a decision record,
a forum and a thread, notifications, the settings pages, the map, and sign-up and
login for a visitor.
"""

from __future__ import annotations

from dataclasses import dataclass

from chapterhouse.decisions.tests.factories import (
    chapter,
    close,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)
from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.tests.factories import make_notices

HACKNEY = "gb/eng/london/hackney"
# Long names, as members really have them, so that nothing fits by luck.
OPTIONS = [
    {"label": "Plant sessile oaks along the northern edge of the square"},
    {"label": "Small-leaved limes around the playground"},
    {"label": "Elms resistant to Dutch elm disease"},
    {"label": "Wild cherries by the library entrance"},
]


@dataclass(frozen=True)
class Journeys:
    member: Member
    email: str
    member_pages: list[tuple[str, str]]  # (name, URL) seen signed in
    visitor_pages: list[tuple[str, str]]  # seen signed out


def build_people() -> list[Member]:
    """Three members in Hackney, and chapters beside Hackney, London and England (for the
    breadcrumb's dropdowns)."""
    ada = make_member("Ada Hackney-Lovelace", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    ben = make_member("Benedikt Oberhausen-Schwarzenberg", city="London",
                      neighbourhood="Hackney", email="ben@example.org")
    cal = make_member("Chiamaka Okonkwo-Adeyemi", city="London", neighbourhood="Hackney",
                      email="cal@example.org")
    make_member("Dmitri Kensington", city="London", neighbourhood="Kensington and Chelsea")
    make_member("Eilidh MacLeod", city="Edinburgh", region=("GB-SCT", "Scotland"))
    make_member("Femi Mancunian", city="Manchester")
    return [ada, ben, cal]


def build_journeys() -> Journeys:
    ada, ben, cal = build_people()
    set_rule(chapter(HACKNEY), "policy", method="schulze", params={})
    deliberation = in_deliberation(
        ada, title="A community fridge outside the library, open every day of the week",
    )
    voting = in_voting(ada, category="policy", title="Trees for the square", options=OPTIONS)
    decided = in_voting(ben, category="policy", title="Which trees do we plant by the canal?",
                        options=OPTIONS)
    vote(decided, ada, {"ranking": ["o1", "o2", "o3", "o4"]})
    vote(decided, ben, {"ranking": ["o4", "o3", "o2", "o1"]})
    vote(decided, cal, {"ranking": ["o2", "o1"]})
    record = close(decided)
    thread = make_thread(ada, title="Where shall we meet for the spring clean-up?", replies=3)
    make_notices(ada, 5)
    chapters = [
        ("chapter", f"/c/{HACKNEY}/"),
        ("chapter-members", f"/c/{HACKNEY}/members/"),
        ("chapter-subchapters", "/c/gb/eng/chapters/"),
        ("chapter-decisions", f"/decisions/c/{HACKNEY}/"),
        ("chapter-forum", f"/forums/{HACKNEY}/"),
    ]
    return Journeys(
        member=ada,
        email="ada@example.org",
        member_pages=[
            ("home", "/"),
            ("chapters", "/c/"),
            ("my-chapters", "/c/mine/"),
            *chapters,
            ("profile", ben.get_absolute_url()),
            ("decisions", "/decisions/"),
            ("proposal-deliberation", deliberation.get_absolute_url()),
            ("proposal-voting", voting.get_absolute_url()),
            ("decision-record", f"/decisions/d/{record.proposal.public_id}/"),
            ("thread", thread.get_absolute_url()),
            ("notifications", "/notifications/"),
            ("notification-settings", "/notifications/settings/"),
            ("settings", "/me/edit/"),
            ("location", "/me/location/"),
            ("map", "/map/"),
        ],
        visitor_pages=[
            ("signup", "/accounts/signup/"),
            ("login", "/accounts/login/"),
            ("visitor-chapter", f"/c/{HACKNEY}/"),
            ("visitor-decisions", "/decisions/"),
        ],
    )
