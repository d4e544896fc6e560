"""Reads about decisions: rules in force, proposals, affectedness, rolls, ballot files."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum

from chapterhouse import voting
from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import cache as lib_cache

from .models import (
    BUILT_IN_RULES,
    MULTI_OPTION_METHODS,
    Amendment,
    Ballot,
    Decision,
    DecisionRule,
    Option,
    Participation,
    Proposal,
    ProposalEvent,
    ProposalVersion,
    Roll,
    RollEntry,
    SecretBallot,
)

if TYPE_CHECKING:
    from chapterhouse.lib.interface import Viewer
    from chapterhouse.members.models import Member

# -- Rules in force ---------------------------------------------------------------------


def _built_in(category: str) -> DecisionRule | None:
    """International's default rule for a built-in category, unsaved (pk and chapter
    None): in force wherever no chapter up the tree has a row for the category.

    Migration 0002 stores these rows on International when it already exists; on a
    fresh database International is created later, and its defaults are these until
    a "rules" decision stores a row."""
    values = BUILT_IN_RULES.get(category)
    if values is None:
        return None
    fields = {**values, "params": dict(values["params"])}
    return DecisionRule(category=category, **fields)


def effective_rule(chapter: Chapter, category: str) -> DecisionRule | None:
    """The rule `chapter` decides `category` by: its own, else its nearest ancestor's,
    else International's built-in default (an unsaved rule, see _built_in).

    One query (a path-prefix match over the ancestors, deepest first). None for a
    category no chapter up the tree has a rule for and that is not built in.
    """
    rule = (
        DecisionRule.objects.filter(chapter__path__in=chapter.ancestor_paths(), category=category)
        .select_related("chapter")
        .order_by("-chapter__depth")
        .first()
    )
    return rule if rule is not None else _built_in(category)


# Bumped (services.bump_rules_version) after a decision changes a rule: part of the
# cache key of every chapter's "how this chapter decides" card, which shows inherited
# rules too, so any change retires them all (rules change rarely).
RULES_VERSION_KEY = "decisions:rules:version"


def rules_version() -> int:
    return lib_cache.version(RULES_VERSION_KEY)


def effective_rules(chapter: Chapter) -> dict[str, DecisionRule]:
    """Every category `chapter` can decide, with the rule in force for it. One query."""
    rules: dict[str, DecisionRule] = {}
    rows = (
        DecisionRule.objects.filter(chapter__path__in=chapter.ancestor_paths())
        .select_related("chapter")
        .order_by("-chapter__depth", "category")
    )
    for rule in rows:
        rules.setdefault(rule.category, rule)
    for category in BUILT_IN_RULES:
        if category not in rules:
            built_in = _built_in(category)
            if built_in is not None:
                rules[category] = built_in
    return dict(sorted(rules.items()))


def method_for(proposal: Proposal) -> str:
    """The method the proposal is (or will be) decided by."""
    if proposal.rule_snapshot:
        return str(proposal.rule_snapshot["method"])
    rule = effective_rule(proposal.chapter, proposal.category)
    return rule.method if rule is not None else ""


# -- Proposals --------------------------------------------------------------------------


def proposals_visible_to(member: Member | None) -> QuerySet[Proposal]:
    """Published proposals, and the viewer's own drafts."""
    condition = ~Q(status=Proposal.Status.DRAFT)
    if member is not None:
        condition |= Q(author=member)
    return Proposal.objects.filter(condition)


def proposals_in(chapter: Chapter, *, viewer: Member | None = None,
                 status: str | None = None) -> QuerySet[Proposal]:
    """The proposals scoped to `chapter` that `viewer` may see, newest first."""
    qs = proposals_visible_to(viewer).filter(chapter=chapter).select_related("chapter", "author")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def get_proposal_for(public_id: Any, viewer: Member | None) -> Proposal | None:
    """The proposal with `public_id` if `viewer` may see it, else None (a 404)."""
    return (
        proposals_visible_to(viewer)
        .select_related("chapter", "author")
        .filter(public_id=public_id)
        .first()
    )


def proposal_history(proposal: Proposal) -> QuerySet[ProposalEvent]:
    return proposal.events.select_related("actor").order_by("created_at", "id")


def versions(proposal: Proposal) -> QuerySet[ProposalVersion]:
    return proposal.versions.select_related("author", "amendment").order_by("number")


