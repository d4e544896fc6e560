"""Background work of events. Tasks take ids, load objects, call a service, and are
safe to run twice."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from . import services
from .models import Event


@task()
def send_reminders(event_id: int, occurrence: str) -> int:
    """Remind the members going to one occurrence (services.send_reminders:
    idempotent); enqueued with run_after by services.schedule_reminder."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    return services.send_reminders(event=event, occurrence=datetime.fromisoformat(occurrence))
