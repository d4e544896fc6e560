"""Issue #13, items 1-3: exact weights, instant-runoff ties that cannot matter, hostile input."""

import io
import json
import sys
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chapterhouse.voting import (
    InvalidBallotFile,
    InvalidParams,
    count,
    loads_ballot_file,
    make_ballot_file,
    prepare,
    recount,
)
from chapterhouse.voting import weights as weights_module
from chapterhouse.voting.__main__ import main
from chapterhouse.voting.ballot_file import ballot_file_json
from chapterhouse.voting.weights import exact, to_text

from .helpers import ranked, run

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- 1. exact weights ------------------------------------------------------------------


def test_five_ballots_of_two_thirds_close_against_their_own_roll():
    result = count(method="majority", options=[], ballots=[(2 / 3, {"choice": "yes"})] * 5,
                   params=None, eligible_weight=5 * (2 / 3))
    assert result.outcome == "passed"
    assert result.turnout_weight == Fraction(10, 3) == result.eligible_weight
    assert result.to_dict()["turnout_weight"] == "10/3"


def test_two_thirds_against_one_third_twice_is_a_tie():
    ballots = [(Fraction(2, 3), {"option": "a"}), (Fraction(1, 3), {"option": "b"}),
               (Fraction(1, 3), {"option": "b"})]
    result = run("plurality", ballots, options=["a", "b"])
    assert result.outcome == "no_decision"
    assert result.explanation["tie"]["between"] == ["a", "b"]
    # The same with floats: 2/3 is read as the 2/3 it stands for.
    floats = [(2 / 3, {"option": "a"}), (1 / 3, {"option": "b"}), (1 / 3, {"option": "b"})]
    assert run("plurality", floats, options=["a", "b"], eligible=4 / 3).outcome == "no_decision"


def test_three_ballots_of_a_third_tie_one_ballot_of_one():
    ballots = [(1 / 3, {"choice": "yes"})] * 3 + [(1, {"choice": "no"})]
    result = run("majority", ballots, eligible=2)
    assert result.explanation["counts"]["yes"] == result.explanation["counts"]["no"] == 1
    assert result.outcome == "rejected"  # yes is not MORE than half: an exact tie
    result = run("supermajority", ballots, eligible=2, threshold=0.5)
    assert result.outcome == "passed"  # at least half: the tie passes


def test_tiny_weights_are_not_zeroed():
    result = run("plurality", [(1e-7, {"option": "a"}), (5e-8, {"option": "b"})],
                 options=["a", "b"], eligible=1)
    assert result.winners == ["a"]
    assert result.explanation["counts"] == {"a": Fraction(1, 10**7), "b": Fraction(1, 2 * 10**7)}


def test_decimal_and_text_weights_are_exact():
    ballots = [(Decimal("0.1"), {"option": "a"}), (Decimal("0.2"), {"option": "a"}),
               ("0.3", {"option": "b"})]
    result = run("plurality", ballots, options=["a", "b"], eligible="0.6")
    assert result.outcome == "no_decision"  # 0.1 + 0.2 is 0.3
    assert to_text(exact("2/3")) == "2/3" and to_text(exact(Decimal("1.250"))) == "1.25"


def test_sums_too_big_for_float64_stay_exact():
    big = 10**15
    ballots = [(big, {"option": "a"}), (1, {"option": "b"}), (big, {"option": "b"})]
    result = run("plurality", ballots, options=["a", "b"])
    assert result.winners == ["b"]
    assert result.explanation["counts"]["b"] == big + 1


exact_weight = st.one_of(
    st.fractions(min_value=0, max_value=10, max_denominator=60),
    st.decimals(min_value=0, max_value=10, places=6),
    st.sampled_from([2 / 3, 1 / 3, 0.1, 0.2, 1e-7, 1.5]),
)


@SETTINGS
@given(roll=st.lists(exact_weight, min_size=0, max_size=30), data=st.data())
def test_any_roll_and_any_turnout_closes(roll, data):
    voted = data.draw(st.lists(st.booleans(), min_size=len(roll), max_size=len(roll)))
    eligible = sum((exact(w) for w in roll), Fraction(0))
    for method, ballot in (("majority", {"choice": "yes"}), ("irv", {"ranking": ["a"]}),
                           ("schulze", {"ranking": ["b", "a"]})):
        ballots = [(w, ballot) for w, v in zip(roll, voted, strict=True) if v]
        result = count(method=method, options=["a", "b"], ballots=ballots, params=None,
                       eligible_weight=eligible)
        assert result.eligible_weight == eligible
        # The float sum of a roll of floats closes too.
        floats = [float(w) for w in roll]
        count(method=method, options=["a", "b"], params=None, eligible_weight=sum(floats),
              ballots=[(w, ballot) for w, v in zip(floats, voted, strict=True) if v]
              if all(isinstance(w, float) for w in roll) else [])