def amendments(proposal: Proposal) -> QuerySet[Amendment]:
    return proposal.amendments.select_related("author").order_by("number")


def options(proposal: Proposal) -> list[Option]:
    return list(proposal.options.order_by("position", "id"))


@dataclass(frozen=True)
class DiffBlock:
    """One block of a line diff: tag is "equal", "insert", "delete" or "replace"."""

    tag: str
    old: list[str]
    new: list[str]


def version_diff(proposal: Proposal, old: int, new: int) -> list[DiffBlock]:
    """The line diff between two versions of the text (difflib), for display.

    Raises ProposalVersion.DoesNotExist for an unknown version number.
    """
    texts = dict(
        ProposalVersion.objects.filter(proposal=proposal, number__in=[old, new]).values_list(
            "number", "text"
        )
    )
    if old not in texts or new not in texts:
        raise ProposalVersion.DoesNotExist(f"No version {old} or {new} of this proposal.")
    a, b = texts[old].splitlines(), texts[new].splitlines()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [
        DiffBlock(tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def unified_version_diff(proposal: Proposal, old: int, new: int) -> str:
    """The same diff as a unified diff text (for download or plain display)."""
    texts = dict(
        ProposalVersion.objects.filter(proposal=proposal, number__in=[old, new]).values_list(
            "number", "text"
        )
    )
    if old not in texts or new not in texts:
        raise ProposalVersion.DoesNotExist(f"No version {old} or {new} of this proposal.")
    return "".join(
        difflib.unified_diff(
            texts[old].splitlines(keepends=True), texts[new].splitlines(keepends=True),
            fromfile=f"version {old}", tofile=f"version {new}",
        )
    )


# -- Affectedness -----------------------------------------------------------------------


def belongs_to(member: Member, chapter: Chapter) -> bool:
    """Whether the member's home is `chapter` or below it (home_chapter is loaded once)."""
    return member.belongs_to(chapter)


def weight_of(proposal: Proposal, member: Member) -> tuple[float, str] | None:
    """The member's weight and its reason in this proposal, or None if not affected.

    After voting opened this is the frozen roll; before, it is computed from the
    affected groups and the member's stake declaration (as the roll will be).
    A request that asks several times (its permission checks do) asks `weight_for`.
    """
    if proposal.rule_snapshot is not None:
        row = (
            RollEntry.objects.filter(roll__proposal=proposal, member=member)
            .values_list("weight", "reason")
            .first()
        )
        return (row[0], row[1]) if row is not None else None
    if not member.user.is_active or not belongs_to(member, proposal.chapter):
        return None
    home_path = member.home_chapter.path
    weight, reason = 1.0, default_reason(proposal.chapter)
    groups = proposal.affected_groups.select_related("chapter").order_by("-chapter__depth")
    for group in groups:
        if home_path.startswith(group.chapter.path):
            weight, reason = group.weight, group_reason(group.chapter, group.reason)
            break
    stake = (
        proposal.stake_declarations.filter(member=member).values_list("weight", "reason").first()
    )
    if stake is not None and stake[0] > weight:
        weight, reason = stake[0], stake_reason(stake[1])
    return (weight, reason) if weight > 0 else None


def weight_for(viewer: Viewer, proposal: Proposal) -> tuple[float, str] | None:
    """The viewer's `weight_of` in this proposal, asked once per request (the viewer
    forgets it after a write: lib.interface.form_action)."""
    member = viewer.member
    if member is None:
        return None
    return viewer.recall(("weight", proposal.pk), lambda: weight_of(proposal, member))


def default_reason(scope: Chapter) -> str:
    return f"member of {scope.name}"


def group_reason(chapter: Chapter, reason: str) -> str:
    return f"{chapter.name}: {reason}"[:400]


def stake_reason(reason: str) -> str:
    return f"declared: {reason}"[:400]


@dataclass(frozen=True)
class AffectedRow:
    chapter: Chapter
    weight: float
    reason: str
    members: int  # members this weight applies to (the group minus deeper groups)


def affectedness(proposal: Proposal) -> list[AffectedRow]:
    """Who is affected with what weight, by group, for display before voting opens.

    From the denormalised member counts, with no scan of members (two queries): the
    scope at weight 1 (unless a group names the scope itself), then each group, each
    counting its members minus those of the groups nested directly inside it. An
    estimate: the roll frozen at opening is exact (it also leaves out deactivated
    accounts and adds declared stakes).
    """
    scope = proposal.chapter
    groups = {g.chapter_id: g for g in proposal.affected_groups.select_related("chapter")}
    chapters = [scope] + [g.chapter for g in groups.values() if g.chapter_id != scope.pk]
    rows: list[AffectedRow] = []
    for chapter in sorted(chapters, key=lambda c: c.path):
        inside = [c for c in chapters if c.pk != chapter.pk and c.path.startswith(chapter.path)]
        nested = [
            c for c in inside
            if not any(d.pk != c.pk and c.path.startswith(d.path) for d in inside)
        ]
        members = chapter.member_count - sum(c.member_count for c in nested)
        group = groups.get(chapter.pk)
        weight = group.weight if group else 1.0
        reason = group.reason if group else default_reason(scope)
        rows.append(AffectedRow(chapter, weight, reason, max(members, 0)))
    return rows


def stakes(proposal: Proposal) -> QuerySet:
    return proposal.stake_declarations.select_related("member").order_by("-weight", "created_at")


def common_scope(chapters: list[Chapter]) -> Chapter | None:
    """The deepest chapter containing all of `chapters` (their nearest common ancestor)."""
    if not chapters:
        return None
    prefix = chapters[0].path
    for chapter in chapters[1:]:
        while not chapter.path.startswith(prefix):
            prefix = prefix[: -chapters[0].steplen]
    return Chapter.objects.filter(path=prefix).first()


# -- Rolls and ballots ------------------------------------------------------------------


def roll_lines(proposal: Proposal) -> Iterator[str]:
    """The lines the roll hash is computed over, streamed in order (see Roll)."""
    rows = (
        RollEntry.objects.filter(roll__proposal=proposal)
        .order_by("member__public_id")
        .values_list("member__public_id", "weight", "reason")
    )
    for public_id, weight, reason in rows.iterator(chunk_size=10_000):
        yield f"{public_id}\t{float(weight)!r}\t{reason}\n"


def roll_digest(proposal: Proposal) -> tuple[str, int, float]:
    """(sha256 hex, size, total weight) of the roll, computed streaming."""
    digest = hashlib.sha256()
    size, total = 0, 0.0
    for line in roll_lines(proposal):
        digest.update(line.encode())
        size += 1
        total += float(line.split("\t", 2)[1])
    return digest.hexdigest(), size, total


def roll_weights(proposal: Proposal) -> list[dict[str, Any]]:
    """The roll's weights with their reasons and how many members hold each."""
    rows = (
        RollEntry.objects.filter(roll__proposal=proposal)
        .values("weight", "reason")
        .annotate(members=Count("id"))
        .order_by("-weight", "reason")
    )
    return [{"weight": r["weight"], "reason": r["reason"], "members": r["members"]} for r in rows]


def has_voted(proposal: Proposal, member: Member) -> bool:
    model = Participation if proposal.is_secret else Ballot
    return model.objects.filter(proposal=proposal, member=member).exists()


def own_ballot(proposal: Proposal, member: Member) -> dict[str, Any] | None:
    """The member's open ballot (never a secret one: that needs the receipt)."""
    if proposal.is_secret:
        return None
    return Ballot.objects.filter(proposal=proposal, member=member).values_list(
        "ballot", flat=True
    ).first()


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.strip().encode()).hexdigest()


def find_secret_ballot(proposal: Proposal, receipt: str) -> dict[str, Any] | None:
    """The secret ballot a receipt code identifies: {"receipt": hash, "weight", "ballot"}."""
    row = (
        SecretBallot.objects.filter(proposal=proposal, receipt_hash=receipt_hash(receipt))
        .values_list("receipt_hash", "weight", "ballot")
        .first()
    )
    if row is None:
        return None
    return {"receipt": row[0], "weight": row[1], "ballot": row[2]}


BallotRow = tuple[str | None, float, dict[str, Any], int | None]


def ballot_rows(proposal: Proposal) -> Iterator[BallotRow]:
    """(receipt hash or None, weight, ballot, group id) in the canonical order: open
    ballots by id, secret ballots by receipt hash. Streams tuples, no model instances.

    The tally, the ballot file and the recount all read in this order, so their
    floating-point sums agree to the last bit.
    """
    if proposal.is_secret:
        secret = (
            SecretBallot.objects.filter(proposal=proposal)
            .order_by("receipt_hash")
            .values_list("receipt_hash", "weight", "ballot", "group_id")
        )
        yield from secret.iterator(chunk_size=10_000)
        return
    rows = (
        Ballot.objects.filter(proposal=proposal)
        .order_by("id")
        .values_list("weight", "ballot", "group_id")
    )
    for weight, ballot, group_id in rows.iterator(chunk_size=10_000):
        yield None, weight, ballot, group_id


def ballot_file(proposal: Proposal) -> dict[str, Any]:
    """The published ballot file of a closed vote (format "chapterhouse-ballots/1").

    `python -m chapterhouse.voting recount FILE` recomputes "result" from it with no
    database. Secret ballots carry their receipt hash, open ones null; no member is
    named, and the voting package sorts the ballots so their order says nothing
    about when they were cast. "labels" name the options; "meta" identifies the
    decision. Raises Decision.DoesNotExist before the vote is closed.
    """
    decision = Decision.objects.select_related("proposal").get(proposal=proposal)
    snapshot = proposal.rule_snapshot or {}
    return voting.make_ballot_file(
        method=snapshot["method"],
        options=list(snapshot.get("options", [])),
        params=dict(snapshot.get("params", {})),
        eligible_weight=decision.roll["total_weight"],
        ballots=((receipt, weight, ballot) for receipt, weight, ballot, _g
                 in ballot_rows(proposal)),
        result=decision.result,
        labels={o["key"]: o["label"] for o in decision.options},
        meta={
            "proposal": str(proposal.public_id),
            "title": decision.title,
            "scope": decision.scope_path,
            "sequence": decision.sequence,
            "record_hash": decision.record_hash,
            "decided_at": decision.decided_at.isoformat(),
            "secret": bool(snapshot.get("secret")),
        },
    )


# -- Decisions --------------------------------------------------------------------------


def decisions(
    *, chapter: Chapter | None = None, include_subchapters: bool = False,
    category: str | None = None, outcome: str | None = None,
    since: datetime | None = None, until: datetime | None = None,
) -> QuerySet[Decision]:
    """The decision log, newest first, filtered (the /decisions/ list and its exports)."""
    qs = Decision.objects.select_related("chapter", "proposal")
    if chapter is not None:
        if include_subchapters:
            qs = qs.filter(chapter__path__startswith=chapter.path)
        else:
            qs = qs.filter(chapter=chapter)
    if category:
        qs = qs.filter(category=category)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if since is not None:
        qs = qs.filter(decided_at__gte=since)
    if until is not None:
        qs = qs.filter(decided_at__lt=until)
    return qs.order_by("-decided_at", "-sequence")


def dissents(decision: Decision) -> QuerySet:
    return decision.dissents.select_related("member").order_by("created_at", "id")


def may_dissent(decision: Decision, member: Member) -> bool:
    """Whether `member` voted on the losing side (open ballot) or voted at all
    (secret ballot: what they voted is not known, so any participant may)."""
    proposal = decision.proposal
    if proposal.is_secret:
        return Participation.objects.filter(proposal=proposal, member=member).exists()
    ballot = Ballot.objects.filter(proposal=proposal, member=member).values_list(
        "ballot", flat=True
    ).first()
    if ballot is None:
        return False
    return voted_against(
        method=decision.rule["method"], ballot=ballot, outcome=decision.result["outcome"],
        winners=list(decision.result.get("winners", [])),
    )


def voted_against(*, method: str, ballot: dict[str, Any], outcome: str,
                  winners: list[str]) -> bool:
    """Whether an open ballot went against the outcome.

    Yes/no methods: passed → no, concern, disagree or block; rejected → yes, consent
    or agree. Option methods: the ballot did not put a winner first (plurality:
    another option; approval: no winner approved; score: a winner scored below the
    ballot's best; ranked: a winner not ranked first). No decision or no quorum:
    every voter may dissent.
    """
    if outcome in ("no_decision", "no_quorum"):
        return True
    if method not in MULTI_OPTION_METHODS:
        choice = ballot.get("choice")
        if outcome == "passed":
            return choice in ("no", "concern", "disagree", "block")
        return choice in ("yes", "consent", "agree")
    if not winners:
        return True
    if method == "plurality":
        return ballot.get("option") not in winners
    if method == "approval":
        return not set(ballot.get("approve", [])) & set(winners)
    if method == "score":
        scores = ballot.get("scores", {})
        best = max(scores.values(), default=0)
        return any(scores.get(w, 0) < best for w in winners) or not scores
    ranking = ballot.get("ranking", [])
    return not ranking or ranking[0] not in winners


def eligible_weight_by_group(proposal: Proposal) -> dict[int | None, tuple[float, int]]:
    """{group id: (eligible weight, members)} over the frozen roll."""
    rows = (
        RollEntry.objects.filter(roll__proposal=proposal)
        .values("group")
        .annotate(weight=Sum("weight"), members=Count("id"))
    )
    return {r["group"]: (float(r["weight"] or 0), r["members"]) for r in rows}


# -- Checking the record ----------------------------------------------------------------


@dataclass(frozen=True)
class Recount:
    result: dict[str, Any]  # the recomputed voting.Result, as a dict
    published: dict[str, Any]  # the result stored on the Decision
    differences: list[str]  # where they differ ("outcome", "explanation.rounds"…)

    @property
    def matches(self) -> bool:
        return not self.differences


def recount(proposal: Proposal) -> Recount:
    """Count the stored ballots again with the same voting code, and compare the
    result with the published decision. Raises Decision.DoesNotExist if not closed."""
    from chapterhouse.voting.ballot_file import differences

    decision = Decision.objects.get(proposal=proposal)
    snapshot = proposal.rule_snapshot or {}
    total = Roll.objects.filter(proposal=proposal).values_list("total_weight", flat=True).get()
    result = voting.count(
        method=snapshot["method"], options=snapshot.get("options", []),
        ballots=((weight, ballot) for _r, weight, ballot, _g in ballot_rows(proposal)),
        params=snapshot.get("params", {}), eligible_weight=total,
    )
    return Recount(result.to_dict(), decision.result, differences(result, decision.result))


def chain_problems() -> list[str]:
    """Everything wrong with the hash chain of decision records, in plain sentences.

    Detects a record whose content no longer matches its hash (altered), gaps in the
    sequence (removed), links that point to another record than the previous one
    (reordered), and — against the audit log written when each decision was made —
    records missing at the end of the chain or rewritten with recomputed hashes.
    Empty when the chain is intact.
    """
    from chapterhouse.audit.models import AuditEntry

    problems: list[str] = []
    links = list(
        Decision.objects.order_by("sequence").values_list("sequence", "record_hash",
                                                          "previous_hash")
    )
    sequence_of = {record_hash: sequence for sequence, record_hash, _p in links}
    expected, previous_sequence, previous_hash = 1, 0, ""
    for sequence, record_hash, link in links:
        if sequence != expected:
            problems.append(
                f"Records {expected}–{sequence - 1} are missing: removed from the chain."
                if sequence - 1 > expected else
                f"Record {expected} is missing: removed from the chain."
            )
        if link != previous_hash:
            target = sequence_of.get(link)
            if target is not None and target != previous_sequence:
                problems.append(
                    f"Record {sequence} links to record {target}, not to record "
                    f"{previous_sequence}: the records were reordered."
                )
            elif sequence == expected:
                problems.append(
                    f"Record {sequence} does not link to record {previous_sequence}: "
                    "its link was altered."
                )
        expected, previous_sequence, previous_hash = sequence + 1, sequence, record_hash
    for decision in Decision.objects.select_related("proposal").order_by("sequence").iterator(
        chunk_size=500
    ):
        if decision.compute_hash() != decision.record_hash:
            problems.append(
                f"Record {decision.sequence} was altered: its content does not match its hash."
            )
    logged = AuditEntry.objects.filter(action="decisions.close_voting").values_list(
        "data", flat=True
    )
    stored = {sequence: record_hash for sequence, record_hash, _p in links}
    for data in logged.iterator(chunk_size=1000):
        sequence, record_hash = data.get("sequence"), data.get("record_hash")
        if sequence is None:
            continue
        if sequence not in stored:
            if sequence >= expected:
                problems.append(
                    f"Record {sequence} is in the audit log but not in the chain: removed."
                )
        elif stored[sequence] != record_hash:
            problems.append(
                f"Record {sequence} differs from the hash logged when it was decided: the "
                "chain was rewritten."
            )
    return problems
