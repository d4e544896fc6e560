"""Filters for the decision templates: names of categories and methods, weights and shares."""

from __future__ import annotations

from typing import Any

from django import template

from chapterhouse.decisions import presenters, selectors

register = template.Library()


@register.filter
def category_label(category: str) -> str:
    return presenters.category_label(str(category))


@register.filter
def method_label(method: str) -> str:
    return presenters.method_label(str(method))


@register.filter
def weight(value: Any) -> str:
    """A weight or count: 3, 2.5, 0.33."""
    return presenters.number(value)


@register.filter
def share(value: Any) -> str:
    """A share as a percentage: 0.5 → "50 %"."""
    return presenters.percent(None if value is None else float(value))


@register.filter
def outcome_label(outcome: str) -> str:
    return str(presenters.OUTCOME_LABELS.get(outcome, outcome))


@register.inclusion_tag("decisions/_needs_you.html")
def needs_you(member: Any) -> dict[str, Any]:
    """What needs the member in decisions, for their home page (members' dashboard
    shows it without importing decisions, which sits above members). Three queries."""
    return {"needs": selectors.needs_you(member)}
