"""Notify every member of the International, against a raw COPY of the same rows.

Fan-out stores one Notification row per member (unread = ``read_at IS NULL`` on that
row), so a COPY of those rows into the same table is the fair reference.

Ours, per round:

- the trigger: ``notifications.services.notify_members_of(chapter=International, …)``, the
  call a request makes (target p95 ≤ 100 ms: it only enqueues one task with the
  message and its parameters);
- visible: the trigger, then the task run in this process as the worker runs it
  (``db_worker --batch`` on the queue "default"), until every member's notice is stored.
  Target ≤ 2× the COPY.

The reference: COPY of the same rows (public id, recipient, kind, message and
parameters, url, created_at, the event's key) into notifications_notification, the rows
built before the clock starts. Between calls the round's notices are deleted (untimed).
Correct when both store exactly one notice per active member of the International.

For comparison, the row "notify() with every member as recipient" times the synchronous
notify() (what a service would do by passing every member to it): the whole fan-out in the
request, measured once per round.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from bench.ops.common import Context, interleave, row

URL = "/bench/notice/"
KIND = "decision_recorded"
# What the bench's notices say (a message and its parameters, as every notice stores).
MESSAGE = "decisions.decided"
PARAMS = {"title": "A decision of the International (bench)", "outcome": "passed"}
PARAMS_JSON = json.dumps(PARAMS, ensure_ascii=False)


def _members(chapter: Any) -> list[tuple[int, list[str]]]:
    from chapterhouse.members.models import Member

    return list(
        Member.objects.filter(home_chapter__path__startswith=chapter.path, user__is_active=True)
        .order_by("pk").values_list("pk", "languages")
    )


def _clean() -> None:
    from chapterhouse.notifications.models import Notification

    Notification.objects.filter(url=URL).delete()


def _visible() -> int:
    from chapterhouse.notifications.models import Notification

    return Notification.objects.filter(url=URL, read_at__isnull=True).count()


def copy_notices(prepared: list[tuple[uuid.UUID, tuple[int, str]]], *, kind: str,
                 url: str, message: str = MESSAGE) -> None:
    """The reference: the notices (public id, (recipient id, parameters as JSON)) written
    by one COPY on PostgreSQL (one bulk INSERT elsewhere), the rows built before the
    clock starts."""
    from chapterhouse.notifications.models import EmailStatus, Notification

    created, event = timezone.now(), uuid.uuid4()  # the notices' event key, as ours carry
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Notification._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} (public_id, recipient_id, kind, message, params, url, created_at, "
            "event, email_status, email_attempts, email_error) FROM STDIN"
        ) as copy:
            for pk, body in prepared:
                copy.write_row((pk, body[0], kind, message, body[1], url, created, event,
                                EmailStatus.NOT_SENT, 0, ""))
    else:
        Notification.objects.bulk_create(
            Notification(public_id=pk, recipient_id=body[0], kind=kind, message=message,
                         params=json.loads(body[1]), url=url, created_at=created, event=event)
            for pk, body in prepared)


def measure(ctx: Context) -> list[dict[str, Any]]:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.notifications.models import Kind
    from chapterhouse.notifications.services import notify, notify_members_of

    international = Chapter.objects.get(depth=1)
    members = _members(international)
    n = len(members)

    def trigger() -> None:
        with transaction.atomic():
            notify_members_of(chapter=international, kind=Kind(KIND), message=MESSAGE,
                              params=PARAMS, url=URL)

    def deliver() -> None:
        call_command("db_worker", "--batch", "--queue-name", "default",
                     "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())

    triggers: list[float] = []

    def ours() -> int:
        start = time.perf_counter()
        trigger()
        triggers.append(time.perf_counter() - start)
        deliver()
        return _visible()


    def reference() -> int:
        copy_notices(prepared, kind=KIND, url=URL)
        return _visible()

    prepared: list[tuple[uuid.UUID, tuple[int, str]]] = []

    def setup() -> None:
        _clean()
        prepared[:] = [(uuid.uuid4(), (pk, PARAMS_JSON)) for pk, _l in members]

    _clean()
    deliver()  # untimed: whatever other tasks were already due
    a, b, ar, br, ours_n, ref_n = interleave(ours, reference, ctx.rounds, setup=setup)
    _clean()
    correct = ours_n == ref_n == n
    ratio = sorted(a)[len(a) // 2] / sorted(b)[len(b) // 2]
    out = [row(
        f"notify every member of the International ({n:,}): visible", "COPY of the same rows",
        a, b, ours_rounds=ar, ref_rounds=br, target="≤ 2× the COPY", correct=correct,
        failures=[] if ratio <= 2 else [f"{ratio:.2f}× the COPY, target ≤ 2×"],
        notes="ours: notify_members_of (enqueue) + db_worker --batch in process (the task "
              "deliver_to_members: batches of 10,000 by COPY, skipping members already told "
              "of the event); one row per member",
        extra={"members": n},
    )]
    trig = row(
        f"notify every member of the International ({n:,}): the triggering call",
        "none (absolute target)", triggers, triggers,
        target="p95 ≤ 100 ms", correct=correct,
        notes="notify_members_of in a transaction: enqueues the message and parameters",
        extra={"members": n},
    )
    if trig["ours"]["p95_ms"] > 100:
        trig["failures"].append(f"p95 {trig['ours']['p95_ms']:.0f} ms, target ≤ 100 ms")
        trig["pass"] = False
    out.append(trig)
    if not ctx.options.get("notify_skip_sync"):
        from chapterhouse.members.models import Member

        everyone = list(Member.objects.filter(pk__in=[pk for pk, _l in members]))

        def sync() -> int:
            notify(recipients=everyone, kind=Kind(KIND), message=MESSAGE, params=PARAMS,
                   url=URL)
            return _visible()

        rounds = max(1, min(ctx.rounds, 3))
        s, sb, sr, sbr, sync_n, _ref = interleave(sync, reference, rounds, setup=setup)
        _clean()
        ratio = sorted(s)[len(s) // 2] / sorted(sb)[len(sb) // 2]
        out.append(row(
            f"notify() with all {n:,} members as recipients (synchronous, for comparison)",
            "COPY of the same rows", s, sb, ours_rounds=sr, ref_rounds=sbr,
            target="≤ 2× the COPY (and it all runs in the request)",
            correct=sync_n == n,
            failures=[] if ratio <= 2 else [f"{ratio:.2f}× the COPY, in the request"],
            notes="notify(): one bulk INSERT of model instances, in the caller's transaction",
            extra={"members": n},
        ))
    return out