@SETTINGS
@given(parts=st.lists(st.fractions(min_value=Fraction(1, 30), max_value=5,
                                   max_denominator=30), min_size=1, max_size=6))
def test_exact_ties_are_ties(parts):
    """One ballot for a weighs exactly what several for b weigh together: always a tie."""
    whole = sum(parts, Fraction(0))
    ballots: list[tuple[Fraction, dict[str, Any]]] = [(whole, {"option": "a"})]
    ballots += [(p, {"option": "b"}) for p in parts]
    for method in ("plurality", "irv"):
        ballots_for = ballots if method == "plurality" else [
            (w, {"ranking": [b["option"]]}) for w, b in ballots]
        result = count(method=method, options=["a", "b"], ballots=ballots_for, params=None,
                       eligible_weight=2 * whole)
        assert result.outcome == "no_decision", method
    yes_no = [(whole, {"choice": "yes"})] + [(p, {"choice": "no"}) for p in parts]
    result = count(method="majority", options=[], ballots=yes_no, params=None,
                   eligible_weight=2 * whole)
    assert result.outcome == "rejected"
    assert result.explanation["counts"]["yes"] == result.explanation["counts"]["no"]


def test_prepared_counts_take_exact_weights_from_arrays_and_decimals():
    counted = prepare(method="plurality", options=["a", "b"],
                      weights=[Decimal("0.666667"), Decimal("0.333333"), Decimal("0.333334")],
                      ballots=[{"option": "a"}, {"option": "b"}, {"option": "b"}], params=None)
    assert counted.count(eligible_weight=Decimal("1.333334")).outcome == "no_decision"
    counted = prepare(method="plurality", options=["a", "b"], weights=np.array([1.5, 0.5, 1.0]),
                      ballots=[{"option": "a"}, {"option": "b"}, {"option": "b"}], params=None)
    assert counted.count(eligible_weight=3).explanation["counts"] == {"a": 1.5, "b": 1.5}


def ballot_file(ballots, **kwargs):
    result = count(method="plurality", options=["a", "b"], ballots=ballots, params=None,
                   eligible_weight=kwargs.get("eligible", 2))
    return make_ballot_file(method="plurality", options=["a", "b"], params=None,
                            eligible_weight=kwargs.get("eligible", 2),
                            ballots=[(None, w, b) for w, b in ballots], result=result)


def test_ballot_files_store_exact_weights_and_recount_them():
    data = ballot_file([(Fraction(2, 3), {"option": "a"}), (Fraction(1, 3), {"option": "b"}),
                        (Fraction(1, 3), {"option": "b"})], eligible="4/3")
    assert data["format"] == "chapterhouse-ballots/2"
    assert sorted(row["weight"] for row in data["ballots"]) == ["1/3", "1/3", "2/3"]
    assert data["eligible_weight"] == "4/3"
    loaded = loads_ballot_file(ballot_file_json(data))
    assert recount(loaded).to_dict() == data["result"]


