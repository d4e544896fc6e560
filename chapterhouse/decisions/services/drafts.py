"""Drafts: writing, editing and publishing a proposal, and withdrawing it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import audit
from chapterhouse.lib.text import without_bidi_controls
from chapterhouse.members.models import Member
from chapterhouse.notifications.messages import place
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify, notify_members_of

from ..models import YES_NO_METHODS, Method, Option, Proposal, ProposalEvent
from .affectedness import _check_groups_inside, check_secret_weights, set_affected_groups
from .common import (
    MAX_OPTIONS,
    DecisionError,
    GroupInput,
    OptionInput,
    Status,
    _belongs,
    _clean_text,
    _clean_title,
    _event,
    _facilitators,
    _locked,
    _new_version,
    _now,
    _require_author,
    _rule_for,
    _set_periods,
    _start_deliberation_thread,
    schedule_step,
)
from .rules_changes import _clean_payload


def _clean_options(options: Sequence[OptionInput], method: str) -> list[tuple[str, str]]:
    """[(label, text)]: none for yes/no methods; 2..MAX_OPTIONS distinct labels otherwise."""
    cleaned: list[tuple[str, str]] = []
    for option in options:
        if isinstance(option, str):
            label, text = option, ""
        else:
            label, text = str(option.get("label", "")), str(option.get("text", ""))
        label, text = without_bidi_controls(label), without_bidi_controls(text)
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


def _store_options(proposal: Proposal, options: list[tuple[str, str]]) -> None:
    proposal.options.all().delete()
    Option.objects.bulk_create(
        Option(proposal=proposal, key=f"o{i}", label=label, text=text, position=i)
        for i, (label, text) in enumerate(options, start=1)
    )


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
        check_secret_weights(proposal, secret=rule.secret)
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
        facilitators = [f for f in _facilitators(proposal.chapter) if f.pk != actor.pk]
        published = {"chapter": place(proposal.chapter), "title": title}
        event = f"published:{proposal.public_id}:{now.isoformat()}"  # one per publication
        notify(recipients=facilitators, kind=Kind.PROPOSAL_PUBLISHED,
               message="decisions.published", params=published,
               url=proposal.get_absolute_url(), event=event)
        # The chapter's other members, in the background, by their choice of email.
        notify_members_of(chapter=proposal.chapter, kind=Kind.NEW_PROPOSAL,
                          message="decisions.published", params=published,
                          url=proposal.get_absolute_url(),
                          exclude=[actor.pk, *(f.pk for f in facilitators)],
                          event=f"{event}:members")
        schedule_step(proposal, proposal.voting_opens_at)  # type: ignore[arg-type]
    return proposal


# save_draft's `publish` flag hides the service of that name inside it.
_publish = publish


def _groups_changed(proposal: Proposal, groups: Sequence[GroupInput]) -> bool:
    current = {
        (g.chapter_id, float(g.weight), g.reason) for g in proposal.affected_groups.all()
    }
    wanted = {(g["chapter"].pk, float(g["weight"]), " ".join(g["reason"].split()))
              for g in groups}
    return current != wanted


def save_draft(
    *,
    author: Member,
    title: str,
    text: str,
    category: str,
    chapter: Chapter | None = None,
    proposal: Proposal | None = None,
    options: Sequence[OptionInput] = (),
    payload: Mapping[str, Any] | None = None,
    groups: Sequence[GroupInput] | None = None,
    publish: bool = False,
) -> Proposal:
    """Save what the draft form (or the API) says, all or nothing: a new draft in
    `chapter`, or the changed `proposal`; its affected groups (None: left as they
    are; on an existing draft they are replaced only when they changed, so an
    unchanged list writes no event); then publish it when asked. A refusal of any
    step rolls back every step before it."""
    with transaction.atomic():
        if proposal is None:
            if chapter is None:
                raise TypeError("save_draft needs a chapter or a proposal")
            proposal = create_draft(
                chapter=chapter, author=author, title=title, text=text, category=category,
                options=options, payload=payload,
            )
            if groups:
                set_affected_groups(proposal=proposal, actor=author, groups=groups)
        else:
            proposal = update_draft(
                proposal=proposal, actor=author, title=title, text=text, category=category,
                options=options, payload=payload,
            )
            if groups is not None and _groups_changed(proposal, groups):
                set_affected_groups(proposal=proposal, actor=author, groups=groups)
        if publish:
            proposal = _publish(proposal=proposal, actor=author)
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
