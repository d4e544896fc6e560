"""Subsidiarity: moving a proposal up to a chapter that contains its scope, or
referring it down to sub-chapters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import audit
from chapterhouse.members.models import Member

from ..models import AffectedGroup, Option, Proposal, ProposalEvent
from .common import (
    DecisionError,
    Status,
    _event,
    _locked,
    _new_version,
    _now,
    _require_author_or_facilitator,
    _rule_for,
    _set_periods,
    _start_deliberation_thread,
    schedule_step,
)


def move_up(*, proposal: Proposal, to_chapter: Chapter, actor: Member,
            now: datetime | None = None) -> Proposal:
    """Move a proposal (before voting) to an ancestor of its scope, so that groups
    beyond the old scope can be named affected. A published proposal's periods
    restart under the new scope's rule."""
    now = _now(now)
    with transaction.atomic():
        proposal = _locked(proposal)
        _require_author_or_facilitator(proposal, actor)
        if proposal.status not in (Status.DRAFT, Status.DELIBERATION):
            raise DecisionError(_("A proposal can be moved only before voting opens."))
        old = proposal.chapter
        if not to_chapter.strictly_contains(old):
            raise DecisionError(_("A proposal moves up to a chapter that contains %(chapter)s.")
                                % {"chapter": old.display_name()})
        rule = _rule_for(to_chapter, proposal.category)
        proposal.chapter = to_chapter
        fields = ["chapter", "updated_at"]
        if proposal.status == Status.DELIBERATION:
            _set_periods(proposal, rule, now)
            fields += ["published_at", "amendments_close_at", "voting_opens_at",
                       "voting_closes_at"]
        proposal.updated_at = now
        proposal.save(update_fields=fields)
        _event(proposal, ProposalEvent.Kind.MOVED_UP, actor, **{"from": old.url_path},
               to=to_chapter.url_path)
        audit.record(actor=actor, action="decisions.move_up", target=proposal,
                     chapter=to_chapter,
                     data={"from": old.url_path, "to": to_chapter.url_path})
        if proposal.status == Status.DELIBERATION:
            schedule_step(proposal, proposal.voting_opens_at)  # type: ignore[arg-type]
    return proposal


def refer_down(*, proposal: Proposal, to_chapters: Sequence[Chapter], actor: Member,
               now: datetime | None = None) -> list[Proposal]:
    """Refer a published proposal (before voting) to sub-chapters of its scope: one
    copy per sub-chapter, published there under its own rule; the original becomes
    "referred". Returns the copies."""
    now = _now(now)
    targets = list({c.pk: c for c in to_chapters}.values())
    if not targets:
        raise DecisionError(_("Choose the sub-chapters to refer the proposal to."))
    with transaction.atomic():
        proposal = _locked(proposal)
        _require_author_or_facilitator(proposal, actor)
        if proposal.status != Status.DELIBERATION:
            raise DecisionError(_("A proposal can be referred down only while in deliberation."))
        scope = proposal.chapter
        for chapter in targets:
            if not scope.strictly_contains(chapter):
                raise DecisionError(_("%(chapter)s is not a sub-chapter of %(scope)s.")
                                    % {"chapter": chapter.display_name(),
                                       "scope": scope.display_name()})
        groups = list(proposal.affected_groups.select_related("chapter"))
        options = list(proposal.options.order_by("position"))
        payload = {k: v for k, v in proposal.payload.items() if k != "chapter"}
        copies = []
        for chapter in targets:
            rule = _rule_for(chapter, proposal.category)
            copy = Proposal(
                chapter=chapter, author=proposal.author, title=proposal.title,
                text=proposal.text, category=proposal.category, payload=payload,
                status=Status.DELIBERATION, referred_from=proposal, created_at=now,
                updated_at=now,
            )
            _set_periods(copy, rule, now)
            copy.save()
            Option.objects.bulk_create(
                Option(proposal=copy, key=o.key, label=o.label, text=o.text, source=o.source,
                       position=o.position)
                for o in options
            )
            AffectedGroup.objects.bulk_create(
                AffectedGroup(proposal=copy, chapter=g.chapter, weight=g.weight, reason=g.reason)
                for g in groups if chapter.contains(g.chapter)
            )
            _new_version(copy, proposal.author)
            _event(copy, ProposalEvent.Kind.REFERRED_FROM, actor,
                   **{"from": str(proposal.public_id), "scope": scope.url_path})
            _start_deliberation_thread(copy)
            schedule_step(copy, copy.voting_opens_at)  # type: ignore[arg-type]
            copies.append(copy)
        proposal.status = Status.REFERRED
        proposal.updated_at = now
        proposal.save(update_fields=["status", "updated_at"])
        referred = [{"chapter": c.chapter.url_path, "proposal": str(c.public_id)} for c in copies]
        _event(proposal, ProposalEvent.Kind.REFERRED_DOWN, actor, to=referred)
        audit.record(actor=actor, action="decisions.refer_down", target=proposal,
                     chapter=scope, data={"to": referred})
    return copies
