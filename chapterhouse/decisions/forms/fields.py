"""What several decision forms parse: shares, chapters and members typed by name."""

from __future__ import annotations

import re
import uuid
from fractions import Fraction
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chapterhouse.chapters.models import Chapter
from chapterhouse.members.models import Member

from ..models import Method
from ..services import MAX_OPTIONS

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
    # What was typed is an address (url_path text), not yet a chapter: the prefix
    # tests below read the text; the tree is asked through Chapter.objects.within.
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
        Chapter.objects.within(scope)
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
    from chapterhouse.members.selectors import members_listed_for

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
