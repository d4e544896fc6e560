"""Writes about decisions: the life of a proposal, from draft to recorded decision.

Every function is keyword-only, runs in one transaction and returns the object.
Refusals raise `DecisionError(message)` with a translated sentence a member can act
on, and store nothing. Governance actions write an audit entry
(`chapterhouse.lib.audit.record`) in the same transaction.

Permissions are the callers' check (`decisions.*` rules, through `has_perm`); what
must hold whoever calls — windows, eligibility, the author owning their draft, one
ballot per member — is checked here.

Amendments and the ballot (how competing alternatives are decided):
- A "text_change" amendment proposes a new text; an "alternative" proposes another
  option (label and text). The proposal's author may accept an amendment while the
  proposal is in deliberation: a text change (or, on a yes/no proposal, an
  alternative) becomes the text — a new version, credited to the amendment's
  author; an alternative on a multi-option proposal becomes an option at once.
- Amendments still open when voting opens become "competing" options ("a<n>").
- A yes/no proposal (majority, supermajority, consent, consensus) with competing
  options becomes a choice between options, decided by the rule's
  `alternatives_method` (Schulze unless the rule says otherwise): the options are
  "proposal" (the proposal as it stands), each competing amendment, and "none" (no
  change). Only the quorum and tie-break of the rule carry over; its threshold does
  not. The outcome is recorded as "passed" when "proposal" wins, "rejected" when
  "none" wins, and "elected" (with the amendment as winner) otherwise.
- A "rules" or "roles" proposal acts (its payload applies) only when the outcome
  is "passed": when an alternative wins, nothing is applied automatically.

Subsidiarity:
- `move_up` moves a proposal to an ancestor of its scope (before voting), so that
  affected groups beyond the old scope can be named; a published proposal restarts
  its periods under the new scope's rule, since new members now deliberate.
- `refer_down` (a published proposal, before voting) creates one copy per named
  sub-chapter, each published there under that chapter's rule, with the affected
  groups that lie inside it; the original becomes "referred" (terminal). Both sides
  record the referral in their history.

Scheduling: `publish` and `open_voting` enqueue `tasks.advance_proposal` with
`run_after` at the moment the next step is due, when the task backend supports
deferred tasks (the database backend does; the immediate backend used in tests
does not). The `advance_decisions` management command sweeps all due proposals
and is the safety net either way.
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chapterhouse import voting
from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.lib import audit
from chapterhouse.lib import cache as lib_cache
from chapterhouse.lib.errors import Refused
from chapterhouse.members.models import Member
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from . import selectors
from .models import (
    MAX_WEIGHT,
    MULTI_OPTION_METHODS,
    YES_NO_METHODS,
    AffectedGroup,
    Amendment,
    Ballot,
    Category,
    Decision,
    DecisionRule,
    Dissent,
    Method,
    Option,
    Participation,
    Proposal,
    ProposalEvent,
    ProposalVersion,
    Roll,
    RollEntry,
    SecretBallot,
    StakeDeclaration,
    canonical_json,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

logger = logging.getLogger(__name__)

# Members who have not voted are reminded this long before the close.
REMINDER_LEAD = timedelta(days=1)
REMINDER_BATCH_SIZE = 1000
# The breakdown by sub-chapter of a secret ballot shows a group only with this many voters.
BREAKDOWN_MIN_VOTERS = 5
MAX_OPTIONS = 50
MAX_PERIOD_DAYS = 365

Status = Proposal.Status

# The voting parameters each method understands (voting.params refuses others).
_PARAMS_OF: dict[str, tuple[str, ...]] = {
    Method.MAJORITY: ("threshold",),
    Method.SUPERMAJORITY: ("threshold",),
    Method.CONSENSUS: ("threshold", "block_limit"),
    Method.APPROVAL: ("min_choices", "max_choices"),
}
_COMMON_PARAMS = ("quorum", "tie_break", "seed")


class DecisionError(Refused):
    """A refusal of a decisions service, with a message for the member."""


class GroupInput(TypedDict):
    chapter: Chapter
    weight: float
    reason: str


OptionInput = str | Mapping[str, str]


@dataclass(frozen=True)
class CastResult:
    """What cast_ballot did. `receipt` is the secret ballot's receipt code, shown to
    the voter once (only on their first secret ballot; None otherwise)."""

    ballot: dict[str, Any]
    weight: float
    changed: bool
    secret: bool
    receipt: str | None = None


# -- Small helpers ------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def _event(proposal: Proposal, kind: str, actor: Member | None, /, **data: Any) -> ProposalEvent:
    return ProposalEvent.objects.create(proposal=proposal, kind=kind, actor=actor, data=data)


def _belongs(member: Member, chapter: Chapter) -> bool:
    return selectors.belongs_to(member, chapter)


def _facilitators(chapter: Chapter) -> list[Member]:
    return list(
        Member.objects.filter(
            chapter_roles__chapter=chapter,
            chapter_roles__role=ChapterRole.Role.FACILITATOR,
            chapter_roles__accepted_at__isnull=False,
            user__is_active=True,
        ).distinct()
    )


def _is_facilitator(member: Member, chapter: Chapter) -> bool:
    return ChapterRole.objects.filter(
        chapter=chapter, member=member, role=ChapterRole.Role.FACILITATOR,
        accepted_at__isnull=False,
    ).exists()


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _require_author(proposal: Proposal, actor: Member) -> None:
    if proposal.author_id is None or proposal.author_id != actor.pk:
        raise DecisionError(_("Only the author of the proposal can do this."))


def _require_author_or_facilitator(proposal: Proposal, actor: Member) -> None:
    if proposal.author_id == actor.pk:
        return
    if not _is_facilitator(actor, proposal.chapter):
        raise DecisionError(
            _("Only the author or a facilitator of %(chapter)s can do this.")
            % {"chapter": proposal.chapter.display_name()}
        )


def _locked(proposal: Proposal) -> Proposal:
    """The proposal re-read under a row lock (PostgreSQL; SQLite serialises writes)."""
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("chapter", "author")
        .get(pk=proposal.pk)
    )


def _rule_for(chapter: Chapter, category: str) -> DecisionRule:
    rule = selectors.effective_rule(chapter, category)
    if rule is None:
        raise DecisionError(
            _("%(chapter)s has no rule for decisions of the category “%(category)s”.")
            % {"chapter": chapter.display_name(), "category": category}
        )
    return rule


def _schedule(proposal: Proposal, when: datetime) -> None:
    """Enqueue advance_proposal to run at `when`, if the backend can defer tasks."""
    from .tasks import advance_proposal

    if not advance_proposal.get_backend().supports_defer:
        return  # the advance_decisions sweep does it
    advance_proposal.using(run_after=when).enqueue(proposal.pk)


# -- Validation of what a draft says ------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DecisionError(_("Give the proposal a title."))
    if len(title) > 200:
        raise DecisionError(_("A title can be at most 200 characters long."))
    return title


def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DecisionError(_("Write the text of the proposal."))
    if len(text) > 50_000:
        raise DecisionError(_("A text can be at most 50,000 characters long."))
    return text


def _clean_options(options: Sequence[OptionInput], method: str) -> list[tuple[str, str]]:
    """[(label, text)]: none for yes/no methods; 2..MAX_OPTIONS distinct labels otherwise."""
    cleaned: list[tuple[str, str]] = []
    for option in options:
        if isinstance(option, str):
            label, text = option, ""
        else:
            label, text = str(option.get("label", "")), str(option.get("text", ""))
        label = " ".join(label.split())
        if not label:
            raise DecisionError(_("Every option needs a label."))
        if len(label) > 200:
            raise DecisionError(_("An option's label can be at most 200 characters long."))
        cleaned.append((label, text.strip()))
    labels = [label.casefold() for label, _text in cleaned]
    if len(set(labels)) != len(labels):
        raise DecisionError(_("Two options have the same label."))
    if method in YES_NO_METHODS:
        if cleaned:
            raise DecisionError(
                _("This category is decided by a yes/no method (%(method)s): the options are "
                  "implied, do not list any.") % {"method": Method(method).label}
            )
        return []
    if len(cleaned) < 2:
        raise DecisionError(
            _("This category is decided by choosing between options (%(method)s): give at "
              "least two.") % {"method": Method(method).label}
        )
    if len(cleaned) > MAX_OPTIONS:
        raise DecisionError(_("A proposal can have at most %(n)s options.") % {"n": MAX_OPTIONS})
    return cleaned


RULE_FIELDS = (
    "method", "params", "alternatives_method", "deliberation_days", "amendment_days",
    "voting_days", "secret", "allow_self_declared_stakes", "self_declared_cap",
)


def check_rule_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a complete set of rule fields (RULE_FIELDS); returns them cleaned."""
    method = values.get("method")
    if method not in Method.values:
        raise DecisionError(_("Unknown voting method: %(method)s.") % {"method": method})
    alternatives = values.get("alternatives_method") or Method.SCHULZE
    if alternatives not in MULTI_OPTION_METHODS:
        raise DecisionError(_("Alternatives must be decided by a method that chooses between "
                              "options."))
    params = values.get("params") or {}
    if not isinstance(params, Mapping):
        raise DecisionError(_("The rule's parameters must be a mapping of names to values."))
    try:
        # A count of no ballots checks the parameters. Approval's choice limits are
        # checked against the most options a proposal may have; at opening they are
        # clamped to the real number.
        voting.count(method=method, options=[f"o{i}" for i in range(MAX_OPTIONS)], ballots=[],
                     params=dict(params), eligible_weight=0.0)
    except voting.InvalidParams as exc:
        raise DecisionError(_("The rule's parameters are not valid: %(reason)s")
                            % {"reason": str(exc)}) from None
    days: dict[str, int] = {}
    for name in ("deliberation_days", "amendment_days", "voting_days"):
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) \
                or not 0 <= value <= MAX_PERIOD_DAYS:
            raise DecisionError(_("Periods are whole numbers of days from 0 to %(max)s.")
                                % {"max": MAX_PERIOD_DAYS})
        days[name] = value
    if days["voting_days"] < 1:
        raise DecisionError(_("Voting lasts at least one day."))
    if days["amendment_days"] > days["deliberation_days"]:
        raise DecisionError(_("The amendment period must end within the deliberation."))
    cap = values.get("self_declared_cap")
    cap = 2.0 if cap is None else cap
    if isinstance(cap, bool) or not isinstance(cap, int | float) or not 0 <= cap <= MAX_WEIGHT:
        raise DecisionError(_("Declared weights are capped between 0 and %(max)s.")
                            % {"max": MAX_WEIGHT})
    return {
        "method": method,
        "params": dict(params),
        "alternatives_method": alternatives,
        **days,
        "secret": bool(values.get("secret", False)),
        "allow_self_declared_stakes": bool(values.get("allow_self_declared_stakes", False)),
        "self_declared_cap": float(cap),
    }


