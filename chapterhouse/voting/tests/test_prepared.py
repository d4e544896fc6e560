import random
from typing import Any

import numpy as np
import pytest

from chapterhouse.voting import InvalidBallot, InvalidParams, count, prepare

KEYS = ["a", "b", "c", "d", "e"]


def _ballots(method, n, seed=1):
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for _ in range(n):
        if rng.random() < 0.1:
            blanks: list[dict[str, Any]] = [{}, {"ranking": []}, {"approve": []}]
            out.append(rng.choice(blanks) if method != "majority" else {})
        elif method in ("schulze", "irv"):
            out.append({"ranking": rng.sample(KEYS, rng.randint(1, 5))})
        elif method == "approval":
            out.append({"approve": rng.sample(KEYS, rng.randint(1, 5))})
        else:
            out.append({"choice": rng.choice(["yes", "no", "abstain"])})
    # the blank variants must fit the method
    key = {"schulze": "ranking", "irv": "ranking", "approval": "approve"}.get(method)
    return [b if not b or next(iter(b)) == key or method == "majority" else {} for b in out]


@pytest.mark.parametrize("method", ["schulze", "irv", "approval", "majority"])
def test_a_prepared_count_of_some_ballots_equals_counting_them_alone(method):
    ballots = _ballots(method, 300)
    weights = [round(random.Random(i).choice([0.5, 1, 2.25]), 2) for i in range(300)]
    options = [] if method == "majority" else KEYS
    prepared = prepare(method=method, options=options, weights=np.array(weights),
                       ballots=ballots, params={})
    whole = count(method=method, options=options, ballots=list(zip(weights, ballots, strict=True)),
                  params={}, eligible_weight=1000)
    assert prepared.count(eligible_weight=1000) == whole
    rows = [i for i in range(300) if i % 3 == 1]
    part = count(method=method, options=options,
                 ballots=[(weights[i], ballots[i]) for i in rows], params={}, eligible_weight=200)
    assert prepared.count(eligible_weight=200, rows=rows) == part
    assert part != whole


@pytest.mark.parametrize("bad, message", [
    ({"ranking": ["a", "z"]}, "Ballot 4: Unknown option 'z'."),
    ({"ranking": ["a", "a"]}, "Ballot 4: Option 'a' is ranked more than once."),
    ({"ranking": "ab"}, "Ballot 4: 'ranking' must be a list of option ids."),
    ({"ranking": None}, "Ballot 4: 'ranking' must be a list of option ids."),
    ({"rank": ["a"]}, "Ballot 4: Unexpected field(s) in the ballot: rank. "
                     "A ballot for schulze has only: ranking."),
    ({"ranking": ["a", 1]}, "Ballot 4: Options must be given by their id (a string)."),
    (["a"], "Ballot 4: A ballot must be a JSON object."),
])
def test_the_bulk_conversion_refuses_a_ballot_with_the_validators_message(bad, message):
    ballots = [{"ranking": ["a", "b"]}, {}, {"ranking": []}, bad, {"ranking": ["q"]}]
    with pytest.raises(InvalidBallot) as caught:
        count(method="schulze", options=KEYS, ballots=[(1.0, b) for b in ballots], params={},
              eligible_weight=5)
    assert (str(caught.value), caught.value.index) == (message, 3)
    with pytest.raises(InvalidBallot) as again:
        prepare(method="schulze", options=KEYS, weights=[1.0] * 5, ballots=ballots, params={})
    assert str(again.value) == message


def test_prepare_wants_one_number_per_ballot():
    with pytest.raises(InvalidParams, match="exactly one weight"):
        prepare(method="irv", options=KEYS, weights=[1.0], ballots=[{}, {}], params={})
    with pytest.raises(InvalidParams, match="must be numbers"):
        prepare(method="irv", options=KEYS, weights=[True], ballots=[{}], params={})


def test_a_prepared_count_refuses_more_weight_than_is_eligible():
    prepared = prepare(method="irv", options=KEYS, weights=[2.0, 2.0], ballots=[{}, {}],
                       params={})
    with pytest.raises(InvalidParams, match="more than the eligible weight"):
        prepared.count(eligible_weight=3)
    assert prepared.count(eligible_weight=2, rows=[1]).turnout_weight == 2.0
