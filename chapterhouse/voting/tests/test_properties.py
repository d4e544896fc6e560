"""Invariants every count must keep, checked with hypothesis."""

from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chapterhouse.voting import count, lot_order

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WEIGHTS = st.sampled_from([0.0, 0.5, 1.0, 1.0, 2.0, 3.0])
TIE_BREAKS = st.sampled_from([{}, {"tie_break": "lot", "seed": "public seed"}])
METHODS = (
    "majority",
    "supermajority",
    "consent",
    "consensus",
    "plurality",
    "approval",
    "score",
    "schulze",
    "irv",
)


@st.composite
def options(draw, low=1, high=5):
    k = draw(st.integers(low, high))
    return [f"o{i}" for i in range(k)]


@st.composite
def ballot_for(draw, method, opts):
    if draw(st.integers(0, 9)) == 0:
        return {}
    if method in ("majority", "supermajority"):
        return {"choice": draw(st.sampled_from(["yes", "no", "abstain"]))}
    if method == "consent":
        choice = draw(st.sampled_from(["consent", "consent", "concern", "block"]))
        return {"choice": choice, "reason": "why"} if choice != "consent" else {"choice": choice}
    if method == "consensus":
        choice = draw(st.sampled_from(["agree", "agree", "abstain", "disagree", "block"]))
        return (
            {"choice": choice, "reason": "why"}
            if choice in ("disagree", "block")
            else {"choice": choice}
        )
    if method == "plurality":
        return {"option": draw(st.sampled_from(opts))}
    if method == "approval":
        return {"approve": draw(st.lists(st.sampled_from(opts), unique=True))}
    if method == "score":
        return {"scores": draw(st.dictionaries(st.sampled_from(opts), st.integers(0, 5)))}
    return {
        "ranking": draw(
            st.permutations(opts).flatmap(lambda p: st.integers(0, len(p)).map(lambda m: p[:m]))
        )
    }


@st.composite
def elections(draw, methods=METHODS):
    method = draw(st.sampled_from(methods))
    opts = draw(options())
    ballots = draw(st.lists(st.tuples(WEIGHTS, ballot_for(method, opts)), max_size=14))
    params = dict(draw(TIE_BREAKS))
    return method, opts, ballots, params


def tally(method, opts, ballots, params, *, eligible=None):
    total = sum(w for w, _ in ballots)
    return count(
        method=method,
        options=opts,
        ballots=ballots,
        params=params,
        eligible_weight=total if eligible is None else eligible,
    )


@SETTINGS
@given(elections(), st.sampled_from([2.0, 3.0, 10.0, 0.5]))
def test_scaling_every_weight_by_a_positive_constant_changes_no_outcome(election, factor):
    method, opts, ballots, params = election
    before = tally(method, opts, ballots, params)
    after = tally(method, opts, [(w * factor, b) for w, b in ballots], params)
    assert (after.outcome, after.winners) == (before.outcome, before.winners)


@SETTINGS
@given(elections(), st.randoms(use_true_random=False))
def test_the_order_of_the_ballots_changes_nothing_at_all(election, rnd):
    method, opts, ballots, params = election
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert (
        tally(method, opts, shuffled, params).to_dict()
        == tally(method, opts, ballots, params).to_dict()
    )


@SETTINGS
@given(elections(), st.integers(1, 3))
def test_blank_ballots_change_the_turnout_and_nothing_else(election, blanks):
    method, opts, ballots, params = election
    before = tally(method, opts, ballots, params)
    after = tally(method, opts, [*ballots, *[(1.0, {})] * blanks], params)
    assert after.turnout_weight == before.turnout_weight + blanks
    assert (after.outcome, after.winners) == (before.outcome, before.winners)


@SETTINGS
@given(elections(), st.integers(1, 3))
def test_zero_weight_ballots_change_no_tally(election, extra):
    method, opts, ballots, params = election
    before = tally(method, opts, ballots, params)
    after = tally(method, opts, [*ballots, *[(0.0, b) for _, b in ballots[:extra]]], params)
    assert (after.outcome, after.winners, after.turnout_weight) == (
        before.outcome,
        before.winners,
        before.turnout_weight,
    )
    for key in ("counts", "pairwise", "strongest_paths"):
        assert after.explanation.get(key) == before.explanation.get(key)


@SETTINGS
@given(elections(), st.sampled_from([0.0, 0.25, 0.5, 2 / 3, 1.0]), st.sampled_from([0.0, 1.0, 5.0]))
def test_the_quorum_is_met_exactly_when_turnout_reaches_its_share_of_the_roll(
    election, quorum, spare
):
    method, opts, ballots, params = election
    turnout = sum(w for w, _ in ballots)
    eligible = turnout + spare
    result = tally(method, opts, ballots, {**params, "quorum": quorum}, eligible=eligible)
    q = Fraction(quorum).limit_denominator(10**6)
    expected = Fraction(turnout) >= q * Fraction(eligible) if eligible else quorum == 0
    assert result.quorum_met == expected
    assert (result.outcome == "no_quorum") == (not expected)
    if not expected:
        assert result.winners == []


