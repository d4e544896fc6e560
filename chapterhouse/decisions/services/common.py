"""What every topic of the decisions services shares: the refusal, the limits, the
small helpers (the proposal locked, the rule in force, events) and the step scheduler."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.apps import apps
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.lib import pagecache
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.tasks import task_named
from chapterhouse.lib.text import without_bidi_controls
from chapterhouse.members.models import Member

from .. import selectors
from ..models import Amendment, DecisionRule, Method, Proposal, ProposalEvent, ProposalVersion

# Members who have not voted are reminded this long before the close.
REMINDER_LEAD = timedelta(days=1)
REMINDER_BATCH_SIZE = 1000
# The breakdown by sub-chapter of a secret ballot shows a group only with this many voters.
BREAKDOWN_MIN_VOTERS = 5
MAX_OPTIONS = 50
MAX_PERIOD_DAYS = 365

Status = Proposal.Status

# The voting parameters each method understands (voting.params refuses others).
_PARAMS_OF: dict[str, tuple[str, ...]] = {
    Method.MAJORITY: ("threshold",),
    Method.SUPERMAJORITY: ("threshold",),
    Method.CONSENSUS: ("threshold", "block_limit"),
    Method.APPROVAL: ("min_choices", "max_choices"),
}
_COMMON_PARAMS = ("quorum", "tie_break", "seed")


class DecisionError(Refused):
    """A refusal of a decisions service, with a message for the member."""


class GroupInput(TypedDict):
    chapter: Chapter
    weight: float
    reason: str


OptionInput = str | Mapping[str, str]


# -- Small helpers ------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def _event(proposal: Proposal, kind: str, actor: Member | None, /, **data: Any) -> ProposalEvent:
    """Record what happened to the proposal; once committed, signed-out visitors see it
    at once on the proposal's page and its chapter's proposals (both served to them from
    the page cache, lib/pagecache)."""
    pages = (proposal.get_absolute_url(),
             reverse("decisions:chapter", kwargs={"url_path": proposal.chapter.url_path}))
    def forget() -> None:
        for page in pages:
            pagecache.forget(page)

    transaction.on_commit(forget)
    return ProposalEvent.objects.create(proposal=proposal, kind=kind, actor=actor, data=data)


def _belongs(member: Member, chapter: Chapter) -> bool:
    return selectors.belongs_to(member, chapter)


def _facilitators(chapter: Chapter) -> list[Member]:
    return list(Member.objects.active().filter(
        pk__in=ChapterRole.objects.facilitators_of(chapter).values("member_id")
    ))


def _is_facilitator(member: Member, chapter: Chapter) -> bool:
    return ChapterRole.objects.facilitators_of(chapter).filter(member=member).exists()


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _require_author(proposal: Proposal, actor: Member) -> None:
    if proposal.author_id is None or proposal.author_id != actor.pk:
        raise DecisionError(_("Only the author of the proposal can do this."))


def _require_author_or_facilitator(proposal: Proposal, actor: Member) -> None:
    if proposal.author_id == actor.pk:
        return
    if not _is_facilitator(actor, proposal.chapter):
        raise DecisionError(
            _("Only the author or a facilitator of %(chapter)s can do this.")
            % {"chapter": proposal.chapter.display_name()}
        )


def _locked(proposal: Proposal) -> Proposal:
    """The proposal re-read under a row lock (PostgreSQL; SQLite serialises writes)."""
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("chapter", "author")
        .get(pk=proposal.pk)
    )


def _rule_for(chapter: Chapter, category: str) -> DecisionRule:
    rule = selectors.effective_rule(chapter, category)
    if rule is None:
        raise DecisionError(
            _("%(chapter)s has no rule for decisions of the category “%(category)s”.")
            % {"chapter": chapter.display_name(), "category": category}
        )
    return rule


# -- Scheduling the next step ----------------------------------------------------------
# A proposal's next step (open the vote, remind, close) is taken by the task
# decisions.tasks.advance_proposal. Services decide *when* and name the task they queue
# (lib.tasks.task_named), so tasks import services and services never import tasks:
# the dependency runs one way, as between any interface and its services. Where the
# backend cannot defer, the advance_decisions sweep takes every step; it is the safety
# net either way.

ADVANCE_PROPOSAL = "chapterhouse.decisions.tasks.advance_proposal"


def schedule_step(proposal: Proposal, when: datetime) -> None:
    """Enqueue the proposal's next step for `when`, in the caller's transaction, if the
    task backend can defer tasks."""
    task = task_named(ADVANCE_PROPOSAL)
    if task.get_backend().supports_defer:
        task.using(run_after=when).enqueue(proposal.pk)


# -- Validation of what a draft says ------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join(without_bidi_controls(title or "").split())
    if not title:
        raise DecisionError(_("Give the proposal a title."))
    if len(title) > 200:
        raise DecisionError(_("A title can be at most 200 characters long."))
    return title


def _clean_text(text: str) -> str:
    text = without_bidi_controls(text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DecisionError(_("Write the text of the proposal."))
    if len(text) > 50_000:
        raise DecisionError(_("A text can be at most 50,000 characters long."))
    return text


def _new_version(proposal: Proposal, author: Member | None,
                 amendment: Amendment | None = None) -> ProposalVersion:
    last = proposal.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ProposalVersion.objects.create(
        proposal=proposal, number=last + 1, title=proposal.title, text=proposal.text,
        author=author, amendment=amendment,
    )


def _set_periods(proposal: Proposal, rule: DecisionRule, start: datetime) -> None:
    proposal.published_at = start
    proposal.amendments_close_at = start + timedelta(days=rule.amendment_days)
    proposal.voting_opens_at = start + timedelta(days=rule.deliberation_days)
    proposal.voting_closes_at = proposal.voting_opens_at + timedelta(days=rule.voting_days)


def _start_deliberation_thread(proposal: Proposal) -> None:
    """Open the proposal's deliberation thread, when the discussions app is installed.

    It starts with no post: the proposal page says what the thread is for, in each
    reader's language (a first post would be in the author's, under their name)."""
    if not apps.is_installed("chapterhouse.discussions") or proposal.author is None:
        return
    from chapterhouse.discussions.services import start_thread

    start_thread(
        chapter=proposal.chapter,
        author=proposal.author,
        title=proposal.title,
        body=None,
        kind="deliberation",
        subject=proposal,
        posting_rule="decisions.deliberate",
    )
