import json
from fractions import Fraction

import pytest

from chapterhouse.voting import InvalidBallot, InvalidParams, count, lot_order

from .helpers import ranked, run


def yes_no(choices: str, weight: float = 1.0):
    letters = {"y": "yes", "n": "no", "a": "abstain"}
    return [(weight, {"choice": letters[c]} if c != "-" else {}) for c in choices]


# --- majority and supermajority -------------------------------------------------------


def test_majority_passes_with_more_than_half_of_yes_and_no():
    result = run("majority", yes_no("yyna-"))
    assert (result.outcome, result.winners) == ("passed", [])
    assert result.explanation["counts"] == {"yes": 2.0, "no": 1.0, "abstain": 1.0}
    assert result.explanation["blank_weight"] == 1.0
    assert result.explanation["shares"]["yes"] == pytest.approx(2 / 3, abs=1e-6)
    assert result.explanation["why"] == "threshold_met"


def test_majority_fails_on_an_exact_half():
    result = run("majority", yes_no("yn"))
    assert result.outcome == "rejected"
    assert result.explanation["why"] == "threshold_not_met"


def test_abstentions_do_not_count_against_a_majority():
    assert run("majority", yes_no("yaaaa")).outcome == "passed"


def test_majority_with_only_abstentions_is_rejected():
    result = run("majority", yes_no("aa-"))
    assert result.outcome == "rejected"
    assert result.explanation["why"] == "no_votes"


def test_weights_decide_a_majority():
    ballots = [(3.0, {"choice": "yes"}), (1.0, {"choice": "no"}), (1.0, {"choice": "no"})]
    assert run("majority", ballots).outcome == "passed"
    ballots = [(1.0, {"choice": "yes"}), (1.5, {"choice": "no"})]
    assert run("majority", ballots).outcome == "rejected"


def test_supermajority_passes_at_exactly_two_thirds():
    result = run("supermajority", yes_no("yyn"), threshold=2 / 3)
    assert result.outcome == "passed"
    assert result.explanation["threshold_rule"] == "at_least"
    assert run("supermajority", yes_no("yynn"), threshold=2 / 3).outcome == "rejected"
    assert run("supermajority", yes_no("yyyn"), threshold="3/4").outcome == "passed"


def test_supermajority_threshold_float_noise_does_not_matter():
    # 0.1 + 0.2 weights of yes against 0.15 no: exactly 2/3.
    ballots = [(0.1, {"choice": "yes"}), (0.2, {"choice": "yes"}), (0.15, {"choice": "no"})]
    assert run("supermajority", ballots, threshold=2 / 3).outcome == "passed"


def test_supermajority_with_no_yes_or_no_is_rejected():
    assert run("supermajority", yes_no("a")).outcome == "rejected"


# --- consent and consensus ------------------------------------------------------------


def test_consent_passes_unless_someone_blocks():
    ballots = [(1, {"choice": "consent"}), (1, {"choice": "concern", "reason": "costly"})]
    result = run("consent", ballots)
    assert result.outcome == "passed"
    assert result.explanation["concern_reasons"] == ["costly"]
    blocked = run("consent", [*ballots, (1, {"choice": "block", "reason": "unsafe"})])
    assert blocked.outcome == "rejected"
    assert blocked.explanation["why"] == "blocked"
    assert blocked.explanation["block_reasons"] == ["unsafe"]


def test_a_block_with_zero_weight_does_not_count():
    ballots = [(1, {"choice": "consent"}), (0, {"choice": "block", "reason": "unsafe"})]
    result = run("consent", ballots)
    assert result.outcome == "passed"
    assert result.explanation["block_reasons"] == []


def test_consensus_needs_the_threshold_of_agree_among_agree_and_disagree():
    agree, disagree = {"choice": "agree"}, {"choice": "disagree", "reason": "no"}
    ballots = [(1, agree)] * 3 + [(1, disagree), (5, {"choice": "abstain"})]
    assert run("consensus", ballots, threshold=0.75).outcome == "passed"
    assert run("consensus", ballots, threshold=0.8).outcome == "rejected"


def test_consensus_fails_on_any_block_when_the_block_limit_is_zero():
    ballots = [(9, {"choice": "agree"}), (1, {"choice": "block", "reason": "harm"})]
    result = run("consensus", ballots)
    assert result.outcome == "rejected"
    assert result.explanation["why"] == "blocked"
    assert result.explanation["block_share"] == 0.1


