"""Forms of the decision pages. They parse and check what a person typed; the services
decide (and refuse with a DecisionError, which the views show as a form error).

Everything works without JavaScript: options are a fixed number of text inputs
(blank ones ignored), affected groups a formset with extra rows, rankings are
numbered selects. decisions.js only adds rows and conveniences.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chapterhouse.chapters.models import Chapter
from chapterhouse.members.models import Member

from . import presenters, selectors
from .models import MAX_WEIGHT, MULTI_OPTION_METHODS, Amendment, Category, Decision, Method
from .services import MAX_OPTIONS, MAX_PERIOD_DAYS, GroupInput

OPTION_INPUTS = 6  # text inputs for options without JavaScript
MAX_OPTION_INPUTS = MAX_OPTIONS
OPTION_FIELD = re.compile(r"^option_(\d+)$")

# The voting parameters each method takes besides quorum and tie-break (voting.params).
METHOD_PARAMS: dict[str, tuple[str, ...]] = {
    Method.MAJORITY: ("threshold",),
    Method.SUPERMAJORITY: ("threshold",),
    Method.CONSENSUS: ("threshold", "block_limit"),
    Method.APPROVAL: ("min_choices", "max_choices"),
}
COMMON_PARAMS = ("quorum", "tie_break", "seed")
KEEP = ""
YES_NO_KEEP = [(KEEP, gettext_lazy("keep as it is")), ("yes", gettext_lazy("yes")),
               ("no", gettext_lazy("no"))]


def parse_share(value: str) -> float:
    """"2/3", "0.67", "67%", "67 %" → a share from 0 to 1 (ValidationError otherwise)."""
    text = value.strip().replace(",", ".")
    try:
        if text.endswith("%"):
            share = Fraction(text[:-1].strip()) / 100
        else:
            share = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValidationError(
            _("Write a share as a fraction (2/3), a decimal (0.67) or a percentage (67%).")
        ) from None
    if not 0 <= share <= 1:
        raise ValidationError(_("A share is between 0 and 1 (0% and 100%)."))
    return float(share)


def share_input(value: float) -> str:
    """A share as it is typed back into a ShareField: 2/3, 1/2, or 0.15."""
    simple = Fraction(value).limit_denominator(12)
    if abs(float(simple) - value) < 1e-9:
        return f"{simple.numerator}/{simple.denominator}" if simple.denominator > 1 \
            else str(simple.numerator)
    return repr(value)


class ShareField(forms.Field):
    """A share typed as 2/3, 0.67 or 67%; blank is None."""

    widget = forms.TextInput(attrs={"maxlength": "20", "inputmode": "decimal"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> float | None:
        text = str(value or "").strip()[:20]
        return parse_share(text) if text else None


def resolve_chapter(value: str, scope: Chapter) -> Chapter:
    """A chapter typed as its path ("gb/eng/london/hackney", "/c/gb/…/"), or as a name
    that is unique inside `scope`. Paths may lie outside the scope (the service then
    says where to move the proposal); names are looked up inside it only."""
    text = value.strip()
    path = text.strip("/")
    if path.startswith("c/"):
        path = path[2:]
    path = path.strip("/").lower()
    if path == "international":
        path = ""
    chapter = Chapter.objects.filter(url_path=path).first() if path or text == "/" or \
        text.lower() == "international" else None
    if chapter is None and scope.url_path and path and not path.startswith(scope.url_path):
        chapter = Chapter.objects.filter(url_path=f"{scope.url_path}/{path}").first()
    if chapter is not None:
        return chapter
    named = list(
        Chapter.objects.filter(path__startswith=scope.path)
        .filter(Q(name__iexact=text) | Q(slug=path))[:3]
    )
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise ValidationError(
            _("Several chapters in %(scope)s are called “%(name)s”: choose one by its path, "
              "e.g. %(example)s.")
            % {"scope": scope.display_name(), "name": text, "example": named[0].url_path}
        )
    raise ValidationError(
        _("There is no chapter “%(name)s” in %(scope)s.")
        % {"name": text, "scope": scope.display_name()}
    )


def resolve_member(value: str, scope: Chapter, viewer: Member | None = None) -> Member:
    """A member typed as their public id (or profile address), or a display name that
    is unique among the members of `scope` that `viewer` may see listed."""
    from chapterhouse.chapters.selectors import members_listed_for

    text = value.strip()
    found = re.search(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                      r"[0-9a-fA-F]{12}", text)
    if found:
        member = Member.objects.filter(public_id=uuid.UUID(found.group(0)),
                                       user__is_active=True).first()
        if member is not None:
            return member
    named = list(members_listed_for(scope, viewer).filter(display_name__iexact=text)[:2])
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise ValidationError(
            _("Several members of %(scope)s are called “%(name)s”: paste the address of the "
              "right one's profile.") % {"scope": scope.display_name(), "name": text}
        )
    raise ValidationError(
        _("No member of %(scope)s is called “%(name)s”.")
        % {"scope": scope.display_name(), "name": text}
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
    rule_stakes_cap = forms.FloatField(
        label=gettext_lazy("Highest weight a member may declare"), required=False,
        min_value=0, max_value=MAX_WEIGHT)
    rule_alternatives_method = forms.ChoiceField(
        label=gettext_lazy("Method when alternatives compete"), required=False,
        choices=[(KEEP, gettext_lazy("keep as it is")),
                 *[(m.value, m.label) for m in Method if m in MULTI_OPTION_METHODS]],
    )

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

    @classmethod
    def initial_for(cls, proposal: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": proposal.title, "text": proposal.text, "category": proposal.category,
        }
        for i, option in enumerate(proposal.options.order_by("position", "id"), start=1):
            initial[f"option_{i}"] = option.label
        payload = proposal.payload or {}
        if proposal.category == Category.RULES and payload:
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
            if payload.get("self_declared_cap") is not None:
                initial["rule_stakes_cap"] = payload["self_declared_cap"]
        if proposal.category == Category.ROLES and payload:
            initial["role_action"] = payload.get("action", "")
            member = Member.objects.filter(public_id=str(payload["member"])).first() \
                if payload.get("member") else None
            initial["role_member"] = str(member.public_id) if member else ""
        return initial

    def clean_category(self) -> str:
        category = self.cleaned_data["category"]
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

    def _rule_payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
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
        if data.get("rule_stakes_cap") is not None:
            payload["self_declared_cap"] = data["rule_stakes_cap"]
        if data.get("rule_alternatives_method"):
            payload["alternatives_method"] = data["rule_alternatives_method"]
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


class BaseAffectedGroupFormSet(forms.BaseFormSet):
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


# -- During deliberation -------------------------------------------------------------------


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Your amendment"), widget=forms.RadioSelect,
        choices=[
            (Amendment.Kind.TEXT_CHANGE, gettext_lazy("changes the text")),
            (Amendment.Kind.ALTERNATIVE, gettext_lazy("is an alternative option on the ballot")),
        ],
    )
    label = forms.CharField(
        label=gettext_lazy("Label on the ballot"), required=False, max_length=200,
        help_text=gettext_lazy("Needed for an alternative: a few words voters choose by."),
    )
    text = forms.CharField(label=gettext_lazy("Text"), max_length=50_000,
                           widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=gettext_lazy("Markdown."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("kind") == Amendment.Kind.ALTERNATIVE and not (data.get("label") or "").strip():
            self.add_error("label", _("Give the alternative a short label for the ballot."))
        return data


class StakeForm(forms.Form):
    weight = forms.FloatField(
        label=gettext_lazy("Your weight"), min_value=0.5, max_value=MAX_WEIGHT,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    reason = forms.CharField(label=gettext_lazy("Why you are more affected (public)"),
                             max_length=300)

    def __init__(self, *args: Any, cap: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cap is not None:
            self.fields["weight"].widget.attrs["max"] = str(cap)
            self.fields["weight"].help_text = _("At most %(cap)s.") % {
                "cap": presenters.number(cap)}


class MoveUpForm(forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("Move up to"))

    def __init__(self, *args: Any, ancestors: Sequence[Chapter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chapters = {c.url_path: c for c in ancestors}
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            (c.url_path, c.display_name()) for c in reversed(ancestors)
        ]

    def chapter(self) -> Chapter:
        return self.chapters[self.cleaned_data["to"]]


class ReferDownForm(forms.Form):
    to = forms.MultipleChoiceField(label=gettext_lazy("Refer to"),
                                   widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, children: Sequence[Chapter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chapters = {c.url_path: c for c in children}
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            (c.url_path, c.display_name()) for c in children
        ]

    def selected(self) -> list[Chapter]:
        return [self.chapters[p] for p in self.cleaned_data["to"]]


# -- Voting ----------------------------------------------------------------------------------


BLANK = "__blank__"


class BallotForm(forms.Form):
    """The ballot of one vote, built for its method and options.

    majority/supermajority: yes/no/abstain; consent and consensus: their choices with
    a reason where required; plurality: one option (or blank); approval: checkboxes;
    score: a 0–5 select per option; ranked (Schulze, instant runoff): a rank select per
    option (blank = unranked). `ballot()` gives what the voting package expects.
    """

    def __init__(self, *args: Any, method: str, options: Sequence[tuple[str, str]],
                 needs_receipt: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.method = method
        self.options = list(options)
        self.ranked = method in presenters.RANKED_METHODS
        if method in presenters.CHOICES:
            self.fields["choice"] = forms.ChoiceField(
                label=_("Your vote"), widget=forms.RadioSelect,
                choices=[(c, presenters.CHOICE_LABELS[c]) for c in presenters.CHOICES[method]],
                error_messages={"required": _("Choose how you vote.")},
            )
            if method in presenters.REASON_REQUIRED:
                needs = ", ".join(str(presenters.CHOICE_LABELS[c]).lower()
                                  for c in presenters.CHOICES[method]
                                  if c in presenters.REASON_REQUIRED[method])
                self.fields["reason"] = forms.CharField(
                    label=_("Your reason"), required=False, max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text=_("Required for: %(choices)s. It is published with the result.")
                    % {"choices": needs},
                )
        elif method == Method.PLURALITY:
            self.fields["option"] = forms.ChoiceField(
                label=_("Your choice"), widget=forms.RadioSelect,
                choices=[*self.options, (BLANK, _("Blank ballot (counts for turnout only)"))],
                error_messages={"required": _("Choose an option, or a blank ballot.")},
            )
        elif method == Method.APPROVAL:
            self.fields["approve"] = forms.MultipleChoiceField(
                label=_("Options you approve of"), required=False,
                widget=forms.CheckboxSelectMultiple, choices=self.options,
            )
        elif method == Method.SCORE:
            for key, label in self.options:
                self.fields[f"score_{key}"] = forms.TypedChoiceField(
                    label=label, required=False, coerce=int, empty_value=None,
                    choices=[("", "—"), *[(i, str(i)) for i in range(presenters.MAX_SCORE + 1)]],
                )
        elif self.ranked:
            count = len(self.options)
            for key, label in self.options:
                self.fields[f"rank_{key}"] = forms.TypedChoiceField(
                    label=label, required=False, coerce=int, empty_value=None,
                    choices=[("", "—"), *[(i, str(i)) for i in range(1, count + 1)]],
                )
        if needs_receipt:
            self.fields["receipt"] = forms.CharField(
                label=_("Your receipt code"), max_length=100,
                help_text=_("The code you were shown when you first voted. Without it a "
                            "secret ballot cannot be changed."),
                error_messages={"required": _("Give your receipt code to change your ballot.")},
            )

    @classmethod
    def initial_for(cls, method: str, ballot: Mapping[str, Any] | None) -> dict[str, Any]:
        if not ballot:
            return {}
        if "choice" in ballot:
            return {"choice": ballot["choice"], "reason": ballot.get("reason", "")}
        if "option" in ballot:
            return {"option": ballot["option"]}
        if "approve" in ballot:
            return {"approve": list(ballot["approve"])}
        if "scores" in ballot:
            return {f"score_{k}": v for k, v in ballot["scores"].items()}
        if "ranking" in ballot:
            return {f"rank_{k}": i for i, k in enumerate(ballot["ranking"], start=1)}
        return {}

    def rank_fields(self) -> list[forms.BoundField]:
        return [self[f"rank_{key}"] for key, _label in self.options] if self.ranked else []

    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{key}"] for key, _label in self.options] \
            if self.method == Method.SCORE else []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if self.method in presenters.REASON_REQUIRED and data.get("choice") in \
                presenters.REASON_REQUIRED[self.method] and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for “%(choice)s”: it is published with "
                                       "the result.")
                           % {"choice": presenters.CHOICE_LABELS[data["choice"]]})
        if self.ranked:
            by_rank: dict[int, list[str]] = {}
            for key, label in self.options:
                rank = data.get(f"rank_{key}")
                if rank is not None:
                    by_rank.setdefault(rank, []).append(label)
            for rank, labels in sorted(by_rank.items()):
                if len(labels) > 1:
                    self.add_error(None, _("%(options)s all have rank %(rank)s: give each "
                                           "option its own rank.")
                                   % {"options": ", ".join(labels), "rank": rank})
        return data

    def ballot(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.method in presenters.CHOICES:
            ballot: dict[str, Any] = {"choice": data["choice"]}
            reason = (data.get("reason") or "").strip()
            if reason and self.method in presenters.REASON_REQUIRED:
                ballot["reason"] = reason
            return ballot
        if self.method == Method.PLURALITY:
            return {} if data["option"] == BLANK else {"option": data["option"]}
        if self.method == Method.APPROVAL:
            return {"approve": list(data.get("approve") or [])}
        if self.method == Method.SCORE:
            return {"scores": {key: data[f"score_{key}"] for key, _l in self.options
                               if data.get(f"score_{key}") is not None}}
        ranked = sorted(
            ((data[f"rank_{key}"], index, key) for index, (key, _l) in enumerate(self.options)
             if data.get(f"rank_{key}") is not None)
        )
        return {"ranking": [key for _rank, _index, key in ranked]}


class DissentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your dissent"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Published with the record, under your name. Markdown."),
        error_messages={"required": gettext_lazy("Write your dissent.")},
    )


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label=gettext_lazy("Receipt code"), max_length=100)


# -- The decision log -----------------------------------------------------------------------


class DecisionFilterForm(forms.Form):
    chapter = forms.CharField(
        label=gettext_lazy("Chapter"), required=False, max_length=400,
        widget=forms.TextInput(attrs={"placeholder": "gb/eng/london"}),
        help_text=gettext_lazy("Its path, e.g. gb/eng/london; “international” for International."),
    )
    subchapters = forms.BooleanField(label=gettext_lazy("and its sub-chapters"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), required=False,
        choices=[("", gettext_lazy("any")), *Decision.Outcome.choices],
    )
    since = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, categories: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = list(dict.fromkeys([*Category.values, *categories]))
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("any"))] + [
            (c, presenters.category_label(c)) for c in known
        ]

    def clean_chapter(self) -> Chapter | None:
        value = (self.cleaned_data.get("chapter") or "").strip().strip("/")
        if not value:
            return None
        path = "" if value.lower() == "international" else value.lower()
        chapter = Chapter.objects.filter(url_path=path).first()
        if chapter is None:
            raise ValidationError(_("There is no such chapter."))
        return chapter

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end comes before the start."))
        return data

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors.decisions()."""
        from datetime import datetime, time

        from django.utils import timezone

        data = self.cleaned_data if self.is_valid() else {}
        tz = timezone.get_current_timezone()
        since, until = data.get("since"), data.get("until")
        return {
            "chapter": data.get("chapter"),
            "include_subchapters": bool(data.get("subchapters")),
            "category": data.get("category") or None,
            "outcome": data.get("outcome") or None,
            "since": datetime.combine(since, time.min, tzinfo=tz) if since else None,
            "until": datetime.combine(until, time.min, tzinfo=tz) + timedelta(days=1)
            if until else None,
        }