def test_old_ballot_files_still_recount(capsys, tmp_path):
    """A chapterhouse-ballots/1 file (floats, as published before) recounts as it is."""
    old = {
        "format": "chapterhouse-ballots/1", "method": "irv", "options": ["a", "b", "c"],
        "params": {"quorum": 0.0, "seed": "", "tie_break": "no_decision"},
        "eligible_weight": 4.5,
        "ballots": [{"receipt": None, "weight": 1.5, "ballot": {"ranking": ["a"]}},
                    {"receipt": None, "weight": 1.0, "ballot": {"ranking": ["b", "a"]}},
                    {"receipt": None, "weight": 2.0, "ballot": {"ranking": ["c"]}}],
        "result": {"eligible_weight": 4.5, "explanation": {
            "ballots": 3, "blank_weight": 0.0, "counted_weight": 4.5,
            "elimination_ties": ["together", "earlier_rounds", "no_decision"],
            "method": "irv", "options": ["a", "b", "c"],
            "params": {"quorum": 0.0, "seed": "", "tie_break": "no_decision"},
            "rounds": [
                {"continuing_weight": 4.5, "counts": {"a": 1.5, "b": 1.0, "c": 2.0},
                 "elected": None, "eliminated": ["b"], "exhausted": 0.0, "round": 1,
                 "shares": {"a": 0.333333, "b": 0.222222, "c": 0.444444}, "tie": None},
                {"continuing_weight": 4.5, "counts": {"a": 2.5, "c": 2.0}, "elected": "a",
                 "eliminated": [], "exhausted": 0.0, "round": 2,
                 "shares": {"a": 0.555556, "c": 0.444444}, "tie": None}],
            "tie": None, "turnout": {"eligible_weight": 4.5, "quorum": 0.0, "quorum_met": True,
                                     "share": 1.0, "weight": 4.5},
            "why": "majority_of_continuing"},
            "outcome": "elected", "quorum_met": True, "turnout_weight": 4.5, "winners": ["a"]},
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    assert main(["recount", str(path)]) == 0
    assert "matches the published result" in capsys.readouterr().out


# --- 2. instant-runoff ties that cannot change who wins --------------------------------


def test_irv_elects_when_every_elimination_order_elects_the_same_option():
    ballots = ranked((1, "a"), (1, "a"), (1, "a"), (1, "ba"), (1, "ca"), (1, "da"))
    result = run("irv", ballots, options=["a", "b", "c", "d"])
    assert result.outcome == "elected" and result.winners == ["a"]
    first = result.explanation["rounds"][0]
    assert first["tie"] == {"kind": "elimination", "between": ["b", "c", "d"],
                            "resolved_by": "any_order"}
    assert result.explanation["tie"] is None  # the chapter's tie rule decided nothing
    assert "any_order" in result.explanation["elimination_ties"]


def test_irv_earlier_rounds_come_before_any_order_and_together_before_both():
    # c and d tie in round 2 after b left; in round 1 c had less: c goes (earlier rounds).
    ballots = ranked((6, "a"), (2, "c"), (3, "d"), (1, "bc"))
    result = run("irv", ballots, options=["a", "b", "c", "d"])
    ties = [r["tie"]["resolved_by"] for r in result.explanation["rounds"] if r["tie"]]
    assert ties == ["earlier_rounds"]
    # Options nobody chose leave together.
    result = run("irv", ranked((2, "a"), (1, "b")), options=["a", "b", "c", "d"])
    assert result.explanation["rounds"][0]["tie"] is None or \
        result.explanation["rounds"][0]["tie"]["resolved_by"] == "together"


def test_irv_a_tie_that_matters_still_goes_to_the_chapters_rule():
    ballots = ranked((1, "a"), (1, "b"), (1, "c"))
    assert run("irv", ballots).outcome == "no_decision"
    assert run("irv", ballots, tie_break="lot", seed="s").outcome == "elected"


def test_the_any_order_rule_is_described():
    from chapterhouse.voting import describe

    ballots = ranked((1, "a"), (1, "a"), (1, "a"), (1, "ba"), (1, "ca"), (1, "da"))
    lines = describe(run("irv", ballots, options=["a", "b", "c", "d"]))
    assert any("every order of eliminating them elects the same option" in line
               for line in lines)


# --- 3. hostile input ------------------------------------------------------------------


@pytest.mark.parametrize("weight", [1e303, 1.7e308, 10**400, 10**25, Decimal("1e400"),
                                    "1/" + "9" * 300, Fraction(1, 10**300)])
def test_huge_or_too_fine_weights_are_clear_errors(weight):
    with pytest.raises(InvalidParams):
        run("plurality", [(weight, {"option": "a"})], eligible=1)
    with pytest.raises(InvalidParams):
        run("plurality", [(1, {"option": "a"})], eligible=weight)


@pytest.mark.parametrize("where", ["option", "seed"])
def test_lone_surrogates_in_option_ids_or_seeds_are_clear_errors(where):
    options = ["a", "\ud800"] if where == "option" else ["a", "b"]
    params = {"tie_break": "lot", "seed": "\udfff" if where == "seed" else "s"}
    with pytest.raises(InvalidParams):
        count(method="plurality", options=options, ballots=[], params=params, eligible_weight=1)


def good_file():
    return ballot_file_json(ballot_file([(1, {"option": "a"})]))


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    good_file().replace('"options": ["a", "b"]', '"options": ["a", "b"], "meta": '
                        + "[" * 100_000 + "]" * 100_000),
    good_file().replace('"weight": "1"', '"weight": 1' + "0" * 400),
    good_file().replace('"weight": "1"', '"weight": "1' + "0" * 400 + '"'),
    good_file().replace('"weight": "1"', '"weight": 1e303'),
    good_file().replace('"weight": "1"', '"weight": "1e999"'),
    good_file().replace('"weight": "1"', '"weight": "1.5e400"'),
    good_file().replace('"eligible_weight": "2"', '"eligible_weight": ' + "9" * 500),
    good_file().replace('"options": ["a", "b"]', '"options": ["a", "\\ud800"]'),
    good_file().replace('"seed": ""', '"seed": "\\udc00"'),
    good_file().replace('"receipt": null', '"receipt": "\\ud800"'),
    good_file().replace('"option": "a"', '"option": "\\ud800"'),
])
def test_the_recount_cli_exits_2_on_hostile_files(text, monkeypatch, capsys):
    with pytest.raises(InvalidBallotFile):
        from chapterhouse.voting.ballot_file import differences

        loaded = loads_ballot_file(text)
        try:
            differences(recount(loaded), loaded.result)
        except (InvalidParams, ValueError) as error:
            raise InvalidBallotFile(str(error)) from error
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert main(["recount", "-"]) == 2
    assert "Malformed ballot file" in capsys.readouterr().err