def test_consensus_block_limit_is_a_share_of_turnout_at_or_above_which_it_fails():
    ballots = [(9, {"choice": "agree"}), (1, {"choice": "block", "reason": "harm"})]
    assert run("consensus", ballots, block_limit=0.1).outcome == "rejected"
    assert run("consensus", ballots, block_limit=0.11).outcome == "passed"


def test_consensus_with_nobody_agreeing_or_disagreeing_is_rejected():
    result = run("consensus", [(1, {"choice": "abstain"})])
    assert (result.outcome, result.explanation["why"]) == ("rejected", "no_votes")


# --- plurality, approval, score -------------------------------------------------------


def test_plurality_elects_the_option_with_the_most_weight():
    ballots = [(1, {"option": "a"}), (1, {"option": "a"}), (2.5, {"option": "b"}), (1, {})]
    result = run("plurality", ballots)
    assert (result.outcome, result.winners) == ("elected", ["b"])
    assert result.explanation["counts"] == {"a": 2.0, "b": 2.5, "c": 0.0}
    assert result.explanation["counted_weight"] == 4.5
    assert result.explanation["blank_weight"] == 1.0
    assert result.explanation["tie"] is None


def test_a_plurality_tie_gives_no_decision_by_default():
    result = run("plurality", [(1, {"option": "a"}), (1, {"option": "b"})])
    assert (result.outcome, result.winners) == ("no_decision", [])
    assert result.explanation["tie"] == {
        "between": ["a", "b"],
        "rule": "no_decision",
        "chosen": None,
    }
    assert result.explanation["why"] == "tie"


def test_a_tie_broken_by_lot_goes_to_the_first_tied_option_in_lot_order():
    order = lot_order("seed-1", ["a", "b", "c"])
    tied = [o for o in order if o in ("a", "c")]
    result = run(
        "plurality", [(1, {"option": "a"}), (1, {"option": "c"})], tie_break="lot", seed="seed-1"
    )
    assert (result.outcome, result.winners) == ("elected", [tied[0]])
    assert result.explanation["tie"]["lot_order"] == tied
    assert result.explanation["tie"]["seed"] == "seed-1"
    assert result.explanation["why"] == "tie_lot"


def test_the_lot_order_is_sha256_of_seed_and_option_id():
    import hashlib

    digests = {o: hashlib.sha256(f"xyz{o}".encode()).hexdigest() for o in "abcdef"}
    assert lot_order("xyz", list("abcdef")) == sorted("abcdef", key=digests.__getitem__)


def test_weights_that_sum_to_the_same_tie_despite_float_noise():
    ballots = [(0.1, {"option": "a"}), (0.2, {"option": "a"}), (0.3, {"option": "b"})]
    assert run("plurality", ballots).outcome == "no_decision"


def test_zero_weight_ballots_count_for_nothing():
    ballots = [(0, {"option": "a"}), (0, {"option": "a"}), (1, {"option": "b"})]
    result = run("plurality", ballots)
    assert result.winners == ["b"]
    assert result.turnout_weight == 1.0
    assert result.explanation["ballots"] == 3


def test_nothing_to_count_gives_no_decision_even_with_a_lot():
    result = run("plurality", [(1, {}), (0, {"option": "a"})], tie_break="lot", seed="s")
    assert (result.outcome, result.explanation["why"]) == ("no_decision", "nothing_to_count")
    assert run("plurality", []).outcome == "no_decision"


def test_approval_counts_every_approved_option():
    ballots = [(1, {"approve": ["a", "b"]}), (1, {"approve": ["b"]}), (2, {})]
    result = run("approval", ballots)
    assert result.winners == ["b"]
    assert result.explanation["counts"] == {"a": 1.0, "b": 2.0, "c": 0.0}
    assert result.explanation["shares"] == {"a": 0.5, "b": 1.0, "c": 0.0}


def test_approving_everything_on_every_ballot_is_a_tie():
    ballots = [(1, {"approve": ["a", "b", "c"]})] * 3
    result = run("approval", ballots)
    assert result.outcome == "no_decision"
    assert result.explanation["tie"]["between"] == ["a", "b", "c"]


def test_approval_refuses_too_many_choices_in_a_count():
    with pytest.raises(InvalidBallot, match="Ballot 2: You may approve at most 1"):
        run("approval", [(1, {"approve": ["a"]}), (1, {"approve": ["a", "b"]})], max_choices=1)


