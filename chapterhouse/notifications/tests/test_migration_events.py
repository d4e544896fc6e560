"""The migration to event keys keeps every existing notice, even one stored twice by the
old fan-out (issue #14, item 2)."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("notifications", "0009_notification_event")]
AFTER = [("notifications", "0011_notification_once_per_event")]


def test_old_notices_each_get_an_event_of_their_own_and_duplicates_stay_valid(member):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Notification = executor.loader.project_state(BEFORE).apps.get_model(
        "notifications", "Notification")
    when = timezone.now()
    # The same notice twice to one member: what a run taken up again used to store.
    twice = [Notification.objects.create(recipient_id=member.pk, kind="decision_recorded",
                                         text="Decided", url="/d/", created_at=when)
             for _ in range(2)]
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        Notification = executor.loader.project_state(AFTER).apps.get_model(
            "notifications", "Notification")
        for old in twice:
            assert Notification.objects.get(pk=old.pk).event == uuid.UUID(int=old.pk)
        assert Notification.objects.filter(event__isnull=True).count() == 0
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
