"""The decision rule in force for a chapter and category (inherited up the tree)."""

from __future__ import annotations

from django.db.models import QuerySet

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import cache as lib_cache
from chapterhouse.lib.rawsql import Prepared

from ..models import (
    BUILT_IN_RULES,
    DecisionRule,
    Proposal,
)

# -- Rules in force ---------------------------------------------------------------------


def _built_in(category: str) -> DecisionRule | None:
    """International's default rule for a built-in category, unsaved (pk and chapter
    None): in force wherever no chapter up the tree has a row for the category.

    Migration 0002 stores these rows on International when it already exists; on a
    fresh database International is created later, and its defaults are these until
    a "rules" decision stores a row."""
    values = BUILT_IN_RULES.get(category)
    if values is None:
        return None
    fields = {**values, "params": dict(values["params"])}
    return DecisionRule(category=category, **fields)


def effective_rule(chapter: Chapter, category: str) -> DecisionRule | None:
    """The rule `chapter` decides `category` by: its own, else its nearest ancestor's,
    else International's built-in default (an unsaved rule, see _built_in).

    One query (a path-prefix match over the ancestors, deepest first). None for a
    category no chapter up the tree has a rule for and that is not built in.
    """
    found = _NEAREST_RULE(chapter.ancestor_paths(), str(category))
    return found[0] if found else _built_in(category)


def _nearest_rule(paths: list[str], category: str) -> QuerySet[DecisionRule]:
    return (DecisionRule.objects.filter(chapter__path__in=paths, category=category)
            .select_related("chapter").order_by("-chapter__depth")[:1])


# Asked on every proposal page (twice): its SQL is built once (lib.rawsql.Prepared).
_NEAREST_RULE = Prepared(_nearest_rule)


# Bumped (services.bump_rules_version) after a decision changes a rule: part of the
# cache key of every chapter's "how this chapter decides" card, which shows inherited
# rules too, so any change retires them all (rules change rarely).
RULES_VERSION_KEY = "decisions:rules:version"


def rules_version() -> int:
    return lib_cache.version(RULES_VERSION_KEY)


def effective_rules(chapter: Chapter) -> dict[str, DecisionRule]:
    """Every category `chapter` can decide, with the rule in force for it. One query."""
    rules: dict[str, DecisionRule] = {}
    rows = (
        DecisionRule.objects.filter(chapter__path__in=chapter.ancestor_paths())
        .select_related("chapter")
        .order_by("-chapter__depth", "category")
    )
    for rule in rows:
        rules.setdefault(rule.category, rule)
    for category in BUILT_IN_RULES:
        if category not in rules:
            built_in = _built_in(category)
            if built_in is not None:
                rules[category] = built_in
    return dict(sorted(rules.items()))


def method_for(proposal: Proposal) -> str:
    """The method the proposal is (or will be) decided by."""
    if proposal.rule_snapshot:
        return str(proposal.rule_snapshot["method"])
    rule = effective_rule(proposal.chapter, proposal.category)
    return rule.method if rule is not None else ""
