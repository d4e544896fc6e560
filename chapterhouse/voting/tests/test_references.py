"""Our counts against independent implementations on thousands of random elections.

- Schulze against votelib (weighted counts, ties, zero weights and empty ballots).
- Instant-runoff against pyrankvote (unweighted: integer weights are expanded into
  repeated ballots) on every election where neither count meets a tie.
- Plurality, approval and score against plain numpy bincount / matrix sums.
"""

import random

import numpy as np
import pyrankvote
import votelib.convert
import votelib.evaluate.condorcet
from votelib.evaluate.core import Tie

from chapterhouse.voting import count

ELECTIONS = 2000


def random_rankings(rng: np.random.Generator, opts: list[str], n: int) -> list[list[str]]:
    rankings = []
    for _ in range(n):
        perm = [str(o) for o in rng.permutation(opts)]
        rankings.append(perm[: rng.integers(0, len(opts) + 1)])
    return rankings


def test_schulze_agrees_with_votelib_on_thousands_of_random_elections():
    rng = np.random.default_rng(20240601)
    compared = ties = 0
    for _ in range(ELECTIONS):
        opts = [f"c{i}" for i in range(rng.integers(2, 6))]
        n = int(rng.integers(0, 13))
        rankings = random_rankings(rng, opts, n)
        weights = rng.choice([0.0, 0.5, 1.0, 1.0, 2.0, 3.0], n).tolist()
        result = count(
            method="schulze",
            options=opts,
            ballots=[(w, {"ranking": r}) for w, r in zip(weights, rankings, strict=True)],
            params={},
            eligible_weight=sum(weights),
        )
        votes: dict[tuple[str, ...], float] = {}
        for w, r in zip(weights, rankings, strict=True):
            votes[tuple(r)] = votes.get(tuple(r), 0.0) + w
        pairs = votelib.convert.RankedToCondorcetVotes().convert(votes)
        index = {o: i for i, o in enumerate(opts)}
        d = result.explanation["pairwise"]
        for (a, b), weight in pairs.items():
            assert d[index[a]][index[b]] == weight
        paths = votelib.evaluate.condorcet.Schulze.widest_paths(pairs)
        p = result.explanation["strongest_paths"]
        for (a, b), strength in paths.items():
            if a != b:
                assert p[index[a]][index[b]] == strength
        if result.explanation["why"] == "nothing_to_count" or not pairs:
            continue
        theirs = votelib.evaluate.condorcet.Schulze().evaluate(pairs, 1)
        if not theirs:
            # votelib: nobody beats anybody among the options anyone ranked, so they tie.
            known = {c for pair in pairs for c in pair}
            assert result.explanation["tie"]["between"] == [o for o in opts if o in known]
            ties += 1
            continue
        theirs_set = set(theirs[0]) if isinstance(theirs[0], Tie) else set(theirs)
        if result.outcome == "elected":
            # votelib ranks by the number of strongest-path wins: a unique Schulze
            # winner is always its (only) best.
            assert theirs == result.winners
            compared += 1
        else:
            # A Schulze tie: votelib's best (most wins) are among our tied winners.
            assert theirs_set <= set(result.explanation["tie"]["between"])
            ties += 1
    assert compared > ELECTIONS // 2
    assert ties > 50


def test_instant_runoff_agrees_with_pyrankvote_on_every_election_without_ties():
    rng = np.random.default_rng(19)
    random.seed(19)  # pyrankvote orders tied candidates at random
    compared = 0
    for _ in range(ELECTIONS):
        opts = [f"c{i}" for i in range(rng.integers(2, 6))]
        n = int(rng.integers(1, 16))
        rankings = random_rankings(rng, opts, n)
        weights = rng.choice([0, 1, 1, 1, 2, 3], n).tolist()
        result = count(
            method="irv",
            options=opts,
            ballots=[(float(w), {"ranking": r}) for w, r in zip(weights, rankings, strict=True)],
            params={},
            eligible_weight=float(sum(weights)),
        )
        rounds = result.explanation["rounds"]
        tie = any(r["tie"] and r["tie"]["resolved_by"] != "together" for r in rounds)
        # pyrankvote elects with exactly half (ceil(n/2)); we need more than half.
        half = any(2 * c == r["continuing_weight"] for r in rounds for c in r["counts"].values())
        if tie or half or result.outcome != "elected":
            continue
        candidates = {o: pyrankvote.Candidate(o) for o in opts}
        ballots = [
            pyrankvote.Ballot([candidates[o] for o in r])
            for w, r in zip(weights, rankings, strict=True)
            for _ in range(w)
        ]
        theirs = pyrankvote.instant_runoff_voting(list(candidates.values()), ballots)
        assert [c.name for c in theirs.get_winners()] == result.winners
        compared += 1
    assert compared > ELECTIONS // 2


def test_plurality_approval_and_score_agree_with_plain_numpy_sums():
    rng = np.random.default_rng(7)
    for _ in range(ELECTIONS // 4):
        k = int(rng.integers(1, 6))
        n = int(rng.integers(0, 20))
        opts = [f"c{i}" for i in range(k)]
        weights = rng.choice([0.0, 0.5, 1.0, 2.0, 3.0], n)
        eligible = float(weights.sum())

        picks = rng.integers(-1, k, n)  # -1: blank
        plurality = count(
            method="plurality",
            options=opts,
            ballots=[
                (w, {"option": opts[c]} if c >= 0 else {})
                for w, c in zip(weights.tolist(), picks.tolist(), strict=True)
            ],
            params={},
            eligible_weight=eligible,
        )
        expected = np.bincount(picks[picks >= 0], weights=weights[picks >= 0], minlength=k)
        check_totals(plurality, opts, expected)

        approvals = rng.random((n, k)) < 0.4
        approval = count(
            method="approval",
            options=opts,
            ballots=[
                (w, {"approve": [o for o, a in zip(opts, row, strict=True) if a]})
                for w, row in zip(weights.tolist(), approvals.tolist(), strict=True)
            ],
            params={},
            eligible_weight=eligible,
        )
        check_totals(approval, opts, (weights[:, None] * approvals).sum(axis=0))

        scores = rng.integers(0, 6, (n, k))
        scored = rng.random((n, k)) < 0.7  # the rest are left unscored
        score = count(
            method="score",
            options=opts,
            ballots=[
                (
                    w,
                    {
                        "scores": {
                            o: s for o, s, given in zip(opts, row, mask, strict=True) if given
                        }
                    },
                )
                for w, row, mask in zip(
                    weights.tolist(), scores.tolist(), scored.tolist(), strict=True
                )
            ],
            params={},
            eligible_weight=eligible,
        )
        check_totals(score, opts, (weights[:, None] * scores * scored).sum(axis=0))


def check_totals(result, opts, expected):
    assert np.allclose([result.explanation["counts"][o] for o in opts], expected, atol=1e-9)
    if result.outcome == "elected":
        assert expected[opts.index(result.winners[0])] == expected.max()
        assert np.count_nonzero(np.isclose(expected, expected.max())) == 1
    elif result.explanation["why"] == "tie":
        assert np.count_nonzero(np.isclose(expected, expected.max())) > 1
