"""Numbers, rule terms, labels and ballots as translated text."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from chapterhouse import voting
from chapterhouse.chapters.models import Chapter

from .. import selectors
from ..models import (
    MULTI_OPTION_METHODS,
    Category,
    Decision,
    DecisionRule,
    Method,
    ObjectionResolution,
    Proposal,
)

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
    "newcomer_limits": gettext_lazy("The new limits for new members were applied."),
}


# -- Numbers ------------------------------------------------------------------------------


def weight_value(value: Any) -> Any:
    """A weight from a record as a number to compute with: exact text ("2/3", "1.5",
    written since weights are exact) as a Fraction; a float (older records) as is."""
    if isinstance(value, str):
        try:
            return voting.exact(value)
        except voting.InvalidParams:
            return 0
    return 0 if value is None else value


def number(value: Any) -> str:
    """A weight or count for people. Exact weights as they are: 3, 2.5, 0.125, 2/3;
    floats (shares, averages, older records) rounded: 0.333333 → "0.33"."""
    if value is None:
        return "–"
    if isinstance(value, str | Fraction | Decimal) or (
        isinstance(value, int) and not isinstance(value, bool)
    ):
        exact = weight_value(value) if isinstance(value, str) else Fraction(value)
        if exact.denominator == 1:
            return formats.number_format(exact.numerator, use_l10n=True)
        text = voting.to_text(exact)
        if "/" in text:
            return (f"{formats.number_format(exact.numerator, use_l10n=True)}/"
                    f"{formats.number_format(exact.denominator, use_l10n=True)}")
        return formats.number_format(Decimal(text), use_l10n=True)
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
    part, whole = weight_value(part), weight_value(whole)
    if not part or not whole or part <= 0 or whole <= 0:
        return "w-0"
    pct = min(float(part / whole), 1.0) * 100
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
    if values.get("objection_resolution"):
        terms.append((_("Objections to weights past the threshold"),
                      objection_resolution_label(str(values["objection_resolution"]))))
        if values["objection_resolution"] != ObjectionResolution.NONE:
            terms.append((_("Objections to weights: threshold"),
                          fraction_text(float(values.get("objection_threshold") or 0))))
    if values.get("meeting_votes"):
        terms.append((_("Votes taken at a meeting"), _("may be recorded")))
    if values.get("alternatives_method") and method not in MULTI_OPTION_METHODS:
        terms.append((_("When alternatives compete"),
                      method_label(str(values["alternatives_method"]))))
    return terms


def objection_resolution_label(value: str) -> str:
    """What a rule does with objections to weights, in words."""
    labels = dict(ObjectionResolution.choices)
    return str(labels.get(value, value))


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