def _rule_change(scope: Chapter, payload: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The category and the complete new rule a "rules" payload describes.

    Fields left out keep the value of the rule in force (for a new category, the
    method and periods are required).
    """
    unknown = set(payload) - {"chapter", "category", *RULE_FIELDS}
    if unknown:
        raise DecisionError(_("Unknown fields in the rule change: %(fields)s.")
                            % {"fields": ", ".join(sorted(unknown))})
    if "chapter" in payload and payload["chapter"] != scope.url_path:
        raise DecisionError(_("A chapter changes its own rules: a rule change proposed in "
                              "%(chapter)s applies to %(chapter)s.")
                            % {"chapter": scope.display_name()})
    category = payload.get("category")
    if not isinstance(category, str) or not category or slugify(category) != category:
        raise DecisionError(_("Name the category the rule is for (lowercase letters, digits "
                              "and hyphens)."))
    current = selectors.effective_rule(scope, category)
    base = current.snapshot() if current is not None else {}
    merged = {name: payload.get(name, base.get(name)) for name in RULE_FIELDS}
    if merged["method"] is None:
        raise DecisionError(_("A new category needs a voting method and periods."))
    if "params" not in payload and merged["method"] != base.get("method"):
        # A new method keeps the inherited parameters it understands (quorum, tie-break…).
        allowed = _COMMON_PARAMS + _PARAMS_OF.get(merged["method"], ())
        merged["params"] = {k: v for k, v in (merged["params"] or {}).items() if k in allowed}
    return category, check_rule_values(merged)


def _role_change(scope: Chapter, payload: Mapping[str, Any]) -> tuple[str, Member]:
    unknown = set(payload) - {"action", "member", "chapter", "role"}
    if unknown:
        raise DecisionError(_("Unknown fields in the role change: %(fields)s.")
                            % {"fields": ", ".join(sorted(unknown))})
    action = payload.get("action")
    if action not in ("grant", "revoke"):
        raise DecisionError(_("Say whether the role is granted or revoked."))
    if payload.get("role", ChapterRole.Role.FACILITATOR) != ChapterRole.Role.FACILITATOR:
        raise DecisionError(_("The only role decided this way is facilitator."))
    if "chapter" in payload and payload["chapter"] != scope.url_path:
        raise DecisionError(_("A chapter decides its own facilitators: a role proposed in "
                              "%(chapter)s is a role in %(chapter)s.")
                            % {"chapter": scope.display_name()})
    public_id = _uuid_or_none(payload.get("member"))
    member = (
        Member.objects.select_related("home_chapter")
        .filter(public_id=public_id, user__is_active=True)
        .first()
    ) if public_id else None
    if member is None:
        raise DecisionError(_("Name the member the role is for."))
    if action == "grant" and not _belongs(member, scope):
        raise DecisionError(_("%(name)s does not belong to %(chapter)s.")
                            % {"name": member.display_name, "chapter": scope.display_name()})
    return str(action), member


def _uuid_or_none(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError):
        return None


def _clean_payload(scope: Chapter, category: str, payload: Mapping[str, Any] | None) -> dict:
    payload = dict(payload or {})
    if category == Category.RULES:
        _rule_change(scope, payload)
    elif category == Category.ROLES:
        _role_change(scope, payload)
    elif payload:
        raise DecisionError(_("Only rules and roles proposals carry a structured change."))
    return payload


def _store_options(proposal: Proposal, options: list[tuple[str, str]]) -> None:
    proposal.options.all().delete()
    Option.objects.bulk_create(
        Option(proposal=proposal, key=f"o{i}", label=label, text=text, position=i)
        for i, (label, text) in enumerate(options, start=1)
    )


def _new_version(proposal: Proposal, author: Member | None,
                 amendment: Amendment | None = None) -> ProposalVersion:
    last = proposal.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ProposalVersion.objects.create(
        proposal=proposal, number=last + 1, title=proposal.title, text=proposal.text,
        author=author, amendment=amendment,
    )


# -- Drafts --------------------------------------------------------------------------------


def create_draft(
    *,
    chapter: Chapter,
    author: Member,
    title: str,
    text: str,
    category: str,
    options: Sequence[OptionInput] = (),
    payload: Mapping[str, Any] | None = None,
) -> Proposal:
    """A private draft in `chapter` (its scope) by a member who belongs there.

    Options: for a category decided by a yes/no method none (they are implied);
    otherwise at least two labels (or {"label", "text"} mappings).
    """
    if not _belongs(author, chapter):
        raise DecisionError(_("You can only make a proposal in a chapter you belong to."))
    title, text = _clean_title(title), _clean_text(text)
    rule = _rule_for(chapter, category)
    cleaned_options = _clean_options(options, rule.method)
    cleaned_payload = _clean_payload(chapter, category, payload)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            chapter=chapter, author=author, title=title, text=text, category=category,
            payload=cleaned_payload,
        )
        _store_options(proposal, cleaned_options)
        _new_version(proposal, author)
        _event(proposal, ProposalEvent.Kind.CREATED, author)
    return proposal


def update_draft(
    *,
    proposal: Proposal,
    actor: Member,
    title: str | None = None,
    text: str | None = None,
    category: str | None = None,
    options: Sequence[OptionInput] | None = None,
    payload: Mapping[str, Any] | None = None,
) -> Proposal:
    """Change a draft (its author only). A changed text or title is a new version."""
    with transaction.atomic():
        proposal = _locked(proposal)
        _require_author(proposal, actor)
        if proposal.status != Status.DRAFT:
            raise DecisionError(_("Only a draft can be edited; a published proposal changes "
                                  "by amendments."))
        new_title = _clean_title(title) if title is not None else proposal.title
        new_text = _clean_text(text) if text is not None else proposal.text
        new_category = category if category is not None else proposal.category
        rule = _rule_for(proposal.chapter, new_category)
        if options is not None:
            cleaned = _clean_options(options, rule.method)
        else:
            existing = [{"label": o.label, "text": o.text}
                        for o in proposal.options.order_by("position")]
            cleaned = _clean_options(existing, rule.method)
        new_payload = _clean_payload(
            proposal.chapter, new_category,
            payload if payload is not None else
            (proposal.payload if new_category == proposal.category else {}),
        )
        text_changed = (new_title, new_text) != (proposal.title, proposal.text)
        proposal.title, proposal.text = new_title, new_text
        proposal.category, proposal.payload = new_category, new_payload
        proposal.updated_at = timezone.now()
        proposal.save(update_fields=["title", "text", "category", "payload", "updated_at"])
        if options is not None or new_category != category:
            _store_options(proposal, cleaned)
        if text_changed:
            _new_version(proposal, actor)
        _event(proposal, ProposalEvent.Kind.EDITED, actor)
    return proposal


def _set_periods(proposal: Proposal, rule: DecisionRule, start: datetime) -> None:
    proposal.published_at = start
    proposal.amendments_close_at = start + timedelta(days=rule.amendment_days)
    proposal.voting_opens_at = start + timedelta(days=rule.deliberation_days)
    proposal.voting_closes_at = proposal.voting_opens_at + timedelta(days=rule.voting_days)


def _start_deliberation_thread(proposal: Proposal) -> None:
    """Open the proposal's deliberation thread, when the discussions app is installed."""
    if not apps.is_installed("chapterhouse.discussions") or proposal.author is None:
        return
    from chapterhouse.discussions.services import start_thread

    start_thread(
        chapter=proposal.chapter,
        author=proposal.author,
        title=proposal.title,
        body=_("Deliberation on the proposal “%(title)s”. Affected members may post here "
               "while it is open.") % {"title": proposal.title},
        kind="deliberation",
        subject=proposal,
        posting_rule="decisions.deliberate",
    )


def publish(*, proposal: Proposal, actor: Member, now: datetime | None = None) -> Proposal:
    """Publish a draft: deliberation starts, and the periods are set from the rule in
    force (amendments close, voting opens and closes). Opens the deliberation
    thread and schedules the opening of the vote. Author only."""
    now = _now(now)
    with transaction.atomic():
        proposal = _locked(proposal)
        _require_author(proposal, actor)
        if proposal.status != Status.DRAFT:
            raise DecisionError(_("This proposal is already published."))
        rule = _rule_for(proposal.chapter, proposal.category)
        _clean_options([{"label": o.label, "text": o.text} for o in proposal.options.all()],
                       rule.method)
        _clean_payload(proposal.chapter, proposal.category, proposal.payload)
        _check_groups_inside(proposal)
        _set_periods(proposal, rule, now)
        proposal.status = Status.DELIBERATION
        proposal.updated_at = now
        proposal.save(update_fields=[
            "status", "published_at", "amendments_close_at", "voting_opens_at",
            "voting_closes_at", "updated_at",
        ])
        _event(proposal, ProposalEvent.Kind.PUBLISHED, actor,
               voting_opens_at=proposal.voting_opens_at.isoformat(),  # type: ignore[union-attr]
               rule=rule.snapshot())
        audit.record(actor=actor, action="decisions.publish", target=proposal,
                     chapter=proposal.chapter, data={"proposal": str(proposal.public_id)})
        _start_deliberation_thread(proposal)
        title = proposal.title
        notify(
            recipients=[f for f in _facilitators(proposal.chapter) if f.pk != actor.pk],
            kind=Kind.PROPOSAL_PUBLISHED,
            text=lambda m: _("New proposal in %(chapter)s: “%(title)s”.")
            % {"chapter": proposal.chapter.display_name(), "title": title},
            url=proposal.get_absolute_url(),
        )
        _schedule(proposal, proposal.voting_opens_at)  # type: ignore[arg-type]
    return proposal


def withdraw_proposal(*, proposal: Proposal, actor: Member) -> Proposal:
    """The author withdraws a draft or a proposal in deliberation (not once voting opened)."""
    with transaction.atomic():
        proposal = _locked(proposal)
        _require_author(proposal, actor)
        if proposal.status not in (Status.DRAFT, Status.DELIBERATION):
            raise DecisionError(_("A proposal can be withdrawn only before voting opens."))
        was_published = proposal.status == Status.DELIBERATION
        proposal.status = Status.WITHDRAWN
        proposal.updated_at = timezone.now()
        proposal.save(update_fields=["status", "updated_at"])
        _event(proposal, ProposalEvent.Kind.WITHDRAWN, actor)
        if was_published:
            audit.record(actor=actor, action="decisions.withdraw", target=proposal,
                         chapter=proposal.chapter, data={"proposal": str(proposal.public_id)})
    return proposal


# -- Amendments ----------------------------------------------------------------------------


def propose_amendment(
    *,
    proposal: Proposal,
    author: Member,
    kind: str,
    text: str,
    label: str = "",
    now: datetime | None = None,
) -> Amendment:
    """An affected member proposes a changed text or an alternative option, while the
    amendment window is open."""
    now = _now(now)
    if kind not in Amendment.Kind.values:
        raise DecisionError(_("An amendment changes the text or proposes an alternative."))
    text = _clean_text(text)
    label = " ".join((label or "").split())
    if kind == Amendment.Kind.ALTERNATIVE and not label:
        raise DecisionError(_("Give the alternative a short label for the ballot."))
    if len(label) > 200:
        raise DecisionError(_("An option's label can be at most 200 characters long."))
    with transaction.atomic():
        proposal = _locked(proposal)
        if not proposal.amendments_open(now):
            raise DecisionError(_("Amendments can be proposed only during the amendment period."))
        if selectors.weight_of(proposal, author) is None:
            raise DecisionError(_("Only members affected by this proposal can amend it."))
        if kind == Amendment.Kind.TEXT_CHANGE and text == proposal.text:
            raise DecisionError(_("This text is the same as the proposal's."))
        number = (proposal.amendments.order_by("-number").values_list("number", flat=True)
                  .first() or 0) + 1
        amendment = Amendment.objects.create(
            proposal=proposal, number=number, author=author, kind=kind, label=label, text=text,
            created_at=now,
        )
        _event(proposal, ProposalEvent.Kind.AMENDMENT_PROPOSED, author, amendment=number,
               kind=kind)
        if proposal.author is not None and proposal.author_id != author.pk:
            title = proposal.title
            notify(
                recipients=[proposal.author], kind=Kind.AMENDMENT_PROPOSED,
                text=lambda m: _("%(name)s proposed an amendment to “%(title)s”.")
                % {"name": author.display_name, "title": title},
                url=proposal.get_absolute_url(),
            )
    return amendment


def _locked_amendment(amendment: Amendment) -> tuple[Amendment, Proposal]:
    proposal = _locked(amendment.proposal)
    amendment = (
        Amendment.objects.select_for_update(of=("self",)).select_related("author")
        .get(pk=amendment.pk)
    )
    return amendment, proposal


def accept_amendment(*, amendment: Amendment, actor: Member,
                     now: datetime | None = None) -> Amendment:
    """The proposal's author accepts an open amendment before voting opens.

    A text change — or an alternative to a yes/no proposal — becomes the text: a new
    version credited to the amendment's author. An alternative to a multi-option
    proposal becomes one of its options.
    """
    now = _now(now)
    with transaction.atomic():
        amendment, proposal = _locked_amendment(amendment)
        _require_author(proposal, actor)
        if proposal.status != Status.DELIBERATION:
            raise DecisionError(_("Amendments can be accepted only before voting opens."))
        if amendment.status != Amendment.Status.OPEN:
            raise DecisionError(_("This amendment is no longer open."))
        rule = _rule_for(proposal.chapter, proposal.category)
        as_option = (amendment.kind == Amendment.Kind.ALTERNATIVE
                     and rule.method in MULTI_OPTION_METHODS)
        if as_option:
            position = proposal.options.count() + 1
            if position > MAX_OPTIONS:
                raise DecisionError(_("A proposal can have at most %(n)s options.")
                                    % {"n": MAX_OPTIONS})
            Option.objects.create(
                proposal=proposal, key=amendment.option_key, label=amendment.label,
                text=amendment.text, source=Option.Source.AMENDMENT, amendment=amendment,
                position=position,
            )
        else:
            proposal.text = amendment.text
            proposal.updated_at = now
            proposal.save(update_fields=["text", "updated_at"])
            _new_version(proposal, amendment.author, amendment)
        amendment.status = Amendment.Status.ACCEPTED
        amendment.decided_at = now
        amendment.save(update_fields=["status", "decided_at"])
        _event(proposal, ProposalEvent.Kind.AMENDMENT_ACCEPTED, actor, amendment=amendment.number,
               as_option=as_option)
        audit.record(actor=actor, action="decisions.accept_amendment", target=amendment,
                     chapter=proposal.chapter,
                     data={"proposal": str(proposal.public_id), "amendment": amendment.number})
        if amendment.author is not None and amendment.author_id != actor.pk:
            title = proposal.title
            notify(
                recipients=[amendment.author], kind=Kind.AMENDMENT_ACCEPTED,
                text=lambda m: _("Your amendment to “%(title)s” was accepted.") % {"title": title},
                url=proposal.get_absolute_url(),
            )
    return amendment


def withdraw_amendment(*, amendment: Amendment, actor: Member) -> Amendment:
    """The amendment's author withdraws it while it is open, before voting opens."""
    with transaction.atomic():
        amendment, proposal = _locked_amendment(amendment)
        if amendment.author_id is None or amendment.author_id != actor.pk:
            raise DecisionError(_("Only the author of the amendment can withdraw it."))
        if amendment.status != Amendment.Status.OPEN or proposal.status != Status.DELIBERATION:
            raise DecisionError(_("This amendment can no longer be withdrawn."))
        amendment.status = Amendment.Status.WITHDRAWN
        amendment.decided_at = timezone.now()
        amendment.save(update_fields=["status", "decided_at"])
        _event(proposal, ProposalEvent.Kind.AMENDMENT_WITHDRAWN, actor, amendment=amendment.number)
    return amendment


# -- Affectedness --------------------------------------------------------------------------


def _check_groups_inside(proposal: Proposal) -> None:
    outside = [
        g.chapter for g in proposal.affected_groups.select_related("chapter")
        if not g.chapter.path.startswith(proposal.chapter.path)
    ]
    if outside:
        raise _outside_error(proposal, outside)


def _outside_error(proposal: Proposal, outside: list[Chapter]) -> DecisionError:
    target = selectors.common_scope([proposal.chapter, *outside])
    return DecisionError(
        _("%(groups)s lie outside %(scope)s. Move the proposal up to %(target)s first, so that "
          "everyone affected decides.")
        % {
            "groups": ", ".join(c.display_name() for c in outside),
            "scope": proposal.chapter.display_name(),
            "target": target.display_name() if target else "",
        }
    )


def set_affected_groups(*, proposal: Proposal, actor: Member,
                        groups: Sequence[GroupInput]) -> list[AffectedGroup]:
    """Replace the proposal's affected groups (author only, before voting opens).

    Each group is a chapter inside the scope (or the scope itself) with a weight from
    0 to 10 and a reason. Groups outside the scope are refused, naming the chapter to
    move the proposal up to.
    """
    cleaned: list[tuple[Chapter, float, str]] = []
    seen: set[int] = set()
    for group in groups:
        chapter, weight, reason = group["chapter"], group["weight"], " ".join(
            str(group.get("reason", "")).split()
        )
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise DecisionError(_("A weight is a number from 0 to 10."))
        weight = float(weight)
        if not 0 <= weight <= MAX_WEIGHT:
            raise DecisionError(_("A weight is a number from 0 to 10."))
        if not reason:
            raise DecisionError(_("Say why %(chapter)s is affected with this weight.")
                                % {"chapter": chapter.display_name()})
        if len(reason) > 300:
            raise DecisionError(_("A reason can be at most 300 characters long."))
        if chapter.pk in seen:
            raise DecisionError(_("%(chapter)s is listed twice.")
                                % {"chapter": chapter.display_name()})
        seen.add(chapter.pk)
        cleaned.append((chapter, weight, reason))
    with transaction.atomic():
        proposal = _locked(proposal)
        _require_author(proposal, actor)
        if proposal.status not in (Status.DRAFT, Status.DELIBERATION):
            raise DecisionError(_("Affectedness can change only before voting opens."))
        outside = [c for c, _w, _r in cleaned if not c.path.startswith(proposal.chapter.path)]
        if outside:
            raise _outside_error(proposal, outside)
        proposal.affected_groups.all().delete()
        created = AffectedGroup.objects.bulk_create(
            AffectedGroup(proposal=proposal, chapter=c, weight=w, reason=r)
            for c, w, r in cleaned
        )
        _event(proposal, ProposalEvent.Kind.AFFECTEDNESS_CHANGED, actor,
               groups=[{"chapter": c.url_path, "weight": w, "reason": r} for c, w, r in cleaned])
        if proposal.status != Status.DRAFT:
            audit.record(actor=actor, action="decisions.set_affected_groups", target=proposal,
                         chapter=proposal.chapter,
                         data={"groups": [[c.url_path, w, r] for c, w, r in cleaned]})
    return created


def declare_stake(*, proposal: Proposal, member: Member, weight: float, reason: str,
                  now: datetime | None = None) -> StakeDeclaration:
    """A member of the scope declares a stronger stake, with a public reason, where
    the rule allows it, up to its cap, before voting opens. Declaring again replaces it."""
    now = _now(now)
    reason = " ".join((reason or "").split())
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        raise DecisionError(_("A declared weight is a number above 0."))
    if not reason:
        raise DecisionError(_("Say publicly why you are more affected."))
    if len(reason) > 300:
        raise DecisionError(_("A reason can be at most 300 characters long."))
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status != Status.DELIBERATION:
            raise DecisionError(_("Stakes can be declared only during deliberation."))
        if not _belongs(member, proposal.chapter):
            raise DecisionError(_("Only members of %(chapter)s can declare a stake.")
                                % {"chapter": proposal.chapter.display_name()})
        rule = _rule_for(proposal.chapter, proposal.category)
        if not rule.allow_self_declared_stakes:
            raise DecisionError(_("The rule for this category does not let members declare "
                                  "their own stake."))
        if weight > rule.self_declared_cap:
            raise DecisionError(_("You can declare a weight of at most %(cap)s.")
                                % {"cap": formats.number_format(rule.self_declared_cap)})
        stake, _created = StakeDeclaration.objects.update_or_create(
            proposal=proposal, member=member,
            defaults={"weight": float(weight), "reason": reason, "created_at": now},
        )
        _event(proposal, ProposalEvent.Kind.STAKE_DECLARED, member, weight=float(weight),
               reason=reason)
        audit.record(actor=member, action="decisions.declare_stake", target=stake,
                     chapter=proposal.chapter, data={"weight": float(weight), "reason": reason})
    return stake


def withdraw_stake(*, proposal: Proposal, member: Member) -> None:
    """Withdraw one's stake declaration during deliberation (idempotent)."""
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status != Status.DELIBERATION:
            raise DecisionError(_("Stakes can be changed only during deliberation."))
        stakes = StakeDeclaration.objects.filter(proposal=proposal, member=member)
        deleted, _detail = stakes.delete()
        if deleted:
            _event(proposal, ProposalEvent.Kind.STAKE_WITHDRAWN, member)


# -- Subsidiarity --------------------------------------------------------------------------


def move_up(*, proposal: Proposal, to_chapter: Chapter, actor: Member,
            now: datetime | None = None) -> Proposal:
    """Move a proposal (before voting) to an ancestor of its scope, so that groups
    beyond the old scope can be named affected. A published proposal's periods
    restart under the new scope's rule."""
    now = _now(now)
    with transaction.atomic():
        proposal = _locked(proposal)
        _require_author_or_facilitator(proposal, actor)
        if proposal.status not in (Status.DRAFT, Status.DELIBERATION):
            raise DecisionError(_("A proposal can be moved only before voting opens."))
        old = proposal.chapter
        if not (old.path.startswith(to_chapter.path) and old.path != to_chapter.path):
            raise DecisionError(_("A proposal moves up to a chapter that contains %(chapter)s.")
                                % {"chapter": old.display_name()})
        rule = _rule_for(to_chapter, proposal.category)
        proposal.chapter = to_chapter
        fields = ["chapter", "updated_at"]
        if proposal.status == Status.DELIBERATION:
            _set_periods(proposal, rule, now)
            fields += ["published_at", "amendments_close_at", "voting_opens_at",
                       "voting_closes_at"]
        proposal.updated_at = now
        proposal.save(update_fields=fields)
        _event(proposal, ProposalEvent.Kind.MOVED_UP, actor, **{"from": old.url_path},
               to=to_chapter.url_path)
        audit.record(actor=actor, action="decisions.move_up", target=proposal,
                     chapter=to_chapter,
                     data={"from": old.url_path, "to": to_chapter.url_path})
        if proposal.status == Status.DELIBERATION:
            _schedule(proposal, proposal.voting_opens_at)  # type: ignore[arg-type]
    return proposal


def refer_down(*, proposal: Proposal, to_chapters: Sequence[Chapter], actor: Member,
               now: datetime | None = None) -> list[Proposal]:
    """Refer a published proposal (before voting) to sub-chapters of its scope: one
    copy per sub-chapter, published there under its own rule; the original becomes
    "referred". Returns the copies."""
    now = _now(now)
    targets = list({c.pk: c for c in to_chapters}.values())
    if not targets:
        raise DecisionError(_("Choose the sub-chapters to refer the proposal to."))
    with transaction.atomic():
        proposal = _locked(proposal)
        _require_author_or_facilitator(proposal, actor)
        if proposal.status != Status.DELIBERATION:
            raise DecisionError(_("A proposal can be referred down only while in deliberation."))
        scope = proposal.chapter
        for chapter in targets:
            if not (chapter.path.startswith(scope.path) and chapter.path != scope.path):
                raise DecisionError(_("%(chapter)s is not a sub-chapter of %(scope)s.")
                                    % {"chapter": chapter.display_name(),
                                       "scope": scope.display_name()})
        groups = list(proposal.affected_groups.select_related("chapter"))
        options = list(proposal.options.order_by("position"))
        payload = {k: v for k, v in proposal.payload.items() if k != "chapter"}
        copies = []
        for chapter in targets:
            rule = _rule_for(chapter, proposal.category)
            copy = Proposal(
                chapter=chapter, author=proposal.author, title=proposal.title,
                text=proposal.text, category=proposal.category, payload=payload,
                status=Status.DELIBERATION, referred_from=proposal, created_at=now,
                updated_at=now,
            )
            _set_periods(copy, rule, now)
            copy.save()
            Option.objects.bulk_create(
                Option(proposal=copy, key=o.key, label=o.label, text=o.text, source=o.source,
                       position=o.position)
                for o in options
            )
            AffectedGroup.objects.bulk_create(
                AffectedGroup(proposal=copy, chapter=g.chapter, weight=g.weight, reason=g.reason)
                for g in groups if g.chapter.path.startswith(chapter.path)
            )
            _new_version(copy, proposal.author)
            _event(copy, ProposalEvent.Kind.REFERRED_FROM, actor,
                   **{"from": str(proposal.public_id), "scope": scope.url_path})
            _start_deliberation_thread(copy)
            _schedule(copy, copy.voting_opens_at)  # type: ignore[arg-type]
            copies.append(copy)
        proposal.status = Status.REFERRED
        proposal.updated_at = now
        proposal.save(update_fields=["status", "updated_at"])
        referred = [{"chapter": c.chapter.url_path, "proposal": str(c.public_id)} for c in copies]
        _event(proposal, ProposalEvent.Kind.REFERRED_DOWN, actor, to=referred)
        audit.record(actor=actor, action="decisions.refer_down", target=proposal,
                     chapter=scope, data={"to": referred})
    return copies


# -- Opening the vote ----------------------------------------------------------------------


def _params_for(method: str, option_keys: list[str], params: Mapping[str, Any],
                seed: str) -> dict[str, Any]:
    """The rule's parameters that apply to `method` (a switched ballot keeps only the
    quorum and tie-break), with approval's limits clamped to the options and a lot
    seed (the roll hash) when the tie-break is by lot and the rule gave none."""
    allowed = _COMMON_PARAMS + _PARAMS_OF.get(method, ())
    result = {k: v for k, v in params.items() if k in allowed}
    if method == Method.APPROVAL:
        k = len(option_keys)
        if result.get("max_choices") is not None:
            result["max_choices"] = min(int(result["max_choices"]), k)
        if result.get("min_choices") is not None:
            result["min_choices"] = min(int(result["min_choices"]), result.get("max_choices", k))
    if result.get("tie_break") == "lot" and not result.get("seed"):
        result["seed"] = seed
    return result


def _ballot_options(proposal: Proposal, rule: DecisionRule) -> tuple[str, list[str], bool]:
    """Turn competing amendments into options; returns (method, option keys, switched)."""
    competing = list(proposal.amendments.filter(status=Amendment.Status.OPEN).order_by("number"))
    proposal.amendments.filter(pk__in=[a.pk for a in competing]).update(
        status=Amendment.Status.COMPETING
    )
    existing = list(proposal.options.order_by("position", "id"))
    method = rule.method
    switched = False
    new_options: list[Option] = []
    position = max((o.position for o in existing), default=0)
    needs_choice = bool(competing) or bool(existing)
    if (method in YES_NO_METHODS and needs_choice) or (
        method in MULTI_OPTION_METHODS and len(existing) < 2
    ):
        # A choice between the proposal as it stands, the alternatives and no change.
        if method in YES_NO_METHODS:
            method, switched = rule.alternatives_method, True
        if not existing:
            new_options.append(Option(proposal=proposal, key="proposal", label=proposal.title,
                                      text=proposal.text, source=Option.Source.ORIGINAL,
                                      position=1))
            position = 1
    for amendment in competing:
        position += 1
        new_options.append(Option(
            proposal=proposal, key=amendment.option_key,
            label=amendment.label or _("Amendment %(n)s") % {"n": amendment.number},
            text=amendment.text, source=Option.Source.AMENDMENT, amendment=amendment,
            position=position,
        ))
    if switched or (method in MULTI_OPTION_METHODS and len(existing) < 2):
        new_options.append(Option(proposal=proposal, key="none", label=_("No change"),
                                  source=Option.Source.STATUS_QUO, position=position + 1))
    Option.objects.bulk_create(new_options)
    keys = [] if method in YES_NO_METHODS else [o.key for o in [*existing, *new_options]]
    return method, keys, switched


def _freeze_roll(proposal: Proposal, now: datetime) -> Roll:
    """Write the roll with one INSERT … SELECT (weights by path prefix, deepest group
    first, then stake declarations), then hash it streaming. No model instances."""
    scope = proposal.chapter
    groups = list(proposal.affected_groups.select_related("chapter").order_by(
        "-chapter__depth", "chapter__path"))
    roll = Roll.objects.create(proposal=proposal, frozen_at=now, hash="", size=0, total_weight=0)
    qn = connection.ops.quote_name
    member_t, user_t = qn(Member._meta.db_table), qn(Member._meta.get_field("user")
                                                      .related_model._meta.db_table)  # type: ignore[union-attr]
    chapter_t, stake_t = qn(Chapter._meta.db_table), qn(StakeDeclaration._meta.db_table)
    entry_t = qn(RollEntry._meta.db_table)
    weight_sql, weight_params = "%s", [1.0]
    reason_sql, reason_params = "%s", [selectors.default_reason(scope)]
    if groups:
        weight_sql = "CASE " + " ".join("WHEN c.path LIKE %s THEN %s" for _g in groups) + \
            " ELSE %s END"
        reason_sql = weight_sql
        weight_params, reason_params = [], []
        for g in groups:
            weight_params += [g.chapter.path + "%", float(g.weight)]
            reason_params += [g.chapter.path + "%", selectors.group_reason(g.chapter, g.reason)]
        weight_params.append(1.0)
        reason_params.append(selectors.default_reason(scope))
    chosen_weight = "CASE WHEN t.sw IS NOT NULL AND t.sw > t.gw THEN t.sw ELSE t.gw END"
    chosen_reason = "CASE WHEN t.sw IS NOT NULL AND t.sw > t.gw THEN t.sr ELSE t.gr END"
    sql = f"""
        INSERT INTO {entry_t} (roll_id, member_id, weight, reason, group_id, reminded_at)
        SELECT %s, t.member_id, {chosen_weight}, {chosen_reason}, g.id, NULL
        FROM (
            SELECT m.id AS member_id, c.path AS home_path,
                   {weight_sql} AS gw, {reason_sql} AS gr,
                   s.weight AS sw, %s || s.reason AS sr
            FROM {member_t} m
            JOIN {user_t} u ON u.id = m.user_id
            JOIN {chapter_t} c ON c.id = m.home_chapter_id
            LEFT JOIN {stake_t} s ON s.member_id = m.id AND s.proposal_id = %s
            WHERE c.path LIKE %s AND u.is_active = %s
        ) t
        LEFT JOIN {chapter_t} g
            ON LENGTH(t.home_path) > %s AND g.path = SUBSTR(t.home_path, 1, %s)
        WHERE {chosen_weight} > 0
    """  # noqa: S608 - table names are quoted model tables; values are parameters
    params: list[Any] = [
        roll.pk, *weight_params, *reason_params, "declared: ", proposal.pk,
        scope.path + "%", True, len(scope.path), len(scope.path) + scope.steplen,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    digest, size, total = selectors.roll_digest(proposal)
    Roll.objects.filter(pk=roll.pk).update(hash=digest, size=size, total_weight=total)
    roll.hash, roll.size, roll.total_weight = digest, size, total
    return roll


def open_voting(*, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """Open the vote when it is due: freeze the roll (with its hash), the rule and the
    options. Idempotent: a proposal already voting or closed is returned unchanged.
    Refuses before `voting_opens_at` (nobody opens a vote early)."""
    now = _now(now)
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status in (Status.VOTING, Status.CLOSED):
            return proposal
        if proposal.status != Status.DELIBERATION:
            raise DecisionError(_("Only a proposal in deliberation can go to the vote."))
        if now < proposal.voting_opens_at:  # type: ignore[operator]
            raise DecisionError(_("Voting opens on %(when)s.")
                                % {"when": _when(proposal.voting_opens_at)})  # type: ignore[arg-type]
        _check_groups_inside(proposal)
        rule = _rule_for(proposal.chapter, proposal.category)
        method, option_keys, switched = _ballot_options(proposal, rule)
        roll = _freeze_roll(proposal, now)
        snapshot = rule.snapshot()
        snapshot.update({
            "rule_method": rule.method,
            "method": method,
            "switched": switched,
            "options": option_keys,
            "params": _params_for(method, option_keys, rule.params, roll.hash),
        })
        proposal.rule_snapshot = snapshot
        proposal.status = Status.VOTING
        proposal.voting_opens_at = now
        proposal.voting_closes_at = now + timedelta(days=rule.voting_days)
        proposal.updated_at = now
        proposal.save(update_fields=["rule_snapshot", "status", "voting_opens_at",
                                     "voting_closes_at", "updated_at"])
        _event(proposal, ProposalEvent.Kind.VOTING_OPENED, None, roll_hash=roll.hash,
               roll_size=roll.size, total_weight=roll.total_weight, method=method,
               switched=switched, closes_at=proposal.voting_closes_at.isoformat())
        audit.record(actor=None, action="decisions.open_voting", target=proposal,
                     chapter=proposal.chapter,
                     data={"roll_hash": roll.hash, "roll_size": roll.size,
                           "total_weight": roll.total_weight, "rule": snapshot})
        recipients = _facilitators(proposal.chapter)
        if proposal.author is not None:
            recipients.append(proposal.author)
        title, closes = proposal.title, proposal.voting_closes_at
        notify(
            recipients=recipients, kind=Kind.VOTING_OPENED,
            text=lambda m: _("Voting on “%(title)s” is open until %(when)s.")
            % {"title": title, "when": _when(closes)},
            url=proposal.get_absolute_url(),
        )
        _schedule(proposal, closes - REMINDER_LEAD)
        _schedule(proposal, closes)
    return proposal


# -- Ballots -------------------------------------------------------------------------------


def _lock_clause(alias: str) -> str:
    """Share-lock the proposal row until the ballot commits (PostgreSQL; SQLite
    serialises writes). close_voting locks the row FOR UPDATE: it waits for the
    ballots in flight, which it then counts, and a ballot waiting on a close re-reads
    the status and is refused. KEY SHARE is the weakest lock that conflicts with FOR
    UPDATE; it does not hold up updates of the proposal that leave its key alone."""
    return f" FOR KEY SHARE OF {alias}" if connection.vendor == "postgresql" else ""


def _voting_state(proposal_id: int, member_id: int) -> Proposal | None:
    """The proposal's voting state and the member's roll entry, in one query, the
    proposal row locked (_lock_clause)."""
    qn = connection.ops.quote_name
    p, r, e = (qn(m._meta.db_table) for m in (Proposal, Roll, RollEntry))
    sql = (
        f"SELECT p.id, p.status, p.voting_closes_at, p.rule_snapshot, "  # noqa: S608
        f"e.weight AS roll_weight, e.group_id AS roll_group "
        f"FROM {p} p LEFT JOIN {r} r ON r.proposal_id = p.id "
        f"LEFT JOIN {e} e ON e.roll_id = r.id AND e.member_id = %s "
        f"WHERE p.id = %s"
    ) + _lock_clause("p")
    rows = list(Proposal.objects.raw(sql, [member_id, proposal_id]))
    return rows[0] if rows else None


def cast_ballot(
    *,
    proposal: Proposal,
    member: Member,
    ballot: Mapping[str, Any],
    receipt: str | None = None,
    now: datetime | None = None,
) -> CastResult:
    """Cast or change `member`'s ballot while voting is open.

    Refused (DecisionError, nothing stored) outside the window, for members not on
    the frozen roll, and for ballots the method does not accept. One ballot per
    member by a unique constraint: a second ballot replaces the first (the insert
    does nothing on the conflict and the row is updated; never check-then-insert).
    The proposal row is share-locked until the ballot commits (_lock_clause), so a
    ballot and the close never overlap.

    An open ballot, when `proposal` is (as the caller read it) being voted on, is
    checked against its `rule_snapshot` (frozen when voting opens) and stored by one
    statement that checks the status, the close and the roll itself; only when that
    stores nothing is the state read, to say why (or to cast, when the caller's copy
    predates the opening). Secret ballots read the state first.

    Secret ballots: the first ballot records participation and returns a receipt
    code, shown once; changing it requires that receipt. No log, audit entry or
    notification carries the ballot's content. A few queries, whatever the roll size.
    """
    now = _now(now)
    with transaction.atomic():
        result = None
        if proposal.status == Status.VOTING and not proposal.is_secret:
            normalised = _validated(proposal.rule_snapshot or {}, ballot)
            result = _cast_open(proposal.pk, member.pk, normalised, now)
        if result is None:
            result = _cast_checked(proposal.pk, member, ballot, receipt, now)
        # The entry says who voted (public for open and secret ballots alike), never what.
        audit.record(actor=member, action="ballots.cast", target=proposal,
                     data={"changed": result.changed, "secret": result.secret})
    return result


def _validated(snapshot: Mapping[str, Any], ballot: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return voting.validate_ballot(
            method=snapshot["method"], options=snapshot.get("options", []),
            ballot=ballot, params=snapshot.get("params", {}),
        )
    except voting.InvalidBallot as exc:
        raise DecisionError(_("This ballot is not valid: %(reason)s")
                            % {"reason": exc.message}) from None


def _cast_checked(proposal_id: int, member: Member, ballot: Mapping[str, Any],
                  receipt: str | None, now: datetime) -> CastResult:
    """Read the voting state (locked): refuse, saying why, or cast."""
    state = _voting_state(proposal_id, member.pk)
    if state is None:
        raise DecisionError(_("This proposal does not exist."))
    if state.status in (Status.DRAFT, Status.DELIBERATION):
        raise DecisionError(_("Voting on this proposal has not opened yet."))
    if state.status != Status.VOTING or now >= state.voting_closes_at:  # type: ignore[operator]
        raise DecisionError(_("Voting on this proposal has closed."))
    weight = getattr(state, "roll_weight", None)
    if weight is None:
        raise DecisionError(
            _("You are not on the roll of this vote. The roll was frozen when voting "
              "opened, with the members affected at that moment.")
        )
    snapshot = state.rule_snapshot or {}
    normalised = _validated(snapshot, ballot)
    if snapshot.get("secret"):
        return _cast_secret(proposal_id, member, normalised, float(weight),
                            getattr(state, "roll_group", None), receipt)
    result = _cast_open(proposal_id, member.pk, normalised, now)
    assert result is not None, "checked above, under the lock"
    return result


def _cast_open(proposal_id: int, member_id: int, ballot: dict[str, Any], now: datetime
               ) -> CastResult | None:
    """Store the member's ballot, with the weight and group of their roll entry, or
    change the one they cast before, if the proposal is being voted on at `now` and
    they are on its roll; None, storing nothing, otherwise. Locks the proposal row
    (_lock_clause), even when the insert gives way to the update."""
    qn = connection.ops.quote_name
    b, p, r, e = (qn(m._meta.db_table) for m in (Ballot, Proposal, Roll, RollEntry))
    value = connection.ops.adapt_json_value(ballot, None)
    moment = connection.ops.adapt_datetimefield_value(now)
    is_open = "p.status = %s AND p.voting_closes_at > %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {b} "  # noqa: S608 - the models' table names
            f"(proposal_id, member_id, ballot, weight, group_id, cast_at, updated_at) "
            f"SELECT p.id, e.member_id, %s, e.weight, e.group_id, %s, %s "
            f"FROM {p} p JOIN {r} r ON r.proposal_id = p.id "
            f"JOIN {e} e ON e.roll_id = r.id AND e.member_id = %s "
            f"WHERE p.id = %s AND {is_open}{_lock_clause('p')} "
            f"ON CONFLICT (proposal_id, member_id) DO NOTHING RETURNING weight",
            [value, moment, moment, member_id, proposal_id, Status.VOTING.value, moment],
        )
        row = cursor.fetchone()
        changed = row is None
        if changed:
            # The member voted before (maybe a moment ago, in another request), or may
            # not vote now: change their ballot only while voting is open.
            cursor.execute(
                f"UPDATE {b} SET ballot = %s, updated_at = %s "  # noqa: S608
                f"WHERE proposal_id = %s AND member_id = %s AND EXISTS "
                f"(SELECT 1 FROM {p} p WHERE p.id = %s AND {is_open}) RETURNING weight",
                [value, moment, proposal_id, member_id, proposal_id, Status.VOTING.value,
                 moment],
            )
            row = cursor.fetchone()
    if row is None:
        return None
    return CastResult(ballot=ballot, weight=float(row[0]), changed=changed, secret=False)


def _cast_secret(proposal_id: int, member: Member, ballot: dict[str, Any], weight: float,
                 group_id: int | None, receipt: str | None) -> CastResult:
    table = connection.ops.quote_name(Participation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (proposal_id, member_id) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (proposal_id, member_id) DO NOTHING RETURNING id",
            [proposal_id, member.pk],
        )
        first = cursor.fetchone() is not None
    if not first:
        if not receipt:
            raise DecisionError(
                _("You have already voted. To change a secret ballot, give the receipt code "
                  "you were shown when you voted.")
            )
        updated = SecretBallot.objects.filter(
            proposal_id=proposal_id, receipt_hash=selectors.receipt_hash(receipt)
        ).update(ballot=ballot)
        if not updated:
            raise DecisionError(_("No ballot in this vote matches that receipt code."))
        return CastResult(ballot=ballot, weight=weight, changed=True, secret=True)
    code = secrets.token_urlsafe(15)
    SecretBallot.objects.create(
        proposal_id=proposal_id, receipt_hash=selectors.receipt_hash(code), ballot=ballot,
        weight=weight, group_id=group_id,
    )
    return CastResult(ballot=ballot, weight=weight, changed=False, secret=True, receipt=code)


def send_reminders(*, proposal: Proposal, now: datetime | None = None,
                   batch_size: int = REMINDER_BATCH_SIZE) -> int:
    """Remind members on the roll who have not voted, in the last day before the close.

    Idempotent: each roll entry remembers when its member was reminded, and is
    reminded once. Works in batches, each in its own transaction (a big roll is never
    one giant transaction; a crash resumes where it stopped). Returns how many were
    reminded by this call.
    """
    now = _now(now)
    if proposal.status != Status.VOTING or proposal.voting_closes_at is None:
        return 0
    closes = proposal.voting_closes_at
    if not (closes - REMINDER_LEAD <= now < closes):
        return 0
    voted_model = Participation if proposal.is_secret else Ballot
    # Without the NULLs a deleted account leaves: NOT IN over a NULL matches nothing.
    voted = voted_model.objects.filter(proposal=proposal, member__isnull=False).values(
        "member_id"
    )
    title = proposal.title
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                RollEntry.objects.select_for_update(skip_locked=True)
                .filter(roll__proposal=proposal, reminded_at__isnull=True, member__isnull=False)
                .exclude(member_id__in=voted)
                .order_by("id")
                .values_list("id", "member_id")[:batch_size]
            )
            if not rows:
                break
            members = Member.objects.filter(pk__in=[m for _i, m in rows], user__is_active=True)
            notify(
                recipients=members, kind=Kind.VOTE_REMINDER,
                text=lambda m: _("Voting on “%(title)s” closes on %(when)s, and you have not "
                                 "voted yet.") % {"title": title, "when": _when(closes)},
                url=proposal.get_absolute_url(),
            )
            RollEntry.objects.filter(pk__in=[i for i, _m in rows]).update(reminded_at=now)
        total += len(rows)
        if len(rows) < batch_size:
            break
    return total


# -- Closing and the record ----------------------------------------------------------------


def _normal(value: Any) -> Any:
    """The value as it will read back from a JSON column (for hashing before saving)."""
    return json.loads(canonical_json(value))


def _ballot_arrays(proposal: Proposal) -> tuple[np.ndarray, list[Any], np.ndarray]:
    """(weights, ballots, group ids, -1 for none) in the canonical order of
    selectors.ballot_rows, for the count.

    On PostgreSQL one aggregate row: the ballots as one JSON array (parsed in one call),
    weights and groups as text numpy parses; no row tuple, no per-row JSON decoding.
    The three aggregates advance together row by row, so they always line up; they take
    the rows as the ordered subquery gives them (one sort, not three), which only
    decides which bad ballot an error would name first; the count is order-free.
    """
    if connection.vendor != "postgresql":
        rows = list(selectors.ballot_rows(proposal))
        return (np.array([r[1] for r in rows], dtype=np.float64), [r[2] for r in rows],
                np.array([-1 if r[3] is None else r[3] for r in rows], dtype=np.int64))
    model, order = (SecretBallot, "receipt_hash") if proposal.is_secret else (Ballot, "id")
    texts = ", ".join(f"coalesce(string_agg({column}::text, ','), '')"
                      for column in ("ballot", "weight", "coalesce(group_id, -1)"))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (f"SELECT count(*), {texts} FROM (SELECT ballot, weight, group_id FROM {table} "  # noqa: S608
           f"WHERE proposal_id = %s ORDER BY {order}) AS b")
    with connection.cursor() as cursor:
        cursor.execute(sql, [proposal.pk])
        n, ballots, weights, groups = cursor.fetchone()
    if not n:
        return np.zeros(0), [], np.zeros(0, dtype=np.int64)
    return (np.fromstring(weights, dtype=np.float64, sep=","), json.loads(f"[{ballots}]"),
            np.fromstring(groups, dtype=np.int64, sep=","))


def _breakdown(proposal: Proposal, counted: voting.Prepared, group_ids: np.ndarray,
               secret: bool) -> tuple[dict[str, Any], set[int | None]]:
    """The result per sub-chapter of the scope (by where voters lived at the freeze).

    Secret ballots: a group is shown only with BREAKDOWN_MIN_VOTERS voters or more,
    and if the hidden groups together have fewer, more groups are hidden (smallest
    first), so no group's result can be worked out by subtraction from the total.
    Returns the breakdown and the ids of the hidden groups. Each group is counted from
    the arrays the whole count made (no ballot is read or validated again).
    """
    found, inverse = np.unique(group_ids, return_inverse=True)
    by_row = np.argsort(inverse, kind="stable")  # each group's ballots, in order
    cuts = np.cumsum(np.bincount(inverse, minlength=found.size))[:-1]
    parts = np.split(by_row, cuts)
    # In the order the groups first appear, as the rows were read (ties in name keep it).
    by_group: dict[int | None, np.ndarray] = {
        (None if found[i] < 0 else int(found[i])): parts[i]
        for i in sorted(range(found.size), key=lambda i: int(parts[i][0]))
    }
    hidden: set[int | None] = set()
    if secret:
        hidden = {g for g, ballots in by_group.items() if len(ballots) < BREAKDOWN_MIN_VOTERS}
        shown = sorted((g for g in by_group if g not in hidden), key=lambda g: len(by_group[g]))
        while shown and 0 < sum(len(by_group[g]) for g in hidden) < BREAKDOWN_MIN_VOTERS:
            hidden.add(shown.pop(0))
    eligible = selectors.eligible_weight_by_group(proposal)
    chapters = {
        c["pk"]: c for c in Chapter.objects.filter(
            pk__in=[g for g in by_group if g is not None]
        ).values("pk", "url_path", "name")
    }
    groups = []
    def name_of(group_id: int | None) -> str:
        return chapters[group_id]["name"] if group_id in chapters else ""

    for group_id in sorted(by_group, key=name_of):
        if group_id in hidden:
            continue
        ballots = by_group[group_id]
        result = counted.count(eligible_weight=eligible.get(group_id, (0.0, 0))[0],
                               rows=ballots)
        chapter = chapters.get(group_id) if group_id is not None else None
        groups.append({
            "chapter": chapter["url_path"] if chapter else proposal.chapter.url_path,
            "name": chapter["name"] if chapter else proposal.chapter.name,
            "direct": chapter is None,
            "voters": len(ballots),
            "eligible_members": eligible.get(group_id, (0.0, 0))[1],
            "result": result.to_dict(),
        })
    summary = {
        "groups": groups,
        "hidden_groups": len(hidden),
        "hidden_voters": sum(len(by_group[g]) for g in hidden),
        "min_voters": BREAKDOWN_MIN_VOTERS if secret else 0,
    }
    return summary, hidden


def _apply_effect(proposal: Proposal, outcome: str) -> dict[str, Any]:
    """Apply a passed "rules" or "roles" proposal. A change that no longer fits
    (e.g. the member left) is recorded as not applied, never raised: the decision
    stands either way."""
    if outcome != Decision.Outcome.PASSED or proposal.category not in (Category.RULES,
                                                                         Category.ROLES):
        return {}
    scope = proposal.chapter
    try:
        with transaction.atomic():
            if proposal.category == Category.RULES:
                return _apply_rule_change(proposal, scope)
            return _apply_role_change(proposal, scope)
    except DecisionError as exc:
        return {"applied": False, "error": exc.message}


def bump_rules_version() -> None:
    """Chapters' decision pages show the changed rule at once (see selectors)."""
    lib_cache.bump_version(selectors.RULES_VERSION_KEY)


def _apply_rule_change(proposal: Proposal, scope: Chapter) -> dict[str, Any]:
    category, values = _rule_change(scope, proposal.payload)
    before = DecisionRule.objects.filter(chapter=scope, category=category).first()
    rule, _created = DecisionRule.objects.update_or_create(
        chapter=scope, category=category, defaults={**values, "updated_at": timezone.now()},
    )
    rule.chapter = scope
    transaction.on_commit(bump_rules_version)
    audit.record(actor=None, action="rules.change", target=rule, chapter=scope, data={
        "proposal": str(proposal.public_id),
        "before": before.snapshot() if before else None, "after": rule.snapshot(),
    })
    return {"applied": True, "kind": "rule", "rule": rule.snapshot()}


def _apply_role_change(proposal: Proposal, scope: Chapter) -> dict[str, Any]:
    from chapterhouse.chapters import services as chapter_services

    action, member = _role_change(scope, proposal.payload)
    effect = {"applied": True, "kind": "role", "action": action,
              "member": str(member.public_id), "chapter": scope.url_path,
              "role": ChapterRole.Role.FACILITATOR.value}
    if action == "grant":
        chapter_services.grant_role(chapter=scope, member=member,
                                    source=ChapterRole.Source.DECISION, accepted=True)
        return effect
    role = ChapterRole.objects.filter(chapter=scope, member=member,
                                      role=ChapterRole.Role.FACILITATOR).first()
    if role is None:
        raise DecisionError(_("%(name)s holds no role to revoke.")
                            % {"name": member.display_name})
    chapter_services.revoke_role(chapter_role=role)
    return effect


def _outcome(result: Any, snapshot: Mapping[str, Any]) -> str:
    if snapshot.get("switched") and result.outcome == "elected":
        if result.winners == ["proposal"]:
            return Decision.Outcome.PASSED
        if result.winners == ["none"]:
            return Decision.Outcome.REJECTED
    return str(result.outcome)


def close_voting(*, proposal: Proposal, now: datetime | None = None) -> Decision:
    """Count the ballots and record the decision, when voting is due to close.

    Atomic and idempotent: the proposal row is locked for update (in-flight ballots
    hold a share lock, so they commit first and are counted, and later ones are
    refused); a proposal already closed returns its decision. Refuses before
    `voting_closes_at`. The ballots are read as tuples, never model instances.
    Passed "rules" and "roles" proposals are applied in the same transaction.
    """
    now = _now(now)
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status == Status.CLOSED:
            return Decision.objects.get(proposal=proposal)
        if proposal.status != Status.VOTING:
            raise DecisionError(_("Only a proposal being voted on can be closed."))
        if now < proposal.voting_closes_at:  # type: ignore[operator]
            raise DecisionError(_("Voting is open until %(when)s.")
                                % {"when": _when(proposal.voting_closes_at)})  # type: ignore[arg-type]
        snapshot = proposal.rule_snapshot or {}
        roll = Roll.objects.get(proposal=proposal)
        secret = bool(snapshot.get("secret"))
        weights, ballots, group_ids = _ballot_arrays(proposal)
        counted = voting.prepare(
            method=snapshot["method"], options=snapshot.get("options", []), weights=weights,
            ballots=ballots, params=snapshot.get("params", {}),
        )
        result = counted.count(eligible_weight=roll.total_weight)
        outcome = _outcome(result, snapshot)
        breakdown, hidden = _breakdown(proposal, counted, group_ids, secret)
        effect = _apply_effect(proposal, outcome)
        options = [
            {"key": o.key, "label": o.label, "text": o.text, "source": o.source}
            for o in proposal.options.order_by("position", "id")
        ]
        decision = Decision(
            proposal=proposal, chapter=proposal.chapter, scope_path=proposal.chapter.url_path,
            category=proposal.category, title=proposal.title, text=proposal.text,
            options=_normal(options), outcome=outcome, winners=_normal(list(result.winners)),
            result=_normal(result.to_dict()), rule=_normal(snapshot),
            roll=_normal({
                "hash": roll.hash, "size": roll.size, "total_weight": roll.total_weight,
                "frozen_at": roll.frozen_at.isoformat(),
                "weights": selectors.roll_weights(proposal),
            }),
            turnout=_normal({
                "voters": len(counted), "turnout_weight": result.turnout_weight,
                "eligible_weight": result.eligible_weight,
                "share": (result.turnout_weight / result.eligible_weight
                          if result.eligible_weight else 0.0),
            }),
            breakdown=_normal(breakdown), effect=_normal(effect), decided_at=now,
        )
        _chain(decision)
        hidden_ids = [g for g in hidden if g is not None]
        if secret and hidden_ids:
            # A ballot's sub-chapter only fed the breakdown: forget it where the group
            # was too small to show.
            SecretBallot.objects.filter(proposal=proposal, group_id__in=hidden_ids).update(
                group=None
            )
        proposal.status = Status.CLOSED
        proposal.closed_at = now
        proposal.updated_at = now
        proposal.save(update_fields=["status", "closed_at", "updated_at"])
        _event(proposal, ProposalEvent.Kind.CLOSED, None, outcome=outcome,
               winners=list(result.winners), sequence=decision.sequence,
               record_hash=decision.record_hash)
        audit.record(actor=None, action="decisions.close_voting", target=decision,
                     chapter=proposal.chapter,
                     data={"proposal": str(proposal.public_id), "outcome": outcome,
                           "sequence": decision.sequence, "record_hash": decision.record_hash})
        recipients = _facilitators(proposal.chapter)
        if proposal.author is not None:
            recipients.append(proposal.author)
        title = proposal.title
        notify(
            recipients=recipients, kind=Kind.DECISION_RECORDED,
            text=lambda m: _("“%(title)s” was decided: %(outcome)s.")
            % {"title": title, "outcome": Decision.Outcome(outcome).label},
            url=proposal.get_absolute_url(),
        )
    return decision


def _chain(decision: Decision) -> None:
    """Give the decision the next sequence number and link it to the previous record.

    Two closes at once compute the same next number; the unique constraint lets one
    through and the other retries with the new head of the chain.
    """
    for _attempt in range(10):
        head = Decision.objects.order_by("-sequence").values_list("sequence", "record_hash").first()
        decision.sequence = head[0] + 1 if head else 1
        decision.previous_hash = head[1] if head else ""
        decision.record_hash = decision.compute_hash()
        try:
            with transaction.atomic():
                decision.save(force_insert=True)
            return
        except IntegrityError:
            decision.pk = None
            continue
    raise DecisionError(_("The decision record could not be written; try again."))


def add_dissent(*, decision: Decision, member: Member, text: str) -> Dissent:
    """A member who voted against the outcome (open ballot: their ballot says so;
    secret ballot: any member who voted, since what they voted is not known) attaches
    a statement to the record. Writing again replaces their statement."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DecisionError(_("Write your dissent."))
    if len(text) > 5000:
        raise DecisionError(_("A dissent can be at most 5,000 characters long."))
    if not selectors.may_dissent(decision, member):
        raise DecisionError(_("Only members who voted against this outcome can add a dissent."))
    with transaction.atomic():
        dissent, _created = Dissent.objects.update_or_create(
            decision=decision, member=member, defaults={"text": text},
        )
        _event(decision.proposal, ProposalEvent.Kind.DISSENT_ADDED, member)
        audit.record(actor=member, action="decisions.add_dissent", target=dissent,
                     chapter=decision.chapter,
                     data={"proposal": str(decision.proposal.public_id)})
    return dissent


# -- Moving proposals along ----------------------------------------------------------------


def due_proposals(now: datetime | None = None) -> QuerySet[Proposal]:
    """Proposals with a step due: voting to open, to close, or reminders to send."""
    from django.db.models import Q

    now = _now(now)
    return Proposal.objects.filter(
        Q(status=Status.DELIBERATION, voting_opens_at__lte=now)
        | Q(status=Status.VOTING, voting_closes_at__lte=now + REMINDER_LEAD)
    ).order_by("voting_closes_at", "id")


def advance(*, proposal: Proposal, now: datetime | None = None) -> str:
    """Take the step that is due, if any: open the vote, close it, or send reminders.

    Returns "opened", "closed", "reminded" or "" (nothing due). Idempotent.
    """
    now = _now(now)
    proposal = Proposal.objects.select_related("chapter", "author").get(pk=proposal.pk)
    if proposal.status == Status.DELIBERATION and proposal.voting_opens_at is not None \
            and proposal.voting_opens_at <= now:
        proposal = open_voting(proposal=proposal, now=now)
        return "opened"
    if proposal.status == Status.VOTING and proposal.voting_closes_at is not None:
        if proposal.voting_closes_at <= now:
            close_voting(proposal=proposal, now=now)
            return "closed"
        if send_reminders(proposal=proposal, now=now):
            return "reminded"
    return ""


def advance_all(*, now: datetime | None = None) -> dict[str, int]:
    """Advance every due proposal (the sweep). One failing proposal does not stop the rest."""
    counts: dict[str, int] = {"opened": 0, "closed": 0, "reminded": 0, "failed": 0}
    for proposal in due_proposals(now).select_related("chapter", "author"):
        try:
            step = advance(proposal=proposal, now=now)
        except Exception:
            logger.exception("Could not advance proposal %s", proposal.public_id)
            counts["failed"] += 1
            continue
        if step:
            counts[step] += 1
    return counts


__all__ = [
    "CastResult", "DecisionError", "GroupInput", "accept_amendment", "add_dissent", "advance",
    "advance_all", "cast_ballot", "check_rule_values", "close_voting", "create_draft",
    "declare_stake", "due_proposals", "move_up", "open_voting", "propose_amendment",
    "publish", "refer_down", "send_reminders", "set_affected_groups", "update_draft",
    "withdraw_amendment", "withdraw_proposal", "withdraw_stake",
]
