"""Forms of the decision pages. They parse and check what a person typed; the services
decide (and refuse with a DecisionError, which the views show as a form error).

Everything works without JavaScript: options are a fixed number of text inputs
(blank ones ignored), affected groups a formset with extra rows, rankings are
numbered selects. decisions.js only adds rows and conveniences.

One module per page group: fields (shares, chapter and member lookups), drafts (the
draft form and its affected groups), deliberation (amend, stake, move), voting
(ballot, dissent, receipt) and log (the filters of the decision log).
"""

from __future__ import annotations

from .deliberation import (
    AmendmentForm,
    MoveUpForm,
    ReferDownForm,
    StakeForm,
)
from .drafts import (
    GROUPS_PREFIX,
    AffectedGroupForm,
    AffectedGroupFormSet,
    BaseAffectedGroupFormSet,
    ProposalForm,
    groups_formset,
)
from .fields import (
    COMMON_PARAMS,
    KEEP,
    MAX_OPTION_INPUTS,
    METHOD_PARAMS,
    OPTION_FIELD,
    OPTION_INPUTS,
    YES_NO_KEEP,
    ShareField,
    parse_share,
    resolve_chapter,
    resolve_member,
    share_input,
)
from .log import (
    DecisionFilterForm,
)
from .voting import (
    BLANK,
    BallotForm,
    DissentForm,
    ReceiptForm,
)

__all__ = [
    "AffectedGroupForm",
    "AffectedGroupFormSet",
    "AmendmentForm",
    "BLANK",
    "BallotForm",
    "BaseAffectedGroupFormSet",
    "COMMON_PARAMS",
    "DecisionFilterForm",
    "DissentForm",
    "GROUPS_PREFIX",
    "KEEP",
    "MAX_OPTION_INPUTS",
    "METHOD_PARAMS",
    "MoveUpForm",
    "OPTION_FIELD",
    "OPTION_INPUTS",
    "ProposalForm",
    "ReceiptForm",
    "ReferDownForm",
    "ShareField",
    "StakeForm",
    "YES_NO_KEEP",
    "groups_formset",
    "parse_share",
    "resolve_chapter",
    "resolve_member",
    "share_input",
]
