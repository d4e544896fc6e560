"""Read-only helpers that shape proposals and decisions for display.

Pages, the API and the exports read through these; nothing here writes. One module
per subject: text (numbers, rule terms, labels and ballots as sentences), board (a
chapter's proposals by stage, in a constant number of queries), tally (the
explanation of the pure `voting` package as tables and bar charts: widths as CSS
classes, never inline styles, since the CSP forbids them) and history (what a rules
or roles proposal would do, the timeline, diffs). Callers use the names re-exported
here: `presenters.tally_view(...)`.
"""

from __future__ import annotations

from .board import (
    ROW_FIELDS,
    STAGE_ORDER,
    STAGES,
    Stage,
    board,
    stage_label,
    stage_queryset,
    voted_ids,
)
from .history import (
    DiffLine,
    TimelineEntry,
    diff_lines,
    document_change,
    payload_lines,
    timeline,
)
from .reasons import reason_text, reason_texts
from .tally import (
    Bar,
    GroupView,
    Matrix,
    Round,
    TallyView,
    breakdown_view,
    effect_text,
    tally_view,
)
from .text import (
    CHOICE_LABELS,
    CHOICES,
    EFFECT_KINDS,
    MAX_SCORE,
    OUTCOME_LABELS,
    RANKED_METHODS,
    REASON_REQUIRED,
    WHY,
    RuleView,
    Status,
    category_label,
    describe_ballot,
    fraction_text,
    labels_of,
    method_label,
    number,
    percent,
    rule_terms,
    rule_view,
    rules_in_force,
    weight_value,
    width_class,
)

__all__ = [
    "reason_text",
    "reason_texts",
    "Bar",
    "CHOICES",
    "CHOICE_LABELS",
    "DiffLine",
    "EFFECT_KINDS",
    "GroupView",
    "MAX_SCORE",
    "Matrix",
    "OUTCOME_LABELS",
    "RANKED_METHODS",
    "REASON_REQUIRED",
    "ROW_FIELDS",
    "Round",
    "RuleView",
    "STAGES",
    "STAGE_ORDER",
    "Stage",
    "Status",
    "TallyView",
    "TimelineEntry",
    "WHY",
    "board",
    "breakdown_view",
    "category_label",
    "describe_ballot",
    "diff_lines",
    "effect_text",
    "fraction_text",
    "labels_of",
    "method_label",
    "number",
    "document_change",
    "payload_lines",
    "percent",
    "rule_terms",
    "rule_view",
    "rules_in_force",
    "stage_label",
    "stage_queryset",
    "tally_view",
    "timeline",
    "voted_ids",
    "weight_value",
    "width_class",
]
