"""What a rules or roles proposal would do, the timeline of a proposal, and diffs
between versions of its text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chapterhouse.chapters.models import Chapter
from chapterhouse.documents import selectors as document_selectors
from chapterhouse.documents import text as document_text

from .. import selectors
from ..models import (
    Category,
    Proposal,
    ProposalEvent,
)
from .text import (
    OUTCOME_LABELS,
    category_label,
    fraction_text,
    method_label,
    number,
    objection_resolution_label,
)

# -- What a rules or roles proposal would do ----------------------------------------------


def document_change(proposal: Proposal) -> dict[str, Any] | None:
    """A proposal amending a section of a founding document: the section, and the
    difference between the version it was drafted against and the text it proposes
    (escaped HTML with <ins> and <del>). Two queries."""
    payload = proposal.payload or {}
    if proposal.category != Category.RULES or not payload.get("document_section"):
        return None
    section = document_selectors.section_by_public_id(payload["document_section"])
    if section is None:
        return None
    base = payload.get("base_version")
    before = document_selectors.version(section, base) if isinstance(base, int) else None
    old_text = before.text if before is not None else section.text
    document = section.document
    return {
        "section": section, "document": document,
        "history_url": reverse("documents:history", kwargs={
            "url_path": document.chapter.url_path, "slug": document.slug,
            "section_id": section.public_id}),
        "diff": document_text.diff_html(old_text, str(payload.get("text", ""))),
    }


def payload_lines(proposal: Proposal | None, category: str, payload: Mapping[str, Any],
                  scope: Chapter | None = None) -> list[tuple[str, str]]:
    """A rules or roles payload in words (name, value) for the proposal page."""
    if not payload:
        return []
    lines: list[tuple[str, str]] = []
    if category == Category.RULES and payload.get("document_section"):
        section = document_selectors.section_by_public_id(payload["document_section"])
        lines.append((_("Founding document"),
                      section.document.title if section else _("a section no longer there")))
        if section is not None:
            lines.append((_("Section"), section.heading))
        if payload.get("heading"):
            lines.append((_("New heading"), str(payload["heading"])))
        if payload.get("base_version"):
            lines.append((_("Drafted against version"), str(payload["base_version"])))
    elif category == Category.RULES and payload.get("section"):
        from chapterhouse.chapters import sections

        lines.append((_("Section"), sections.section_label(str(payload["section"]))))
        if payload.get("shown") is not None:
            lines.append((_("Shown"), _("yes") if payload["shown"] else _("no, turned off")))
        if payload.get("visibility"):
            lines.append((_("Who sees it"),
                          str(sections.Visibility(payload["visibility"]).label)))
        if payload.get("posting") == sections.Posting.GROUP:
            directory = sections.groups()
            name = directory.name(str(payload.get("group"))) if directory else None
            lines.append((_("Who posts in it"),
                          _("the working group “%(name)s” and the facilitators")
                          % {"name": name or _("a group that no longer exists")}))
        elif payload.get("posting"):
            lines.append((_("Who posts in it"), str(sections.Posting(payload["posting"]).label)))
    elif category == Category.RULES and isinstance(payload.get("newcomer_limits"), dict):
        from chapterhouse.chapters import limits

        for key, value in payload["newcomer_limits"].items():
            if key in limits.FIELDS:
                lines.append((limits.label(key), str(value)))
    elif category == Category.RULES:
        lines.append((_("Rule for the category"), category_label(str(payload.get("category")))))
        if payload.get("method"):
            lines.append((_("Voting method"), method_label(str(payload["method"]))))
        params = payload.get("params") or {}
        for key, label in (("threshold", _("Threshold")), ("quorum", _("Quorum")),
                           ("block_limit", _("Block limit"))):
            if params.get(key) is not None:
                lines.append((label, fraction_text(float(params[key]))))
        for key, label in (("min_choices", _("Fewest approvals")),
                           ("max_choices", _("Most approvals")),
                           ("tie_break", _("Ties"))):
            if params.get(key) is not None:
                lines.append((label, str(params[key])))
        for key, label in (("deliberation_days", _("Deliberation (days)")),
                           ("amendment_days", _("Amendments (days)")),
                           ("voting_days", _("Voting (days)"))):
            if payload.get(key) is not None:
                lines.append((label, str(payload[key])))
        if payload.get("secret") is not None:
            lines.append((_("Ballot"), _("secret") if payload["secret"] else _("open")))
        if payload.get("allow_self_declared_stakes") is not None:
            lines.append((_("Declared stakes"), _("allowed") if
                          payload["allow_self_declared_stakes"] else _("not allowed")))
        if payload.get("self_declared_cap") is not None:
            lines.append((_("Highest declared weight"), number(payload["self_declared_cap"])))
        if payload.get("objection_threshold") is not None:
            lines.append((_("Objections to weights: threshold"),
                          fraction_text(float(payload["objection_threshold"]))))
        if payload.get("objection_resolution"):
            lines.append((_("Objections to weights past the threshold"),
                          objection_resolution_label(str(payload["objection_resolution"]))))
        if payload.get("meeting_votes") is not None:
            lines.append((_("Votes taken at a meeting"),
                          _("may be recorded") if payload["meeting_votes"]
                          else _("may not be recorded")))
        if payload.get("alternatives_method"):
            lines.append((_("When alternatives compete"),
                          method_label(str(payload["alternatives_method"]))))
    elif category == Category.ROLES:
        from chapterhouse.members.models import Member

        member = Member.objects.filter(public_id=str(payload["member"])).first() \
            if payload.get("member") else None
        action = _("Grant the facilitator role to") if payload.get("action") == "grant" \
            else _("Revoke the facilitator role of")
        lines.append((action, member.display_name if member else _("an unknown member")))
    return lines


# -- The history of a proposal -----------------------------------------------------------


@dataclass
class TimelineEntry:
    kind: str
    when: Any
    text: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, label)


def _chapter_names(paths: set[str]) -> dict[str, Chapter]:
    if not paths:
        return {}
    return {c.url_path: c for c in Chapter.objects.filter(url_path__in=paths)}


def _proposal_url(public_id: Any) -> str:
    return reverse("decisions:detail", kwargs={"public_id": public_id})


def timeline(proposal: Proposal) -> list[TimelineEntry]:
    """The proposal's public history in words (two queries: events, chapters named)."""
    events = list(selectors.proposal_history(proposal))
    paths: set[str] = set()
    for event in events:
        data = event.data or {}
        for key in ("from", "to", "scope"):
            if isinstance(data.get(key), str) and event.kind != ProposalEvent.Kind.REFERRED_FROM:
                paths.add(data[key])
        if event.kind == ProposalEvent.Kind.REFERRED_FROM and data.get("scope") is not None:
            paths.add(data["scope"])
        if event.kind == ProposalEvent.Kind.REFERRED_DOWN:
            paths.update(t.get("chapter", "") for t in data.get("to", []))
        if event.kind == ProposalEvent.Kind.AFFECTEDNESS_CHANGED:
            paths.update(g.get("chapter", "") for g in data.get("groups", []))
    chapters = _chapter_names(paths)

    def chapter_name(path: str) -> str:
        chapter = chapters.get(path)
        return chapter.display_name() if chapter else (path or _("International"))

    entries = []
    for event in events:
        actor = event.actor.display_name if event.actor else ""
        data = event.data or {}
        links: list[tuple[str, str]] = []
        kind = event.kind
        K = ProposalEvent.Kind
        if kind == K.CREATED:
            text = _("%(actor)s wrote the first draft.") % {"actor": actor or _("Someone")}
        elif kind == K.EDITED:
            text = _("%(actor)s edited the draft.") % {"actor": actor or _("Someone")}
        elif kind == K.PUBLISHED:
            text = _("%(actor)s published the proposal: deliberation began.") % {
                "actor": actor or _("Someone")}
        elif kind == K.AMENDMENT_PROPOSED:
            text = _("%(actor)s proposed amendment %(n)s.") % {
                "actor": actor or _("Someone"), "n": data.get("amendment")}
        elif kind == K.AMENDMENT_ACCEPTED:
            text = (_("%(actor)s accepted amendment %(n)s as an option.") if data.get("as_option")
                    else _("%(actor)s accepted amendment %(n)s into the text.")) % {
                "actor": actor or _("Someone"), "n": data.get("amendment")}
        elif kind == K.AMENDMENT_WITHDRAWN:
            text = _("%(actor)s withdrew amendment %(n)s.") % {
                "actor": actor or _("Someone"), "n": data.get("amendment")}
        elif kind == K.AFFECTEDNESS_CHANGED:
            groups = "; ".join(_("%(chapter)s, weight %(weight)s") % {
                "chapter": chapter_name(g.get("chapter", "")), "weight": number(g.get("weight"))}
                for g in data.get("groups", []))
            text = _("%(actor)s set the affected groups: %(groups)s.") % {
                "actor": actor or _("Someone"),
                "groups": groups or _("everyone in the scope with weight 1")}
        elif kind == K.STAKE_DECLARED:
            text = _("%(actor)s declared a stake of %(weight)s: “%(reason)s”.") % {
                "actor": actor or _("Someone"), "weight": number(data.get("weight")),
                "reason": data.get("reason", "")}
        elif kind == K.STAKE_WITHDRAWN:
            text = _("%(actor)s withdrew their declared stake.") % {
                "actor": actor or _("Someone")}
        elif kind == K.MOVED_UP:
            text = _("%(actor)s moved the proposal up from %(old)s to %(new)s.") % {
                "actor": actor or _("Someone"), "old": chapter_name(data.get("from", "")),
                "new": chapter_name(data.get("to", ""))}
        elif kind == K.REFERRED_DOWN:
            text = _("%(actor)s referred the proposal down to its sub-chapters.") % {
                "actor": actor or _("Someone")}
            for target in data.get("to", []):
                links.append((_proposal_url(target.get("proposal")),
                              chapter_name(target.get("chapter", ""))))
        elif kind == K.REFERRED_FROM:
            text = _("Referred here from %(scope)s.") % {
                "scope": chapter_name(data.get("scope", ""))}
            if data.get("from"):
                links.append((_proposal_url(data["from"]), _("the original proposal")))
        elif kind == K.VOTING_OPENED:
            text = ngettext(
                "Voting opened. The roll was frozen: %(size)s member with a total weight "
                "of %(weight)s (hash %(hash)s…).",
                "Voting opened. The roll was frozen: %(size)s members with a total weight "
                "of %(weight)s (hash %(hash)s…).",
                int(data.get("roll_size") or 0)) % {
                "size": number(data.get("roll_size")), "weight": number(data.get("total_weight")),
                "hash": str(data.get("roll_hash", ""))[:16]}
        elif kind == K.CLOSED:
            text = _("Voting closed: %(outcome)s. Decision record #%(sequence)s.") % {
                "outcome": OUTCOME_LABELS.get(data.get("outcome", ""), data.get("outcome", "")),
                "sequence": data.get("sequence")}
        elif kind == K.WITHDRAWN:
            text = _("%(actor)s withdrew the proposal.") % {"actor": actor or _("Someone")}
        elif kind == K.DISSENT_ADDED:
            text = _("%(actor)s added a dissent to the record.") % {"actor": actor or _("Someone")}
        else:
            text = str(event.get_kind_display())
        entries.append(TimelineEntry(kind=kind, when=event.created_at, text=text, links=links))
    return entries


# -- Diffs ---------------------------------------------------------------------------------


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    sign: str
    text: str


def diff_lines(blocks: Sequence[selectors.DiffBlock], context: int = 3) -> list[DiffLine]:
    """A line diff for a <pre>, with long unchanged stretches folded. Plain text: the
    template escapes it (never HTML from difflib)."""
    lines: list[DiffLine] = []
    for index, block in enumerate(blocks):
        if block.tag == "equal":
            old = block.old
            first, last = index == 0, index == len(blocks) - 1
            if len(old) > 2 * context + 1:
                head = [] if first else old[:context]
                tail = [] if last else old[-context:]
                lines += [DiffLine("same", " ", t) for t in head]
                folded = len(old) - len(head) - len(tail)
                lines.append(DiffLine("fold", "…", ngettext("(%(n)s unchanged line)",
                                                            "(%(n)s unchanged lines)", folded)
                                      % {"n": folded}))
                lines += [DiffLine("same", " ", t) for t in tail]
            else:
                lines += [DiffLine("same", " ", t) for t in old]
            continue
        lines += [DiffLine("removed", "−", t) for t in block.old]
        lines += [DiffLine("added", "+", t) for t in block.new]
    return lines
