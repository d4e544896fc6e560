"""Read-only helpers that shape proposals and decisions for display.

Pages, the API and the exports read through these; nothing here writes. The tally
explanation of the pure `voting` package becomes tables and bar charts (widths as
CSS classes, never inline styles: the CSP forbids them), ballots and events become
translated sentences, and the chapter's board of proposals is read in a constant
number of queries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from chapterhouse.chapters.models import Chapter

from . import selectors
from .models import (
    MULTI_OPTION_METHODS,
    Ballot,
    Category,
    Decision,
    DecisionRule,
    Method,
    Participation,
    Proposal,
    ProposalEvent,
)

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

Status = Proposal.Status
RANKED_METHODS = frozenset({Method.SCHULZE, Method.IRV})
MAX_SCORE = 5

# The choices of the yes/no methods, in the order the ballot shows them.
CHOICES: dict[str, tuple[str, ...]] = {
    Method.MAJORITY: ("yes", "no", "abstain"),
    Method.SUPERMAJORITY: ("yes", "no", "abstain"),
    Method.CONSENT: ("consent", "concern", "block"),
    Method.CONSENSUS: ("agree", "abstain", "disagree", "block"),
}
# Choices that must come with a reason (the voting package refuses them without).
REASON_REQUIRED: dict[str, frozenset[str]] = {
    Method.CONSENT: frozenset({"concern", "block"}),
    Method.CONSENSUS: frozenset({"disagree", "block"}),
}
CHOICE_LABELS: dict[str, Promise] = {
    "yes": gettext_lazy("Yes"),
    "no": gettext_lazy("No"),
    "abstain": gettext_lazy("Abstain"),
    "consent": gettext_lazy("Consent"),
    "concern": gettext_lazy("Consent with a concern"),
    "block": gettext_lazy("Block"),
    "agree": gettext_lazy("Agree"),
    "disagree": gettext_lazy("Disagree"),
}
OUTCOME_LABELS: dict[str, Promise] = {
    value: label for value, label in Decision.Outcome.choices
}
WHY: dict[str, Promise] = {
    "threshold_met": gettext_lazy("The share in favour reached the threshold."),
    "threshold_not_met": gettext_lazy("The share in favour did not reach the threshold."),
    "no_votes": gettext_lazy("Nobody voted for or against, so the proposal is rejected."),
    "blocked": gettext_lazy("The proposal was blocked."),
    "no_block": gettext_lazy("Nobody blocked the proposal."),
    "most_weight": gettext_lazy("The winner has the most weight behind it."),
    "schulze_winner": gettext_lazy(
        "The winner beats or ties every other option by the strongest paths of "
        "pairwise preferences (Schulze)."
    ),
    "majority_of_continuing": gettext_lazy(
        "The winner has more than half of the weight still in the count (instant runoff)."
    ),
    "tie": gettext_lazy("Options are tied and ties are not broken by lot: no decision."),
    "tie_lot": gettext_lazy("Options were tied; the public lot order broke the tie."),
    "nothing_to_count": gettext_lazy("No ballot expressed a preference: no decision."),
    "no_quorum": gettext_lazy("Turnout was below the quorum, so the vote has no result."),
}
EFFECT_KINDS: dict[str, Promise] = {
    "rule": gettext_lazy("The new rule was applied."),
    "role": gettext_lazy("The role change was applied."),
}


# -- Numbers ------------------------------------------------------------------------------


def number(value: float | int | None) -> str:
    """A weight or count for people: 3, 2.5, 0.333333 → "0.33"."""
    if value is None:
        return "–"
    value = float(value)
    if value.is_integer():
        return formats.number_format(int(value), use_l10n=True)
    return formats.number_format(round(value, 2), decimal_pos=None, use_l10n=True)


def percent(share: float | None) -> str:
    if share is None:
        return "–"
    return formats.number_format(round(share * 100, 1), use_l10n=True) + " %"


def fraction_text(value: float | None) -> str:
    """A threshold or quorum: 0.6666… → "2/3 (66.7 %)", 0.5 → "50 %"."""
    if value is None:
        return "–"
    from fractions import Fraction

    simple = Fraction(value).limit_denominator(12)
    text = percent(value)
    if simple.denominator > 2 and abs(float(simple) - value) < 1e-9:
        text = f"{simple.numerator}/{simple.denominator} ({text})"
    return text


def width_class(part: float | None, whole: float | None) -> str:
    """The bar width class for part/whole: "w-0", "w-1" (a visible sliver), "w-5" … "w-100"
    (steps of 5 %). site.css defines them; no inline style is ever needed."""
    if not part or not whole or part <= 0 or whole <= 0:
        return "w-0"
    pct = min(part / whole, 1.0) * 100
    step = int(math.floor(pct / 5 + 0.5)) * 5
    return f"w-{step}" if step else "w-1"


# -- Rules --------------------------------------------------------------------------------


def category_label(category: str) -> str:
    try:
        return str(Category(category).label)
    except ValueError:
        return category.replace("-", " ").capitalize()


def method_label(method: str) -> str:
    try:
        return str(Method(method).label)
    except ValueError:
        return method


@dataclass
class RuleView:
    category: str
    category_label: str
    method: str
    method_label: str
    terms: list[tuple[str, str]]  # (what, value) lines for a table
    secret: bool
    chapter: Chapter | None = None
    inherited: bool = False


def rule_terms(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A rule's (or a snapshot's) parameters and periods as (name, value) lines."""
    params = values.get("params") or {}
    method = values.get("method", "")
    terms: list[tuple[str, str]] = []
    if "threshold" in params and params["threshold"] is not None:
        rule = _("more than") if method == Method.MAJORITY else _("at least")
        terms.append((_("Threshold"), f"{rule} {fraction_text(float(params['threshold']))}"))
    if method == Method.CONSENSUS and params.get("block_limit") is not None:
        limit = float(params["block_limit"])
        terms.append((_("Block limit"), _("any block stops it") if not limit else
                      _("blocks of %(share)s of the turnout or more stop it")
                      % {"share": percent(limit)}))
    for name, label in (("min_choices", _("Fewest approvals")),
                        ("max_choices", _("Most approvals"))):
        if params.get(name) is not None:
            terms.append((label, str(params[name])))
    terms.append((_("Quorum"), fraction_text(float(params.get("quorum") or 0))
                  if params.get("quorum") else _("none")))
    if params.get("tie_break") == "lot":
        terms.append((_("Ties"), _("broken by public lot")))
    else:
        terms.append((_("Ties"), _("no decision")))
    for name, label in (("deliberation_days", _("Deliberation")),
                        ("amendment_days", _("Amendments")),
                        ("voting_days", pgettext("rule period", "Voting"))):
        if values.get(name) is not None:
            days = int(values[name])
            terms.append((label, ngettext("%(n)s day", "%(n)s days", days) % {"n": days}))
    terms.append((_("Ballot"), _("secret") if values.get("secret") else _("open")))
    if values.get("allow_self_declared_stakes"):
        terms.append((_("Declared stakes"), _("allowed, up to a weight of %(cap)s")
                      % {"cap": number(values.get("self_declared_cap"))}))
    else:
        terms.append((_("Declared stakes"), _("not allowed")))
    if values.get("alternatives_method") and method not in MULTI_OPTION_METHODS:
        terms.append((_("When alternatives compete"),
                      method_label(str(values["alternatives_method"]))))
    return terms


