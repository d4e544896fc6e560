"""The draft form (title, text, category, options, a rules or roles change) and its
affected groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chapterhouse.chapters import limits, sections
from chapterhouse.chapters.models import Chapter
from chapterhouse.documents import selectors as document_selectors
from chapterhouse.members.models import Member

from .. import presenters, selectors
from ..models import MAX_WEIGHT, MULTI_OPTION_METHODS, Category, Method, ObjectionResolution
from ..services import MAX_OPTIONS, MAX_PERIOD_DAYS, GroupInput
from .fields import (
    COMMON_PARAMS,
    KEEP,
    MAX_OPTION_INPUTS,
    METHOD_PARAMS,
    OPTION_FIELD,
    OPTION_INPUTS,
    YES_NO_KEEP,
    ShareField,
    resolve_chapter,
    resolve_member,
    share_input,
)

# -- Proposals ----------------------------------------------------------------------------


class ProposalForm(forms.Form):
    """A draft: title, text, category, options, and the change a rules or roles
    proposal makes when it passes."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("Text"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("Markdown: **bold**, *italic*, lists, links."),
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"))

    # "rules" proposals: what the new rule says (blank fields keep the rule in force).
    rule_category = forms.ChoiceField(label=gettext_lazy("Category the rule is for"),
                                      required=False)
    rule_new_category = forms.SlugField(
        label=gettext_lazy("…or a new category"), required=False, max_length=40,
        help_text=gettext_lazy("Lowercase letters, digits and hyphens, e.g. “events”."),
    )
    rule_method = forms.ChoiceField(
        label=gettext_lazy("Voting method"), required=False,
        choices=[(KEEP, gettext_lazy("keep as it is")), *Method.choices],
    )
    rule_threshold = ShareField(
        label=gettext_lazy("Threshold"),
        help_text=gettext_lazy("For majority, supermajority and consensus: 1/2, 2/3, 75%…"),
    )
    rule_quorum = ShareField(
        label=gettext_lazy("Quorum"),
        help_text=gettext_lazy("Share of the roll's weight that must vote: 0, 10%, 1/5…"),
    )
    rule_block_limit = ShareField(
        label=gettext_lazy("Block limit (consensus)"),
        help_text=gettext_lazy("0: any block stops it; 10%: blocks of a tenth of the turnout."),
    )
    rule_min_choices = forms.IntegerField(label=gettext_lazy("Fewest approvals (approval)"),
                                          required=False, min_value=0, max_value=MAX_OPTIONS)
    rule_max_choices = forms.IntegerField(label=gettext_lazy("Most approvals (approval)"),
                                          required=False, min_value=1, max_value=MAX_OPTIONS)
    rule_tie_break = forms.ChoiceField(
        label=gettext_lazy("Ties"), required=False,
        choices=[(KEEP, gettext_lazy("keep as it is")),
                 ("no_decision", gettext_lazy("no decision")),
                 ("lot", gettext_lazy("broken by public lot"))],
    )
    rule_deliberation_days = forms.IntegerField(
        label=gettext_lazy("Deliberation (days)"), required=False, min_value=0,
        max_value=MAX_PERIOD_DAYS)
    rule_amendment_days = forms.IntegerField(
        label=gettext_lazy("Amendments (days)"), required=False, min_value=0,
        max_value=MAX_PERIOD_DAYS)
    rule_voting_days = forms.IntegerField(
        label=gettext_lazy("Voting (days)"), required=False, min_value=1,
        max_value=MAX_PERIOD_DAYS)
    rule_secret = forms.ChoiceField(label=gettext_lazy("Secret ballot"), required=False,
                                    choices=YES_NO_KEEP)
    rule_stakes = forms.ChoiceField(label=gettext_lazy("Members may declare a stronger stake"),
                                    required=False, choices=YES_NO_KEEP)
    rule_meeting_votes = forms.ChoiceField(
        label=gettext_lazy("Votes taken at a meeting may be recorded in this category"),
        required=False, choices=YES_NO_KEEP,
    )
    rule_stakes_cap = forms.FloatField(
        label=gettext_lazy("Highest weight a member may declare"), required=False,
        min_value=0, max_value=MAX_WEIGHT)
    rule_objection_threshold = ShareField(
        label=gettext_lazy("Objections to weights: threshold"),
        help_text=gettext_lazy("Share of the roll's weight whose open objections to the "
                               "weights trigger their settlement: 10%, 1/4…"),
    )
    rule_objection_resolution = forms.ChoiceField(
        label=gettext_lazy("Objections to weights past the threshold"), required=False,
        choices=[(KEEP, gettext_lazy("keep as it is")), *ObjectionResolution.choices],
    )
    rule_alternatives_method = forms.ChoiceField(
        label=gettext_lazy("Method when alternatives compete"), required=False,
        choices=[(KEEP, gettext_lazy("keep as it is")),
                 *[(m.value, m.label) for m in Method if m in MULTI_OPTION_METHODS]],
    )

    # "rules" proposals about a section of the chapter (chapters.sections) instead.
    section = forms.ChoiceField(label=gettext_lazy("…or a section of the chapter"),
                                required=False)
    section_shown = forms.ChoiceField(
        label=gettext_lazy("Show the section"), required=False,
        choices=[(KEEP, gettext_lazy("keep as it is")), ("yes", gettext_lazy("yes")),
                 ("no", gettext_lazy("no, turn it off"))],
    )
    section_visibility = forms.ChoiceField(
        label=gettext_lazy("Who sees it"), required=False,
        choices=[(KEEP, gettext_lazy("keep as it is")), *sections.Visibility.choices],
    )
    section_posting = forms.ChoiceField(
        label=gettext_lazy("Who posts in it"), required=False,
        choices=[(KEEP, gettext_lazy("keep as it is")), *sections.Posting.choices],
    )
    section_group = forms.CharField(
        label=gettext_lazy("The working group"), required=False, max_length=200,
        help_text=gettext_lazy("If a working group posts: its name, as the chapter's "
                               "projects list it. Its members and the facilitators post."),
    )

    # "rules" proposals changing the chapter's newcomer limits (chapters.limits) instead.
    newcomer_posts_per_hour = forms.IntegerField(
        label=gettext_lazy("Posts an hour for new members"), required=False,
        min_value=limits.BOUNDS["posts_per_hour"][0],
        max_value=limits.BOUNDS["posts_per_hour"][1])
    newcomer_links_per_post = forms.IntegerField(
        label=gettext_lazy("Links in a post for new members"), required=False,
        min_value=limits.BOUNDS["links_per_post"][0],
        max_value=limits.BOUNDS["links_per_post"][1])
    newcomer_days = forms.IntegerField(
        label=gettext_lazy("Days an account stays new"), required=False,
        min_value=limits.BOUNDS["days"][0], max_value=limits.BOUNDS["days"][1])
    newcomer_posts = forms.IntegerField(
        label=gettext_lazy("Posts before a member is no longer new"), required=False,
        min_value=limits.BOUNDS["posts"][0], max_value=limits.BOUNDS["posts"][1])

    # "rules" proposals amending a section of a founding document (documents) instead.
    document_section = forms.ChoiceField(
        label=gettext_lazy("…or a section of a founding document"), required=False)
    document_heading = forms.CharField(
        label=gettext_lazy("The section's new heading"), required=False, max_length=200,
        help_text=gettext_lazy("Leave it blank to keep the heading."))
    document_text = forms.CharField(
        label=gettext_lazy("The section's new text"), required=False, max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
        help_text=gettext_lazy("The whole section as it will read once the proposal passes."))

    # "roles" proposals.
    role_action = forms.ChoiceField(
        label=gettext_lazy("Role change"), required=False,
        choices=[(KEEP, "—"), ("grant", gettext_lazy("grant the facilitator role")),
                 ("revoke", gettext_lazy("revoke the facilitator role"))],
    )
    role_member = forms.CharField(
        label=gettext_lazy("Member"), required=False, max_length=200,
        help_text=gettext_lazy("Their name as shown here, or the address of their profile."),
    )

    def __init__(self, *args: Any, chapter: Chapter, viewer: Member | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chapter = chapter
        self.viewer = viewer
        self.rules = selectors.effective_rules(chapter)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (category, f"{presenters.category_label(category)} — "
                       f"{presenters.method_label(rule.method)}")
            for category, rule in self.rules.items()
        ]
        if "routine" in self.rules:
            self.fields["category"].initial = "routine"
        cast(forms.ChoiceField, self.fields["rule_category"]).choices = [(KEEP, "—")] + [
            (category, presenters.category_label(category)) for category in self.rules
        ]
        cast(forms.ChoiceField, self.fields["section"]).choices = [(KEEP, "—")] + [
            (key, sections.section_label(key)) for key in sections.OPTIONAL
        ]
        self.document_sections = {
            str(section.public_id): section
            for section in document_selectors.sections_of_chapter(chapter)
        }
        cast(forms.ChoiceField, self.fields["document_section"]).choices = [(KEEP, "—")] + [
            (key, f"{section.document.title} — {section.heading}")
            for key, section in self.document_sections.items()
        ]
        # As many option inputs as were sent (JavaScript adds some), at least six.
        count = OPTION_INPUTS
        source = self.data if self.is_bound else self.initial
        for key in source:
            match = OPTION_FIELD.match(str(key))
            if match:
                count = max(count, int(match.group(1)))
        for i in range(1, min(count, MAX_OPTION_INPUTS) + 1):
            self.fields[f"option_{i}"] = forms.CharField(
                label=_("Option %(n)s") % {"n": i}, required=False, max_length=200,
            )
        self.option_names = [f"option_{i}" for i in range(1, min(count, MAX_OPTION_INPUTS) + 1)]

    @staticmethod
    def initial_from_query(query: Mapping[str, Any], chapter: Chapter) -> dict[str, Any]:
        """A new draft's form prefilled from its address (a document's "propose a
        change" link: ?category=rules&document_section=<id>, with the text in force)."""
        initial: dict[str, Any] = {}
        if query.get("category"):
            initial["category"] = str(query["category"])
        section = document_selectors.section_by_public_id(query.get("document_section"))
        if section is not None and section.document.chapter_id == chapter.pk:
            initial.update(
                category=Category.RULES, document_section=str(section.public_id),
                document_text=str(query.get("text") or section.text),
                title=_("Amend “%(heading)s” of %(document)s")
                % {"heading": section.heading, "document": section.document.title},
            )
        return initial

    @classmethod
    def initial_for(cls, proposal: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": proposal.title, "text": proposal.text, "category": proposal.category,
        }
        for i, option in enumerate(proposal.options.order_by("position", "id"), start=1):
            initial[f"option_{i}"] = option.label
        payload = proposal.payload or {}
        if proposal.category == Category.RULES and payload.get("document_section"):
            initial["document_section"] = payload["document_section"]
            initial["document_text"] = payload.get("text", "")
            initial["document_heading"] = payload.get("heading", "")
        elif proposal.category == Category.RULES and payload.get("newcomer_limits"):
            for name, value in dict(payload["newcomer_limits"]).items():
                initial[f"newcomer_{name}"] = value
        elif proposal.category == Category.RULES and payload.get("section"):
            initial["section"] = payload["section"]
            if payload.get("shown") is not None:
                initial["section_shown"] = "yes" if payload["shown"] else "no"
            initial["section_visibility"] = payload.get("visibility", "")
            initial["section_posting"] = payload.get("posting", "")
            directory = sections.groups()
            if payload.get("group") and directory is not None:
                initial["section_group"] = directory.name(payload["group"]) or ""
        elif proposal.category == Category.RULES and payload:
            initial["rule_category"] = payload.get("category", "")
            for name in ("method", "deliberation_days", "amendment_days", "voting_days",
                         "alternatives_method"):
                if payload.get(name) is not None:
                    initial[f"rule_{name}"] = payload[name]
            params = payload.get("params") or {}
            for name in ("threshold", "quorum", "block_limit"):
                if params.get(name) is not None:
                    initial[f"rule_{name}"] = share_input(float(params[name]))
            for name in ("min_choices", "max_choices", "tie_break"):
                if params.get(name) is not None:
                    initial[f"rule_{name}"] = params[name]
            if payload.get("secret") is not None:
                initial["rule_secret"] = "yes" if payload["secret"] else "no"
            if payload.get("allow_self_declared_stakes") is not None:
                initial["rule_stakes"] = "yes" if payload["allow_self_declared_stakes"] else "no"
            if payload.get("meeting_votes") is not None:
                initial["rule_meeting_votes"] = "yes" if payload["meeting_votes"] else "no"
            if payload.get("self_declared_cap") is not None:
                initial["rule_stakes_cap"] = payload["self_declared_cap"]
            if payload.get("objection_threshold") is not None:
                initial["rule_objection_threshold"] = share_input(
                    float(payload["objection_threshold"]))
            if payload.get("objection_resolution"):
                initial["rule_objection_resolution"] = payload["objection_resolution"]
        if proposal.category == Category.ROLES and payload:
            initial["role_action"] = payload.get("action", "")
            member = Member.objects.filter(public_id=str(payload["member"])).first() \
                if payload.get("member") else None
            initial["role_member"] = str(member.public_id) if member else ""
        return initial

    def clean_category(self) -> str:
        category: str = self.cleaned_data["category"]
        if category not in self.rules:
            raise ValidationError(_("Choose one of the chapter's categories."))
        return category

    @property
    def method(self) -> str:
        rule = self.rules.get(self.cleaned_data.get("category", ""))
        return rule.method if rule is not None else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        self.options = [
            " ".join(str(data.get(name) or "").split()) for name in self.option_names
        ]
        self.options = [label for label in self.options if label]
        category = data.get("category")
        self.payload: dict[str, Any] = {}
        if category == Category.RULES:
            self.payload = self._rule_payload(data)
        elif category == Category.ROLES:
            self.payload = self._role_payload(data)
        return data

    def _section_payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = {"section": data["section"]}
        if data.get("section_shown"):
            payload["shown"] = data["section_shown"] == "yes"
        if data.get("section_visibility"):
            payload["visibility"] = data["section_visibility"]
        if data.get("section_posting"):
            payload["posting"] = data["section_posting"]
        if payload.get("posting") == sections.Posting.GROUP:
            directory = sections.groups()
            text = (data.get("section_group") or "").strip()
            found = directory.resolve(self.chapter, text) if directory and text else None
            if found is None:
                self.add_error("section_group", _(
                    "No working group of %(chapter)s is called “%(name)s”.")
                    % {"chapter": self.chapter.display_name(), "name": text}
                    if text else _("Name the working group whose members post in the section."))
                return {}
            payload["group"] = found[0]
        if len(payload) == 1:
            self.add_error("section_shown", _("Say what changes in the section."))
            return {}
        return payload

    def _document_payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        if data.get("section") or data.get("rule_new_category") or data.get("rule_category"):
            self.add_error("document_section", _(
                "A proposal changes either a rule, a section of the chapter or a section of "
                "a founding document: one of them."))
            return {}
        text = (data.get("document_text") or "").strip()
        if not text:
            self.add_error("document_text", _("Write the section's new text."))
            return {}
        payload: dict[str, Any] = {"document_section": data["document_section"], "text": text}
        if (data.get("document_heading") or "").strip():
            payload["heading"] = data["document_heading"].strip()
        return payload

    def _rule_payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        if data.get("document_section"):
            return self._document_payload(data)
        newcomer = {name: data[f"newcomer_{name}"] for name in limits.FIELDS
                    if data.get(f"newcomer_{name}") is not None}
        if newcomer:
            if data.get("section") or data.get("rule_new_category") or data.get("rule_category"):
                self.add_error("newcomer_posts_per_hour", _(
                    "A proposal changes either a rule, a section of the chapter or the "
                    "limits for new members: one of them."))
                return {}
            return {"newcomer_limits": newcomer}
        if data.get("section"):
            if data.get("rule_new_category") or data.get("rule_category"):
                self.add_error("section", _("A proposal changes either a category's rule "
                                            "or a section, not both."))
                return {}
            return self._section_payload(data)
        target = data.get("rule_new_category") or data.get("rule_category")
        if not target:
            self.add_error("rule_category", _("Choose the category whose rule changes."))
            return {}
        payload: dict[str, Any] = {"category": target}
        current = selectors.effective_rule(self.chapter, target)
        method = data.get("rule_method") or (current.method if current is not None else "")
        if data.get("rule_method"):
            payload["method"] = data["rule_method"]
        given = {
            name: data.get(f"rule_{name}")
            for name in ("threshold", "quorum", "block_limit", "min_choices", "max_choices",
                         "tie_break")
            if data.get(f"rule_{name}") not in (None, "")
        }
        if given:
            allowed = COMMON_PARAMS + METHOD_PARAMS.get(method, ())
            unknown = sorted(set(given) - set(allowed))
            if unknown:
                self.add_error(
                    f"rule_{unknown[0]}",
                    _("%(method)s does not use this setting.")
                    % {"method": presenters.method_label(method)},
                )
                return {}
            params = dict(current.params) if current is not None else {}
            params = {k: v for k, v in params.items() if k in allowed}
            params.update(given)
            if params.get("tie_break") == "lot" and not params.get("seed"):
                # A public seed the lot order is drawn from, fixed with the rule.
                params["seed"] = f"{self.chapter.url_path or 'international'}/{target}"
            payload["params"] = params
        for name in ("deliberation_days", "amendment_days", "voting_days"):
            if data.get(f"rule_{name}") is not None:
                payload[name] = data[f"rule_{name}"]
        if data.get("rule_secret"):
            payload["secret"] = data["rule_secret"] == "yes"  # noqa: S105 - a ballot, no password
        if data.get("rule_stakes"):
            payload["allow_self_declared_stakes"] = data["rule_stakes"] == "yes"
        if data.get("rule_meeting_votes"):
            payload["meeting_votes"] = data["rule_meeting_votes"] == "yes"
        if data.get("rule_stakes_cap") is not None:
            payload["self_declared_cap"] = data["rule_stakes_cap"]
        if data.get("rule_alternatives_method"):
            payload["alternatives_method"] = data["rule_alternatives_method"]
        if data.get("rule_objection_threshold") not in (None, ""):
            payload["objection_threshold"] = data["rule_objection_threshold"]
        if data.get("rule_objection_resolution"):
            payload["objection_resolution"] = data["rule_objection_resolution"]
        if len(payload) == 1:
            self.add_error("rule_method", _("Say what changes in the rule."))
            return {}
        return payload

    def _role_payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        action, who = data.get("role_action"), (data.get("role_member") or "").strip()
        if not action:
            self.add_error("role_action", _("Say whether the role is granted or revoked."))
        if not who:
            self.add_error("role_member", _("Name the member the role is for."))
            return {}
        try:
            member = resolve_member(who, self.chapter, self.viewer)
        except ValidationError as error:
            self.add_error("role_member", error)
            return {}
        return {"action": action, "member": str(member.public_id)} if action else {}


