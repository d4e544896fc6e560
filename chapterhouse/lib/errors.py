"""The one kind of refusal a service raises for a member to read.

A service that refuses an action (a window closed, a ballot malformed, a name taken)
raises `Refused` with a message already translated for the member. Interfaces only
translate it: a page message or form error on the web (lib.interface.form_action),
a 400 with `non_field_errors` in the API. Apps subclass it to name their own refusals
(decisions.services.DecisionError), never to change what it carries.
"""

from __future__ import annotations


class Refused(Exception):
    """A refusal with a message for the member (already translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
