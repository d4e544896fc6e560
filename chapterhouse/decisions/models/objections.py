"""Objections to the weights of a proposal, and the review they can trigger.

During deliberation any member on the prospective roll may object to a weight (an
affected group's, the scope's default weight of 1, or a declared stake) with a
public reason. The author may revise the weights; the objector then withdraws or
maintains the objection. When voting is due, the open objections are weighed
against the rule of the category (`DecisionRule.objection_threshold`, a share of
the roll's weight): past it, a `WeightsReview` holds the vote until the weights are
settled, as the rule's `objection_resolution` says: "parent_facilitators", a
facilitator of the parent chapter accepts them or sets them; "weights_vote", the
members on the prospective roll vote for WEIGHTS_VOTE_DAYS, each with the same weight
(a `WeightsVote` each), on keeping the weights or replacing them with equal weights.
Every objection ends settled one way or another, and the record shows how.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter

    from .proposals import Proposal


class ObjectionResolution(models.TextChoices):
    """What a rule does with objections still open when voting is due."""

    NONE = "none", _("nothing: they are recorded and the vote opens")
    PARENT_FACILITATORS = "parent_facilitators", _("the parent chapter's facilitators settle them")
    WEIGHTS_VOTE = "weights_vote", _("a short vote of everyone affected, each with equal "
                                     "weight, keeps the weights or makes them equal")


#: How long a vote on held weights lasts.
WEIGHTS_VOTE_DAYS = 2


class WeightObjection(models.Model):
    class Target(models.TextChoices):
        GROUP = "group", _("an affected group's weight")
        DEFAULT = "default", _("the default weight")
        STAKE = "stake", _("a declared stake")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SETTLED = "settled", _("Settled")

    class Settlement(models.TextChoices):
        NONE = "", "—"
        WEIGHTS_ACCEPTED = "weights_accepted", _("the weights were accepted as they stood")
        WEIGHTS_SET = "weights_set", _("the weights were set anew")
        UNRESOLVED = "unresolved", _("still open when voting opened; the rule sent it nowhere")
        KEPT_BY_VOTE = "kept_by_vote", _("a vote of everyone affected kept the weights")
        EQUALISED_BY_VOTE = "equalised_by_vote", _("a vote of everyone affected made the "
                                                   "weights equal")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(
        "decisions.Proposal", on_delete=models.CASCADE, related_name="weight_objections"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    target = models.CharField(max_length=10, choices=Target.choices)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stake_member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    settlement = models.CharField(max_length=20, choices=Settlement.choices, blank=True,
                                  default="")
    created_at = models.DateTimeField(default=timezone.now)
    maintained_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target="group", chapter__isnull=False)
                           | Q(target="stake", stake_member__isnull=False)
                           | Q(target="default")),
                name="weightobjection_target_named",
            ),
        ]
        indexes = [models.Index(fields=["proposal", "status"], name="weightobjection_open")]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.target} ({self.status})"

    @property
    def stands_since(self) -> object:
        """When the objector last said it stands (made or maintained)."""
        return self.maintained_at or self.created_at


class WeightsReview(models.Model):
    """A vote held because objections to its weights passed the rule's threshold."""

    proposal = models.OneToOneField(
        "decisions.Proposal", on_delete=models.CASCADE, related_name="weights_review"
    )
    resolution = models.CharField(max_length=30, choices=ObjectionResolution.choices)
    # The exact shares at the time (rational numbers as text, e.g. "3/7").
    objecting_weight = models.CharField(max_length=100)
    total_weight = models.CharField(max_length=100)
    threshold = models.FloatField()
    held_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    settlement = models.CharField(max_length=20, choices=WeightObjection.Settlement.choices,
                                  blank=True, default="")
    note = models.TextField(blank=True, max_length=2000)
    # A vote on the weights (resolution "weights_vote"): when it closes, and its count.
    vote_closes_at = models.DateTimeField(null=True, blank=True)
    keep_votes = models.PositiveIntegerField(default=0)
    equal_votes = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.resolution}"

    @property
    def pending(self) -> bool:
        return self.settled_at is None

    @property
    def by_vote(self) -> bool:
        return self.resolution == ObjectionResolution.WEIGHTS_VOTE


class WeightsVote(models.Model):
    """One member's vote on held weights: keep them, or make them equal. Open (the
    count is published, not who voted how), one per member, changeable until it closes."""

    review = models.ForeignKey(WeightsReview, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    keep = models.BooleanField()
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "member"],
                                               name="weightsvote_one_per_member")]

    def __str__(self) -> str:
        return f"{self.review_id}: {'keep' if self.keep else 'equal'}"


def settlers_chapter(proposal: Proposal) -> Chapter:
    """Whose facilitators settle a held vote's weights: the parent of the proposal's
    scope (for the root chapter, which has no parent, the scope itself)."""
    from chapterhouse.chapters.models import Chapter as Chapters

    scope = proposal.chapter
    parent = Chapters.objects.containing(scope).filter(depth=scope.depth - 1).first()
    return parent if parent is not None else scope