def rule_view(rule: DecisionRule, chapter: Chapter | None = None) -> RuleView:
    return RuleView(
        category=rule.category,
        category_label=category_label(rule.category),
        method=rule.method,
        method_label=method_label(rule.method),
        terms=rule_terms(rule.snapshot()),
        secret=rule.secret,
        chapter=rule.chapter if rule.chapter_id else None,
        inherited=chapter is not None and rule.chapter_id != chapter.pk,
    )


def rules_in_force(chapter: Chapter) -> list[RuleView]:
    """Every category the chapter decides, with its rule and where it comes from (one query)."""
    return [rule_view(rule, chapter) for rule in selectors.effective_rules(chapter).values()]


# -- The chapter's board of proposals ------------------------------------------------------


STAGES: tuple[tuple[str, Promise], ...] = (
    (Status.DRAFT, gettext_lazy("My drafts")),
    (Status.VOTING, gettext_lazy("Voting now")),
    (Status.DELIBERATION, gettext_lazy("In deliberation")),
    (Status.CLOSED, gettext_lazy("Decided")),
    (Status.WITHDRAWN, gettext_lazy("Withdrawn")),
    (Status.REFERRED, gettext_lazy("Referred to sub-chapters")),
)
STAGE_ORDER: dict[str, tuple[str, ...]] = {
    Status.DRAFT: ("-updated_at", "-id"),
    Status.DELIBERATION: ("voting_opens_at", "id"),
    Status.VOTING: ("voting_closes_at", "id"),
    Status.CLOSED: ("-closed_at", "-id"),
    Status.WITHDRAWN: ("-updated_at", "-id"),
    Status.REFERRED: ("-updated_at", "-id"),
}


