"""Counting votes: pure Python + numpy, no Django, so anyone can recount a decision.

    from chapterhouse.voting import count, validate_ballot, InvalidBallot, Result, METHODS

``validate_ballot(method=, options=, ballot=, params=)`` returns the normalised ballot
or raises ``InvalidBallot`` (plain-English message; ``.code`` and ``.details`` for
callers that translate). ``count(method=, options=, ballots=[(weight, ballot), ...],
params=, eligible_weight=)`` returns a frozen ``Result``: ``outcome`` (passed,
rejected, elected, no_decision, no_quorum), ``winners`` (option ids), ``turnout_weight``,
``eligible_weight``, ``quorum_met``, ``explanation`` (JSON-serialisable) and
``to_dict()``. Invalid weights, options, seeds and parameters raise ``InvalidParams``
(never a crash: huge or too fine numbers and text that is not valid Unicode included).
``prepare(method=, options=, weights=, ballots=, params=)`` validates and
converts once for ``Prepared.count(eligible_weight=, rows=)``, which counts all the
ballots or some of them (a breakdown) exactly as ``count()`` would, with no ballot
looked at again. ``ballot_codes(method, options, ballot)`` gives a valid ballot's
compact integer codes (or None for consent, consensus and score), which a database can
store beside its JSON; ``prepare_codes(method=, options=, weights=, codes=, sizes=,
params=)`` prepares ballots from those codes, read as one buffer, with no Python object
per ballot (see ``codes``), and ``codes_digest`` the hash of their ballot file's rows.
``describe(result, labels)`` gives sentences for the command line.
How a secret vote's ballots are published so that no weight singles out a voter
(split into parts of one weight: ``publication_step``, ``parts_of``) is in ``secrecy``.
Ballot shapes are documented in ``ballots``, parameters in ``params``, the lot in
``ties``, array-level tallies in ``arrays``.

Rules that apply to every method:

- Weights are non-negative and exact (see ``weights``, which says why): an int,
  Fraction, Decimal or text ("1.5", "2/3") is read exactly, a float as the simplest
  fraction it is the nearest float to (2/3 is 2/3). Each count scales them to whole
  numbers over one common denominator, so no rounding ever decides or blocks an
  outcome: 2/3 against 1/3 + 1/3 is a tie, and a roll's own ballots always fit it.
  Weights in a Result are Fractions; ``to_dict()`` writes them as text ("2/3").
- Every ballot counts for turnout (abstentions and blank ballots included). The quorum
  is met when turnout >= quorum × eligible weight (with no eligible weight, only a
  quorum of 0 is met). Below the quorum the outcome is ``no_quorum``; the tallies are
  still reported, and ``explanation["without_quorum"]`` says what they alone decided.
- Thresholds are read as the fraction they stand for (0.6666666666666666 is 2/3).
- majority passes when yes > threshold × (yes + no); supermajority when
  yes >= threshold × (yes + no). With no yes or no votes at all, the proposal is
  rejected. A yes/no vote has no ties: exactly at a "more than" threshold fails.
- consent passes unless a ballot with weight blocks (a zero-weight block is not
  counted). consensus fails when blocks weigh >= block_limit × turnout (any block when
  block_limit is 0), else passes when agree >= threshold × (agree + disagree) and
  somebody agreed or disagreed.
- plurality and approval elect the option with the most weight; score the highest
  weighted total (an unscored option counts as 0); Schulze the option that no other
  beats by strongest paths (winning votes); instant-runoff the first option with more
  than half of the continuing weight (elimination ties: see ``arrays.irv_units``:
  together, earlier rounds, any order, then the tie rule; each round's ``tie`` says
  which resolved it in ``resolved_by``).
- When no ballot expresses any preference, the outcome is ``no_decision``. A tie for
  the win gives ``no_decision`` with ``tie_break="no_decision"`` (the default), or is
  won by the first of the tied options in the public lot order with ``tie_break="lot"``
  (see ``ties``). ``explanation["tie"]`` says which, ``explanation["why"]`` why.

Explanation keys: method, params, ballots (how many), turnout {weight, eligible_weight,
share, quorum, quorum_met}, why, and per method: counts, shares (or averages),
blank_weight, threshold and threshold_rule, block_limit and block_share, *_reasons
(sorted), options, counted_weight, pairwise and strongest_paths (matrices indexed like
options), wins, condorcet_winner, rounds (instant-runoff: counts, shares,
continuing_weight, exhausted, eliminated, elected, tie), elimination_ties, tie,
without_quorum.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .ballots import validate_ballot
from .codes import CODED_METHODS, join_codes
from .codes import digest as codes_digest
from .codes import encode as ballot_codes
from .describe import describe
from .errors import InvalidBallot, InvalidBallotFile, InvalidParams
from .params import METHODS, YES_NO_METHODS
from .result import OUTCOMES, Result
from .secrecy import MAX_PARTS, parts_needed, parts_of, publication_step
from .ties import lot_order
from .weights import Weight, exact, to_text

if TYPE_CHECKING:
    from .ballot_file import (
        BallotFile,
        ballot_file_json,
        dump_ballot_file,
        load_ballot_file,
        loads_ballot_file,
        make_ballot_file,
        recount,
    )
    from .counting import Prepared, count, prepare, prepare_codes

# Loaded on first use (PEP 562): counting needs numpy, which costs an app worker
# about 15 MB that no page and no ballot needs (chapterhouse/tests/test_memory.py).
_LAZY = {
    **dict.fromkeys(("BallotFile", "ballot_file_json", "dump_ballot_file", "load_ballot_file",
                     "loads_ballot_file", "make_ballot_file", "recount"), "ballot_file"),
    **dict.fromkeys(("Prepared", "count", "prepare", "prepare_codes"), "counting"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "CODED_METHODS",
    "MAX_PARTS",
    "METHODS",
    "OUTCOMES",
    "Prepared",
    "YES_NO_METHODS",
    "Weight",
    "BallotFile",
    "InvalidBallot",
    "InvalidBallotFile",
    "InvalidParams",
    "Result",
    "ballot_codes",
    "ballot_file_json",
    "codes_digest",
    "count",
    "describe",
    "dump_ballot_file",
    "exact",
    "load_ballot_file",
    "loads_ballot_file",
    "lot_order",
    "join_codes",
    "make_ballot_file",
    "parts_needed",
    "parts_of",
    "prepare",
    "prepare_codes",
    "publication_step",
    "recount",
    "to_text",
    "validate_ballot",
]
