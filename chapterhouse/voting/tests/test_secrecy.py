"""Publishing secret ballots in parts of one weight (voting.secrecy)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chapterhouse.voting import (
    MAX_PARTS,
    ballot_file_json,
    count,
    loads_ballot_file,
    make_ballot_file,
    parts_needed,
    parts_of,
    publication_step,
    recount,
    to_text,
)
from chapterhouse.voting.ballot_file import differences
from chapterhouse.voting.secrecy import common_step, part_receipt, split_ballots

from .test_properties import METHODS, SETTINGS, ballot_for, options

POSITIVE = st.sampled_from(["0.5", "1", "1", "2", "3", "1.5"])


@st.composite
def weighted_elections(draw):
    method = draw(st.sampled_from(METHODS))
    opts = draw(options())
    ballots = draw(st.lists(st.tuples(POSITIVE, ballot_for(method, opts)), min_size=1,
                            max_size=12))
    return method, opts, ballots


def test_the_step_is_the_greatest_common_divisor_of_the_weights():
    assert common_step([Fraction(1), Fraction(3)]) == 1
    assert common_step([Fraction(2), Fraction(3, 2)]) == Fraction(1, 2)
    assert common_step([Fraction(2, 3), Fraction(1, 2)]) == Fraction(1, 6)
    assert common_step([Fraction(0), Fraction(4)]) == 4
    assert parts_needed([Fraction(1), Fraction(101, 100)]) == 101
    assert parts_needed([Fraction(7)]) == 1
    assert MAX_PARTS == 50


def test_ballots_are_split_only_when_a_weight_is_carried_by_fewer_than_k():
    assert publication_step(["1"] * 3, 5) is None  # one weight says nothing
    assert publication_step(["1"] * 6 + ["3"] * 5, 5) is None
    assert publication_step(["1"] * 6 + ["3"] * 2, 5) == 1
    assert publication_step({Fraction(2): 9, Fraction(3): 1}, 5) == 1
    assert publication_step(["1.5"] * 9 + ["1"], 5) == Fraction(1, 2)


def test_a_ballot_is_published_as_its_parts_each_named_from_its_receipt():
    rows = list(split_ballots([("h1", "3", {"choice": "no"}), (None, "1", {"choice": "yes"})],
                              Fraction(1)))
    assert rows == [(part_receipt("h1", 1), Fraction(1), {"choice": "no"}),
                    (part_receipt("h1", 2), Fraction(1), {"choice": "no"}),
                    (part_receipt("h1", 3), Fraction(1), {"choice": "no"}),
                    (None, Fraction(1), {"choice": "yes"})]
    assert parts_of("h1", "3", Fraction(1)) == [r for r, _w, _b in rows[:3]]
    assert len(set(parts_of("h1", "3", Fraction(1)))) == 3
    with pytest.raises(ValueError, match="whole number"):
        list(split_ballots([("h", "1.5", {})], Fraction(1)))


@SETTINGS
@given(weighted_elections())
def test_the_parts_count_exactly_as_the_whole_ballots(election):
    method, opts, ballots = election
    step = common_step(Fraction(w) for w, _b in ballots)
    whole = count(method=method, options=opts, ballots=ballots, params={},
                  eligible_weight=sum(Fraction(w) for w, _b in ballots) + 1)
    parts = list(split_ballots(((f"r{i}", w, b) for i, (w, b) in enumerate(ballots)), step))
    split = count(method=method, options=opts, ballots=[(w, b) for _r, w, b in parts],
                  params={}, eligible_weight=whole.eligible_weight)
    a, b = whole.to_dict(), split.to_dict()
    assert a["explanation"].pop("ballots") == len(ballots)
    assert b["explanation"].pop("ballots") == len(parts)
    for key in ("block_reasons", "concern_reasons", "disagree_reasons"):
        # A reason is given once by each part.
        reasons = a["explanation"].pop(key, []), b["explanation"].pop(key, [])
        assert sorted(set(reasons[0])) == sorted(set(reasons[1]))
    assert a == b
    # ...and a file written in parts recounts to the count of the parts.
    data = make_ballot_file(method=method, options=opts, params={},
                            eligible_weight=whole.eligible_weight,
                            ballots=((f"r{i}", w, b) for i, (w, b) in enumerate(ballots)),
                            result=split, step=step)
    assert {row["weight"] for row in data["ballots"]} == {to_text(step)}
    assert differences(recount(loads_ballot_file(ballot_file_json(data))), data["result"]) == []