def test_score_elects_the_highest_weighted_total_and_unscored_counts_as_zero():
    ballots = [(1, {"scores": {"a": 5, "b": 3}}), (2, {"scores": {"b": 4}}), (1, {})]
    result = run("score", ballots)
    assert result.winners == ["b"]
    assert result.explanation["counts"] == {"a": 5.0, "b": 11.0, "c": 0.0}
    assert result.explanation["averages"]["b"] == pytest.approx(11 / 3, abs=1e-6)
    assert result.explanation["max_score"] == 5


def test_all_zero_scores_are_a_tie_among_all_options():
    result = run("score", [(1, {"scores": {"a": 0}})])
    assert result.outcome == "no_decision"
    assert result.explanation["why"] == "tie"


# --- Schulze --------------------------------------------------------------------------


def test_schulze_elects_the_condorcet_winner_and_reports_the_matrices():
    result = run("schulze", ranked((3, "abc"), (2, "bca"), (2, "cab")))
    # a beats b 5:2, c beats a 4:3, b beats c 5:2 → a cycle; a's paths win (Schulze).
    ex = result.explanation
    assert ex["pairwise"] == [[0.0, 5.0, 3.0], [2.0, 0.0, 5.0], [4.0, 2.0, 0.0]]
    assert ex["strongest_paths"] == [[0.0, 5.0, 5.0], [4.0, 0.0, 5.0], [4.0, 4.0, 0.0]]
    assert result.winners == ["a"]
    assert ex["wins"] == {"a": 2, "b": 1, "c": 0}
    assert ex["condorcet_winner"] is None


def test_the_wikipedia_schulze_example_elects_e():
    # https://en.wikipedia.org/wiki/Schulze_method#Example (45 voters, winner E).
    result = run(
        "schulze",
        ranked(
            (5, "acbed"),
            (5, "adecb"),
            (8, "bedac"),
            (3, "cabed"),
            (7, "caebd"),
            (2, "cbade"),
            (7, "dceba"),
            (8, "ebadc"),
        ),
        options="abcde",
    )
    assert result.winners == ["e"]
    assert result.explanation["strongest_paths"][4] == [25.0, 28.0, 28.0, 31.0, 0.0]


