"""Moving a proposal up to a containing chapter, or referring it down."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from chapterhouse.chapters import selectors as chapter_selectors
from chapterhouse.lib.collation import localized_order
from chapterhouse.lib.interface import member_required, submit_form

from .. import services
from ..access import access_proposal
from ..forms import (
    MoveUpForm,
    ReferDownForm,
)
from .common import scope_chain


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def move_up(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = access_proposal(
        request, public_id, "decisions.move_up",
        denied=_("Only the author or a facilitator of the scope can move a proposal, before "
                 "voting opens."))
    ancestors = scope_chain(proposal.chapter)[:-1]
    if not ancestors:
        raise PermissionDenied(_("International contains every chapter: there is nowhere "
                                 "further up."))
    status = 200
    form = MoveUpForm(request.POST or None, ancestors=ancestors)
    if request.method == "POST":
        done = submit_form(
            request, form,
            lambda: services.move_up(proposal=proposal, to_chapter=form.chapter(),
                                     actor=member_required(request)),
            success=lambda _moved: _("The proposal moved up to %(chapter)s.")
            % {"chapter": form.chapter().display_name()},
            then=proposal.get_absolute_url())
        if done is not None:
            return done
        status = 400
    return render(request, "decisions/move.html", {
        "proposal": proposal, "scope_chain": scope_chain(proposal.chapter), "form": form,
        "direction": "up",
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def refer_down(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = access_proposal(
        request, public_id, "decisions.refer_down",
        denied=_("Only the author or a facilitator of the scope can refer a proposal down, "
                 "during deliberation."))
    children = list(
        chapter_selectors.children_of(proposal.chapter).order_by(localized_order(), "path")[:500]
    )
    status = 200
    form = ReferDownForm(request.POST or None, children=children)
    if request.method == "POST":
        done = submit_form(
            request, form,
            lambda: services.refer_down(proposal=proposal, to_chapters=form.selected(),
                                        actor=member_required(request)),
            success=lambda copies: ngettext(
                "The proposal is referred to %(n)s sub-chapter.",
                "The proposal is referred to %(n)s sub-chapters.", len(copies))
            % {"n": len(copies)},
            then=proposal.get_absolute_url())
        if done is not None:
            return done
        status = 400
    return render(request, "decisions/move.html", {
        "proposal": proposal, "scope_chain": scope_chain(proposal.chapter), "form": form,
        "direction": "down",
    }, status=status)