def stage_label(status: str) -> str:
    return str(dict(STAGES).get(status, status))


# What a row of the board (decisions/_proposal_row.html) shows: the text and the
# chapter (the page's own) are not loaded, which matters with a thousand proposals.
ROW_FIELDS = (
    "public_id", "title", "category", "status", "rule_snapshot", "updated_at",
    "voting_opens_at", "voting_closes_at", "author", "author__public_id",
    "author__display_name",
)


def stage_queryset(chapter: Chapter, viewer: Member | None, status: str) -> QuerySet[Proposal]:
    """The chapter's proposals in one stage as `viewer` may see them (drafts: theirs),
    with ROW_FIELDS only."""
    qs = selectors.proposals_in(chapter, viewer=viewer, status=status)
    if status == Status.DRAFT:
        qs = qs.filter(author=viewer) if viewer is not None else qs.none()
    return qs.select_related(None).select_related("author").only(*ROW_FIELDS) \
        .order_by(*STAGE_ORDER[status])


@dataclass
class Stage:
    status: str
    label: str
    proposals: list[Proposal]
    more: bool


def voted_ids(proposals: Sequence[Proposal], viewer: Member | None) -> set[int]:
    """Which of these proposals (in voting) the viewer has voted on: two queries at most."""
    if viewer is None or not proposals:
        return set()
    open_ids = [p.pk for p in proposals if not p.is_secret]
    secret_ids = [p.pk for p in proposals if p.is_secret]
    voted: set[int] = set()
    if open_ids:
        voted |= set(Ballot.objects.filter(member=viewer, proposal_id__in=open_ids)
                     .values_list("proposal_id", flat=True))
    if secret_ids:
        voted |= set(Participation.objects.filter(member=viewer, proposal_id__in=secret_ids)
                     .values_list("proposal_id", flat=True))
    return voted


def board(chapter: Chapter, viewer: Member | None, *, limit: int = 10) -> list[Stage]:
    """The chapter's proposals by stage, the first `limit` of each (one query a stage;
    decided ones are in the decision log)."""
    stages = []
    for status, label in STAGES:
        if status == Status.CLOSED:
            continue
        if status == Status.DRAFT and viewer is None:
            continue
        rows = list(stage_queryset(chapter, viewer, status)[: limit + 1])
        stages.append(Stage(status, str(label), rows[:limit], len(rows) > limit))
    return stages


# -- Ballots ------------------------------------------------------------------------------


def labels_of(options: Iterable[Any]) -> dict[str, str]:
    """{option key: label} from Option rows or the record's option dicts."""
    labels = {}
    for option in options:
        if isinstance(option, Mapping):
            labels[str(option["key"])] = str(option["label"])
        else:
            labels[option.key] = option.label
    return labels


