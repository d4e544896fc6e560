from hypothesis import given, settings

from chapterhouse.voting import describe

from .helpers import ranked, run
from .test_properties import elections, tally


def test_a_majority_is_described_with_counts_share_threshold_and_outcome():
    ballots = [(2, {"choice": "yes"}), (1, {"choice": "no"}), (1, {})]
    assert describe(run("majority", ballots, eligible=8, quorum=0.25)) == [
        "Turnout: 4 of an eligible weight of 8 (50%), in 3 ballot(s). The quorum of 25% was met.",
        "Yes 2, no 1, abstain 0, blank 1.",
        "Yes has 66.7% of the yes and no votes; more than 50% is needed, so the proposal passes.",
    ]


def test_a_supermajority_threshold_is_shown_as_a_fraction():
    lines = describe(run("supermajority", [(1, {"choice": "yes"})], threshold=2 / 3))
    assert lines[-1] == (
        "Yes has 100% of the yes and no votes; at least 66.7% (2/3) is needed, "
        "so the proposal passes."
    )


def test_a_missed_quorum_is_said_last():
    lines = describe(run("plurality", [(1, {"option": "a"})], eligible=10, quorum=0.5))
    assert "The quorum of 50% was not met." in lines[0]
    assert lines[-2:] == [
        "a has the most votes and would be elected.",
        "Turnout is below the quorum, so the vote has no result.",
    ]
    lines = describe(run("majority", [(1, {"choice": "yes"})], eligible=10, quorum=0.5))
    assert lines[-2].endswith("more than 50% is needed, so the proposal would pass.")


def test_consent_lists_the_reasons_for_blocks_and_concerns():
    ballots = [
        (1, {"choice": "block", "reason": "It is unsafe"}),
        (1, {"choice": "concern", "reason": "Cost"}),
    ]
    lines = describe(run("consent", ballots))
    assert "There is a block (weight 1), so the proposal is rejected." in lines
    assert "Block: “It is unsafe”" in lines
    assert "Concern: “Cost”" in lines


def test_labels_replace_option_ids_and_a_lot_tie_is_explained():
    result = run(
        "plurality", [(1, {"option": "a"}), (1, {"option": "b"})], tie_break="lot", seed="2024"
    )
    lines = describe(result, {"a": "Apples", "b": "Bananas", "c": "Cherries"})
    assert lines[1] == "Votes: Apples 1 (50%), Bananas 1 (50%), Cherries 0 (0%)."
    assert lines[2] == "Apples and Bananas are tied."
    assert lines[3].startswith(
        "Ties are broken by lot: sorting by the SHA-256 of the public seed “2024”"
    )
    assert lines[3].endswith(f"so {dict(a='Apples', b='Bananas')[result.winners[0]]} is elected.")


def test_a_tie_without_lot_says_there_is_no_decision():
    lines = describe(run("plurality", [(1, {"option": "a"}), (1, {"option": "b"})]))
    assert lines[-1] == "Ties are not broken by lot, so there is no decision."


def test_schulze_is_described_pair_by_pair():
    lines = describe(run("schulze", ranked((2, "ab"), (1, "ba"))))
    assert "a against b: 2 to 1 head to head; strongest paths 2 to 0." in lines
    assert "a beats every other option head to head." in lines
    assert (
        lines[-1] == "a is beaten by no other option on strongest paths (Schulze) and is elected."
    )


def test_instant_runoff_is_described_round_by_round():
    lines = describe(run("irv", ranked((5, "a"), (4, "b"), (3, "cb"), (1, "dc")), options="abcd"))
    assert lines[1:] == [
        "Round 1: a 5 (38.5%), b 4 (30.8%), c 3 (23.1%), d 1 (7.7%).",
        "Eliminated: d.",
        "Round 2: a 5 (38.5%), b 4 (30.8%), c 4 (30.8%).",
        "b and c are tied for the fewest votes; the earlier rounds separate them.",
        "Eliminated: c.",
        "Round 3: a 5 (41.7%), b 7 (58.3%); exhausted 1.",
        "b has more than half of the 12 continuing votes and is elected.",
    ]


@settings(max_examples=60, deadline=None)
@given(elections())
def test_every_result_can_be_described(election):
    method, opts, ballots, params = election
    lines = describe(tally(method, opts, ballots, params))
    assert lines
    assert all(isinstance(line, str) and line for line in lines)
