import pytest

from chapterhouse.voting import InvalidBallot, InvalidParams, validate_ballot

OPTIONS = ["a", "b", "c"]


def check(method, ballot, params=None, options=OPTIONS):
    return validate_ballot(method=method, options=options, ballot=ballot, params=params or {})


def refused(method, ballot, params=None, options=OPTIONS) -> InvalidBallot:
    with pytest.raises(InvalidBallot) as caught:
        check(method, ballot, params, options)
    return caught.value


@pytest.mark.parametrize(
    "method",
    [
        "majority",
        "supermajority",
        "consent",
        "consensus",
        "plurality",
        "approval",
        "score",
        "schulze",
        "irv",
    ],
)
def test_an_empty_ballot_is_valid_for_every_method(method):
    assert check(method, {}) == {}


@pytest.mark.parametrize(
    ("method", "ballot"),
    [
        ("approval", {"approve": []}),
        ("schulze", {"ranking": []}),
        ("irv", {"ranking": []}),
        ("score", {"scores": {}}),
    ],
)
def test_an_empty_list_is_normalised_to_a_blank_ballot(method, ballot):
    assert check(method, ballot) == {}


def test_it_refuses_a_ballot_that_is_not_an_object():
    assert refused("plurality", ["a"]).code == "not_an_object"


@pytest.mark.parametrize(
    ("method", "ballot"),
    [
        ("majority", {"choice": "yes", "weight": 5}),
        ("plurality", {"option": "a", "extra": 1}),
        ("irv", {"ranking": ["a"], "approve": ["a"]}),
        ("consent", {"choice": "consent", "reason": "ok", "role": "admin"}),
    ],
)
def test_it_refuses_unknown_keys(method, ballot):
    error = refused(method, ballot)
    assert error.code == "unexpected_fields"
    assert "Unexpected field" in str(error)


def test_majority_accepts_yes_no_abstain_and_refuses_anything_else():
    for choice in ("yes", "no", "abstain"):
        assert check("majority", {"choice": choice}) == {"choice": choice}
    error = refused("majority", {"choice": "maybe"})
    assert error.code == "unknown_choice"
    assert str(error) == "'maybe' is not a choice here; choose yes, no or abstain."


def test_majority_refuses_a_reason_field():
    assert refused("majority", {"choice": "yes", "reason": "because"}).code == "unexpected_fields"


@pytest.mark.parametrize(
    ("method", "choice"),
    [
        ("consent", "block"),
        ("consent", "concern"),
        ("consensus", "disagree"),
        ("consensus", "block"),
    ],
)
def test_a_block_concern_or_disagreement_needs_a_reason(method, choice):
    error = refused(method, {"choice": choice})
    assert error.code == "reason_required"
    assert str(error) == f"A {choice} needs a reason."
    assert refused(method, {"choice": choice, "reason": "   "}).code == "reason_required"
    assert check(method, {"choice": choice, "reason": "  it harms us "}) == {
        "choice": choice,
        "reason": "it harms us",
    }


def test_a_reason_must_be_text_and_not_too_long():
    assert refused("consent", {"choice": "block", "reason": 5}).code == "reason_not_text"
    assert refused("consent", {"choice": "block", "reason": "x" * 4001}).code == "reason_too_long"


def test_consent_without_a_reason_is_fine():
    assert check("consent", {"choice": "consent"}) == {"choice": "consent"}


def test_a_choice_is_required_when_the_ballot_is_not_empty():
    assert refused("consensus", {"reason": "hm"}).code == "missing_choice"


def test_plurality_refuses_an_unknown_option():
    error = refused("plurality", {"option": "z"})
    assert (error.code, error.details) == ("unknown_option", {"option": "z"})
    assert str(error) == "Unknown option 'z'."
    assert refused("plurality", {"option": 1}).code == "not_an_option_id"


def test_ranked_ballots_refuse_duplicates_unknown_options_and_the_wrong_shape():
    assert check("schulze", {"ranking": ["b", "a"]}) == {"ranking": ["b", "a"]}
    error = refused("schulze", {"ranking": ["a", "b", "a"]})
    assert error.code == "duplicate_rank"
    assert str(error) == "Option 'a' is ranked more than once."
    assert refused("irv", {"ranking": ["a", "z"]}).code == "unknown_option"
    assert refused("irv", {"ranking": "ab"}).code == "not_a_list"
    assert refused("irv", {"ranking": {"a": 1}}).code == "not_a_list"
    assert refused("irv", {"ranking": [["a"]]}).code == "not_an_option_id"


def test_approval_bounds_the_number_of_choices():
    params = {"min_choices": 2, "max_choices": 2}
    assert check("approval", {"approve": ["a", "c"]}, params) == {"approve": ["a", "c"]}
    too_many = refused("approval", {"approve": ["a", "b", "c"]}, params)
    assert too_many.code == "too_many_choices"
    assert str(too_many) == "You may approve at most 2 option(s); this ballot approves 3."
    too_few = refused("approval", {"approve": ["a"]}, params)
    assert too_few.code == "too_few_choices"
    assert "or none for a blank ballot" in str(too_few)
    assert check("approval", {"approve": []}, params) == {}
    assert refused("approval", {"approve": ["a", "a"]}).code == "duplicate_option"


def test_scores_must_be_whole_numbers_from_0_to_5():
    assert check("score", {"scores": {"a": 5, "b": 0, "c": 3.0}}) == {
        "scores": {"a": 5, "b": 0, "c": 3}
    }
    out_of_range = refused("score", {"scores": {"a": 6}})
    assert out_of_range.code == "score_out_of_range"
    assert str(out_of_range) == "The score for 'a' must be from 0 to 5; got 6."
    assert refused("score", {"scores": {"a": -1}}).code == "score_out_of_range"
    assert refused("score", {"scores": {"a": 2.5}}).code == "score_not_whole"
    assert refused("score", {"scores": {"a": True}}).code == "score_not_whole"
    assert refused("score", {"scores": {"a": "5"}}).code == "score_not_whole"
    assert refused("score", {"scores": {"z": 1}}).code == "unknown_option"
    assert refused("score", {"scores": [5, 4]}).code == "not_a_mapping"


def test_bad_params_are_refused_with_their_own_error():
    with pytest.raises(InvalidParams, match="Unknown parameter"):
        check("plurality", {"option": "a"}, {"thresold": 0.5})
    with pytest.raises(InvalidParams, match="max_choices"):
        check("approval", {}, {"max_choices": 4})
    with pytest.raises(InvalidParams, match="seed"):
        check("plurality", {}, {"tie_break": "lot"})
    with pytest.raises(InvalidParams, match="quorum"):
        check("majority", {}, {"quorum": 1.5})
    with pytest.raises(InvalidParams, match="threshold"):
        check("majority", {}, {"threshold": 1})
    with pytest.raises(InvalidParams, match="Unknown voting method"):
        check("borda", {})
    with pytest.raises(InvalidParams, match="unique"):
        check("plurality", {}, options=["a", "a"])
    with pytest.raises(InvalidParams, match="at least one option"):
        check("plurality", {}, options=[])


def test_params_given_as_none_take_their_defaults_and_fractions_are_read():
    assert check("supermajority", {"choice": "yes"}, {"threshold": "3/4", "quorum": None}) == {
        "choice": "yes"
    }


def test_yes_no_methods_ignore_the_options_they_are_given():
    assert check("majority", {"choice": "no"}, options=[]) == {"choice": "no"}