def describe_ballot(method: str, ballot: Mapping[str, Any] | None,
                    labels: Mapping[str, str]) -> str:
    """A ballot in words, for "you voted …" and the ballot-by-receipt lookup."""
    if not ballot:
        return _("a blank ballot")

    def name(key: str) -> str:
        return labels.get(key, key)

    if "choice" in ballot:
        text = str(CHOICE_LABELS.get(ballot["choice"], ballot["choice"]))
        if ballot.get("reason"):
            text += " — " + _("reason: “%(reason)s”") % {"reason": ballot["reason"]}
        return text
    if "option" in ballot:
        return name(ballot["option"])
    if "approve" in ballot:
        approved = [name(k) for k in ballot["approve"]]
        return _("approved: %(options)s") % {"options": ", ".join(approved)} if approved \
            else _("a blank ballot")
    if "scores" in ballot:
        scores = sorted(ballot["scores"].items(), key=lambda item: (-item[1], item[0]))
        return ", ".join(f"{name(k)} {v}" for k, v in scores) or _("a blank ballot")
    if "ranking" in ballot:
        ranking = [f"{i}. {name(k)}" for i, k in enumerate(ballot["ranking"], start=1)]
        return ", ".join(ranking) or _("a blank ballot")
    return _("a blank ballot")


# -- The tally, for tables and charts ------------------------------------------------------


@dataclass
class Bar:
    key: str
    label: str
    value: float
    share: float | None
    width: str
    winner: bool = False
    note: str = ""

    @property
    def value_text(self) -> str:
        return number(self.value)

    @property
    def share_text(self) -> str:
        return percent(self.share)


@dataclass
class Matrix:
    """A pairwise matrix: rows[i].cells[j] is the weight preferring i over j."""

    options: list[tuple[str, str]]  # (key, label)
    rows: list[dict[str, Any]]


@dataclass
class Round:
    number: int
    bars: list[Bar]
    continuing: float
    exhausted: float
    eliminated: list[str]
    elected: str
    tie: str


@dataclass
class TallyView:
    method: str
    method_label: str
    outcome: str
    outcome_label: str
    why: str
    winners: list[str]
    turnout: dict[str, Any]
    bars: list[Bar] = field(default_factory=list)
    bars_caption: str = ""
    threshold: str = ""
    reasons: list[tuple[str, list[str]]] = field(default_factory=list)
    pairwise: Matrix | None = None
    paths: Matrix | None = None
    rounds: list[Round] = field(default_factory=list)
    tie: str = ""
    without_quorum: str = ""
    counted_weight: float | None = None
    blank_weight: float | None = None
    # Column headings of the bar table.
    label_heading: str = ""
    value_heading: str = ""
    share_heading: str = ""


def _matrix(opts: list[str], values: list[list[float]], name: Any) -> Matrix:
    rows = []
    for i, key in enumerate(opts):
        cells: list[dict[str, Any]] = []
        for j, _other in enumerate(opts):
            if i == j:
                cells.append({"value": None, "text": "—", "wins": False, "loses": False})
                continue
            mine, theirs = values[i][j], values[j][i]
            cells.append({"value": mine, "text": number(mine), "wins": mine > theirs,
                          "loses": mine < theirs})
        rows.append({"key": key, "label": name(key), "cells": cells})
    return Matrix(options=[(k, name(k)) for k in opts], rows=rows)


def _tie_text(tie: Mapping[str, Any] | None, name: Any) -> str:
    if not tie:
        return ""
    if "between" in tie:
        tied = ", ".join(name(o) for o in tie["between"])
        if tie.get("rule") == "lot" and tie.get("chosen"):
            return _("Tied: %(options)s. Broken by the public lot (seed “%(seed)s”): "
                     "%(chosen)s.") % {"options": tied, "seed": tie.get("seed", ""),
                                       "chosen": name(tie["chosen"])}
        return _("Tied: %(options)s. Ties are not broken by lot, so there is no decision.") \
            % {"options": tied}
    if "rounds" in tie:
        rounds = ", ".join(str(r) for r in tie["rounds"])
        if tie.get("rule") == "lot":
            return _("Ties in round(s) %(rounds)s were broken by the public lot (seed "
                     "“%(seed)s”).") % {"rounds": rounds, "seed": tie.get("seed", "")}
        return _("A tie in round(s) %(rounds)s could not be broken.") % {"rounds": rounds}
    return ""


