"""Self-managed decisions: rules, proposals, amendments, rolls, ballots, records.

The life of a proposal (services.py writes every step):

    draft ──publish──▶ deliberation ──open_voting──▶ voting ──close_voting──▶ closed
      │                  │    │                                              (Decision)
      └──withdraw──▶ withdrawn ◀┘    └──refer_down──▶ referred (copies in sub-chapters)

Who decides, with what weight and under which rule is always explicit:
`DecisionRule` (per chapter and category, inherited down the tree) says how;
`AffectedGroup` and `StakeDeclaration` say who and with what weight; the `Roll`
freezes both when voting opens; the `Decision` records the outcome in a hash chain.

Secret ballots: `Participation` (who voted) and `SecretBallot` (what was voted)
share no column, no timestamp and no ordered key; see SecretBallot.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_WEIGHT = 10.0


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
    self_declared_cap = models.FloatField(_("highest weight a member may declare"), default=2.0)
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
            "self_declared_cap": self.self_declared_cap,
        }


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
    weight = models.FloatField(_("weight"))
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
    weight = models.FloatField(_("weight"))
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


class Roll(models.Model):
    """Who may vote and with what weight, frozen when voting opens.

    `hash` is sha256 over the UTF-8 lines "<member public_id>\\t<weight>\\t<reason>\\n"
    sorted by public_id, with weight written as Python's repr of the float
    (selectors.roll_lines gives the exact lines).
    """

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="roll")
    frozen_at = models.DateTimeField()
    hash = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    total_weight = models.FloatField()

    def __str__(self) -> str:
        return f"{self.proposal}: {self.size} members, {self.total_weight}"


class RollEntry(models.Model):
    """One eligible member. `group` is the child of the scope containing the member's
    home at freezing (null when home is the scope itself), for the breakdown."""

    roll = models.ForeignKey(Roll, on_delete=models.CASCADE, related_name="entries")
    # SET_NULL: a deleted account leaves its place (and weight) on a frozen roll.
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    weight = models.FloatField()
    reason = models.CharField(max_length=400)
    group = models.ForeignKey(
        "chapters.Chapter", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Set when the member was reminded to vote (services.send_reminders).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["roll", "member"], name="rollentry_unique_member"),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=MAX_WEIGHT), name="rollentry_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.weight}"


class Ballot(models.Model):
    """An open ballot: the member's choice, visible in the record.

    One per member and proposal by the unique constraint; a member who votes
    again changes their ballot (services.cast_ballot). `weight` is copied from
    the roll so the tally needs no join.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ballot = models.JSONField()
    weight = models.FloatField()
    group = models.ForeignKey(
        "chapters.Chapter", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cast_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="ballot_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.member_id}"


class Participation(models.Model):
    """WHO voted in a secret ballot — and nothing else: no time, no ballot.

    The unique constraint makes the first secret ballot of a member the only one;
    a change needs the receipt (services.cast_ballot).
    """

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="participations"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"], name="participation_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.member_id}"


class SecretBallot(models.Model):
    """WHAT was voted in a secret ballot, with no link to who.

    No member column and no timestamp; a random UUID primary key, so neither ids
    nor times order ballots alongside participations. `receipt_hash` is sha256 of
    the receipt code the voter was shown once; it identifies the ballot in the
    published ballot file.

    Privacy caveats, accepted and documented:
    - `weight` is copied from the roll for the tally. Weights and their reasons are
      public (aggregated on the record, and stake declarations are public), so a
      voter whose weight is unique on the roll is recognisable in the ballot file.
      Rules that use secret ballots should not allow self-declared stakes.
    - `group` (the scope's sub-chapter the voter lives in) narrows a ballot to the
      members of that sub-chapter; it feeds the breakdown by sub-chapter, which is
      published only for groups with at least 5 voters, and it is erased at close
      from the ballots of smaller groups.
    - The database's physical row order is not hidden from someone with access to
      the database files, and statement logging (Django's SQL log under DEBUG,
      PostgreSQL's log_statement) would show the participation and the ballot
      written together: keep both off in production. The guarantee is that no
      column, application log, audit entry, notification, event or export links a
      member to a ballot.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="secret_ballots"
    )
    receipt_hash = models.CharField(max_length=64, unique=True)
    ballot = models.JSONField()
    weight = models.FloatField()
    group = models.ForeignKey(
        "chapters.Chapter", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.receipt_hash[:12]}"


def canonical_json(value: Any) -> str:
    """The one JSON spelling of a value: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


class Decision(models.Model):
    """The public record of a closed vote, one link in a hash chain.

    `record_hash` = sha256(canonical_json(record())) where the record includes
    `previous_hash`, the record_hash of the decision with the previous
    `sequence`. Changing, removing or reordering any record breaks the chain
    (management command verify_decisions).
    """

    class Outcome(models.TextChoices):
        PASSED = "passed", _("passed")
        REJECTED = "rejected", _("rejected")
        ELECTED = "elected", _("elected")
        NO_DECISION = "no_decision", _("no decision")
        NO_QUORUM = "no_quorum", _("no quorum")

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="decision")
    sequence = models.PositiveBigIntegerField(unique=True)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.PROTECT, related_name="decisions"
    )
    scope_path = models.CharField(max_length=400)
    category = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    text = models.TextField()
    options = models.JSONField(default=list)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    winners = models.JSONField(default=list)
    result = models.JSONField()
    rule = models.JSONField()
    roll = models.JSONField()
    turnout = models.JSONField()
    breakdown = models.JSONField(default=dict)
    effect = models.JSONField(default=dict)
    decided_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64, blank=True)
    record_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-sequence"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["passed", "rejected", "elected", "no_decision",
                                         "no_quorum"]),
                name="decision_outcome_known",
            ),
        ]
        indexes = [
            models.Index(fields=["chapter", "-decided_at"], name="decision_chapter_recent"),
            models.Index(fields=["category", "-decided_at"], name="decision_category_recent"),
            models.Index(fields=["outcome", "-decided_at"], name="decision_outcome_recent"),
            models.Index(fields=["-decided_at"], name="decision_recent"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.title}: {self.outcome}"

    def record(self) -> dict[str, Any]:
        """Everything the record hash covers (needs `proposal` loaded for its public id)."""
        return {
            "sequence": self.sequence,
            "proposal": str(self.proposal.public_id),
            "scope": self.scope_path,
            "category": self.category,
            "title": self.title,
            "text": self.text,
            "options": self.options,
            "outcome": self.outcome,
            "winners": self.winners,
            "result": self.result,
            "rule": self.rule,
            "roll": self.roll,
            "turnout": self.turnout,
            "breakdown": self.breakdown,
            "effect": self.effect,
            "decided_at": self.decided_at.isoformat(),
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.record()).encode()).hexdigest()


class Dissent(models.Model):
    """A statement by a member who voted against (or blocked) that stays with the record."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="dissents")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("dissent"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decision", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "member"], name="dissent_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.member_id}"
