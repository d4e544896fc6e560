"""Helpers for the activity's tests: sources made through their real services, and
their activity recorded as the signals' tasks record it after commit."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from chapterhouse.activity import services
from chapterhouse.activity.models import Activity


def record(obj: Any) -> list[Activity]:
    """Record `obj`'s activity now (what the task does after the commit)."""
    content_type = ContentType.objects.get_for_model(obj)
    return services.record_activity(content_type_id=content_type.pk, object_id=obj.pk)


def activity_of(obj: Any, kind: str) -> Activity:
    """The row of `kind` of `obj` (the test knows it exists)."""
    content_type = ContentType.objects.get_for_model(obj)
    return Activity.objects.get(content_type=content_type, object_id=obj.pk, kind=kind)


def past_decision(author: Any, **kwargs: Any) -> Any:
    """A proposal of `author` published, voted and decided in the past (its record is
    dated before now, so the lists show it)."""
    from datetime import timedelta

    from django.utils import timezone

    from chapterhouse.decisions import selectors as decision_selectors
    from chapterhouse.decisions import services as decision_services
    from chapterhouse.decisions.tests.factories import draft

    proposal = draft(author, **kwargs)
    rule = decision_selectors.effective_rule(proposal.chapter, proposal.category)
    assert rule is not None
    start = timezone.now() - timedelta(days=rule.deliberation_days + rule.voting_days + 1)
    proposal = decision_services.publish(proposal=proposal, actor=author, now=start)
    proposal = decision_services.open_voting(proposal=proposal, now=proposal.voting_opens_at)
    return decision_services.close_voting(proposal=proposal, now=proposal.voting_closes_at)
