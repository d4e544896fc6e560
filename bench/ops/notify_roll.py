"""Notify the roll of a vote (the fan-out of voting opened, reminders and outcomes), against
the same raw COPY of the same rows as notify-all (bench/ops/notify.py).

The data, built with the bench's bulk tools (lib.bulk: COPY on PostgreSQL) before anything
is timed, and deleted afterwards:

- a proposal of the International holding a frozen roll of every active member (the
  tier's member count): one Roll row and its RollEntry rows. It stays a draft, so no page
  or worker ever sees a vote that was not opened; deliver_to_roll reads only the roll;
- a second proposal whose roll is the first SMALL_ROLL of them, for the query counts;
- email choices for the kind told ("voting opened", emailed by default): a tenth of the
  roll turned it off, a twentieth turned it on explicitly, a twentieth turned off another
  kind (the outcome) and so still get this one; members who already had a choice keep it;
- a few members excluded (as opening excludes the author and facilitators, told
  directly).

The option ``notify_roll_kind`` (``--op-option notify_roll_kind=decision_recorded``) tells
another kind: the outcome, which is emailed only to those who asked, shows what the email
jobs cost on top of the notices.

Ours, per round: ``notifications.services.notify_roll_of`` (what opening, a reminder or a
close calls: enqueues one task with the message and parameters) in a transaction, then
the task run in this process as the worker runs it (``db_worker --batch`` on the queue
"default": deliver_to_roll, batches of 10,000 by COPY, the email jobs queued per 100
notices) until every notice is stored. Target ≤ 2× the COPY; the trigger p95 ≤ 100 ms.

Correct, after every round of ours: exactly one notice per member on the roll but the
excluded ones (the roll's size minus the exclusions), of the kind told; the email jobs
queued name exactly the notices of the members whose choice for that kind asks for email
(their own choice, else the kind's default), each once; and the reference stores as many.
Query counts at two sizes (the full roll and SMALL_ROLL members), counted in process
around notify_roll_of and around the task's own code (deliver_to_roll called with the
arguments the trigger enqueued), must be equal with the batch sizes raised above the roll's
size: what the fan-out costs grows with the number of batches (one per 10,000 members, one
email job per 100 notices), never with the number of members.
"""

from __future__ import annotations

import io
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.ops.common import Context, interleave, row
from bench.ops.notify import copy_notices

TITLE = "Bench: a vote's roll to notify"
URL = "/bench/roll-notice/"
KIND = "voting_opened"
OTHER_KIND = "decision_recorded"
SMALL_ROLL = 100
EXCLUDED = 5


MESSAGE = "decisions.voting_opened"
PARAMS = {"title": "A proposal of the International (bench)",
          "when": {"moment": "2030-01-01T12:00:00+00:00"}}


def _deliver() -> None:
    call_command("db_worker", "--batch", "--queue-name", "default",
                 "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())


def _tasks(path: str, since: Any) -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=path, enqueued_at__gte=since)


def _clean(since: Any) -> None:
    """Delete this op's notices and the email jobs queued for them (never run: no worker
    serves the queue "email" during the bench, and they would name deleted notices)."""
    from chapterhouse.notifications.models import Notification
    from chapterhouse.notifications.services import SEND_EMAILS

    Notification.objects.filter(url=URL).delete()
    _tasks(SEND_EMAILS, since).delete()


def _settle_derived_copies(since: Any) -> None:
    """Run, here, the tasks that the op's proposals queued for the apps that keep copies
    of what exists (the search index, the activity), then delete them: the copies end as
    if the proposals had never been, and the queue is as the op found it."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(enqueued_at__gte=since).filter(
        Q(task_path__startswith="chapterhouse.search.")
        | Q(task_path__startswith="chapterhouse.activity.")).order_by("enqueued_at")
    for task in queued:
        if task.status == TaskResultStatus.READY:
            task.task.call(*task.args_kwargs["args"], **task.args_kwargs.get("kwargs", {}))
        task.delete()


def _visible() -> int:
    from chapterhouse.notifications.models import Notification

    return Notification.objects.filter(url=URL, read_at__isnull=True).count()


def _delete_rolls() -> None:
    """The op's proposals (and so their rolls), this run's or an interrupted run's."""
    from chapterhouse.decisions.models import Proposal

    for proposal in Proposal.objects.filter(title=TITLE):
        proposal.delete()


