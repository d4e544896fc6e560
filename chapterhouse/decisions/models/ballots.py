"""The roll frozen when voting opens, and the ballots (open, and secret with
participation kept apart)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .proposals import (
    Proposal,
)
from .rules import (
    MAX_WEIGHT,
    TOTAL_WEIGHT_DIGITS,
    WEIGHT_PLACES,
    weight_field,
)


class Roll(models.Model):
    """Who may vote and with what weight, frozen when voting opens.

    `hash` is sha256 over the UTF-8 lines "<member public_id>\\t<weight>\\t<reason>\\n"
    sorted by public_id, with weight written as Python's repr of the float of the
    stored decimal (1.5, 0.25: the decimal itself, since a weight has at most 6 places;
    so rolls frozen before weights were decimals keep their hash; selectors.roll_lines
    gives the exact lines). `total_weight` is the exact sum of the entries' weights.
    """

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="roll")
    frozen_at = models.DateTimeField()
    hash = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    total_weight = models.DecimalField(max_digits=TOTAL_WEIGHT_DIGITS,
                                       decimal_places=WEIGHT_PLACES)

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
    weight = weight_field()
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
    # The ballot as compact integer codes (voting.codes: the option indices it lists, in
    # its order), written with the JSON at cast time, which the close reads straight into
    # numpy; null for methods without codes (consent, consensus, score). The JSON stays
    # the record: the ballot file and recounts are made from it.
    codes = models.BinaryField(null=True, blank=True, editable=False)
    weight = weight_field()
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
    nor times order ballots alongside participations (nor does the physical order:
    services.ballots._insert_secret_ballot and close_voting). `receipt_hash` is sha256
    of the receipt code the voter was shown once; it identifies the ballot in the
    published ballot file. `owner_hash` (never published) binds the ballot to its voter
    without naming them (selectors.owner_hash): only the voter, signed in, with the
    receipt, can change it.

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
    owner_hash = models.CharField(max_length=64, blank=True, default="")
    ballot = models.JSONField()
    # The ballot as compact integer codes (voting.codes: the option indices it lists, in
    # its order), written with the JSON at cast time, which the close reads straight into
    # numpy; null for methods without codes (consent, consensus, score). The JSON stays
    # the record: the ballot file and recounts are made from it.
    codes = models.BinaryField(null=True, blank=True, editable=False)
    weight = weight_field()
    group = models.ForeignKey(
        "chapters.Chapter", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.receipt_hash[:12]}"
