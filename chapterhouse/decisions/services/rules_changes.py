"""What a "rules" or "roles" proposal carries, checked when drafted, and how a
passed one applies. A "rules" proposal changes either a voting rule (a category's
method, periods…), one of the chapter's sections (chapters.sections: shown, who
sees it, who posts in it), its newcomer limits (chapters.limits:
{"newcomer_limits": {"posts_per_hour": …, "links_per_post": …, "days": …, "posts": …}}),
or a section of one of its founding documents
(documents: {"document_section": <section public id>, "text": …, "heading"?: …})."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chapterhouse import voting
from chapterhouse.chapters import limits, sections
from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.documents import services as document_services
from chapterhouse.lib import audit
from chapterhouse.lib import cache as lib_cache
from chapterhouse.lib.errors import Refused
from chapterhouse.members.models import Member
from chapterhouse.notifications.messages import place
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from .. import selectors
from ..models import (
    MAX_WEIGHT,
    MULTI_OPTION_METHODS,
    Category,
    Decision,
    DecisionRule,
    Method,
    ObjectionResolution,
    Proposal,
)
from .common import (
    _COMMON_PARAMS,
    _PARAMS_OF,
    MAX_OPTIONS,
    MAX_PERIOD_DAYS,
    DecisionError,
    _belongs,
)

RULE_FIELDS = (
    "method", "params", "alternatives_method", "deliberation_days", "amendment_days",
    "voting_days", "secret", "allow_self_declared_stakes", "self_declared_cap",
    "objection_threshold", "objection_resolution", "meeting_votes",
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
    threshold = values.get("objection_threshold")
    threshold = 0.25 if threshold is None else threshold
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) \
            or not 0 < threshold <= 1:
        raise DecisionError(_("The objections threshold is a share of the roll's weight, "
                              "above 0 and at most 1."))
    resolution = values.get("objection_resolution") or ObjectionResolution.PARENT_FACILITATORS
    if resolution not in ObjectionResolution.values:
        raise DecisionError(_("Unknown way to settle objections to weights: %(value)s.")
                            % {"value": resolution})
    return {
        "method": method,
        "params": dict(params),
        "alternatives_method": alternatives,
        **days,
        "secret": bool(values.get("secret", False)),
        "allow_self_declared_stakes": bool(values.get("allow_self_declared_stakes", False)),
        "self_declared_cap": float(cap),
        "objection_threshold": float(threshold),
        "objection_resolution": str(resolution),
        "meeting_votes": bool(values.get("meeting_votes", False)),
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


def _section_change(payload: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return sections.clean_change(payload)
    except Refused as refusal:
        raise DecisionError(refusal.message) from refusal


def _limits_change(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The chapter's newcomer limits changed (chapters.limits)."""
    unknown = set(payload) - {"newcomer_limits"}
    if unknown:
        raise DecisionError(_("Unknown fields in the change of the newcomer limits: "
                              "%(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    try:
        return {"newcomer_limits": limits.clean_change(payload["newcomer_limits"])}
    except Refused as refusal:
        raise DecisionError(refusal.message) from refusal


def _document_change(scope: Chapter, payload: Mapping[str, Any]) -> dict[str, Any]:
    """A founding document's section amended: checked by the documents app. The
    version it is drafted against is kept with it (`base_version`)."""
    unknown = set(payload) - {"document_section", "text", "heading", "base_version"}
    if unknown:
        raise DecisionError(_("Unknown fields in the amendment of a section: %(fields)s.")
                            % {"fields": ", ".join(sorted(unknown))})
    try:
        checked = document_services.check_amendment(
            chapter=scope, section_public_id=payload.get("document_section"),
            text=payload.get("text"), heading=payload.get("heading"))
    except Refused as refusal:
        raise DecisionError(refusal.message) from refusal
    base = payload.get("base_version")
    if not isinstance(base, int) or isinstance(base, bool) or base < 1:
        base = checked["section"].version
    return {**checked["payload"], "base_version": base}


def _uuid_or_none(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError):
        return None


def _clean_payload(
    scope: Chapter, category: str, payload: Mapping[str, Any] | None
) -> dict[str, Any]:
    payload = dict(payload or {})
    if category == Category.RULES and "document_section" in payload:
        payload = _document_change(scope, payload)
    elif category == Category.RULES and "section" in payload:
        _section_change(payload)
    elif category == Category.RULES and "newcomer_limits" in payload:
        payload = _limits_change(payload)
    elif category == Category.RULES:
        _rule_change(scope, payload)
    elif category == Category.ROLES:
        _role_change(scope, payload)
    elif payload:
        raise DecisionError(_("Only rules and roles proposals carry a structured change."))
    return payload


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
            if proposal.category == Category.RULES and "document_section" in proposal.payload:
                return _apply_document_change(proposal, scope)
            if proposal.category == Category.RULES and "section" in proposal.payload:
                return _apply_section_change(proposal, scope)
            if proposal.category == Category.RULES and "newcomer_limits" in proposal.payload:
                return _apply_limits_change(proposal, scope)
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


def _apply_section_change(proposal: Proposal, scope: Chapter) -> dict[str, Any]:
    from chapterhouse.chapters import services as chapter_services

    change = _section_change(proposal.payload)
    after = chapter_services.set_section(chapter=scope, change=change)
    return {"applied": True, "kind": "section", "section": change["section"],
            "shown": after.shown, "visibility": after.visibility, "posting": after.posting,
            **({"group": after.group} if after.group else {})}


def _apply_limits_change(proposal: Proposal, scope: Chapter) -> dict[str, Any]:
    from chapterhouse.chapters import services as chapter_services

    change = _limits_change(proposal.payload)["newcomer_limits"]
    after = chapter_services.set_newcomer_limits(chapter=scope, change=change)
    return {"applied": True, "kind": "newcomer_limits", **limits.as_dict(after)}


def _apply_document_change(proposal: Proposal, scope: Chapter) -> dict[str, Any]:
    """The section's new version, naming this decision (its record's address). The
    text as it was voted is applied, even if the section changed since drafting (the
    last decision wins); the effect says which version it replaced."""
    from django.urls import reverse

    payload = proposal.payload
    section = document_services.section_for_amendment(
        chapter=scope, section_public_id=payload.get("document_section"))
    if section is None:
        raise DecisionError(_("The section this proposal amends no longer exists."))
    try:
        version = document_services.amend_section(
            section=section, heading=payload.get("heading"), text=str(payload.get("text", "")),
            decision_public_id=proposal.public_id,
            decision_url=reverse("decisions:record", kwargs={"public_id": proposal.public_id}),
            summary=proposal.title, based_on=payload.get("base_version"),
        )
    except Refused as refusal:
        raise DecisionError(refusal.message) from refusal
    return {"applied": True, "kind": "document_section",
            "document_section": str(section.public_id), "document": section.document.title,
            "version": version.number, "replaced": version.number - 1,
            "drafted_against": payload.get("base_version")}


def _apply_role_change(proposal: Proposal, scope: Chapter) -> dict[str, Any]:
    from chapterhouse.chapters import services as chapter_services

    action, member = _role_change(scope, proposal.payload)
    effect = {"applied": True, "kind": "role", "action": action,
              "member": str(member.public_id), "chapter": scope.url_path,
              "role": ChapterRole.Role.FACILITATOR.value}
    if action == "grant":
        chapter_services.grant_role(chapter=scope, member=member,
                                    source=ChapterRole.Source.DECISION, accepted=True)
        _tell_of_role(proposal, scope, member, Kind.ROLE_GRANTED, "decisions.role_granted")
        return effect
    role = ChapterRole.objects.filter(chapter=scope, member=member,
                                      role=ChapterRole.Role.FACILITATOR).first()
    if role is None:
        raise DecisionError(_("%(name)s holds no role to revoke.")
                            % {"name": member.display_name})
    chapter_services.revoke_role(chapter_role=role)
    _tell_of_role(proposal, scope, member, Kind.ROLE_ENDED, "decisions.role_ended")
    return effect


def _tell_of_role(proposal: Proposal, scope: Chapter, member: Member, kind: Kind,
                  message: str) -> None:
    """The member whose role a decision gave or ended is told (once per decision)."""
    notify(recipients=[member], kind=kind, message=message,
           params={"title": proposal.title, "chapter": place(scope)}, url="/me/roles/",
           event=f"{message}:{proposal.pk}:{member.pk}")
