"""The benchmark organisation's activity, after seed_demo made its members and chapters.

    DJANGO_SETTINGS_MODULE=chapterhouse.config.settings DATABASE_URL=… python bench/generate.py \
        [--proposals 10000] [--posts 200000] [--local-votes 1000] [--seed 2012]

With a fixed seed, in one transaction, through lib.bulk (COPY on PostgreSQL, bulk_create
elsewhere):

- published proposals (in deliberation, each with its deliberation thread): `--large` in
  the largest city and `--small` in the smallest (bench/querycount.py measures the
  proposals list at these two sizes), the rest spread over chapters by size;
- posts: each deliberation opens with its author's post (as publish opens it), then
  `--comments` (200) comments on one proposal of the largest city, 3 on one of the
  smallest, and `--posts` more over forum threads and other deliberations (fewer than
  `--comments` each, so that proposal is the most discussed);
- the International vote: a Schulze ranking of 15 options, voting now, its roll frozen
  by the real service (every member), with ballots from `--turnout` of the roll, stored
  as cast_ballot stores them: the rows come from decisions.ballot_rows, which
  cast_ballot's rows are tested against (ballot row and audit entry);
- `--local-votes` votes now open in local chapters, cycling through every method
  (open and secret ballots), opened through the real services, with ballots.

Closing any of these votes with decisions.services.close_voting records a Decision.
What the benchmarks need is recorded in the table `bench_generated` (key, JSON value):
read it with `generated()`: "comments_proposal" and "few_comments_proposal" (id,
public_id, comments, and posts: the comments; a deliberation opens empty), "international_vote"
(id, public_id, roll, ballots, non_voters: some member ids on the roll who have not voted),
"local_votes" (id, public_id, method, secret, chapter, roll, ballots each),
"large_chapter"/"small_chapter" (url paths), "timings".
Idempotent: does nothing when `bench_generated` says it is done.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import random
import sys
import time
import uuid
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chapterhouse.config.settings")
    import django

    django.setup()

import numpy as np  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from chapterhouse import voting  # noqa: E402
from chapterhouse.audit.models import AuditEntry  # noqa: E402
from chapterhouse.chapters.models import Chapter, ChapterLevel  # noqa: E402
from chapterhouse.decisions import ballot_rows, selectors, services  # noqa: E402
from chapterhouse.decisions.models import (  # noqa: E402
    Ballot,
    DecisionRule,
    Participation,
    Proposal,
    ProposalEvent,
    ProposalVersion,
    RollEntry,
    SecretBallot,
)
from chapterhouse.discussions.models import Post, Thread  # noqa: E402
from chapterhouse.lib import bulk  # noqa: E402
from chapterhouse.lib.bulk import JsonText  # noqa: E402
from chapterhouse.members.models import Member  # noqa: E402
from chapterhouse.voting.codes import code_dtype  # noqa: E402

SEED = 2012
TABLE = "bench_generated"
DAY = timedelta(days=1)
INTERNATIONAL_CATEGORY = "priorities"
# The categories the local votes use, one per method, as rules of International (so
# every chapter inherits them): (category, rule fields).
LOCAL_RULES: dict[str, dict[str, Any]] = {
    "routine": {},  # built in: majority
    "policy": {},  # built in: supermajority (a chapter may have changed it)
    "local-consent": {"method": "consent", "params": {"quorum": 0}},
    "local-consensus": {"method": "consensus", "params": {"threshold": 0.75,
                                                          "block_limit": 0.1}},
    "local-plurality": {"method": "plurality", "params": {}},
    "local-approval": {"method": "approval", "params": {"max_choices": 2}},
    "local-score": {"method": "score", "params": {}},
    "local-schulze": {"method": "schulze", "params": {}, "secret": True},
    "local-irv": {"method": "irv", "params": {}},
}
PRIORITIES = (
    "Affordable housing", "Free public transport", "Workplace democracy", "Food sovereignty",
    "Climate and energy", "Public health care", "Education for all", "Care work",
    "Mutual aid networks", "Digital rights", "Migrants' rights", "Participatory budgets",
    "A four-day week", "Community land trusts", "Local media",
)
SENTENCES = (
    "I agree with the aim, but the timing worries me.",
    "We tried something like this in our neighbourhood and it worked well.",
    "Could we **ask the people most affected** before deciding?",
    "Who would do the work? We are already stretched.",
    "+1, and I can help with the *budget*.",
    "The text says one thing and the title another; which is it?",
    "See the notes of the last assembly: we said we would come back to this.",
    "Let us keep it simple and try it for three months.",
    "I would rather spend the money on the food co-op.",
    "- pros: cheap, quick\n- cons: nobody owns it",
)
TITLES = ("Introductions", "Next meeting", "Ideas for the summer", "Lifts and car sharing",
          "Reading group", "Help wanted", "Questions about dues", "Minutes")


def generated() -> dict[str, Any]:
    """What the last run recorded (see the module docstring); {} when none."""
    if TABLE not in connection.introspection.table_names():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, value FROM {TABLE}")  # noqa: S608 - a constant
        return {key: json.loads(value) for key, value in cursor.fetchall()}


def _record(values: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (key varchar(100) PRIMARY KEY, "
                       "value text NOT NULL)")
        for key, value in values.items():
            cursor.execute(f"DELETE FROM {TABLE} WHERE key = %s", [key])  # noqa: S608
            cursor.execute(f"INSERT INTO {TABLE} (key, value) VALUES (%s, %s)",  # noqa: S608
                           [key, json.dumps(value)])


_TOP: dict[type, int] = {}


def _ids(model: type, count: int) -> list[int]:
    """`count` new primary keys: from the sequence on PostgreSQL, else after the largest
    (remembered, so two calls before an insert do not overlap)."""
    if connection.vendor == "postgresql":
        return bulk.next_ids(model, count)
    if model not in _TOP:
        _TOP[model] = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0  # type: ignore[attr-defined]
    start = _TOP[model]
    _TOP[model] = start + count
    return list(range(start + 1, start + 1 + count))


def _insert(model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows (attname → value; "id" given or drawn by _ids) through lib.bulk (COPY
    on PostgreSQL, bulk_create elsewhere). Returns the ids."""
    if not rows:
        return []
    if "id" not in rows[0]:
        for row, pk in zip(rows, _ids(model, len(rows)), strict=True):
            row["id"] = pk
    bulk.insert_rows(model, rows, batch_size=500)
    return [row["id"] for row in rows]