def tally_view(result: Mapping[str, Any], labels: Mapping[str, str]) -> TallyView:
    """The result of a count (Result.to_dict()) as tables and bars for the record."""
    ex = result.get("explanation") or {}
    method = str(ex.get("method", ""))

    def name(key: str) -> str:
        return labels.get(key) or str(CHOICE_LABELS.get(key, key))

    winners = [name(w) for w in result.get("winners", [])]
    view = TallyView(
        method=method, method_label=method_label(method),
        outcome=str(result.get("outcome", "")),
        outcome_label=str(OUTCOME_LABELS.get(result.get("outcome", ""), "")),
        why=str(WHY.get(ex.get("why", ""), "")),
        winners=winners,
        turnout=dict(ex.get("turnout") or {}),
        counted_weight=ex.get("counted_weight"),
        blank_weight=ex.get("blank_weight"),
    )
    hypothetical = ex.get("without_quorum")
    if hypothetical:
        would = ", ".join(name(w) for w in hypothetical.get("winners", []))
        outcome = str(OUTCOME_LABELS.get(hypothetical.get("outcome", ""), ""))
        view.without_quorum = (
            _("Without the quorum the tally alone would have given: %(outcome)s%(winners)s.")
            % {"outcome": outcome, "winners": f" ({would})" if would else ""}
        )
    counts: dict[str, float] = ex.get("counts") or {}
    winner_keys = set(result.get("winners", [])) or set(
        (hypothetical or {}).get("winners", [])
    )
    view.label_heading = _("Option")
    view.value_heading = _("Weight")
    view.share_heading = _("Share")
    if method not in MULTI_OPTION_METHODS:
        turnout_weight = float(view.turnout.get("weight") or 0)
        # In the ballot's order (a stored record's JSON has its keys sorted).
        order = [c for c in CHOICES.get(method, ()) if c in counts]
        order += [c for c in counts if c not in order]
        view.bars = [
            Bar(key, name(key), float(counts[key]), (counts[key] / turnout_weight)
                if turnout_weight else None, width_class(counts[key], turnout_weight))
            for key in order
        ]
        view.label_heading = _("Choice")
        view.bars_caption = _("Weight of each choice, as a share of the turnout")
        if ex.get("threshold") is not None:
            rule = _("more than") if ex.get("threshold_rule") == "more_than" else _("at least")
            favour = "agree" if method == Method.CONSENSUS else "yes"
            shares = ex.get("shares") or {}
            if favour in shares:
                view.threshold = _(
                    "%(choice)s has %(share)s of %(choice)s and %(against)s together; "
                    "%(rule)s %(threshold)s was needed."
                ) % {
                    "choice": name(favour), "share": percent(shares.get(favour)),
                    "against": name("disagree" if favour == "agree" else "no"),
                    "rule": rule, "threshold": fraction_text(float(ex["threshold"])),
                }
        if method == Method.CONSENSUS and ex.get("block_share") is not None:
            limit = float(ex.get("block_limit") or 0)
            view.threshold += " " + (
                _("Blocks are %(share)s of the turnout; any block stops it.")
                % {"share": percent(ex["block_share"])} if not limit else
                _("Blocks are %(share)s of the turnout; %(limit)s or more stops it.")
                % {"share": percent(ex["block_share"]), "limit": percent(limit)}
            )
        for key, label in (("block_reasons", _("Reasons for blocking")),
                           ("concern_reasons", _("Concerns")),
                           ("disagree_reasons", _("Reasons for disagreeing"))):
            if ex.get(key):
                view.reasons.append((label, list(ex[key])))
        return view

    opts: list[str] = list(ex.get("options") or [])
    counted = float(ex.get("counted_weight") or 0)
    if method in (Method.PLURALITY, Method.APPROVAL):
        shares = ex.get("shares") or {}
        top = max(counts.values(), default=0.0)
        view.bars = [
            Bar(key, name(key), float(counts.get(key, 0)), shares.get(key),
                width_class(counts.get(key, 0), counted if method == Method.PLURALITY
                            else max(top, counted)), key in winner_keys)
            for key in opts
        ]
        view.bars_caption = (
            _("Weight of the votes for each option") if method == Method.PLURALITY
            else _("Weight of the voters approving each option")
        )
        if method == Method.APPROVAL:
            view.share_heading = _("Share of voters")
    elif method == Method.SCORE:
        averages = ex.get("averages") or {}
        top = float(ex.get("max_score") or MAX_SCORE) * counted
        view.bars = [
            Bar(key, name(key), float(counts.get(key, 0)), None,
                width_class(counts.get(key, 0), top), key in winner_keys,
                note=_("average %(avg)s") % {"avg": number(averages.get(key))})
            for key in opts
        ]
        view.bars_caption = _("Total weighted score of each option (0–5)")
        view.value_heading, view.share_heading = _("Total score"), _("Average")
    elif method == Method.SCHULZE:
        wins = ex.get("wins") or {}
        most = max(len(opts) - 1, 1)
        view.bars = [
            Bar(key, name(key), float(wins.get(key, 0)), None, width_class(wins.get(key, 0), most),
                key in winner_keys)
            for key in opts
        ]
        view.bars_caption = _("How many other options each option beats by strongest paths")
        view.value_heading, view.share_heading = _("Beats"), ""
        if ex.get("pairwise"):
            view.pairwise = _matrix(opts, ex["pairwise"], name)
        if ex.get("strongest_paths"):
            view.paths = _matrix(opts, ex["strongest_paths"], name)
    elif method == Method.IRV:
        for rnd in ex.get("rounds") or []:
            continuing = float(rnd.get("continuing_weight") or 0)
            bars = [
                Bar(key, name(key), float(value), rnd.get("shares", {}).get(key),
                    width_class(value, continuing), key == rnd.get("elected"))
                for key, value in sorted(rnd.get("counts", {}).items(),
                                         key=lambda item: (-item[1], opts.index(item[0])
                                                           if item[0] in opts else 0))
            ]
            view.rounds.append(Round(
                number=int(rnd.get("round", 0)), bars=bars, continuing=continuing,
                exhausted=float(rnd.get("exhausted") or 0),
                eliminated=[name(k) for k in rnd.get("eliminated", [])],
                elected=name(rnd["elected"]) if rnd.get("elected") else "",
                tie=_("tie between %(options)s") % {
                    "options": ", ".join(name(o) for o in rnd["tie"]["between"])
                } if rnd.get("tie") else "",
            ))
        if view.rounds:
            view.bars = view.rounds[-1].bars
            view.bars_caption = _("The last round")
    view.tie = _tie_text(ex.get("tie"), name)
    return view


