"""The tally explanation of the `voting` package as tables and bar charts, and the
breakdown and effect of a decision."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ..models import (
    MULTI_OPTION_METHODS,
    Decision,
    Method,
)
from .text import (
    CHOICE_LABELS,
    CHOICES,
    EFFECT_KINDS,
    MAX_SCORE,
    OUTCOME_LABELS,
    WHY,
    fraction_text,
    method_label,
    number,
    percent,
    weight_value,
    width_class,
)

# -- The tally, for tables and charts ------------------------------------------------------


@dataclass
class Bar:
    key: str
    label: str
    value: Any  # an exact weight (Fraction), or a float of an older record
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
    continuing: Any
    exhausted: Any
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
    counted_weight: Any = None
    blank_weight: Any = None
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
            mine, theirs = weight_value(values[i][j]), weight_value(values[j][i])
            cells.append({"value": mine, "text": number(mine), "wins": mine > theirs,
                          "loses": mine < theirs})
        rows.append({"key": key, "label": name(key), "cells": cells})
    return Matrix(options=[(k, name(k)) for k in opts], rows=rows)


def _round_tie_text(tie: Mapping[str, Any] | None, name: Any) -> str:
    """An instant-runoff round's tie and the rule that resolved it (stored as a kind in
    the record's ``resolved_by``, worded here so it reads in the viewer's language)."""
    if not tie:
        return ""
    text = _("tie between %(options)s") % {"options": ", ".join(name(o) for o in tie["between"])}
    how = {
        "together": _("together they had less than any other option, so all were eliminated"),
        "earlier_rounds": _("the one with less support in the latest earlier round where "
                            "they differed was eliminated"),
        "any_order": _("every order of eliminating them elects the same option, so the order "
                       "cannot change who wins"),
        "lot": _("broken by the public lot"),
    }.get(tie.get("resolved_by") or "", _("nothing separated them"))
    return f"{text}: {how}"


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
    counts: dict[str, Any] = {k: weight_value(v) for k, v in (ex.get("counts") or {}).items()}
    winner_keys = set(result.get("winners", [])) or set(
        (hypothetical or {}).get("winners", [])
    )
    view.label_heading = _("Option")
    view.value_heading = _("Weight")
    view.share_heading = _("Share")
    if method not in MULTI_OPTION_METHODS:
        turnout_weight = weight_value(view.turnout.get("weight"))
        # In the ballot's order (a stored record's JSON has its keys sorted).
        order = [c for c in CHOICES.get(method, ()) if c in counts]
        order += [c for c in counts if c not in order]
        view.bars = [
            Bar(key, name(key), counts[key], float(counts[key] / turnout_weight)
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
    counted = weight_value(ex.get("counted_weight"))
    if method in (Method.PLURALITY, Method.APPROVAL):
        shares = ex.get("shares") or {}
        top = max(counts.values(), default=0.0)
        view.bars = [
            Bar(key, name(key), counts.get(key, 0), shares.get(key),
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
        top = (ex.get("max_score") or MAX_SCORE) * counted
        view.bars = [
            Bar(key, name(key), counts.get(key, 0), None,
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
            continuing = weight_value(rnd.get("continuing_weight"))
            round_counts = {k: weight_value(v) for k, v in rnd.get("counts", {}).items()}
            bars = [
                Bar(key, name(key), value, rnd.get("shares", {}).get(key),
                    width_class(value, continuing), key == rnd.get("elected"))
                for key, value in sorted(round_counts.items(),
                                         key=lambda item: (-item[1], opts.index(item[0])
                                                           if item[0] in opts else 0))
            ]
            view.rounds.append(Round(
                number=int(rnd.get("round", 0)), bars=bars, continuing=continuing,
                exhausted=weight_value(rnd.get("exhausted")),
                eliminated=[name(k) for k in rnd.get("eliminated", [])],
                elected=name(rnd["elected"]) if rnd.get("elected") else "",
                tie=_round_tie_text(rnd.get("tie"), name),
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
