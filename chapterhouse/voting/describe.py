"""Plain-English sentences about a result, for the command line.

The web pages build their own (translated) text from ``Result.explanation``; these
sentences are for ``python -m chapterhouse.voting recount`` and for logs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from fractions import Fraction
from typing import Any

from .errors import InvalidParams
from .params import (
    APPROVAL,
    CONSENSUS,
    CONSENT,
    IRV,
    MAJORITY,
    PLURALITY,
    SCHULZE,
    SCORE,
    SUPERMAJORITY,
)
from .result import ELECTED, NO_QUORUM, PASSED, Result
from .weights import exact, to_text


def _n(x: Any) -> str:
    """A weight exactly as counted: 3, 1.5, or 2/3 (a published string is read back)."""
    if x is None:
        return "–"
    try:
        value = exact(x) if not isinstance(x, float) else Fraction(x)
    except InvalidParams:
        return str(x)
    if isinstance(x, float) and not x.is_integer():  # an old (chapterhouse-ballots/1) float
        return f"{x:.6f}".rstrip("0").rstrip(".")
    return to_text(value)


def _avg(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{round(x, 2):.2f}".rstrip("0").rstrip(".")


def _pct(share: float | None) -> str:
    if share is None:
        return "–"
    return f"{share * 100:.1f}".removesuffix(".0") + "%"


def _threshold(t: float) -> str:
    simple = Fraction(t).limit_denominator(12)
    text = _pct(t)
    if simple.denominator > 2 and abs(float(simple) - t) < 1e-9:
        text += f" ({simple.numerator}/{simple.denominator})"
    return text


def _and(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def describe(result: Result, options_labels: Mapping[str, str] | None = None) -> list[str]:
    """Sentences explaining ``result``; ``options_labels`` maps option ids to names."""
    labels = dict(options_labels or {})

    def name(option: str) -> str:
        return labels.get(option, option)

    lines = [_turnout(result, result.explanation)]
    # Below the quorum, the tallies are still told, as what the outcome would have been.
    view, would = result, False
    hypothetical = result.explanation.get("without_quorum")
    if result.outcome == NO_QUORUM and hypothetical:
        would = True
        view = replace(
            result,
            outcome=hypothetical["outcome"],
            winners=hypothetical["winners"],
            explanation={**result.explanation, "why": hypothetical["why"]},
        )
    writer = _WRITERS.get(result.explanation.get("method", ""))
    if writer is not None:
        lines.extend(writer(view, view.explanation, name, would))
    if result.outcome == NO_QUORUM:
        lines.append("Turnout is below the quorum, so the vote has no result.")
    return lines


def _turnout(result: Result, ex: Mapping[str, Any]) -> str:
    turnout = ex.get("turnout", {})
    text = (
        f"Turnout: {_n(result.turnout_weight)} of an eligible weight of "
        f"{_n(result.eligible_weight)} ({_pct(turnout.get('share'))}), "
        f"in {ex.get('ballots', 0)} ballot(s)."
    )
    quorum = turnout.get("quorum", 0)
    if quorum:
        met = "was met" if result.quorum_met else "was not met"
        text += f" The quorum of {_pct(quorum)} {met}."
    else:
        text += " No quorum was required."
    return text


def _counts(ex: Mapping[str, Any], name: Callable[[str], str]) -> str:
    parts = [f"{name(choice)} {_n(weight)}" for choice, weight in ex["counts"].items()]
    if ex.get("blank_weight"):
        parts.append(f"blank {_n(ex['blank_weight'])}")
    return ", ".join(parts).capitalize() + "."


def _yes_no(
    result: Result, ex: Mapping[str, Any], name: Callable[[str], str], would: bool
) -> list[str]:
    lines = [_counts(ex, str)]
    why = ex.get("why")
    method = ex["method"]
    if result.outcome == PASSED:
        verdict = "would pass" if would else "passes"
    else:
        verdict = "would be rejected" if would else "is rejected"
    if method in (MAJORITY, SUPERMAJORITY):
        rule = "more than" if ex["threshold_rule"] == "more_than" else "at least"
        if why == "no_votes":
            lines.append(f"Nobody voted yes or no, so the proposal {verdict}.")
        else:
            lines.append(
                f"Yes has {_pct(ex['shares']['yes'])} of the yes and no votes; "
                f"{rule} {_threshold(ex['threshold'])} is needed, so the proposal {verdict}."
            )
    elif method == CONSENT:
        if exact(ex["counts"]["block"]) > 0:
            lines.append(
                f"There is a block (weight {_n(ex['counts']['block'])}), so the proposal {verdict}."
            )
        else:
            lines.append(f"Nobody blocked, so the proposal {verdict}.")
        lines += [f"Concern: “{reason}”" for reason in ex.get("concern_reasons", [])]
    else:
        limit = ex["block_limit"]
        limit_text = (
            "any block stops it" if not limit else f"blocks of {_pct(limit)} or more stop it"
        )
        lines.append(f"Blocks are {_pct(ex['block_share'])} of the turnout; {limit_text}.")
        if why == "blocked":
            lines.append(f"The proposal is blocked, so it {verdict}.")
        elif why == "no_votes":
            lines.append(f"Nobody agreed or disagreed, so the proposal {verdict}.")
        else:
            lines.append(
                f"Agree has {_pct(ex['shares']['agree'])} of agree and disagree; at least "
                f"{_threshold(ex['threshold'])} is needed, so the proposal {verdict}."
            )
        lines += [f"Disagreement: “{reason}”" for reason in ex.get("disagree_reasons", [])]
    lines += [f"Block: “{reason}”" for reason in ex.get("block_reasons", [])]
    return lines


def _elected(
    result: Result, ex: Mapping[str, Any], name: Callable[[str], str], because: str, would: bool
) -> list[str]:
    why = ex.get("why")
    lines: list[str] = []
    if why == "nothing_to_count":
        lines.append("No ballot expressed a preference, so there is no decision.")
    tie = ex.get("tie")
    if tie and "between" in tie:
        lines.append(f"{_and([name(o) for o in tie['between']])} are tied.")
        lines.extend(_lot_sentence(tie, name, would))
    elif result.outcome == ELECTED:
        lines.append(f"{name(result.winners[0])} {because} and {_is_elected(would)}.")
    return lines


def _is_elected(would: bool) -> str:
    return "would be elected" if would else "is elected"


def _lot_sentence(tie: Mapping[str, Any], name: Callable[[str], str], would: bool) -> list[str]:
    if tie.get("rule") != "lot":
        return ["Ties are not broken by lot, so there is no decision."]
    order = ", ".join(name(o) for o in tie["lot_order"])
    text = (
        f"Ties are broken by lot: sorting by the SHA-256 of the public seed “{tie['seed']}” "
        f"followed by the option id gives {order}"
    )
    if tie.get("chosen"):
        text += f", so {name(tie['chosen'])} {_is_elected(would)}"
    return [text + "."]


def _plurality(
    result: Result, ex: Mapping[str, Any], name: Callable[[str], str], would: bool
) -> list[str]:
    shares = ex["shares"]
    votes = ", ".join(f"{name(o)} {_n(w)} ({_pct(shares[o])})" for o, w in ex["counts"].items())
    return [f"Votes: {votes}."] + _elected(result, ex, name, "has the most votes", would)


def _approval(
    result: Result, ex: Mapping[str, Any], name: Callable[[str], str], would: bool
) -> list[str]:
    shares = ex["shares"]
    votes = ", ".join(
        f"{name(o)} {_n(w)} ({_pct(shares[o])} of voters)" for o, w in ex["counts"].items()
    )
    return [f"Approvals: {votes}."] + _elected(result, ex, name, "has the most approval", would)


def _score(
    result: Result, ex: Mapping[str, Any], name: Callable[[str], str], would: bool
) -> list[str]:
    averages = ex["averages"]
    totals = ", ".join(
        f"{name(o)} {_n(w)} (average {_avg(averages[o])})" for o, w in ex["counts"].items()
    )
    return [f"Total scores (0–{ex['max_score']}): {totals}."] + _elected(
        result, ex, name, "has the highest total score", would
    )


def _schulze(
    result: Result, ex: Mapping[str, Any], name: Callable[[str], str], would: bool
) -> list[str]:
    opts = ex["options"]
    d, p = ex["pairwise"], ex["strongest_paths"]
    lines = []
    for a in range(len(opts)):
        for b in range(a + 1, len(opts)):
            lines.append(
                f"{name(opts[a])} against {name(opts[b])}: {_n(d[a][b])} to {_n(d[b][a])} head to "
                f"head; strongest paths {_n(p[a][b])} to {_n(p[b][a])}."
            )
    if ex.get("condorcet_winner"):
        lines.append(f"{name(ex['condorcet_winner'])} beats every other option head to head.")
    return lines + _elected(
        result, ex, name, "is beaten by no other option on strongest paths (Schulze)", would
    )


_TIE_TEXT = {
    "together": "together they have less than any other option, so all are eliminated",
    "earlier_rounds": "the earlier rounds separate them",
    "any_order": "every order of eliminating them elects the same option, so the order "
    "cannot change who wins",
    "lot": "the lot decides",
    None: "nothing separates them and ties are not broken by lot, so there is no decision",
}


def _irv(
    result: Result, ex: Mapping[str, Any], name: Callable[[str], str], would: bool
) -> list[str]:
    lines = []
    for rnd in ex["rounds"]:
        counts = ", ".join(
            f"{name(o)} {_n(w)} ({_pct(rnd['shares'][o])})" for o, w in rnd["counts"].items()
        )
        line = f"Round {rnd['round']}: {counts}"
        if rnd["exhausted"]:
            line += f"; exhausted {_n(rnd['exhausted'])}"
        lines.append(line + ".")
        tie = rnd["tie"]
        if tie:
            what = "for the win" if tie["kind"] == "win" else "for the fewest votes"
            lines.append(
                f"{_and([name(o) for o in tie['between']])} are tied {what}; "
                f"{_TIE_TEXT[tie['resolved_by']]}."
            )
        if rnd["eliminated"]:
            lines.append(f"Eliminated: {_and([name(o) for o in rnd['eliminated']])}.")
        if rnd["elected"] is not None:
            if tie and tie["kind"] == "win":
                lines.append(
                    f"{name(rnd['elected'])} wins the tie by lot and {_is_elected(would)}."
                )
            else:
                lines.append(
                    f"{name(rnd['elected'])} has more than half of the "
                    f"{_n(rnd['continuing_weight'])} continuing votes and {_is_elected(would)}."
                )
    if ex.get("why") == "nothing_to_count":
        lines.append("No ballot ranked any option, so there is no decision.")
    elif ex.get("tie") and ex["tie"]["rule"] == "lot" and result.outcome == ELECTED:
        order = ", ".join(name(o) for o in ex["tie"]["lot_order"])
        lines.append(
            f"Lot order (SHA-256 of the seed “{ex['tie']['seed']}” and each option id): {order}."
        )
    return lines


_WRITERS: dict[
    str, Callable[[Result, Mapping[str, Any], Callable[[str], str], bool], list[str]]
] = {
    MAJORITY: _yes_no,
    SUPERMAJORITY: _yes_no,
    CONSENT: _yes_no,
    CONSENSUS: _yes_no,
    PLURALITY: _plurality,
    APPROVAL: _approval,
    SCORE: _score,
    SCHULZE: _schulze,
    IRV: _irv,
}