def _roll(chapter: Any, author: int, members: list[int]) -> int:
    """A draft of `chapter` by `author` holding a frozen roll of `members` (weight 1 each);
    returns its id. The entries go in by lib.bulk, as bench/generate.py writes its data."""
    from chapterhouse.decisions.models import Proposal, Roll, RollEntry
    from chapterhouse.lib import bulk

    with transaction.atomic():
        proposal = Proposal.objects.create(
            chapter=chapter, author_id=author, title=TITLE, category="bench-roll",
            text="A roll for bench/ops/notify_roll.py; deleted after.")
        roll = Roll.objects.create(proposal=proposal, frozen_at=timezone.now(), hash="0" * 64,
                                   size=len(members), total_weight=Decimal(len(members)))
        bulk.insert_rows(RollEntry, ({"roll_id": roll.pk, "member_id": pk, "weight": Decimal(1),
                                      "reason": "bench", "group_id": None} for pk in members),
                         batch_size=10_000)
    return proposal.pk


def _choices(members: list[int], rng: random.Random, kind: str) -> list[int]:
    """Email choices for some of `members` (see the module docstring), for those who have
    none for that kind yet; returns the ids of the rows added."""
    from chapterhouse.lib import bulk
    from chapterhouse.notifications.models import EmailPreference

    other = OTHER_KIND if kind != OTHER_KIND else KIND
    had = set(EmailPreference.objects.filter(kind__in=[kind, other])
              .values_list("member_id", "kind"))
    picked = rng.sample(members, len(members))
    tenth, twentieth = max(1, len(members) // 10), max(1, len(members) // 20)
    plan = ([(pk, kind, False) for pk in picked[:tenth]]
            + [(pk, kind, True) for pk in picked[tenth:tenth + twentieth]]
            + [(pk, other, False) for pk in picked[tenth + twentieth:tenth + 2 * twentieth]])
    rows = [{"member_id": pk, "kind": k, "delivery": "each" if on else "off"}
            for pk, k, on in plan
            if (pk, k) not in had]
    with transaction.atomic():
        return bulk.insert_rows(EmailPreference, rows, returning_ids=True, batch_size=10_000)


def expected_emails(members: list[int], excluded: set[int], kind: str) -> set[int]:
    """The members told who want this kind by email: their own choice, else the default."""
    from chapterhouse.notifications.models import EmailPreference, default_delivery

    choices = dict(EmailPreference.objects.filter(kind=kind)
                   .values_list("member_id", "delivery"))
    default = default_delivery(kind)
    return {pk for pk in members if pk not in excluded and choices.get(pk, default) == "each"}


def check(told: set[int], emailed: set[int], since: Any, kind: str) -> list[str]:
    """What is wrong with the notices and email jobs stored since `since` ([] if nothing)."""
    from chapterhouse.notifications.models import Notification
    from chapterhouse.notifications.services import SEND_EMAILS

    stored = list(Notification.objects.filter(url=URL).values_list("pk", "recipient_id", "kind"))
    wrong = []
    per_member = Counter(member for _pk, member, _kind in stored)
    if set(per_member) != told or any(n != 1 for n in per_member.values()):
        twice = sum(1 for n in per_member.values() if n > 1)
        wrong.append(f"{len(stored)} notices for {len(per_member)} members ({twice} twice), "
                     f"{len(told)} expected, {len(set(per_member) - told)} not on the roll or "
                     "excluded")
    if {k for _pk, _m, k in stored} - {kind}:
        wrong.append("notices of another kind")
    recipient = {pk: member for pk, member, _kind in stored}
    queued = [pk for args in _tasks(SEND_EMAILS, since).values_list("args_kwargs", flat=True)
              for pk in args["args"][0]]
    got = Counter(recipient.get(pk) for pk in queued)
    if set(got) != emailed or any(n != 1 for n in got.values()):
        wrong.append(f"{len(queued)} emails queued for {len(got)} members, {len(emailed)} "
                     f"wanted: {len(set(got) - emailed)} who turned this kind off or are "
                     f"not told, {len(emailed - set(got))} missed")
    return wrong


@contextmanager
def _one_batch(size: int) -> Iterator[None]:
    """The fan-out's batch sizes raised above `size`, so a roll of any size up to it is one
    batch of notices and one email job: equal query counts then mean no query per member."""
    from chapterhouse.notifications import services, tasks

    before = tasks.FANOUT_BATCH_SIZE, services.EMAIL_BATCH_SIZE
    tasks.FANOUT_BATCH_SIZE = services.EMAIL_BATCH_SIZE = size + 1
    try:
        yield
    finally:
        tasks.FANOUT_BATCH_SIZE, services.EMAIL_BATCH_SIZE = before


def count_queries(proposal_id: int, exclude: list[int], since: Any, kind: str
                  ) -> tuple[int, int, int]:
    """(queries of notify_roll_of, queries of deliver_to_roll's code, notices it stored),
    the task called in process with the arguments the trigger enqueued; cleaned up after."""
    from chapterhouse.notifications.models import Kind
    from chapterhouse.notifications.services import DELIVER_TO_ROLL, notify_roll_of
    from chapterhouse.notifications.tasks import deliver_to_roll

    started = timezone.now()
    with CaptureQueriesContext(connection) as trigger, transaction.atomic():
        notify_roll_of(proposal_id=proposal_id, kind=Kind(kind), message=MESSAGE,
                               params=PARAMS, url=URL,
                       exclude=exclude)
    enqueued = _tasks(DELIVER_TO_ROLL, started)
    task = enqueued.get()
    with CaptureQueriesContext(connection) as delivery:
        stored = deliver_to_roll.call(*task.args_kwargs["args"],
                                      **task.args_kwargs.get("kwargs", {}))
    enqueued.delete()
    _clean(since)
    return len(trigger.captured_queries), len(delivery.captured_queries), stored


def measure(ctx: Context) -> list[dict[str, Any]]:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member
    from chapterhouse.notifications.models import EmailPreference, Kind
    from chapterhouse.notifications.services import DELIVER_TO_ROLL, notify_roll_of
    from chapterhouse.notifications.tasks import FANOUT_BATCH_SIZE

    international = Chapter.objects.get(depth=1)
    kind = str(ctx.options.get("notify_roll_kind", KIND))
    since = timezone.now()
    _delete_rolls()
    _clean(since)
    _deliver()  # untimed: whatever other tasks were already due
    ids = list(Member.objects.filter(user__is_active=True).order_by("pk")
               .values_list("pk", flat=True))
    n = len(ids)
    rng = random.Random(ctx.seed)
    excluded = set(rng.sample(ids, min(EXCLUDED, max(1, n // 4))))
    proposal = _roll(international, ids[0], ids)
    added = _choices(ids, rng, kind)
    try:
        told = set(ids) - excluded
        emailed = expected_emails(ids, excluded, kind)
        # Members told by email: the email branch runs at both sizes, as at the full size.
        small = sorted(emailed)[:min(SMALL_ROLL, max(2, n // 10))]
        small_proposal = _roll(international, ids[0], small)
        exclude = sorted(excluded)

        def trigger() -> None:
            with transaction.atomic():
                notify_roll_of(proposal_id=proposal, kind=Kind(kind), message=MESSAGE,
                               params=PARAMS, url=URL,
                               exclude=exclude)

        triggers: list[float] = []

        def ours() -> int:
            start = time.perf_counter()
            trigger()
            triggers.append(time.perf_counter() - start)
            _deliver()
            return _visible()

        # The notice as each member gets it: the message's parameters.
        said = json.dumps(PARAMS, ensure_ascii=False)
        texts = {pk: said for pk in ids if pk in told}
        prepared: list[tuple[uuid.UUID, tuple[int, str]]] = []

        def reference() -> int:
            copy_notices(prepared, kind=kind, url=URL, message=MESSAGE)
            return _visible()

        def setup() -> None:
            _clean(since)
            prepared[:] = [(uuid.uuid4(), (pk, text)) for pk, text in texts.items()]

        problems: list[str] = []

        def after(side: str, _result: Any) -> None:
            if side == "ours":
                problems.extend(p for p in check(told, emailed, since, kind) if p not in problems)

        a, b, ar, br, ours_n, ref_n = interleave(ours, reference, ctx.rounds, setup=setup,
                                                 after=after)
        _clean(since)
        jobs_note = (f"{len(emailed):,} of them by email (kind {kind}: a tenth of the roll "
                     "chose no email, a twentieth chose email); "
                     f"{(len(told) + FANOUT_BATCH_SIZE - 1) // FANOUT_BATCH_SIZE} batches")
        with _one_batch(n):
            large_q = count_queries(proposal, exclude, since, kind)
            small_q = count_queries(small_proposal, exclude, since, kind)
        _tasks(DELIVER_TO_ROLL, since).delete()
    finally:
        _clean(since)
        _delete_rolls()
        for start in range(0, len(added), 10_000):
            EmailPreference.objects.filter(pk__in=added[start:start + 10_000]).delete()
        _settle_derived_copies(since)
    same_queries = large_q[:2] == small_q[:2]
    if not same_queries:
        problems.append(f"queries at {n:,} members (trigger, delivery) {large_q[:2]} ≠ "
                        f"{small_q[:2]} at {len(small)}")
    if large_q[2] != len(told) or small_q[2] != len(small):
        problems.append(f"the counted runs stored {large_q[2]} and {small_q[2]} notices")
    correct = ours_n == ref_n == len(told) and not problems
    ratio = sorted(a)[len(a) // 2] / sorted(b)[len(b) // 2]
    queries = {"large": {"members": n, "trigger": large_q[0], "delivery": large_q[1]},
               "small": {"members": len(small), "trigger": small_q[0], "delivery": small_q[1]}}
    counted = (f"queries (trigger / delivery, one batch): {large_q[0]} / {large_q[1]} at "
               f"{n:,} members, {small_q[0]} / {small_q[1]} at {len(small)}")
    extra = {"members": n, "roll": n, "excluded": len(excluded), "told": len(told),
             "emailed": len(emailed), "queries": queries}
    visible = row(
        f"notify the roll of a vote ({n:,} on the roll): visible", "COPY of the same rows",
        a, b, ours_rounds=ar, ref_rounds=br, target="≤ 2× the COPY; equal queries at two "
        "sizes", correct=correct,
        failures=[*problems, *([] if ratio <= 2 else [f"{ratio:.2f}× the COPY, target ≤ 2×"])],
        notes=f"ours: notify_roll_of (enqueue) + db_worker --batch in process (the task "
              f"deliver_to_roll); {len(told):,} notices (the roll less {len(excluded)} "
              f"excluded), {jobs_note}; {counted}",
        extra=extra,
    )
    trig = row(
        f"notify the roll of a vote ({n:,} on the roll): the triggering call",
        "none (absolute target)", triggers, triggers, target="p95 ≤ 100 ms", correct=correct,
        notes="notify_roll_of in a transaction: enqueues the message and parameters",
        extra=extra,
    )
    if trig["ours"]["p95_ms"] > 100:
        trig["failures"].append(f"p95 {trig['ours']['p95_ms']:.0f} ms, target ≤ 100 ms")
        trig["pass"] = False
    return [visible, trig]
