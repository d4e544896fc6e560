"""Background steps of a proposal. Tasks take ids and are safe to run twice.

Tasks are an interface like views: they import services, never the other way. The
services enqueue `advance_proposal` by its name when a proposal's next step is due
(services.common.schedule_step, with lib.tasks.task_named).
"""

from __future__ import annotations

import logging

from django_tasks import task

from . import services
from .models import Proposal

logger = logging.getLogger(__name__)


@task()
def advance_proposal(proposal_id: int) -> str:
    """Take the step that is due for one proposal: open its vote, send the reminders
    of the last day, or close it and record the decision.

    Enqueued with `run_after` when a service schedules a step (publish, open_voting,
    move_up, refer_down), where the backend can defer. Idempotent: a step not yet
    due, or already taken, does nothing; returns the step taken ("opened",
    "reminded", "closed") or "".
    """
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return ""
    try:
        return services.advance(proposal=proposal)
    except services.DecisionError as exc:
        logger.warning("Proposal %s not advanced: %s", proposal.public_id, exc.message)
        return ""
