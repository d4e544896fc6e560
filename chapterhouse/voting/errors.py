"""Errors raised by the voting package; their messages are plain English for members."""

from __future__ import annotations

from typing import Any


class InvalidBallot(ValueError):
    """A ballot that does not fit its method.

    ``str(error)`` is a plain-English sentence a member can act on. ``code`` and
    ``details`` identify the problem for callers that translate it themselves
    (e.g. ``code="unknown_option", details={"option": "x"}``). When raised by
    ``count()``, ``index`` is the position of the offending ballot.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        details: dict[str, Any] | None = None,
        index: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details or {}
        self.index = index


class InvalidParams(ValueError):
    """Options, parameters or weights that no count can be made with."""


class InvalidBallotFile(ValueError):
    """A ballot file that is not a well-formed ``chapterhouse-ballots/1`` document."""
