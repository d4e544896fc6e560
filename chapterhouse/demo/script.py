"""The demo decisions' stagehands: who takes part, and each step of a proposal through
the real services with its clock set by `now=` (chapterhouse.demo.decisions tells the
story with them)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chapterhouse.chapters.models import Chapter, ChapterLevel
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import (
    Decision,
    Dissent,
    Proposal,
    ProposalEvent,
    ProposalVersion,
)
from chapterhouse.members.models import Member

from .people import DEMO_EMAIL

# How many of a roll vote, at most (a big roll is sampled: the demo stays quick).
MAX_VOTERS = 120
Say = Callable[[str], None]


@dataclass
class DecisionsReport:
    created: bool
    proposals: int = 0
    decisions: int = 0
    voting: list[str] = field(default_factory=list)  # titles the demo login can vote on
    reason: str = ""


@dataclass
class Places:
    city: Chapter
    region: Chapter
    country: Chapter
    world: Chapter
    neighbourhood: Chapter | None


class _Demo:
    def __init__(self, *, demo: Member, places: Places, rng: random.Random, now: datetime,
                 say: Say) -> None:
        self.demo = demo
        self.places = places
        self.rng = rng
        self.now = now
        self.say = say
        self.members: dict[int, list[Member]] = {}

    # -- People ----------------------------------------------------------------------------

    def people(self, chapter: Chapter, limit: int = 400) -> list[Member]:
        """Active members of `chapter` (the demo login first), a stable sample."""
        if chapter.pk not in self.members:
            rows = list(
                Member.objects.belonging_to(chapter).active()
                .exclude(pk=self.demo.pk).select_related("home_chapter", "user")
                .order_by("pk")[: limit * 4]
            )
            self.rng.shuffle(rows)
            self.members[chapter.pk] = [self.demo, *rows[:limit]]
        return self.members[chapter.pk]

    def someone(self, chapter: Chapter, *, besides: Sequence[Member] = ()) -> Member:
        skip = {m.pk for m in besides}
        others = [m for m in self.people(chapter) if m.pk not in skip and m.pk != self.demo.pk]
        return others[0] if others else self.demo

    def voters(self, proposal: Proposal, share: float, *, demo: bool) -> list[Member]:
        """A share of the roll (at least one, at most MAX_VOTERS); the demo login among
        them when `demo`, left out otherwise."""
        ids = list(
            _roll_members(proposal).exclude(pk=self.demo.pk).order_by("pk")
            .values_list("pk", flat=True)
        )
        self.rng.shuffle(ids)
        # Enough to meet the quorum (with a margin), else a sample.
        # The rule snapshot as stored when voting opened (the caller's copy may predate it).
        snapshot = Proposal.objects.values_list("rule_snapshot", flat=True).get(pk=proposal.pk)
        quorum = float(((snapshot or {}).get("params") or {}).get("quorum") or 0)
        needed = math.ceil(len(ids) * quorum * 1.25) + 1 if quorum else 0
        count = max(1, needed, min(MAX_VOTERS, math.ceil(len(ids) * share)))
        chosen = list(
            Member.objects.filter(pk__in=ids[:count]).select_related("home_chapter")
            .order_by("pk")
        )
        on_roll = selectors.weight_of(proposal, self.demo) is not None
        if demo and on_roll:
            chosen.insert(0, self.demo)
        return chosen

    # -- The steps of a proposal -----------------------------------------------------------

    def draft(self, *, chapter: Chapter, author: Member, title: str, text: str, category: str,
              options: Sequence[str] = (), payload: dict[str, Any] | None = None,
              groups: Sequence[tuple[Chapter, float, str]] = ()) -> Proposal:
        proposal = services.create_draft(
            chapter=chapter, author=author, title=title, text=text, category=category,
            options=options, payload=payload,
        )
        if groups:
            services.set_affected_groups(proposal=proposal, actor=author, groups=[
                services.GroupInput(chapter=c, weight=w, reason=r) for c, w, r in groups
            ])
        return proposal

    def publish(self, proposal: Proposal, *, at: datetime) -> Proposal:
        return services.publish(proposal=proposal, actor=proposal.author, now=at)  # type: ignore[arg-type]

    def open(self, proposal: Proposal) -> Proposal:
        proposal.refresh_from_db()
        return services.open_voting(proposal=proposal, now=proposal.voting_opens_at)

    def cast(self, proposal: Proposal, ballots: Sequence[tuple[Member, dict[str, Any]]]) -> None:
        opens = proposal.voting_opens_at
        closes = proposal.voting_closes_at
        assert opens is not None and closes is not None
        end = min(closes, self.now)
        span = max((end - opens).total_seconds() - 60, 60)
        for index, (member, ballot) in enumerate(ballots):
            moment = opens + timedelta(seconds=span * (index + 1) / (len(ballots) + 1))
            services.cast_ballot(proposal=proposal, member=member, ballot=ballot, now=moment)

    def close(self, proposal: Proposal) -> Decision:
        proposal.refresh_from_db()
        return services.close_voting(proposal=proposal, now=proposal.voting_closes_at)

    def dissent(self, decision: Decision, candidates: Sequence[Member], text: str) -> None:
        """The first candidate who may dissent (not the demo login, if anyone else may)."""
        allowed = [m for m in candidates if selectors.may_dissent(decision, m)]
        allowed.sort(key=lambda m: m.pk == self.demo.pk)
        if allowed:
            services.add_dissent(decision=decision, member=allowed[0], text=text)

    def posts(self, proposal: Proposal, lines: Sequence[tuple[Member, str]]) -> None:
        from chapterhouse.discussions import services as discussions
        from chapterhouse.discussions.selectors import thread_about

        thread = thread_about(proposal, kind="deliberation")
        if thread is None:
            return
        for author, body in lines:
            discussions.reply(thread=thread, author=author, body=body)

    def backdate(self, proposal: Proposal, created: datetime) -> None:
        """Date the proposal's history in the simulated time (see the module docstring)."""
        proposal.refresh_from_db()
        times = {
            ProposalEvent.Kind.CREATED: created,
            ProposalEvent.Kind.EDITED: created,
            ProposalEvent.Kind.AFFECTEDNESS_CHANGED: created + timedelta(minutes=5),
            ProposalEvent.Kind.MOVED_UP: created + timedelta(minutes=2),
            ProposalEvent.Kind.PUBLISHED: proposal.published_at,
            ProposalEvent.Kind.VOTING_OPENED: proposal.voting_opens_at
            if proposal.rule_snapshot else None,
            ProposalEvent.Kind.CLOSED: proposal.closed_at,
            ProposalEvent.Kind.DISSENT_ADDED: proposal.closed_at + timedelta(hours=3)
            if proposal.closed_at else None,
        }
        for kind, moment in times.items():
            if moment is not None:
                proposal.events.filter(kind=kind).update(created_at=moment)
        for stake in proposal.stake_declarations.all():
            proposal.events.filter(kind=ProposalEvent.Kind.STAKE_DECLARED,
                                   actor_id=stake.member_id).update(created_at=stake.created_at)
        for amendment in proposal.amendments.all():
            proposal.events.filter(kind=ProposalEvent.Kind.AMENDMENT_PROPOSED,
                                   data__amendment=amendment.number).update(
                created_at=amendment.created_at)
            if amendment.decided_at is not None:
                proposal.events.filter(
                    kind__in=[ProposalEvent.Kind.AMENDMENT_ACCEPTED,
                              ProposalEvent.Kind.AMENDMENT_WITHDRAWN],
                    data__amendment=amendment.number,
                ).update(created_at=amendment.decided_at)
        ProposalVersion.objects.filter(proposal=proposal, number=1).update(created_at=created)
        Proposal.objects.filter(pk=proposal.pk).update(created_at=created)
        if proposal.closed_at is not None:
            Dissent.objects.filter(decision__proposal=proposal).update(
                created_at=proposal.closed_at + timedelta(hours=3))

    # -- Ballots with a lean ---------------------------------------------------------------

    def yes_no(self, voters: Sequence[Member], yes: float, no: float,
               choices: tuple[str, str, str] = ("yes", "no", "abstain")
               ) -> list[tuple[Member, dict[str, Any]]]:
        """`yes` and `no` shares of the voters (rounded so small rolls lean the same way)."""
        n = len(voters)
        yes_count = max(1, math.floor(n * yes + 0.5))
        no_count = min(n - yes_count, math.floor(n * no + 0.5))
        ballots = []
        for index, member in enumerate(voters):
            if index < yes_count:
                choice = choices[0]
            elif index < yes_count + no_count:
                choice = choices[1]
            else:
                choice = choices[2]
            ballots.append((member, {"choice": choice}))
        return ballots

    def rankings(self, voters: Sequence[Member], keys: Sequence[str],
                 strength: Sequence[float]) -> list[tuple[Member, dict[str, Any]]]:
        ballots = []
        for member in voters:
            scored = sorted(keys, key=lambda k: -(strength[keys.index(k)] + self.rng.gauss(0, 1)))
            depth = self.rng.choice([2, 3, len(keys), len(keys)])
            ballots.append((member, {"ranking": scored[:depth]}))
        return ballots


def _roll_members(proposal: Proposal) -> Any:
    return Member.objects.filter(
        pk__in=proposal.roll.entries.values("member_id")
    )


def places_of(demo: Member) -> Places | None:
    home = demo.home_chapter
    chain = {c.level: c for c in Chapter.objects.filter(path__in=home.ancestor_paths())}
    city = chain.get(ChapterLevel.CITY)
    country = chain.get(ChapterLevel.COUNTRY)
    world = chain.get(ChapterLevel.INTERNATIONAL)
    if city is None or country is None or world is None:
        return None
    region = chain.get(ChapterLevel.REGION, country)
    neighbourhood = (
        Chapter.objects.filter(path__startswith=city.path, depth=city.depth + 1)
        .order_by("-member_count", "name").first()
    )
    return Places(city=city, region=region, country=country, world=world,
                   neighbourhood=neighbourhood)


def demo_login() -> Member | None:
    return (
        Member.objects.select_related("home_chapter", "user")
        .filter(user__email=DEMO_EMAIL).first()
    )