@SETTINGS
@given(
    elections(methods=("majority", "supermajority")), st.sampled_from([0.5, 0.6, 2 / 3, 0.75, 0.9])
)
def test_a_majority_passes_exactly_when_yes_passes_the_threshold(election, threshold):
    method, opts, ballots, params = election
    if method == "majority" and threshold >= 1:
        return
    result = tally(method, opts, ballots, {**params, "threshold": threshold})
    yes = sum(Fraction(w) for w, b in ballots if b.get("choice") == "yes")
    no = sum(Fraction(w) for w, b in ballots if b.get("choice") == "no")
    t = Fraction(threshold).limit_denominator(10**6)
    if method == "majority":
        expected = yes > t * (yes + no)
    else:
        expected = yes + no > 0 and yes >= t * (yes + no)
    assert (result.outcome == "passed") == expected


@SETTINGS
@given(elections(methods=("consent",)))
def test_consent_passes_exactly_when_no_weighted_ballot_blocks(election):
    method, opts, ballots, params = election
    blocked = any(w > 0 and b.get("choice") == "block" for w, b in ballots)
    assert tally(method, opts, ballots, params).outcome == ("rejected" if blocked else "passed")


def pairwise(opts, ballots):
    k = len(opts)
    d = np.zeros((k, k))
    for w, b in ballots:
        ranking = b.get("ranking", [])
        place = {o: ranking.index(o) if o in ranking else k for o in opts}
        for i, x in enumerate(opts):
            for j, y in enumerate(opts):
                if place[x] < place[y]:
                    d[i, j] += w
    return d


@SETTINGS
@given(elections(methods=("schulze",)))
def test_a_condorcet_winner_wins_schulze(election):
    method, opts, ballots, params = election
    d = pairwise(opts, ballots)
    result = tally(method, opts, ballots, params)
    assert np.allclose(result.explanation["pairwise"], d)
    beats_all = [
        i for i in range(len(opts)) if all(d[i, j] > d[j, i] for j in range(len(opts)) if j != i)
    ]
    if beats_all and len(opts) > 1:
        assert result.winners == [opts[beats_all[0]]]
        assert result.explanation["condorcet_winner"] == opts[beats_all[0]]


@SETTINGS
@given(elections(methods=("schulze",)))
def test_schulze_winners_are_exactly_the_unbeaten_options(election):
    method, opts, ballots, params = election
    result = tally(method, opts, ballots, params)
    p = np.array(result.explanation["strongest_paths"])
    unbeaten = [
        opts[i] for i in range(len(opts)) if all(p[i, j] >= p[j, i] for j in range(len(opts)))
    ]
    if result.outcome == "elected" and result.explanation["tie"] is None:
        assert result.winners == unbeaten
    elif result.explanation["tie"] is not None:
        assert result.explanation["tie"]["between"] == unbeaten


@SETTINGS
@given(elections(methods=("irv",)))
def test_the_irv_winner_has_a_majority_of_the_continuing_weight_in_the_final_round(election):
    method, opts, ballots, params = election
    result = tally(method, opts, ballots, params)
    final = result.explanation["rounds"][-1]
    if result.outcome == "elected" and result.explanation["why"] != "tie_lot":
        assert final["elected"] == result.winners[0]
        assert 2 * final["counts"][result.winners[0]] > final["continuing_weight"]
    for rnd, nxt in zip(
        result.explanation["rounds"], result.explanation["rounds"][1:], strict=False
    ):
        # Weight only ever moves on: continuing + exhausted is the same every round.
        assert (
            rnd["continuing_weight"] + rnd["exhausted"]
            == nxt["continuing_weight"] + nxt["exhausted"]
        )
        assert set(nxt["counts"]) == set(rnd["counts"]) - set(rnd["eliminated"])


@SETTINGS
@given(elections(methods=("plurality", "approval", "score", "schulze", "irv")))
def test_with_a_lot_there_is_always_a_winner_once_anything_is_counted(election):
    method, opts, ballots, params = election
    result = tally(method, opts, ballots, {"tie_break": "lot", "seed": "s"})
    if result.explanation["why"] != "nothing_to_count":
        assert result.outcome == "elected"
        assert len(result.winners) == 1


@SETTINGS
@given(options(low=2), st.lists(WEIGHTS.filter(bool), min_size=1, max_size=8), TIE_BREAKS)
def test_approval_when_everyone_approves_everything_is_a_tie(opts, weights, params):
    result = tally("approval", opts, [(w, {"approve": list(opts)}) for w in weights], params)
    assert result.explanation["tie"]["between"] == opts
    if params:
        assert result.winners == [lot_order("public seed", opts)[0]]
    else:
        assert result.outcome == "no_decision"


@SETTINGS
@given(elections(methods=("plurality", "approval", "score")))
def test_plurality_approval_and_score_elect_from_the_options_with_the_highest_total(election):
    method, opts, ballots, params = election
    result = tally(method, opts, ballots, params)
    counts = result.explanation["counts"]
    top = max(counts.values())
    assert set(result.winners) <= {o for o, c in counts.items() if c == top}
