"""Background steps of a proposal. Tasks take ids and are safe to run twice."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def advance_proposal(proposal_id: int) -> str:
    """Take the step that is due for one proposal: open its vote, send the reminders
    of the last day, or close it and record the decision.

    Enqueued with `run_after` by services.publish and services.open_voting (where
    the backend can defer). Idempotent: a step not yet due, or already taken, does
    nothing; returns the step taken ("opened", "reminded", "closed") or "".
    """
    from .models import Proposal
    from .services import DecisionError, advance

    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return ""
    try:
        return advance(proposal=proposal)
    except DecisionError as exc:
        logger.warning("Proposal %s not advanced: %s", proposal.public_id, exc.message)
        return ""
