"""Cast a ballot under 50 concurrent voters vs a raw INSERT of the ballot row (PostgreSQL).

Ours: `decisions.services.cast_ballot` (what the ballot view calls), from 50 threads, each
with its own Django connection, casting for distinct members on the roll of an open vote.
Reference: 50 threads, each with its own psycopg connection in autocommit, INSERTing the
same ballot rows (member, ballot, weight and group copied from the roll). Both sides start
together at a barrier; a sample is one ballot's latency inside its thread (connecting is
not timed). Rounds alternate ours, reference…; before each, the ballots (and ours' audit
entries) are deleted, so both sides cast for the same voters with the same choices.

Correctness, after every round: as many ballots stored as cast, each voter once, each with
the choice cast, and the tally of ours' ballots equal to the tally of the reference's.

The vote is a "routine" proposal opened in setup, through the decisions services, in the
most populous country (its roll: every member there), and deleted afterwards with what
publishing and opening wrote (thread, notices, audit entries), so reruns start clean.
A vote left behind by an interrupted run is deleted first.

The threads share one Python process, so ours' latency includes waiting for the GIL
while the other 49 threads run Python; the reference's threads mostly wait on the
socket. In a deployment, voters are spread over server processes.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import override_settings
from psycopg.types.json import Jsonb

from bench.ops.common import Context, interleave, row
from chapterhouse import voting
from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters.models import Chapter, ChapterLevel
from chapterhouse.decisions import services
from chapterhouse.decisions.models import Ballot, Proposal, RollEntry
from chapterhouse.decisions.tests.factories import in_voting
from chapterhouse.discussions.models import Thread
from chapterhouse.members.models import Member
from chapterhouse.notifications.models import Notification
from chapterhouse.voting.params import CHOICES

TITLE = "Bench: concurrent ballots"
THREADS = 50
# QUALITY.md: median ≤ 2× the raw INSERT's; p95 ≤ 1.5× the raw INSERT's own p95 (an
# absolute p95 would measure this machine's commit latency, which the INSERT pays too).
TARGET_RATIO = 2.0
TARGET_P95_RATIO = 1.5

# (member, ballot, weight, group id) for one voter
Voter = tuple[Member, dict[str, Any], float, int | None]


@contextmanager
def _tasks_discarded() -> Iterator[None]:
    """Publishing and opening enqueue tasks (opening the vote, emails); keep them out of
    the database queue, so nothing runs on a deleted proposal later."""
    with override_settings(TASKS={"default": {
        "BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "email"],
    }}):
        yield


def _delete_vote(proposal: Proposal) -> None:
    url = proposal.get_absolute_url()
    Thread.objects.filter(subject_type=ContentType.objects.get_for_model(Proposal),
                          subject_id=str(proposal.pk)).delete()
    Notification.objects.filter(url=url).delete()
    AuditEntry.objects.filter(target_type="decisions.Proposal",
                              target_id=str(proposal.pk)).delete()
    proposal.delete()


def _open_vote() -> Proposal:
    for leftover in Proposal.objects.filter(title=TITLE):
        _delete_vote(leftover)
    country = Chapter.objects.filter(level=ChapterLevel.COUNTRY).order_by(
        "-member_count", "path").first()
    if country is None:
        raise RuntimeError("ballots: no country chapter; is the database seeded?")
    author = Member.objects.filter(home_chapter__path__startswith=country.path,
                                   user__is_active=True).order_by("pk").first()
    if author is None:
        raise RuntimeError(f"ballots: {country.url_path} has no active member")
    with _tasks_discarded():
        proposal = in_voting(author, chapter=country, title=TITLE, category="routine",
                             text="A vote opened by bench/ops/ballots.py; deleted after.")
    if proposal.is_secret:
        _delete_vote(proposal)
        raise RuntimeError("ballots: the routine rule here is secret; this op casts open ballots")
    return proposal


def _voters(proposal: Proposal, n: int, seed: int) -> list[Voter]:
    entries = list(
        RollEntry.objects.filter(roll__proposal=proposal, member__isnull=False)
        .order_by("id").values_list("member_id", "weight", "group_id")[:n]
    )
    if len(entries) < n:
        raise RuntimeError(f"ballots: the roll has {len(entries)} members, {n} needed")
    members = Member.objects.in_bulk([m for m, _w, _g in entries])
    choices = CHOICES[proposal.rule_snapshot["method"]]  # type: ignore[index]
    rng = random.Random(seed)
    return [(members[m], {"choice": rng.choice(choices)}, w, g) for m, w, g in entries]


def _in_threads(work: Callable[[Sequence[Voter], threading.Barrier], list[float]],
                chunks: list[list[Voter]]) -> list[float]:
    """Run `work(chunk, barrier)` in one thread per chunk; the per-ballot latencies."""
    barrier = threading.Barrier(len(chunks))
    results: list[list[float]] = [[] for _c in chunks]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = work(chunks[i], barrier)
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(chunks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
        raise (real or errors)[0]
    return [s for r in results for s in r]


def measure(ctx: Context) -> list[dict[str, Any]]:
    if connection.vendor != "postgresql":
        print("ballots: PostgreSQL only (concurrent voters), skipped", file=sys.stderr)
        return []
    threads = int(ctx.options.get("ballot_threads", THREADS))
    per_thread = int(ctx.options.get("ballots_per_thread", 1 if ctx.ci else 4))
    pool = connection.settings_dict.get("OPTIONS", {}).get("pool")
    if pool and not (isinstance(pool, dict) and pool.get("max_size", 0) >= threads):
        raise RuntimeError(f"ballots: {threads} voters need a connection each; the connection "
                           "pool holds fewer (DATABASE_POOL=0 turns it off, as runner.py does)")
    proposal = _open_vote()
    try:
        return _measure(ctx, proposal, threads, per_thread)
    finally:
        _delete_vote(proposal)


def _measure(ctx: Context, proposal: Proposal, threads: int, per_thread: int
             ) -> list[dict[str, Any]]:
    snapshot = proposal.rule_snapshot or {}
    eligible_weight = proposal.roll.total_weight
    voters = _voters(proposal, threads * per_thread, ctx.seed)
    chunks = [voters[i::threads] for i in range(threads)]
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)  # Django's adapters: the reference is plain psycopg
    insert = (
        f"INSERT INTO {Ballot._meta.db_table} "  # noqa: S608 - the model's table name
        "(proposal_id, member_id, ballot, weight, group_id, cast_at, updated_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )

    def ours(chunk: Sequence[Voter], barrier: threading.Barrier) -> list[float]:
        try:
            connection.ensure_connection()
            barrier.wait()
            out = []
            for member, ballot, _w, _g in chunk:
                start = time.perf_counter()
                services.cast_ballot(proposal=proposal, member=member, ballot=ballot)
                out.append(time.perf_counter() - start)
            return out
        finally:
            connection.close()

    def reference(chunk: Sequence[Voter], barrier: threading.Barrier) -> list[float]:
        with psycopg.connect(**params, autocommit=True) as conn:
            barrier.wait()
            out = []
            for member, ballot, weight, group_id in chunk:
                start = time.perf_counter()
                now = datetime.now(UTC)
                conn.execute(insert, (proposal.pk, member.pk, Jsonb(ballot), weight, group_id,
                                      now, now))
                out.append(time.perf_counter() - start)
            return out

    latencies: dict[str, list[float]] = {"ours": [], "reference": []}
    medians: dict[str, list[float]] = {"ours": [], "reference": []}
    problems: list[str] = []
    tallies: dict[str, Any] = {}
    expected = {m.pk: ballot for m, ballot, _w, _g in voters}

    def reset() -> None:
        Ballot.objects.filter(proposal=proposal).delete()
        AuditEntry.objects.filter(target_type="decisions.Proposal", target_id=str(proposal.pk),
                                  action="ballots.cast").delete()

    def check(side: str, samples: list[float]) -> None:
        latencies[side].extend(samples)
        medians[side].append(sorted(samples)[len(samples) // 2])
        stored = list(Ballot.objects.filter(proposal=proposal)
                      .values_list("member_id", "ballot", "weight"))
        by_member = {m: b for m, b, _w in stored}
        if len(stored) != len(voters) or len(by_member) != len(stored):
            problems.append(f"{side}: {len(stored)} ballots stored ({len(by_member)} voters), "
                            f"{len(voters)} cast")
        elif by_member != expected:
            problems.append(f"{side}: the stored choices differ from those cast")
        tallies[side] = voting.count(
            method=snapshot["method"], options=snapshot.get("options", []),
            ballots=[(w, b) for _m, b, w in stored], params=snapshot.get("params", {}),
            eligible_weight=eligible_weight,
        ).to_dict()
        if side == "reference" and tallies["reference"] != tallies.get("ours"):
            problems.append("the tally of ours' ballots differs from the reference's")

    def rounds_of(work: Callable[[Sequence[Voter], threading.Barrier], list[float]]
                  ) -> Callable[[], list[float]]:
        return lambda: _in_threads(work, chunks)

    reset()
    # Warm-up (untimed, unchecked): connections, caches, prepared plans on the server.
    rounds_of(ours)()
    reset()
    rounds_of(reference)()
    walls_a, walls_b, _ar, _br, _oa, _ob = interleave(
        rounds_of(ours), rounds_of(reference), ctx.rounds, setup=reset, after=check,
    )
    reset()
    ratio_row = row(
        f"cast a ballot ({threads} concurrent voters)",
        "raw INSERT of the ballot row (psycopg, autocommit)",
        latencies["ours"], latencies["reference"],
        ours_rounds=medians["ours"], ref_rounds=medians["reference"],
        target=f"median ≤ {TARGET_RATIO:g}×, p95 ≤ {TARGET_P95_RATIO:g}× the INSERT's p95, "
               f"{THREADS} concurrent voters",
        correct=not problems,
        notes="; ".join(problems[:5]),
    )
    misses = []
    if ratio_row["ratio"] is not None and ratio_row["ratio"] > TARGET_RATIO:
        misses.append(f"ratio {ratio_row['ratio']:.2f} > {TARGET_RATIO:g}")
    p95, ref_p95 = ratio_row["ours"]["p95_ms"], ratio_row["reference_stats"]["p95_ms"]
    if p95 > TARGET_P95_RATIO * ref_p95:
        misses.append(f"p95 {p95:.1f} ms > {TARGET_P95_RATIO:g} × {ref_p95:.1f} ms")
    if ctx.ci:  # correctness only in CI: missed times are reported, not failed
        ratio_row["notes"] = "; ".join(filter(None, [ratio_row["notes"], *misses]))
    else:
        ratio_row["failures"] += misses
        ratio_row["pass"] = not ratio_row["failures"]
    n = len(voters)
    ratio_row["throughput_per_s"] = {
        "ours": round(n / sorted(walls_a)[len(walls_a) // 2], 1),
        "reference": round(n / sorted(walls_b)[len(walls_b) // 2], 1),
    }
    ratio_row["ballots_per_round"] = n
    ratio_row["roll_size"] = proposal.roll.size
    return [ratio_row]