class _People:
    """Every member, in the order of their home chapter's path: the members belonging to
    a chapter (home at or below it) are one run of this order."""

    def __init__(self) -> None:
        self.path_of = dict(Chapter.objects.values_list("pk", "path"))
        rows = sorted(
            (self.path_of[home], pk)
            for home, pk in Member.objects.filter(user__is_active=True)
            .values_list("home_chapter_id", "pk").iterator(chunk_size=20_000)
        )
        self.paths = [path for path, _pk in rows]
        self.ids = array("q", (pk for _path, pk in rows))

    def span(self, path: str) -> tuple[int, int]:
        return bisect_left(self.paths, path), bisect_left(self.paths, path + "~")

    def pick(self, rng: random.Random, path: str) -> int:
        lo, hi = self.span(path)
        return self.ids[rng.randrange(lo, hi)]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _body(rng: random.Random) -> str:
    return " ".join(rng.sample(SENTENCES, rng.choice((1, 1, 2, 3))))


class _Generator:
    def __init__(self, *, rng: random.Random, now: datetime, say: Callable[[str], None]):
        self.rng, self.now, self.say = rng, now, say
        self.people = _People()
        self.proposal_type = ContentType.objects.get_for_model(Proposal)
        self.world = Chapter.objects.get(depth=1)
        self.record: dict[str, Any] = {}
        self.threads: list[dict[str, Any]] = []  # deliberation threads open to more posts

    # -- Proposals in deliberation ---------------------------------------------------------

    def proposals(self, plan: list[tuple[Chapter, int]]) -> list[dict[str, Any]]:
        """`n` published proposals in each chapter, in deliberation (periods from the
        routine rule), each with its first version, events, audit entry and thread."""
        rng, now = self.rng, self.now
        rule = selectors.effective_rule(self.world, "routine")
        assert rule is not None
        rows: list[dict[str, Any]] = []
        minutes = 60 * 24 * rule.deliberation_days - 60  # voting opens in an hour or more
        for chapter, n in plan:
            for i in range(n):
                published = now - timedelta(minutes=rng.randint(10, max(minutes, 11)))
                created = published - timedelta(minutes=rng.randint(5, 60 * 24 * 7))
                rows.append({
                    "public_id": _uuid(rng), "chapter_id": chapter.pk,
                    "author_id": self.people.pick(rng, chapter.path),
                    "title": f"Bench proposal {i + 1} for {chapter.name}"[:200],
                    "text": "A proposal generated for the benchmark.\n\n" + "Lorem ipsum. " * 40,
                    "category": "routine", "payload": {}, "status": Proposal.Status.DELIBERATION,
                    "rule_snapshot": None, "referred_from_id": None,
                    "created_at": created, "updated_at": published, "published_at": published,
                    "amendments_close_at": published + timedelta(days=rule.amendment_days),
                    "voting_opens_at": published + timedelta(days=rule.deliberation_days),
                    "voting_closes_at": published + timedelta(
                        days=rule.deliberation_days + rule.voting_days),
                    "closed_at": None,
                })
        ids = _insert(Proposal, rows)
        _insert(ProposalVersion, [
            {"proposal_id": pk, "number": 1, "title": r["title"], "text": r["text"],
             "author_id": r["author_id"], "amendment_id": None, "created_at": r["created_at"]}
            for pk, r in zip(ids, rows, strict=True)
        ])
        _insert(ProposalEvent, [
            {"proposal_id": pk, "kind": kind, "actor_id": r["author_id"], "data": data,
             "created_at": r[when]}
            for pk, r in zip(ids, rows, strict=True)
            for kind, when, data in (
                (ProposalEvent.Kind.CREATED, "created_at", {}),
                (ProposalEvent.Kind.PUBLISHED, "published_at",
                 {"voting_opens_at": r["voting_opens_at"].isoformat(), "rule": rule.snapshot()}),
            )
        ])
        _insert(AuditEntry, [
            {"actor_id": r["author_id"], "action": "decisions.publish",
             "target_type": "decisions.Proposal", "target_id": str(pk),
             "chapter_id": r["chapter_id"], "data": {"proposal": str(r["public_id"])},
             "created_at": r["published_at"]}
            for pk, r in zip(ids, rows, strict=True)
        ])
        threads = [
            {"public_id": _uuid(rng), "chapter_id": r["chapter_id"], "title": r["title"],
             "kind": Thread.Kind.DELIBERATION, "subject_type_id": self.proposal_type.pk,
             "subject_id": str(pk), "posting_rule": "decisions.deliberate",
             "created_by_id": r["author_id"], "created_at": r["published_at"],
             "last_post_at": r["published_at"], "post_count": 0, "is_locked": False,
             "proposal": pk, "path": self.people.path_of[r["chapter_id"]],
             # As publish opens it (services._start_deliberation_thread): with no post.
             "opening": None}
            for pk, r in zip(ids, rows, strict=True)
        ]
        self._threads(threads)
        for pk, r in zip(ids, rows, strict=True):
            r["id"] = pk
        return rows

    def _threads(self, threads: list[dict[str, Any]]) -> None:
        """Give threads their ids; posts() inserts them with their counts."""
        for thread, pk in zip(threads, _ids(Thread, len(threads)), strict=True):
            thread["id"] = pk
        self.threads += threads

    # -- Posts ----------------------------------------------------------------------------

    def posts(self, total: int, comments: tuple[int, int], featured: tuple[int, int]) -> None:
        """`total` posts: comments[0] on the
        deliberation of proposal featured[0], comments[1] on featured[1]; of the rest, 30%
        in new forum threads and 70% over the other deliberations (below comments[0])."""
        rng = self.rng
        by_proposal = {t["proposal"]: t for t in self.threads}
        plan: Counter[int] = Counter()  # index in self.threads → posts
        index_of = {id(t): i for i, t in enumerate(self.threads)}
        for proposal, n in zip(featured, comments, strict=True):
            plan[index_of[id(by_proposal[proposal])]] = n
        rest = max(0, total - sum(comments))
        forum_posts = round(rest * 0.3)
        others = [i for i in range(len(self.threads)) if i not in plan]
        if not others:
            forum_posts = rest
        # Whatever does not fit below the cap goes to the forums.
        forum_posts += self._spread(plan, others, rest - forum_posts, cap=max(1, comments[0] - 1))
        if forum_posts:
            self._forums(plan, forum_posts)
        rows: list[dict[str, Any]] = []
        for index, thread in enumerate(self.threads):
            rows += self._thread_posts(thread, plan.get(index, 0))
        ids = _ids(Post, len(rows))
        by_thread: dict[int, list[int]] = {}
        for row, pk in zip(rows, ids, strict=True):
            row["id"] = pk
            earlier = by_thread.setdefault(row["thread_id"], [])
            if earlier and rng.random() < 0.3:  # a reply to an earlier post of the thread
                row["reply_to_id"] = rng.choice(earlier)
            earlier.append(pk)
        counts = Counter(row["thread_id"] for row in rows)
        last = {row["thread_id"]: row["created_at"] for row in rows}
        for thread in self.threads:
            thread["post_count"] = counts[thread["id"]]
            thread["last_post_at"] = last.get(thread["id"], thread["created_at"])
        _insert(Thread, [{k: v for k, v in t.items() if k not in ("proposal", "path", "opening")}
                         for t in self.threads])
        _insert(Post, rows)
        self.say(f"{len(rows)} posts in {len(counts)} threads")

    def _spread(self, plan: Counter[int], others: list[int], count: int, cap: int) -> int:
        """Spread `count` posts over the threads `others`, at most `cap` each, by Zipf
        weights; returns how many did not fit."""
        if not others or not count:
            return count
        rng = self.rng
        weights = [1 / (rank + 3) for rank in range(len(others))]
        rng.shuffle(others)
        chosen = Counter(rng.choices(others, weights=weights, k=count))
        overflow = sum(max(0, n - cap) for n in chosen.values())
        for index in list(chosen):
            chosen[index] = min(chosen[index], cap)
        room = [i for i in others if chosen[i] < cap]
        while overflow and room:
            index = rng.choice(room)
            chosen[index] += 1
            overflow -= 1
            if chosen[index] >= cap:
                room.remove(index)
        plan.update(chosen)
        return overflow

    def _forums(self, plan: Counter[int], count: int) -> None:
        """Forum threads of about 40 posts in chapters drawn by size."""
        rng, now = self.rng, self.now
        chapters = list(Chapter.objects.filter(member_count__gt=0, depth__gt=1)
                        .order_by("path").values_list("pk", "path", "member_count"))
        weights = [math.sqrt(n) for _pk, _path, n in chapters]
        sizes = _split_evenly(count, max(1, count // 40))
        threads = []
        for _size in sizes:
            pk, path, _members = rng.choices(chapters, weights=weights)[0]
            started = now - timedelta(minutes=rng.randint(60, 60 * 24 * 60))
            threads.append({
                "public_id": _uuid(rng), "chapter_id": pk, "title": rng.choice(TITLES),
                "kind": Thread.Kind.FORUM, "subject_type_id": None, "subject_id": None,
                "posting_rule": "", "created_by_id": self.people.pick(rng, path),
                "created_at": started, "last_post_at": started, "post_count": 0,
                "is_locked": False, "proposal": None, "path": path, "opening": None,
            })
        first = len(self.threads)
        self._threads(threads)
        for offset, n in enumerate(sizes):
            plan[first + offset] = n

    def _thread_posts(self, thread: dict[str, Any], n: int) -> list[dict[str, Any]]:
        rng = self.rng
        start = thread["created_at"]
        span = max((self.now - start).total_seconds() - 60, n)
        moments = sorted(rng.uniform(0, span) for _ in range(n))
        rows = []
        if thread["opening"]:
            rows.append({
                "public_id": _uuid(rng), "thread_id": thread["id"],
                "author_id": thread["created_by_id"], "body": thread["opening"],
                "reply_to_id": None, "created_at": start, "edited_at": None,
            })
        for i, seconds in enumerate(moments):
            author = (thread["created_by_id"] if i == 0 and thread["kind"] == Thread.Kind.FORUM
                      else self.people.pick(rng, thread["path"]))
            rows.append({
                "public_id": _uuid(rng), "thread_id": thread["id"], "author_id": author,
                "body": _body(rng), "reply_to_id": None,
                "created_at": start + timedelta(seconds=seconds), "edited_at": None,
            })
        return rows

    # -- Votes ------------------------------------------------------------------------------

    def rules(self) -> None:
        """International's rule for its ranked vote and one per local method (inherited
        by every chapter); chapters' own rules stay as they are."""
        fields = {"deliberation_days": 7, "amendment_days": 3, "voting_days": 7}
        wanted = {category: values for category, values in LOCAL_RULES.items() if values}
        wanted[INTERNATIONAL_CATEGORY] = {
            "method": "schulze", "params": {"quorum": 0.1}, "deliberation_days": 14,
            "amendment_days": 7, "voting_days": 14,
        }
        for category, values in wanted.items():
            checked = services.check_rule_values({**fields, **values})
            DecisionRule.objects.get_or_create(chapter=self.world, category=category,
                                               defaults=checked)

    def _open(self, *, chapter: Chapter, author_id: int, title: str, text: str,
              category: str, options: list[str]) -> Proposal:
        """Draft, publish and open a vote through the services, on their own clocks:
        published one deliberation ago (and an hour), so voting opened an hour ago."""
        author = Member.objects.select_related("home_chapter").get(pk=author_id)
        rule = selectors.effective_rule(chapter, category)
        assert rule is not None
        multi = rule.method not in voting.YES_NO_METHODS
        proposal = services.create_draft(chapter=chapter, author=author, title=title,
                                         text=text, category=category,
                                         options=options if multi else ())
        published = self.now - rule.deliberation_days * DAY - timedelta(
            minutes=self.rng.randint(60, 60 * 20))
        services.publish(proposal=proposal, actor=author, now=published)
        proposal.refresh_from_db()
        return services.open_voting(proposal=proposal, now=proposal.voting_opens_at)

    def international(self, turnout: float) -> None:
        rng = self.rng
        author = self.people.pick(rng, self.world.path)
        proposal = self._open(
            chapter=self.world, author_id=author, category=INTERNATIONAL_CATEGORY,
            title="Our priorities for the next two years",
            text="Rank the campaigns we put our common energy into, best first. The "
                 "winner gets the organisation's campaign budget.",
            options=list(PRIORITIES),
        )
        entries: list[tuple[int, float, int | None]] = list(
            RollEntry.objects.filter(roll__proposal=proposal).order_by("member_id")
            .values_list("member_id", "weight", "group_id"))
        keys = proposal.rule_snapshot["options"]  # type: ignore[index]
        np_rng = np.random.default_rng(rng.getrandbits(32))
        n = len(entries)
        voted = np_rng.random(n) < turnout
        strength = np_rng.permutation(np.linspace(2.0, 0.0, len(keys)))
        order = np.argsort(-(strength + np_rng.gumbel(size=(n, len(keys)))), axis=1)
        depth = np_rng.choice(np.array([3, 5, len(keys), len(keys), len(keys)]), n)
        quoted = [json.dumps(k) for k in keys]
        dtype = code_dtype(len(keys))  # the ranking's codes, as voting.ballot_codes gives them
        ballots = []
        for member in range(n):
            if voted[member]:
                ranking = order[member, : depth[member]].tolist()
                ballots.append((entries[member], JsonText(
                    '{"ranking": [' + ", ".join(quoted[j] for j in ranking) + "]}"),
                    np.asarray(ranking, dtype=dtype).tobytes()))
        params = proposal.rule_snapshot.get("params", {})  # type: ignore[union-attr]
        for _entry, text, codes in ballots[:500]:  # what cast_ballot would store, as here
            ballot = json.loads(text)
            assert voting.validate_ballot(method="schulze", options=keys, ballot=ballot,
                                          params=params) == ballot
            assert voting.ballot_codes("schulze", keys, ballot) == codes
        stored = self._store(proposal, ballots, secret=False)
        non_voters = [entries[i][0] for i in range(n) if not voted[i]][:500]
        self.record["international_vote"] = {
            "id": proposal.pk, "public_id": str(proposal.public_id), "roll": n,
            "ballots": stored, "options": len(keys), "method": "schulze",
            "non_voters": non_voters,
        }
        self.say(f"International vote: {stored} ballots of a roll of {n}")

    def local_votes(self, count: int, turnout: float, besides: list[int]) -> None:
        """`count` votes open now in local chapters of 3 to 2,000 members (not `besides`),
        cycling through LOCAL_RULES, with ballots from `turnout` of each roll."""
        rng = self.rng
        chapters = list(Chapter.objects.filter(level__gte=ChapterLevel.CITY,
                                               member_count__gte=3, member_count__lte=2000)
                        .exclude(pk__in=besides).order_by("path"))
        if not chapters or not count:
            self.record["local_votes"] = []
            return
        weights = [math.sqrt(c.member_count) for c in chapters]
        categories = list(LOCAL_RULES)
        votes = []
        for i in range(count):
            chapter = rng.choices(chapters, weights=weights)[0]
            category = categories[i % len(categories)]
            proposal = self._open(
                chapter=chapter, author_id=self.people.pick(rng, chapter.path),
                category=category, title=f"Local vote {i + 1} in {chapter.name}"[:200],
                text="A local vote generated for the benchmark.",
                options=["Option A", "Option B", "Option C", "Option D"],
            )
            snapshot = proposal.rule_snapshot or {}
            entries: list[tuple[int, float, int | None]] = list(
                RollEntry.objects.filter(roll__proposal=proposal)
                .order_by("member_id").values_list("member_id", "weight", "group_id"))
            ballots: list[tuple[tuple[int, float, int | None], str, bytes | None]] = []
            for entry in entries:
                if rng.random() < turnout:
                    ballot = _local_ballot(rng, snapshot)
                    normal = voting.validate_ballot(
                        method=snapshot["method"], options=snapshot.get("options", []),
                        ballot=ballot, params=snapshot.get("params", {}))
                    ballots.append((entry, json.dumps(normal),
                                    ballot_rows.codes(snapshot, normal)))
            stored = self._store(proposal, ballots, secret=bool(snapshot.get("secret")))
            votes.append({"id": proposal.pk, "public_id": str(proposal.public_id),
                          "method": snapshot["method"], "secret": bool(snapshot.get("secret")),
                          "chapter": chapter.url_path, "roll": len(entries), "ballots": stored})
        self.record["local_votes"] = votes
        self.say(f"{len(votes)} local votes, {sum(v['ballots'] for v in votes)} ballots")

    def _store(self, proposal: Proposal,
               ballots: list[tuple[tuple[int, float, int | None], Any, bytes | None]],
               *, secret: bool) -> int:
        """The rows cast_ballot writes for each (roll entry, ballot JSON, its codes): an open
        ballot, or a participation and a secret ballot under a receipt hash; and the audit entry.
        Cast times are spread from the opening to now."""
        rng = self.rng
        opens = proposal.voting_opens_at
        assert opens is not None
        span = max((self.now - opens).total_seconds() - 1, 1)
        moments = sorted(opens + timedelta(seconds=rng.uniform(0, span)) for _ in ballots)
        pid = proposal.pk
        # Through decisions.ballot_rows, the rows cast_ballot stores (see its tests).
        if secret:
            bulk.insert_rows(Participation, (
                ballot_rows.participation(proposal_id=pid, member_id=member)
                for (member, _w, _g), _text, _codes in ballots
            ), batch_size=2000)
            # A receipt code like secrets.token_urlsafe(15), from the seeded generator.
            bulk.insert_rows(SecretBallot, (
                ballot_rows.secret_ballot(
                    ballot_id=_uuid(rng), proposal_id=pid,
                    receipt=base64.urlsafe_b64encode(rng.randbytes(15)).decode(),
                    ballot=JsonText(text), codes=codes, weight=weight, group_id=group)
                for (_member, weight, group), text, codes in ballots
            ), batch_size=2000)
        else:
            bulk.insert_rows(Ballot, (
                ballot_rows.open_ballot(proposal_id=pid, member_id=member, ballot=JsonText(text),
                                        codes=codes, weight=weight, group_id=group, at=moment)
                for ((member, weight, group), text, codes), moment
                in zip(ballots, moments, strict=True)
            ), batch_size=2000)
        bulk.insert_rows(AuditEntry, (
            ballot_rows.audit_entry(member_id=member, proposal_id=pid, changed=False,
                                    secret=secret, at=moment)
            for ((member, _w, _g), _t, _c), moment in zip(ballots, moments, strict=True)
        ), batch_size=2000)
        return len(ballots)


def _local_ballot(rng: random.Random, snapshot: dict[str, Any]) -> dict[str, Any]:
    """A plausible ballot for the vote's method (leaning towards the first options)."""
    method, keys = snapshot["method"], list(snapshot.get("options", []))
    lean = sorted(keys, key=lambda k: keys.index(k) + rng.gauss(0, 1.5))
    if method in ("majority", "supermajority"):
        return {"choice": rng.choices(("yes", "no", "abstain"), (6, 3, 1))[0]}
    if method == "consent":
        choice = rng.choices(("consent", "concern", "block"), (85, 14, 1))[0]
        return {"choice": choice, "reason": "" if choice == "consent" else rng.choice(SENTENCES)}
    if method == "consensus":
        choice = rng.choices(("agree", "abstain", "disagree", "block"), (70, 15, 14, 1))[0]
        return {"choice": choice,
                "reason": rng.choice(SENTENCES) if choice in ("disagree", "block") else ""}
    if method == "plurality":
        return {"option": lean[0]}
    if method == "approval":
        limit = int((snapshot.get("params") or {}).get("max_choices") or len(keys))
        return {"approve": lean[: rng.randint(1, limit)]}
    if method == "score":
        return {"scores": {k: max(0, min(5, 5 - i + rng.randint(-1, 1)))
                           for i, k in enumerate(lean)}}
    return {"ranking": lean[: rng.choice((2, 3, len(keys)))]}


def _split_evenly(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def generate(*, proposals: int = 10_000, posts: int = 200_000, local_votes: int = 1000,
             large: int = 1000, small: int = 3, comments: int = 200, turnout: float = 0.98,
             local_turnout: float = 0.6, seed: int = SEED, now: datetime | None = None,
             say: Callable[[str], None] = print) -> dict[str, Any]:
    """Generate everything (see the module docstring) in one transaction and return what
    `generated()` will read. Does nothing (returns the record) when already done."""
    done = generated()
    if done.get("done"):
        say("bench organisation already generated")
        return done
    cities = Chapter.objects.filter(level=ChapterLevel.CITY)
    big = cities.order_by("-member_count", "path").first()
    little = cities.filter(member_count__gt=0).order_by("member_count", "path").first()
    if big is None or little is None:
        raise SystemExit("generate: no city chapters; seed the organisation first (seed_demo)")
    timings: dict[str, float] = {}
    started = mark = time.monotonic()

    def step(name: str) -> None:
        nonlocal mark
        timings[name] = round(time.monotonic() - mark, 2)
        say(f"{name}: {timings[name]:.1f} s")
        mark = time.monotonic()

    _TOP.clear()
    with transaction.atomic():
        g = _Generator(rng=random.Random(seed), now=now or timezone.now(), say=say)
        step("members index")
        g.rules()
        spread = max(0, proposals - large - small - 1 - local_votes)
        chapters = list(Chapter.objects.filter(member_count__gt=0, depth__gt=1)
                        .exclude(pk__in=[big.pk, little.pk]).order_by("path"))
        picks = Counter(g.rng.choices(chapters, weights=[math.sqrt(c.member_count)
                                                         for c in chapters], k=spread)
                        ) if chapters and spread else Counter()
        plan = [(big, large), (little, small), *sorted(picks.items(), key=lambda p: p[0].path)]
        rows = g.proposals(plan)
        step("proposals")
        featured = (rows[0]["id"], rows[large]["id"]) if small else (rows[0]["id"], rows[1]["id"])
        few = min(3, comments)
        g.posts(posts, (comments, few), featured)
        step("posts")
        g.international(turnout)
        step("international vote")
        g.local_votes(local_votes, local_turnout, besides=[big.pk, little.pk])
        step("local votes")
        by_id = {r["id"]: r for r in rows}
        g.record.update({
            "comments_proposal": {"id": featured[0], "public_id": str(
                by_id[featured[0]]["public_id"]), "comments": comments, "posts": comments},
            "few_comments_proposal": {"id": featured[1], "public_id": str(
                by_id[featured[1]]["public_id"]), "comments": few, "posts": few},
            "large_chapter": big.url_path, "small_chapter": little.url_path,
            "proposals": Proposal.objects.exclude(status=Proposal.Status.DRAFT).count(),
            "posts": Post.objects.count(), "seed": seed, "timings": timings, "done": True,
        })
        _record(g.record)
    step("commit")  # PostgreSQL checks the deferred foreign keys of every row here
    # Fresh statistics for the tables written here (the planner is far off after a bulk
    # load); seed_demo analysed the members' tables.
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Proposal, ProposalVersion, ProposalEvent, Thread, Post, RollEntry, Ballot,
                      Participation, SecretBallot, AuditEntry):
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
    step("analyze")
    timings["total"] = round(time.monotonic() - started, 2)
    _record({"timings": timings})
    return generated()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--local-votes", type=int, default=1000)
    parser.add_argument("--large", type=int, default=1000,
                        help="proposals in the largest city")
    parser.add_argument("--small", type=int, default=3, help="proposals in the smallest city")
    parser.add_argument("--comments", type=int, default=200,
                        help="posts on the most discussed proposal")
    parser.add_argument("--turnout", type=float, default=0.98,
                        help="share of the roll voting in the International vote")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    record = generate(proposals=args.proposals, posts=args.posts,
                      local_votes=args.local_votes, large=args.large, small=args.small,
                      comments=args.comments, turnout=args.turnout, seed=args.seed,
                      say=lambda m: print(f"[generate] {m}", flush=True))
    vote = {k: v for k, v in record.get("international_vote", {}).items() if k != "non_voters"}
    summary = {k: v for k, v in record.items() if k not in ("local_votes", "international_vote")}
    print(json.dumps({**summary, "international_vote": vote,
                      "local_votes": len(record.get("local_votes", []))}))


if __name__ == "__main__":
    main()
