"""Ballots as compact integer codes (voting.codes): every ballot shape codes and decodes
to what it says, and a count from the codes is the count from the ballots."""

import hashlib
import json
import random
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from chapterhouse.voting import (
    CODED_METHODS,
    InvalidBallot,
    InvalidParams,
    ballot_codes,
    codes_digest,
    join_codes,
    make_ballot_file,
    prepare,
    prepare_codes,
)
from chapterhouse.voting.codes import code_dtype

KEYS = ["a", "b", "c", "d", "e"]


def _prepare_both(method: str, options: list[str], weights: list[Any],
                  ballots: list[dict[str, Any]], params: dict[str, Any] | None = None
                  ) -> tuple[Any, Any]:
    buffer, sizes = join_codes([ballot_codes(method, options, b) for b in ballots])
    from_codes = prepare_codes(method=method, options=options, weights=weights, codes=buffer,
                               sizes=sizes, params=params or {})
    from_json = prepare(method=method, options=options, weights=weights, ballots=ballots,
                        params=params or {})
    return from_codes, from_json


@pytest.mark.parametrize(("method", "ballot", "codes"), [
    ("schulze", {"ranking": ["a", "b", "c", "d", "e"]}, bytes([0, 1, 2, 3, 4])),  # full
    ("schulze", {"ranking": ["e", "c", "a"]}, bytes([4, 2, 0])),  # truncated, in its order
    ("irv", {"ranking": ["d"]}, bytes([3])),  # one option only
    ("irv", {}, b""),  # blank
    ("approval", {"approve": ["c", "a"]}, bytes([2, 0])),
    ("approval", {}, b""),
    ("plurality", {"option": "b"}, bytes([1])),
    ("plurality", {}, b""),
])
def test_every_ballot_shape_codes_the_options_it_lists_in_its_order(method, ballot, codes):
    assert ballot_codes(method, KEYS, ballot) == codes


@pytest.mark.parametrize("method", ["majority", "supermajority"])
def test_a_yes_no_ballot_codes_its_choice(method):
    assert [ballot_codes(method, [], {"choice": c}) for c in ("yes", "no", "abstain")] == [
        b"\x00", b"\x01", b"\x02"]
    assert ballot_codes(method, [], {}) == b""


@pytest.mark.parametrize(("method", "ballot"), [
    ("consent", {"choice": "block", "reason": "too costly"}),
    ("consensus", {"choice": "agree"}),
    ("score", {"scores": {"a": 5}}),
])
def test_methods_whose_ballots_say_more_than_indices_have_no_codes(method, ballot):
    assert method not in CODED_METHODS
    assert ballot_codes(method, KEYS, ballot) is None


def test_more_than_256_options_take_two_little_endian_bytes_each():
    options = [f"o{i}" for i in range(300)]
    assert code_dtype(256).itemsize == 1
    codes = ballot_codes("schulze", options, {"ranking": ["o299", "o0", "o256"]})
    assert codes == bytes([43, 1, 0, 0, 0, 1])  # 299 = 0x012b, 0, 256 = 0x0100
    ballots = [{"ranking": ["o299", "o0", "o256"]}, {}, {"ranking": ["o5"]}]
    from_codes, from_json = _prepare_both("schulze", options, [1, 2, 3], ballots)
    assert np.array_equal(from_codes.arrays[0], from_json.arrays[0])


