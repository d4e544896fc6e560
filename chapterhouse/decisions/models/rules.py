"""Voting methods, categories and the decision rule of a chapter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .objections import ObjectionResolution

MAX_WEIGHT = 10.0
#: Weights are stated and stored as decimals with this many places, exactly (a member
#: types 1.5 or 0.25; a weight with more places is refused, never rounded). Copies on the
#: roll and the ballots keep them; sums (Roll.total_weight) have room for any roll. The
#: counting package reads them as exact rationals (chapterhouse.voting.weights).
WEIGHT_PLACES = 6
WEIGHT_QUANTUM = Decimal("0.000001")
WEIGHT_DIGITS = 12
TOTAL_WEIGHT_DIGITS = 24


def weight_field(verbose_name: Any = None, **kwargs: Any) -> models.DecimalField[Any, Any]:
    """A stated or copied weight: a decimal of at most 10 with 6 places, exact."""
    return models.DecimalField(verbose_name, max_digits=WEIGHT_DIGITS,
                               decimal_places=WEIGHT_PLACES, **kwargs)


class Method(models.TextChoices):
    """The counting methods of the pure `chapterhouse.voting` package (its METHODS)."""

    MAJORITY = "majority", _("Majority")
    SUPERMAJORITY = "supermajority", _("Supermajority")
    CONSENT = "consent", _("Consent (passes unless blocked)")
    CONSENSUS = "consensus", _("Consensus-seeking")
    PLURALITY = "plurality", _("Plurality")
    APPROVAL = "approval", _("Approval")
    SCORE = "score", _("Score (0–5)")
    SCHULZE = "schulze", _("Ranked: Schulze")
    IRV = "irv", _("Ranked: instant runoff")


# Methods whose options are implied (yes/no, consent/block…): a proposal decided by
# one of them has no Option rows unless a competing alternative turns the ballot
# into a choice between options (see services.open_voting).
YES_NO_METHODS = frozenset({
    Method.MAJORITY, Method.SUPERMAJORITY, Method.CONSENT, Method.CONSENSUS,
})
MULTI_OPTION_METHODS = frozenset(set(Method) - YES_NO_METHODS)
# Methods a vote taken at a meeting can be recorded by (counts of hands: the yes/no
# choices, or one option each); see services.record_meeting_vote.
MEETING_METHODS = frozenset({*YES_NO_METHODS, Method.PLURALITY})


class Category(models.TextChoices):
    """The built-in categories. A chapter may add others by a "rules" decision."""

    ROUTINE = "routine", _("Routine")
    POLICY = "policy", _("Policy")
    BUDGET = "budget", _("Budget")
    ROLES = "roles", _("Roles")
    RULES = "rules", _("Rules")


# The rules International starts with (and the fallback when a database was emptied,
# e.g. between transactional tests). Migration 0002 stores a frozen copy of these.
BUILT_IN_RULES: dict[str, dict[str, Any]] = {
    Category.ROUTINE: {
        "method": Method.MAJORITY, "params": {"threshold": 0.5, "quorum": 0},
        "deliberation_days": 3, "amendment_days": 2, "voting_days": 3,
    },
    Category.POLICY: {
        "method": Method.SUPERMAJORITY, "params": {"threshold": 2 / 3, "quorum": 0.1},
        "deliberation_days": 14, "amendment_days": 10, "voting_days": 7,
    },
    Category.BUDGET: {
        "method": Method.MAJORITY, "params": {"threshold": 0.5, "quorum": 0.1},
        "deliberation_days": 14, "amendment_days": 10, "voting_days": 7,
    },
    Category.ROLES: {
        "method": Method.MAJORITY, "params": {"threshold": 0.5, "quorum": 0},
        "deliberation_days": 7, "amendment_days": 5, "voting_days": 5,
    },
    Category.RULES: {
        "method": Method.SUPERMAJORITY, "params": {"threshold": 2 / 3, "quorum": 0.2},
        "deliberation_days": 21, "amendment_days": 14, "voting_days": 14,
    },
}


class DecisionRule(models.Model):
    """How a chapter decides one category of matters.

    A chapter without its own rule for a category uses its nearest ancestor's
    (selectors.effective_rule). Rules change only through a decision of the
    category "rules" (services.close_voting applies it).

    `params` are the voting package's parameters: threshold, quorum, block_limit,
    min_choices, max_choices, tie_break ("no_decision" | "lot"), seed.
    `alternatives_method` decides a yes/no proposal that has competing
    alternatives on its ballot (the ballot becomes a choice between options).
    """

    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.CASCADE, related_name="decision_rules"
    )
    category = models.SlugField(_("category"), max_length=40)
    method = models.CharField(_("voting method"), max_length=20, choices=Method.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    alternatives_method = models.CharField(
        _("method when alternatives compete"),
        max_length=20,
        choices=[(m.value, m.label) for m in Method if m in MULTI_OPTION_METHODS],
        default=Method.SCHULZE,
    )
    deliberation_days = models.PositiveSmallIntegerField(_("deliberation (days)"))
    amendment_days = models.PositiveSmallIntegerField(_("amendments (days)"))
    voting_days = models.PositiveSmallIntegerField(_("voting (days)"))
    secret = models.BooleanField(_("secret ballot"), default=False)
    allow_self_declared_stakes = models.BooleanField(
        _("members may declare a stronger stake"), default=False
    )
    self_declared_cap = weight_field(_("highest weight a member may declare"),
                                     default=Decimal(2))
    # Objections to a proposal's weights (models.objections): the share of the roll's
    # weight whose open objections trigger the resolution when voting is due. Stated
    # as a short decimal and compared exactly (services.objections reads it back as
    # Fraction(str(value))).
    objection_threshold = models.FloatField(_("objections threshold"), default=0.25)
    objection_resolution = models.CharField(
        _("what objections past the threshold trigger"), max_length=30,
        choices=ObjectionResolution.choices, default=ObjectionResolution.PARENT_FACILITATORS,
    )
    # Votes taken face to face at a meeting (events' minutes) may be entered as
    # decisions of this category (services.record_meeting_vote).
    meeting_votes = models.BooleanField(
        _("votes taken at a meeting may be recorded in this category"), default=False
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decision rule")
        verbose_name_plural = _("decision rules")
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "category"], name="decisionrule_unique_category"
            ),
            models.CheckConstraint(
                condition=Q(method__in=Method.values), name="decisionrule_method_known"
            ),
            models.CheckConstraint(
                condition=Q(amendment_days__lte=models.F("deliberation_days")),
                name="decisionrule_amendments_within_deliberation",
            ),
            models.CheckConstraint(
                condition=Q(voting_days__gte=1), name="decisionrule_voting_at_least_a_day"
            ),
            models.CheckConstraint(
                condition=Q(self_declared_cap__gte=0, self_declared_cap__lte=MAX_WEIGHT),
                name="decisionrule_cap_range",
            ),
            models.CheckConstraint(
                condition=Q(objection_threshold__gt=0, objection_threshold__lte=1),
                name="decisionrule_objection_threshold_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chapter}: {self.category} → {self.method}"

    def snapshot(self) -> dict[str, Any]:
        """The rule as JSON, frozen onto a proposal when voting opens."""
        return {
            "chapter": self.chapter.url_path if self.chapter_id else "",
            "category": self.category,
            "method": self.method,
            "params": dict(self.params),
            "alternatives_method": self.alternatives_method,
            "deliberation_days": self.deliberation_days,
            "amendment_days": self.amendment_days,
            "voting_days": self.voting_days,
            "secret": self.secret,
            "allow_self_declared_stakes": self.allow_self_declared_stakes,
            # A float (JSON): the 6-place decimal prints as itself (2.5, 0.75).
            "self_declared_cap": float(self.self_declared_cap),
            "objection_threshold": self.objection_threshold,
            "objection_resolution": self.objection_resolution,
            "meeting_votes": self.meeting_votes,
        }