@dataclass
class GroupView:
    name: str
    url_path: str
    direct: bool
    voters: int
    eligible_members: int
    tally: TallyView


def breakdown_view(decision: Decision, labels: Mapping[str, str]) -> dict[str, Any]:
    data = decision.breakdown or {}
    groups = [
        GroupView(
            name=str(group.get("name", "")), url_path=str(group.get("chapter", "")),
            direct=bool(group.get("direct")), voters=int(group.get("voters", 0)),
            eligible_members=int(group.get("eligible_members", 0)),
            tally=tally_view(group.get("result") or {}, labels),
        )
        for group in data.get("groups", [])
    ]
    return {
        "groups": groups,
        "hidden_groups": int(data.get("hidden_groups", 0)),
        "hidden_voters": int(data.get("hidden_voters", 0)),
        "min_voters": int(data.get("min_voters", 0)),
    }


def effect_text(decision: Decision) -> str:
    effect = decision.effect or {}
    if not effect:
        return ""
    if not effect.get("applied"):
        return _("The change could not be applied: %(error)s") % {"error": effect.get("error", "")}
    return str(EFFECT_KINDS.get(effect.get("kind", ""), ""))


# -- What a rules or roles proposal would do ----------------------------------------------


def payload_lines(proposal: Proposal | None, category: str, payload: Mapping[str, Any],
                  scope: Chapter | None = None) -> list[tuple[str, str]]:
    """A rules or roles payload in words (name, value) for the proposal page."""
    if not payload:
        return []
    lines: list[tuple[str, str]] = []
    if category == Category.RULES:
        lines.append((_("Rule for the category"), category_label(str(payload.get("category")))))
        if payload.get("method"):
            lines.append((_("Voting method"), method_label(str(payload["method"]))))
        params = payload.get("params") or {}
        for key, label in (("threshold", _("Threshold")), ("quorum", _("Quorum")),
                           ("block_limit", _("Block limit"))):
            if params.get(key) is not None:
                lines.append((label, fraction_text(float(params[key]))))
        for key, label in (("min_choices", _("Fewest approvals")),
                           ("max_choices", _("Most approvals")),
                           ("tie_break", _("Ties"))):
            if params.get(key) is not None:
                lines.append((label, str(params[key])))
        for key, label in (("deliberation_days", _("Deliberation (days)")),
                           ("amendment_days", _("Amendments (days)")),
                           ("voting_days", _("Voting (days)"))):
            if payload.get(key) is not None:
                lines.append((label, str(payload[key])))
        if payload.get("secret") is not None:
            lines.append((_("Ballot"), _("secret") if payload["secret"] else _("open")))
        if payload.get("allow_self_declared_stakes") is not None:
            lines.append((_("Declared stakes"), _("allowed") if
                          payload["allow_self_declared_stakes"] else _("not allowed")))
        if payload.get("self_declared_cap") is not None:
            lines.append((_("Highest declared weight"), number(payload["self_declared_cap"])))
        if payload.get("alternatives_method"):
            lines.append((_("When alternatives compete"),
                          method_label(str(payload["alternatives_method"]))))
    elif category == Category.ROLES:
        from chapterhouse.members.models import Member

        member = Member.objects.filter(public_id=str(payload["member"])).first() \
            if payload.get("member") else None
        action = _("Grant the facilitator role to") if payload.get("action") == "grant" \
            else _("Revoke the facilitator role of")
        lines.append((action, member.display_name if member else _("an unknown member")))
    return lines


