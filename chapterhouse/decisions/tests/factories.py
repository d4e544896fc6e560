"""Proposals at every stage, through the real services, with their clocks set so that
"now" falls inside the stage (rules predicates read the real clock)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from django.utils import timezone

from chapterhouse.chapters.models import Chapter
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import Decision, DecisionRule, Proposal
from chapterhouse.members.models import Member


def chapter(url_path: str) -> Chapter:
    return Chapter.objects.get(url_path=url_path)


def set_rule(chapter: Chapter, category: str, **fields: Any) -> DecisionRule:
    """Give `chapter` its own rule (tests only: in the product a "rules" decision does)."""
    base = selectors.effective_rule(chapter, category)
    values = base.snapshot() if base is not None else {}
    values.pop("chapter", None)
    values.pop("category", None)
    values.update(fields)
    rule, _ = DecisionRule.objects.update_or_create(
        chapter=chapter, category=category, defaults=values
    )
    return rule


def draft(
    author: Member,
    *,
    chapter: Chapter | None = None,
    title: str = "Plant trees on the square",
    text: str = "We plant twelve trees.\nThey are oaks.",
    category: str = "routine",
    options: Sequence[Any] = (),
    payload: Mapping[str, Any] | None = None,
) -> Proposal:
    return services.create_draft(
        chapter=chapter or author.home_chapter, author=author, title=title, text=text,
        category=category, options=options, payload=payload,
    )


def in_deliberation(author: Member, **kwargs: Any) -> Proposal:
    """Published just now: amendments open, voting in the future."""
    proposal = draft(author, **kwargs)
    return services.publish(proposal=proposal, actor=author)


def in_voting(author: Member, *, groups: Sequence[Mapping[str, Any]] = (), **kwargs: Any
              ) -> Proposal:
    """Published long enough ago that voting opened a minute ago (and is open now)."""
    proposal = draft(author, **kwargs)
    if groups:
        services.set_affected_groups(proposal=proposal, actor=author, groups=groups)  # type: ignore[arg-type]
    rule = selectors.effective_rule(proposal.chapter, proposal.category)
    assert rule is not None
    start = timezone.now() - timedelta(days=rule.deliberation_days, minutes=1)
    proposal = services.publish(proposal=proposal, actor=author, now=start)
    return services.open_voting(proposal=proposal, now=proposal.voting_opens_at)


def close(proposal: Proposal) -> Decision:
    proposal.refresh_from_db()
    return services.close_voting(proposal=proposal, now=proposal.voting_closes_at)


def vote(proposal: Proposal, member: Member, ballot: Mapping[str, Any], **kwargs: Any
         ) -> services.CastResult:
    return services.cast_ballot(proposal=proposal, member=member, ballot=ballot, **kwargs)


T = TypeVar("T")


def at(value: T | None) -> T:
    """A value the test knows is set (a period of a published proposal…)."""
    assert value is not None
    return value


def rule_in(chapter: Chapter, category: str) -> DecisionRule:
    return at(selectors.effective_rule(chapter, category))
