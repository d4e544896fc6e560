"""The decision record in its hash chain, and dissent attached to it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .proposals import (
    Proposal,
)


def canonical_json(value: Any) -> str:
    """The one JSON spelling of a value: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


class Decision(models.Model):
    """The public record of a closed vote, one link in a hash chain.

    `record_hash` = sha256(canonical_json(record())) where the record includes
    `previous_hash`, the record_hash of the decision with the previous
    `sequence`, and `ballots_hash`, the hash of the ballots as the published ballot
    file lists them (selectors.ballots_digest), so an edited ballot no longer matches
    its record. Changing, removing or reordering any record breaks the chain
    (management command verify_decisions).

    Dissent is written after the record, so it cannot be inside the record's hash
    without breaking every later link. Each statement (and each replacement of one)
    is instead appended to a second chain, DissentEntry, whose links name the
    record they belong to by its hash. The record page shows what the Dissent rows
    hold; verify_decisions checks each row against the last entry of its author in
    that chain. Both heads (chain_head) are shown on every record page and in the
    chain export, so a member who saved a copy can detect a rewritten or truncated
    history with `verify_decisions --against`, whatever was recomputed in the database.
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
    # Empty on records made before the ballots were hashed (their hash never covered it).
    ballots_hash = models.CharField(max_length=64, blank=True, default="")

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
            # Only when set: records made before keep the hash they were given.
            **({"ballots_hash": self.ballots_hash} if self.ballots_hash else {}),
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


class DissentEntry(models.Model):
    """One dissent statement as written, a link in the chain of dissent (never changed).

    `entry_hash` = sha256(canonical_json(entry())), which covers the record's hash,
    the author's public id, the text, the time and `previous_hash` (the entry with the
    previous `sequence`). A replaced statement is a new entry; the latest entry of a
    member for a record is the one the record shows. The author is named by public id,
    not linked, so the chain outlives a deleted account.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    record_hash = models.CharField(max_length=64)
    member = models.CharField(max_length=36)
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["decision", "member", "-sequence"], name="dissententry_latest"),
        ]

    def __str__(self) -> str:
        return f"dissent #{self.sequence} on {self.record_hash[:12]}"

    def entry(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "record_hash": self.record_hash,
            "member": self.member,
            "text": self.text,
            "created_at": self.created_at.isoformat(),
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.entry()).encode()).hexdigest()