def test_schulze_partial_rankings_put_unranked_options_last():
    result = run("schulze", ranked((1, "b"), (1, "ca"), (1, "")))
    assert result.explanation["pairwise"] == [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    assert result.outcome == "no_decision"  # b and c tie
    assert result.explanation["blank_weight"] == 1.0


def test_schulze_with_only_blank_ballots_has_no_decision():
    assert run("schulze", ranked((1, ""), (2, ""))).explanation["why"] == "nothing_to_count"


def test_schulze_tie_broken_by_lot():
    result = run("schulze", ranked((1, "ab"), (1, "ba")), tie_break="lot", seed="k")
    assert result.winners == [[o for o in lot_order("k", ["a", "b", "c"]) if o != "c"][0]]


# --- instant-runoff -------------------------------------------------------------------


def test_irv_eliminates_the_fewest_and_transfers_until_a_majority():
    result = run("irv", ranked((4, "a"), (3, "bc"), (2, "cb"), (2, "c")), options="abcd")
    rounds = result.explanation["rounds"]
    assert rounds[0]["counts"] == {"a": 4.0, "b": 3.0, "c": 4.0, "d": 0.0}
    assert rounds[0]["eliminated"] == ["d"]
    assert rounds[1]["eliminated"] == ["b"]
    assert rounds[2]["counts"] == {"a": 4.0, "c": 7.0}
    assert rounds[2]["elected"] == "c"
    assert result.winners == ["c"]
    assert result.explanation["why"] == "majority_of_continuing"


def test_irv_exhausted_ballots_leave_the_count():
    result = run("irv", ranked((3, "a"), (2, "b"), (1, "c")))
    last = result.explanation["rounds"][-1]
    assert last["exhausted"] == 1.0
    assert last["continuing_weight"] == 5.0
    assert result.winners == ["a"]


def test_irv_eliminates_options_tied_at_the_bottom_together_when_that_cannot_matter():
    result = run("irv", ranked((4, "a"), (3, "b"), (1, "cb"), (1, "db"), (0, "e")), options="abcde")
    first = result.explanation["rounds"][0]
    assert first["eliminated"] == ["e"]
    second = result.explanation["rounds"][1]
    assert second["tie"] == {
        "kind": "elimination",
        "between": ["c", "d"],
        "resolved_by": "together",
    }
    assert second["eliminated"] == ["c", "d"]
    assert result.winners == ["b"]


def test_irv_breaks_an_elimination_tie_by_the_earlier_rounds():
    # Round 1: a 5, b 4, c 3, d 1 → d goes, its ballot to c. Round 2: b and c tie at 4,
    # but c had less in round 1, so c goes.
    ballots = ranked((5, "a"), (4, "b"), (3, "cb"), (1, "dc"))
    result = run("irv", ballots, options="abcd")
    rounds = result.explanation["rounds"]
    assert rounds[1]["counts"] == {"a": 5.0, "b": 4.0, "c": 4.0}
    assert rounds[1]["tie"] == {
        "kind": "elimination",
        "between": ["b", "c"],
        "resolved_by": "earlier_rounds",
    }
    assert rounds[1]["eliminated"] == ["c"]
    assert result.winners == ["b"]


def test_an_irv_elimination_tie_nothing_separates_gives_no_decision_or_goes_to_lot():
    ballots = ranked((4, "a"), (3, "bc"), (3, "cb"))
    result = run("irv", ballots)
    assert (result.outcome, result.explanation["why"]) == ("no_decision", "tie")
    assert result.explanation["rounds"][0]["tie"]["resolved_by"] is None
    lot = run("irv", ballots, tie_break="lot", seed="s")
    loser = [o for o in lot_order("s", ["a", "b", "c"]) if o in "bc"][-1]
    assert lot.explanation["rounds"][0]["eliminated"] == [loser]
    assert lot.explanation["rounds"][0]["tie"]["resolved_by"] == "lot"
    assert lot.winners == [("b" if loser == "c" else "c")]
    assert lot.explanation["tie"]["rounds"] == [1]


def test_an_irv_tie_between_the_last_two_is_a_tie_for_the_win():
    ballots = ranked((2, "a"), (1.5, "b"), (0.5, "cb"))
    result = run("irv", ballots)
    final = result.explanation["rounds"][-1]
    assert final["tie"] == {"kind": "win", "between": ["a", "b"], "resolved_by": None}
    assert result.outcome == "no_decision"
    lot = run("irv", ballots, tie_break="lot", seed="t")
    assert lot.winners == [[o for o in lot_order("t", ["a", "b", "c"]) if o in "ab"][0]]
    assert lot.explanation["why"] == "tie_lot"


def test_irv_with_only_blank_ballots_has_no_decision():
    result = run("irv", ranked((1, ""), (1, "")))
    assert (result.outcome, result.explanation["why"]) == ("no_decision", "nothing_to_count")


def test_a_single_option_is_elected_by_anyone_ranking_it():
    assert run("irv", ranked((1, "a")), options="a").winners == ["a"]
    assert run("schulze", ranked((1, "a")), options="a").winners == ["a"]


# --- quorum, turnout and errors -------------------------------------------------------


def test_quorum_is_turnout_weight_over_eligible_weight():
    ballots = [(1, {"option": "a"}), (1, {})]
    met = run("plurality", ballots, eligible=4, quorum=0.5)
    assert (met.outcome, met.quorum_met, met.turnout_weight, met.eligible_weight) == (
        "elected",
        True,
        Fraction(2),
        Fraction(4),
    )
    missed = run("plurality", ballots, eligible=4.1, quorum=0.5)
    assert (missed.outcome, missed.winners, missed.quorum_met) == ("no_quorum", [], False)
    assert missed.explanation["why"] == "no_quorum"
    assert missed.explanation["without_quorum"] == {
        "outcome": "elected",
        "winners": ["a"],
        "why": "most_weight",
    }
    assert missed.explanation["counts"]["a"] == 1.0  # the tallies are still reported
    assert missed.explanation["turnout"]["share"] == pytest.approx(2 / 4.1, abs=1e-6)


def test_quorum_applies_to_yes_no_methods_too():
    assert run("majority", yes_no("y"), eligible=3, quorum=0.5).outcome == "no_quorum"


def test_with_no_eligible_weight_only_a_zero_quorum_is_met():
    assert run("majority", [], eligible=0).quorum_met
    assert not run("majority", [], eligible=0, quorum=0.1).quorum_met


def test_ballots_weighing_more_than_the_roll_are_refused():
    with pytest.raises(InvalidParams, match="more than the eligible weight"):
        run("plurality", [(2, {"option": "a"})], eligible=1)


@pytest.mark.parametrize(
    "weight", [-1, float("nan"), float("inf"), "one", "1/0", True, None, [1], "-1/3"]
)
def test_bad_weights_are_refused(weight):
    with pytest.raises(InvalidParams):
        run("plurality", [(weight, {"option": "a"})], eligible=10)


def test_count_names_the_bad_ballot():
    with pytest.raises(InvalidBallot) as caught:
        run("irv", ranked((1, "ab"), (1, "aa")))
    assert caught.value.index == 1
    assert str(caught.value) == "Ballot 2: Option 'a' is ranked more than once."


def test_ballots_must_be_weight_ballot_pairs():
    with pytest.raises(InvalidParams, match="pairs"):
        count(
            method="plurality",
            options=["a"],
            ballots=[{"option": "a"}],  # type: ignore[list-item]
            params={},
            eligible_weight=1,
        )


@pytest.mark.parametrize(
    "method",
    ["majority", "consent", "consensus", "plurality", "approval", "score", "schulze", "irv"],
)
def test_every_result_is_json_serialisable_and_round_trips(method):
    samples = {
        "majority": yes_no("yn-"),
        "consent": [(1, {"choice": "block", "reason": "x"})],
        "consensus": [(1, {"choice": "agree"})],
        "plurality": [(1, {"option": "a"})],
        "approval": [(1, {"approve": ["a", "b"]})],
        "score": [(1, {"scores": {"a": 3}})],
        "schulze": ranked((1, "ab"), (2, "c")),
        "irv": ranked((1, "ab"), (2, "c"), (2, "bc")),
    }
    result = run(method, samples[method], tie_break="lot", seed="x")
    data = json.loads(json.dumps(result.to_dict()))
    assert data == result.to_dict()
    assert type(result).from_dict(data).to_dict() == data


def test_count_accepts_any_mapping_and_sequence_not_just_dicts_and_lists():
    from types import MappingProxyType

    ballots = [
        (1.0, MappingProxyType({"ranking": ("b", "a")})),
        (1.0, {"ranking": ["b"]}),
        (1.0, {"ranking": ["a", "c"]}),
    ]
    assert run("irv", ballots).winners == ["b"]
    assert run("schulze", ballots).winners == ["b"]
    approvals = [(1.0, MappingProxyType({"approve": ("a",)})), (1.0, {"approve": ["a", "b"]})]
    assert run("approval", approvals).winners == ["a"]


@pytest.mark.parametrize(
    ("method", "ballots", "message"),
    [
        (
            "approval",
            [(1, {"approve": ["a"]}), (1, {"approve": ["b", "b"]})],
            "Ballot 2: Option 'b' is approved more than once.",
        ),
        (
            "schulze",
            [(1, {"ranking": ["a"]}), (1, {"ranking": ["z"]})],
            "Ballot 2: Unknown option 'z'.",
        ),
        (
            "irv",
            [(1, {}), (1, {"ranking": ["a"], "x": 1})],
            "Ballot 2: Unexpected field(s) in the ballot: x.",
        ),
        ("irv", [(1, [])], "Ballot 1: A ballot must be a JSON object."),
        (
            "consent",
            [(1, {"choice": "consent"}), (1, {"choice": "block"})],
            "Ballot 2: A block needs a reason.",
        ),
        (
            "majority",
            [(1, {"choice": "yes"}), (1, {"choice": "perhaps"})],
            "Ballot 2: 'perhaps' is not a choice",
        ),
        ("plurality", [(1, {"option": "z"})], "Ballot 1: Unknown option 'z'."),
        (
            "score",
            [(1, {"scores": {"a": 9}})],
            "Ballot 1: The score for 'a' must be from 0 to 5; got 9.",
        ),
    ],
)
def test_count_refuses_a_bad_ballot_with_its_number_and_the_reason(method, ballots, message):
    with pytest.raises(InvalidBallot) as caught:
        run(method, ballots)
    assert str(caught.value).startswith(message)


def test_numpy_weights_are_accepted():
    import numpy as np

    ballots: list = [(np.float64(1.5), {"option": "a"}), (np.int64(1), {"option": "b"})]
    assert run("plurality", ballots, eligible=np.int64(3)).winners == ["a"]
    result = run("plurality", ballots)
    assert result.winners == ["a"]