BIG = 4 * weights_module._SAMPLE + 1_000  # big enough for the float fast path


@pytest.mark.parametrize("tail, fast", [
    ([], True),  # the sample's 0.5, 1, 2, 3 all through
    ([7.0, 0.0], True),  # whole weights unseen in the sample: still u/2
    ([0.75], False),  # a finer power of two than the sample's: the general path
    ([0.1], False),  # a decimal weight, 1/10: the general path
    ([2.0**45], False),  # past the fast path's unit bound
    ([2.0**38] * 10_000, False),  # each under the bound, their sum near float64's limit
])
def test_big_float_weights_read_as_the_general_path_reads_them(tail, fast):
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.choice([0.5, 1.0, 2.0, 3.0], BIG), tail])
    rng.shuffle(values[weights_module._SAMPLE:])  # the tail lands after the sample
    assert (weights_module._dyadic_units(values) is not None) is fast
    units, denominator = weights_module.to_units(values)
    general, general_denominator = weights_module.to_units(
        [exact(v) for v in values.tolist()])  # Fractions: the path of exact() per value
    assert denominator == general_denominator
    assert units.dtype == general.dtype and np.array_equal(units, general)


def test_a_yes_no_count_sums_its_blank_ballots_apart():
    result = count(method="majority", options=[], eligible_weight=10, params={},
                   ballots=[(2, {"choice": "yes"}), (3, {}), (0.5, {"choice": "no"}),
                            (1, {"choice": "abstain"}), (1.5, {})])
    assert result.explanation["blank_weight"] in ("4.5", Fraction(9, 2))


def test_a_weight_is_written_as_its_shortest_exact_decimal_or_a_fraction():
    # Every numerator over denominators with 2s, 5s, both, and other factors: the text
    # reads back as the same number, a decimal ends on a non-zero digit, and a
    # fraction is written only when no decimal ends.
    for denominator in (1, 2, 4, 5, 8, 10, 16, 25, 40, 1024, 3, 6, 12, 7 * 1024):
        for numerator in range(0, 3 * denominator + 1):
            value = Fraction(numerator, denominator)
            text = to_text(value)
            assert exact(text) == value, (value, text)
            assert Fraction(text) == value
            if "/" in text:
                assert value.denominator != 1 and "." not in text
                assert any(f != 2 and f != 5 for f in _factors(value.denominator))
            elif "." in text:
                assert not text.endswith("0")
            assert to_text(int(numerator // denominator)) == str(numerator // denominator)
    assert to_text(Decimal("0.500")) == "0.5" and to_text(Fraction(3, 8)) == "0.375"


def _factors(n: int) -> list[int]:
    found, p = [], 2
    while n > 1:
        while n % p == 0:
            found.append(p)
            n //= p
        p += 1
    return found