class AffectedGroupForm(forms.Form):
    chapter = forms.CharField(
        label=gettext_lazy("Sub-chapter"), max_length=400,
        widget=forms.TextInput(attrs={"list": "subchapter-list", "autocomplete": "off"}),
    )
    weight = forms.FloatField(
        label=gettext_lazy("Weight"), min_value=0, max_value=MAX_WEIGHT,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": str(int(MAX_WEIGHT))}),
        error_messages={
            "min_value": gettext_lazy("A weight is a number from 0 to 10."),
            "max_value": gettext_lazy("A weight is a number from 0 to 10."),
            "invalid": gettext_lazy("A weight is a number from 0 to 10."),
        },
    )
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=300)

    def __init__(self, *args: Any, scope: Chapter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope

    def clean_chapter(self) -> Chapter:
        return resolve_chapter(self.cleaned_data["chapter"], self.scope)


class BaseAffectedGroupFormSet(forms.BaseFormSet[AffectedGroupForm]):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            chapter = form.cleaned_data["chapter"]
            if chapter.pk in seen:
                form.add_error("chapter", _("%(chapter)s is listed twice.")
                               % {"chapter": chapter.display_name()})
            seen.add(chapter.pk)

    def groups(self) -> list[GroupInput]:
        return [
            GroupInput(chapter=f.cleaned_data["chapter"], weight=f.cleaned_data["weight"],
                       reason=f.cleaned_data["reason"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


AffectedGroupFormSet = forms.formset_factory(
    AffectedGroupForm, formset=BaseAffectedGroupFormSet, extra=2, max_num=50,
    validate_max=True, can_delete=True,
)
GROUPS_PREFIX = "groups"


def groups_formset(scope: Chapter, data: Any = None, groups: Sequence[Any] = ()) -> Any:
    initial = [
        {"chapter": g.chapter.url_path, "weight": g.weight, "reason": g.reason} for g in groups
    ]
    return AffectedGroupFormSet(
        data, initial=initial or None, prefix=GROUPS_PREFIX, form_kwargs={"scope": scope},
    )
