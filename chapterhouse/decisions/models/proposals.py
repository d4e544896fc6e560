"""A proposal and what it carries: versions, amendments, options, affected groups,
stake declarations and its history of events."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .rules import (
    MAX_WEIGHT,
    weight_field,
)


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def published(self) -> ProposalQuerySet:
        return self.exclude(status=Proposal.Status.DRAFT)


class Proposal(models.Model):
    """A matter put to the members of a scope chapter.

    `text` is the current text (Markdown); every version is a ProposalVersion.
    `payload` is structured data for categories that act automatically when
    passed: "rules" ({"category", "method", "params", …}) and "roles"
    ({"action": "grant"|"revoke", "member": public_id}). See services.
    `rule_snapshot` is set when voting opens and never changes afterwards; it holds
    the method actually used, the option keys and the parameters.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DELIBERATION = "deliberation", _("In deliberation")
        VOTING = "voting", pgettext_lazy("proposal status", "Voting")
        CLOSED = "closed", _("Decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REFERRED = "referred", _("Referred to sub-chapters")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.PROTECT, related_name="proposals",
        verbose_name=_("scope"),
    )
    # SET_NULL: a proposal (and its record) outlives its author's account.
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="proposals",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=50_000)
    category = models.SlugField(_("category"), max_length=40)
    payload = models.JSONField(_("what it does when passed"), default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    rule_snapshot = models.JSONField(null=True, blank=True, editable=False)
    referred_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    amendments_close_at = models.DateTimeField(null=True, blank=True)
    voting_opens_at = models.DateTimeField(null=True, blank=True)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "deliberation", "voting", "closed",
                                        "withdrawn", "referred"]),
                name="proposal_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="withdrawn", published_at__isnull=True)
                | Q(published_at__isnull=False, voting_opens_at__isnull=False,
                    voting_closes_at__isnull=False, amendments_close_at__isnull=False),
                name="proposal_published_has_periods",
            ),
            models.CheckConstraint(
                condition=Q(voting_closes_at__isnull=True)
                | Q(voting_closes_at__gt=models.F("voting_opens_at")),
                name="proposal_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["voting", "closed"]) | Q(rule_snapshot__isnull=False),
                name="proposal_voting_has_rule_snapshot",
            ),
        ]
        indexes = [
            # Each chapter's proposals in deliberation, soonest vote first: the home page
            # reads at most ten of each chapter of the member's (selectors.home).
            models.Index(fields=["chapter", "voting_opens_at", "id"],
                         condition=Q(status="deliberation"), name="proposal_deliberating"),
            models.Index(
                fields=["chapter", "status", "-created_at"], name="proposal_chapter_status"
            ),
            models.Index(fields=["status", "voting_opens_at"], name="proposal_due_to_open"),
            models.Index(fields=["status", "voting_closes_at"], name="proposal_due_to_close"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decisions:detail", kwargs={"public_id": self.public_id})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status != self.Status.DRAFT and self.published_at is not None

    def amendments_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.DELIBERATION
            and self.amendments_close_at is not None
            and now < self.amendments_close_at
        )

    def voting_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.VOTING
            and self.voting_closes_at is not None
            and now < self.voting_closes_at
        )

    @property
    def is_secret(self) -> bool:
        """Secret ballot (known once voting opened; before that, see the effective rule)."""
        return bool(self.rule_snapshot and self.rule_snapshot.get("secret"))