# -- The history of a proposal -----------------------------------------------------------


@dataclass
class TimelineEntry:
    kind: str
    when: Any
    text: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, label)


def _chapter_names(paths: set[str]) -> dict[str, Chapter]:
    if not paths:
        return {}
    return {c.url_path: c for c in Chapter.objects.filter(url_path__in=paths)}


def _proposal_url(public_id: Any) -> str:
    return reverse("decisions:detail", kwargs={"public_id": public_id})


def timeline(proposal: Proposal) -> list[TimelineEntry]:
    """The proposal's public history in words (two queries: events, chapters named)."""
    events = list(selectors.proposal_history(proposal))
    paths: set[str] = set()
    for event in events:
        data = event.data or {}
        for key in ("from", "to", "scope"):
            if isinstance(data.get(key), str) and event.kind != ProposalEvent.Kind.REFERRED_FROM:
                paths.add(data[key])
        if event.kind == ProposalEvent.Kind.REFERRED_FROM and data.get("scope") is not None:
            paths.add(data["scope"])
        if event.kind == ProposalEvent.Kind.REFERRED_DOWN:
            paths.update(t.get("chapter", "") for t in data.get("to", []))
    chapters = _chapter_names(paths)

    def chapter_name(path: str) -> str:
        chapter = chapters.get(path)
        return chapter.display_name() if chapter else (path or _("International"))

    entries = []
    for event in events:
        actor = event.actor.display_name if event.actor else ""
        data = event.data or {}
        links: list[tuple[str, str]] = []
        kind = event.kind
        K = ProposalEvent.Kind
        if kind == K.CREATED:
            text = _("%(actor)s wrote the first draft.") % {"actor": actor or _("Someone")}
        elif kind == K.EDITED:
            text = _("%(actor)s edited the draft.") % {"actor": actor or _("Someone")}
        elif kind == K.PUBLISHED:
            text = _("%(actor)s published the proposal: deliberation began.") % {
                "actor": actor or _("Someone")}
        elif kind == K.AMENDMENT_PROPOSED:
            text = _("%(actor)s proposed amendment %(n)s.") % {
                "actor": actor or _("Someone"), "n": data.get("amendment")}
        elif kind == K.AMENDMENT_ACCEPTED:
            text = (_("%(actor)s accepted amendment %(n)s as an option.") if data.get("as_option")
                    else _("%(actor)s accepted amendment %(n)s into the text.")) % {
                "actor": actor or _("Someone"), "n": data.get("amendment")}
        elif kind == K.AMENDMENT_WITHDRAWN:
            text = _("%(actor)s withdrew amendment %(n)s.") % {
                "actor": actor or _("Someone"), "n": data.get("amendment")}
        elif kind == K.AFFECTEDNESS_CHANGED:
            groups = ", ".join(f"{chapter_name(g.get('chapter', ''))} {number(g.get('weight'))}"
                               for g in data.get("groups", []))
            text = _("%(actor)s set the affected groups: %(groups)s.") % {
                "actor": actor or _("Someone"),
                "groups": groups or _("everyone in the scope with weight 1")}
        elif kind == K.STAKE_DECLARED:
            text = _("%(actor)s declared a stake of %(weight)s: “%(reason)s”.") % {
                "actor": actor or _("Someone"), "weight": number(data.get("weight")),
                "reason": data.get("reason", "")}
        elif kind == K.STAKE_WITHDRAWN:
            text = _("%(actor)s withdrew their declared stake.") % {
                "actor": actor or _("Someone")}
        elif kind == K.MOVED_UP:
            text = _("%(actor)s moved the proposal up from %(old)s to %(new)s.") % {
                "actor": actor or _("Someone"), "old": chapter_name(data.get("from", "")),
                "new": chapter_name(data.get("to", ""))}
        elif kind == K.REFERRED_DOWN:
            text = _("%(actor)s referred the proposal down to its sub-chapters.") % {
                "actor": actor or _("Someone")}
            for target in data.get("to", []):
                links.append((_proposal_url(target.get("proposal")),
                              chapter_name(target.get("chapter", ""))))
        elif kind == K.REFERRED_FROM:
            text = _("Referred here from %(scope)s.") % {
                "scope": chapter_name(data.get("scope", ""))}
            if data.get("from"):
                links.append((_proposal_url(data["from"]), _("the original proposal")))
        elif kind == K.VOTING_OPENED:
            text = ngettext(
                "Voting opened. The roll was frozen: %(size)s member with a total weight "
                "of %(weight)s (hash %(hash)s…).",
                "Voting opened. The roll was frozen: %(size)s members with a total weight "
                "of %(weight)s (hash %(hash)s…).",
                int(data.get("roll_size") or 0)) % {
                "size": number(data.get("roll_size")), "weight": number(data.get("total_weight")),
                "hash": str(data.get("roll_hash", ""))[:16]}
        elif kind == K.CLOSED:
            text = _("Voting closed: %(outcome)s. Decision record #%(sequence)s.") % {
                "outcome": OUTCOME_LABELS.get(data.get("outcome", ""), data.get("outcome", "")),
                "sequence": data.get("sequence")}
        elif kind == K.WITHDRAWN:
            text = _("%(actor)s withdrew the proposal.") % {"actor": actor or _("Someone")}
        elif kind == K.DISSENT_ADDED:
            text = _("%(actor)s added a dissent to the record.") % {"actor": actor or _("Someone")}
        else:
            text = str(event.get_kind_display())
        entries.append(TimelineEntry(kind=kind, when=event.created_at, text=text, links=links))
    return entries


# -- Diffs ---------------------------------------------------------------------------------


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    sign: str
    text: str


def diff_lines(blocks: Sequence[selectors.DiffBlock], context: int = 3) -> list[DiffLine]:
    """A line diff for a <pre>, with long unchanged stretches folded. Plain text: the
    template escapes it (never HTML from difflib)."""
    lines: list[DiffLine] = []
    for index, block in enumerate(blocks):
        if block.tag == "equal":
            old = block.old
            first, last = index == 0, index == len(blocks) - 1
            if len(old) > 2 * context + 1:
                head = [] if first else old[:context]
                tail = [] if last else old[-context:]
                lines += [DiffLine("same", " ", t) for t in head]
                folded = len(old) - len(head) - len(tail)
                lines.append(DiffLine("fold", "…", ngettext("(%(n)s unchanged line)",
                                                            "(%(n)s unchanged lines)", folded)
                                      % {"n": folded}))
                lines += [DiffLine("same", " ", t) for t in tail]
            else:
                lines += [DiffLine("same", " ", t) for t in old]
            continue
        lines += [DiffLine("removed", "−", t) for t in block.old]
        lines += [DiffLine("added", "+", t) for t in block.new]
    return lines