def _random_ballot(method: str, rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.1:
        return {}
    if method in ("schulze", "irv"):
        return {"ranking": rng.sample(KEYS, rng.randint(1, len(KEYS)))}
    if method == "approval":
        return {"approve": rng.sample(KEYS, rng.randint(1, len(KEYS)))}
    if method == "plurality":
        return {"option": rng.choice(KEYS)}
    return {"choice": rng.choice(["yes", "no", "abstain"])}


@pytest.mark.parametrize("method", sorted(CODED_METHODS))
def test_a_count_from_codes_is_the_count_from_the_ballots(method):
    rng = random.Random(method)
    ballots = [_random_ballot(method, rng) for _ in range(400)]
    weights = [rng.choice([Fraction(1, 3), 1, Fraction(5, 2), 2]) for _ in ballots]
    options = [] if method in ("majority", "supermajority") else KEYS
    from_codes, from_json = _prepare_both(method, options, weights, ballots)
    for a, b in zip(from_codes.arrays, from_json.arrays, strict=True):
        assert np.array_equal(a, b)
    assert from_codes.count(eligible_weight=2000) == from_json.count(eligible_weight=2000)
    rows = list(range(0, 400, 7))
    assert (from_codes.count(eligible_weight=2000, rows=rows)
            == from_json.count(eligible_weight=2000, rows=rows))


def test_no_ballots_count_from_no_codes():
    from_codes, from_json = _prepare_both("irv", KEYS, [], [])
    assert from_codes.count(eligible_weight=5) == from_json.count(eligible_weight=5)


@pytest.mark.parametrize(("method", "codes", "what"), [
    ("schulze", [b"\x00\x01", b"\x02\x02"], "listed twice"),
    ("irv", [b"\x00", b"\x05"], "names no option"),
    ("approval", [b"\x00", b"\x01\x01"], "listed twice"),
    ("plurality", [b"\x00\x01", b"\x01"], "more than one"),
    ("majority", [b"\x00", b"\x03"], "names no option"),
])
def test_bad_codes_are_refused_naming_the_ballot(method, codes, what):
    options = [] if method == "majority" else KEYS
    buffer, sizes = join_codes(codes)
    with pytest.raises(InvalidBallot, match=what) as error:
        prepare_codes(method=method, options=options, weights=[1, 1], codes=buffer, sizes=sizes,
                      params={})
    assert error.value.index == 1 if method != "plurality" else error.value.index == 0


def test_too_few_approvals_are_refused_from_codes_as_from_json():
    buffer, sizes = join_codes([b"\x00\x01", b"\x02"])
    with pytest.raises(InvalidBallot) as error:
        prepare_codes(method="approval", options=KEYS, weights=[1, 1], codes=buffer,
                      sizes=sizes, params={"min_choices": 2})
    assert error.value.index == 1


@pytest.mark.parametrize(("method", "sizes", "weights"), [
    ("score", [1], [1]),  # no codes for score
    ("schulze", [2], [1]),  # more bytes than the buffer holds
    ("schulze", [1], [1, 2]),  # a weight without a ballot
])
def test_codes_that_do_not_fit_are_refused(method, sizes, weights):
    with pytest.raises(InvalidParams):
        prepare_codes(method=method, options=KEYS, weights=weights, codes=b"\x00",
                      sizes=sizes, params={})


def test_two_byte_codes_must_come_whole():
    options = [f"o{i}" for i in range(300)]
    with pytest.raises(InvalidParams):
        prepare_codes(method="irv", options=options, weights=[1], codes=b"\x00\x00\x00",
                      sizes=[3], params={})


@pytest.mark.parametrize("method", ["schulze", "consensus"])
def test_repeated_ballots_count_as_the_ballots_repeated(method):
    rng = random.Random(3)
    if method == "consensus":
        ballots = [{"choice": rng.choice(["agree", "disagree", "block"]), "reason": f"r{i}"}
                   for i in range(30)]
        options: list[str] = []
    else:
        ballots = [_random_ballot(method, rng) for _ in range(30)]
        options = KEYS
    times = [rng.randint(1, 4) for _ in ballots]
    step = Fraction(1, 2)
    prepared = prepare(method=method, options=options, weights=[step * t for t in times],
                       ballots=ballots, params={})
    expected = prepare(method=method, options=options, weights=[step] * sum(times),
                       ballots=[b for b, t in zip(ballots, times, strict=True)
                                for _ in range(t)], params={})
    assert (prepared.repeated(times, step).count(eligible_weight=100)
            == expected.count(eligible_weight=100))


def _file_digest(method: str, options: list[str], ballots: list[dict[str, Any]],
                 weights: list[Any]) -> str:
    """sha256 of the ballot file's rows in canonical JSON, as decisions hash them."""
    rows = make_ballot_file(method=method, options=options, params={}, eligible_weight=0,
                            ballots=[(None, w, b) for w, b in zip(weights, ballots, strict=True)],
                            result={})["ballots"]
    text = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# Ids whose JSON spellings order differently from the ids (quotes, escapes, non-ASCII,
# one the beginning of another).
TRICKY = ["a", "ab", 'a"b', "é", "b\\", "o1", "o10", "Z", "日本", "a b"]


@pytest.mark.parametrize("method", sorted(CODED_METHODS))
def test_the_digest_from_codes_is_the_hash_of_the_ballot_files_rows(method):
    rng = random.Random(method)
    options = [] if method in ("majority", "supermajority") else TRICKY
    for n in (0, 1, 2, 40, 120):
        ballots: list[dict[str, Any]] = []
        for _ in range(n):
            if rng.random() < 0.15:
                ballots.append({})
            elif method in ("schulze", "irv"):
                ballots.append({"ranking": rng.sample(options, rng.randint(1, 3))})
            elif method == "approval":
                ballots.append({"approve": rng.sample(options, rng.randint(1, 3))})
            elif method == "plurality":
                ballots.append({"option": rng.choice(options)})
            else:
                ballots.append({"choice": rng.choice(["yes", "no", "abstain"])})
        weights = [rng.choice(["1", "1.5", "0.25", "2", "1/3"]) for _ in ballots]
        buffer, sizes = join_codes([ballot_codes(method, options, b) for b in ballots])
        prepared = prepare_codes(method=method, options=options, weights=weights,
                                 codes=buffer, sizes=sizes, params={})
        assert codes_digest(method=method, options=options, codes=buffer, sizes=sizes,
                            units=prepared.weights, denominator=prepared.denominator
                            ) == _file_digest(method, options, ballots, weights)


def test_the_digest_orders_long_rankings_of_many_options_as_the_file_does():
    rng = random.Random(9)
    options = [f"x{i}" for i in range(300)] + ['x1"', "é1"]  # two-byte codes, many words
    ballots: list[dict[str, Any]] = [
        {"ranking": rng.sample(options, rng.randint(1, 40))} if rng.random() > 0.1 else {}
        for _ in range(150)]
    ballots += [{"ranking": ["x1", "x2"]}, {"ranking": ["x1", "x2", "x3"]}, {"ranking": ["x1"]}]
    weights = [rng.choice(["1", "2", "1/3"]) for _ in ballots]
    buffer, sizes = join_codes([ballot_codes("irv", options, b) for b in ballots])
    prepared = prepare_codes(method="irv", options=options, weights=weights, codes=buffer,
                             sizes=sizes, params={})
    assert codes_digest(method="irv", options=options, codes=buffer, sizes=sizes,
                        units=prepared.weights, denominator=prepared.denominator
                        ) == _file_digest("irv", options, ballots, weights)