class ProposalVersion(models.Model):
    """One version of a proposal's text; number 1 is the first draft."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField(max_length=50_000)
    # Who wrote this version: the proposal's author, or the author of the accepted
    # amendment it came from (the credit).
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amendment = models.ForeignKey(
        "Amendment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="proposalversion_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} v{self.number}"


class Amendment(models.Model):
    """A proposed change: a new text, or an alternative option.

    Accepted by the proposal's author → it becomes the text (credited, a new
    version) — or, for an alternative on a multi-option ballot, a new option.
    Still open when voting opens → it stands as a competing option ("competing").
    """

    class Kind(models.TextChoices):
        TEXT_CHANGE = "text_change", _("Changed text")
        ALTERNATIVE = "alternative", _("Alternative option")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        COMPETING = "competing", _("Competing option")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="amendments",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(_("option label"), max_length=200, blank=True)
    text = models.TextField(_("text"), max_length=50_000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="amendment_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["text_change", "alternative"]), name="amendment_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "accepted", "competing", "withdrawn"]),
                name="amendment_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} – amendment {self.number}"

    @property
    def option_key(self) -> str:
        return f"a{self.number}"


class Option(models.Model):
    """One choice on the ballot, addressed on ballots and in files by `key`.

    Keys: "o1", "o2"… for the options the author wrote; "a<n>" for amendment n;
    "proposal" and "none" when a yes/no proposal became a choice between options
    (the proposal as it stands, and no change).
    """

    class Source(models.TextChoices):
        ORIGINAL = "original", _("the proposal")
        AMENDMENT = "amendment", _("an amendment")
        STATUS_QUO = "status_quo", _("no change")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="options")
    key = models.CharField(max_length=20)
    label = models.CharField(_("label"), max_length=200)
    text = models.TextField(_("text"), blank=True, max_length=50_000)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ORIGINAL)
    amendment = models.OneToOneField(
        Amendment, on_delete=models.SET_NULL, null=True, blank=True, related_name="option"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["proposal", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "key"], name="option_unique_key"),
        ]

    def __str__(self) -> str:
        return self.label


class AffectedGroup(models.Model):
    """A sub-chapter of the scope (or the scope itself) with a weight other than 1.

    Everyone belonging to the scope has weight 1 unless a group says otherwise; the
    deepest group containing a member's home wins. Weight 0: not affected (off the
    roll). The chapter must lie inside the scope (services.set_affected_groups).
    """

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="affected_groups"
    )
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE, related_name="+")
    weight = weight_field(_("weight"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "chapter"], name="affectedgroup_unique_chapter"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=MAX_WEIGHT),
                name="affectedgroup_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chapter}: {self.weight}"


class StakeDeclaration(models.Model):
    """A member's own, public claim of a stronger stake, where the rule allows it.

    On the roll the member's weight is the larger of the declared and the group
    weight. Declarations are public: a voter with a rare weight is recognisable by
    that weight in a secret ballot file (see SecretBallot).
    """

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="stake_declarations"
    )
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    weight = weight_field(_("weight"))
    reason = models.CharField(_("public reason"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"], name="stakedeclaration_unique_member"
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=MAX_WEIGHT),
                name="stakedeclaration_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.weight}"


class ProposalEvent(models.Model):
    """The public history of a proposal (never of a ballot)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        EDITED = "edited", pgettext_lazy("proposal event", "edited")
        PUBLISHED = "published", _("published")
        AMENDMENT_PROPOSED = "amendment_proposed", _("amendment proposed")
        AMENDMENT_ACCEPTED = "amendment_accepted", _("amendment accepted")
        AMENDMENT_WITHDRAWN = "amendment_withdrawn", _("amendment withdrawn")
        AFFECTEDNESS_CHANGED = "affectedness_changed", _("affected groups changed")
        STAKE_DECLARED = "stake_declared", _("stake declared")
        STAKE_WITHDRAWN = "stake_withdrawn", _("stake withdrawn")
        MOVED_UP = "moved_up", _("moved up")
        REFERRED_DOWN = "referred_down", _("referred down")
        REFERRED_FROM = "referred_from", _("referred from a wider chapter")
        VOTING_OPENED = "voting_opened", _("voting opened")
        CLOSED = "closed", _("decided")
        WITHDRAWN = "withdrawn", _("withdrawn")
        DISSENT_ADDED = "dissent_added", _("dissent added")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at"], name="proposalevent_history")]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.kind}"
