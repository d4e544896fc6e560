"""Moving proposals along: the step that is due for a proposal, and the sweep."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q

# The steps are looked up on the package (steps.open_voting…) when they run, not bound
# here at import: whoever replaces a step there (a test, an instrumented run) replaces
# it for the sweep and the task alike. Importing the package from its own module is
# safe: the names are read at call time, once the package is complete.
from chapterhouse.decisions import services as steps

from ..models import Proposal
from .common import REMINDER_LEAD, Status, _now

if TYPE_CHECKING:
    from django.db.models import QuerySet

logger = logging.getLogger(__name__)


def due_proposals(now: datetime | None = None) -> QuerySet[Proposal]:
    """Proposals with a step due: voting to open, to close, or reminders to send."""
    now = _now(now)
    return Proposal.objects.filter(
        Q(status=Status.DELIBERATION, voting_opens_at__lte=now)
        | Q(status=Status.VOTING, voting_closes_at__lte=now + REMINDER_LEAD)
    ).order_by("voting_closes_at", "id")


def advance(*, proposal: Proposal, now: datetime | None = None) -> str:
    """Take the step that is due, if any: open the vote, close it, or send reminders.

    Returns "opened", "closed", "reminded" or "" (nothing due). Idempotent.
    """
    now = _now(now)
    proposal = Proposal.objects.select_related("chapter", "author").get(pk=proposal.pk)
    if proposal.status == Status.DELIBERATION and proposal.voting_opens_at is not None \
            and proposal.voting_opens_at <= now:
        proposal = steps.open_voting(proposal=proposal, now=now)
        # Still in deliberation: held until objections to its weights are settled.
        return "opened" if proposal.status == Status.VOTING else ""
    if proposal.status == Status.VOTING and proposal.voting_closes_at is not None:
        if proposal.voting_closes_at <= now:
            steps.close_voting(proposal=proposal, now=now)
            return "closed"
        if steps.send_reminders(proposal=proposal, now=now):
            return "reminded"
    return ""


def advance_all(*, now: datetime | None = None) -> dict[str, int]:
    """Advance every due proposal (the sweep). One failing proposal does not stop the rest."""
    counts: dict[str, int] = {"opened": 0, "closed": 0, "reminded": 0, "failed": 0}
    for proposal in due_proposals(now).select_related("chapter", "author"):
        try:
            step = steps.advance(proposal=proposal, now=now)
        except Exception:
            logger.exception("Could not advance proposal %s", proposal.public_id)
            counts["failed"] += 1
            continue
        if step:
            counts[step] += 1
    return counts
