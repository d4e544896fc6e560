"""The array-level entry points the benchmark (and any bulk caller) uses directly."""

import numpy as np
import pytest

from chapterhouse.voting import InvalidParams, arrays


def test_pairwise_counts_weighted_preferences_with_unranked_options_last():
    k = 3
    ranks = np.array([[0, 1, k], [k, 0, k], [k, k, k]], dtype=np.int8)
    d = arrays.pairwise(ranks, np.array([2.0, 0.5, 1.0]))
    assert d.tolist() == [[0.0, 2.0, 2.0], [0.5, 0.0, 2.5], [0.0, 0.0, 0.0]]


def test_pairwise_handles_more_ballots_than_one_chunk():
    rng = np.random.default_rng(3)
    n, k = arrays._CHUNK * 2 + 17, 4
    ranks = np.argsort(rng.random((n, k)), axis=1).astype(np.int8)
    w = rng.choice([0.0, 1.0, 2.5], n)
    expected = np.array([[w[ranks[:, a] < ranks[:, b]].sum() for b in range(k)] for a in range(k)])
    assert np.allclose(arrays.pairwise(ranks, w), expected)


def test_schulze_on_arrays_returns_the_matrices_and_winners():
    ranks = np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]], dtype=np.int8)
    tally = arrays.schulze(ranks, np.array([3.0, 2.0, 2.0]))
    assert tally.winners == [0]
    assert tally.condorcet_winner is None
    assert tally.paths.tolist() == [[0.0, 5.0, 5.0], [4.0, 0.0, 5.0], [4.0, 4.0, 0.0]]


def test_irv_on_arrays_records_rounds():
    k = 3
    ranks = np.array([[0, k, k], [k, 0, 1], [k, 1, 0]], dtype=np.int8)
    tally = arrays.irv(ranks, np.array([2.0, 1.5, 1.0]))
    assert tally.winner == 1
    assert [r.eliminated for r in tally.rounds] == [[2], []]
    assert tally.denominator == 2
    assert tally.rounds[-1].counts.tolist() == [4.0, 5.0, 0.0]  # halves


def test_irv_accepts_int16_ranks_for_many_options():
    k = 200
    ranks = np.full((3, k), k, dtype=np.int16)
    ranks[0, 150] = 0
    ranks[1, 150] = 0
    ranks[2, 7] = 0
    assert arrays.irv(ranks, np.ones(3)).winner == 150
    assert arrays.schulze(ranks, np.ones(3)).winners == [150]


def test_plurality_approval_and_score_tallies():
    w = np.array([1.0, 2.0, 0.5])
    assert arrays.plurality(np.array([0, 2, -1]), w, 3).tolist() == [1.0, 0.0, 2.0]
    approvals = np.array([[1, 1, 0], [0, 1, 0], [1, 1, 1]], dtype=bool)
    assert arrays.approval(approvals, w).tolist() == [1.5, 3.5, 0.5]
    scores = np.array([[5, 0, 1], [2, 3, 0], [0, 0, 4]], dtype=np.int8)
    assert arrays.score(scores, w).tolist() == [9.0, 6.0, 3.0]


def test_weights_are_counted_exactly():
    assert arrays.plurality(np.array([0, 0, 1]), np.array([0.1, 0.2, 0.3]), 2).tolist() == [
        0.3,
        0.3,
    ]


@pytest.mark.parametrize("weights", [[1.0, -1.0], [1.0, np.nan], [1.0], [[1.0, 1.0]]])
def test_bad_weight_arrays_are_refused(weights):
    with pytest.raises(InvalidParams):
        arrays.plurality(np.array([0, 1]), np.array(weights), 2)


def test_a_rank_array_must_be_two_dimensional():
    with pytest.raises(InvalidParams):
        arrays.schulze(np.array([0, 1]), np.ones(2))
