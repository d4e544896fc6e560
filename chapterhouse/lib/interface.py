"""The interface toolkit: what every page, API endpoint and consumer uses to know who
is asking, fetch what they ask for with permission, and run the one service of a
button. New apps use only this; see docs/architecture.md.

- `viewer_of(request)` is the person behind a request, set once per request (on the
  web and in DRF, whose token authentication sets the user later). It carries a memo
  for what the request has learnt about them (the chapters they facilitate, their
  weight in a proposal), so permission rules receive their inputs in their signature
  instead of reading values stuck onto model instances.
- `access(request, obj, view=…, permission=…)` returns the object or raises 404 when
  the viewer may not see it, 403 when they may see but not do it. Each app writes
  its `access_<thing>(request, id, permission)` on top of it, in `<app>/access.py`;
  Django and DRF turn Http404 and PermissionDenied into the same 404 and 403.
- `form_action(request, run, success=…, then=…)` is the POST-then-redirect button:
  it runs one service, turns its refusal into a page message, and redirects.
- `submit_form(request, form, run, success=…, then=…)` is the POST of a form page:
  when the form is valid it runs one service and redirects; otherwise (or when the
  service refuses, its refusal now an error of the form) the page is shown again.

Permission rules (`<app>/rules.py`, django-rules predicates) receive a `Viewer` as
their first argument: `viewer.can(name, obj)` on a request shares its memo between
checks; `user.has_perm(name, obj)` (admin, tests) goes through ViewerPermissionBackend,
which gives each call a fresh viewer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from rules.permissions import ObjectPermissionBackend

from .errors import Refused

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

T = TypeVar("T")
_MISSING = object()


class Viewer:
    """The person behind one request (possibly anonymous), and a memo of what this
    request has learnt about them. Lives as long as the request; a write forgets the
    memo (`forget`), because what it remembers may have changed."""

    __slots__ = ("user", "_member", "_memo")

    def __init__(self, user: Any) -> None:
        self.user = user
        self._member: Any = _MISSING
        self._memo: dict[Hashable, Any] = {}

    def __repr__(self) -> str:
        return f"<Viewer {self.user!r}>"

    @property
    def member(self) -> Member | None:
        """The member's profile, or None (anonymous, or staff without a profile)."""
        if self._member is _MISSING:
            user = self.user
            authenticated = user is not None and user.is_authenticated
            self._member = getattr(user, "member", None) if authenticated else None
        return cast("Member | None", self._member)

    @property
    def active_member(self) -> Member | None:
        """The member, unless their account is deactivated."""
        member = self.member
        return member if member is not None and self.user.is_active else None

    # What django-rules' own predicates (is_staff, is_authenticated…) read of a user.
    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and bool(self.user.is_authenticated)

    @property
    def is_active(self) -> bool:
        return self.is_authenticated and bool(self.user.is_active)

    @property
    def is_staff(self) -> bool:
        return self.is_authenticated and bool(self.user.is_staff)

    @property
    def is_superuser(self) -> bool:
        return self.is_authenticated and bool(self.user.is_superuser)

    def can(self, permission: str, obj: Any = None) -> bool:
        """`user.has_perm(permission, obj)`, sharing this viewer's memo between checks.
        Active superusers may do anything, as with Django's has_perm."""
        if self.is_active and self.is_superuser:
            return True
        return bool(rules.has_perm(permission, self, obj))

    def recall(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The remembered value for `key`, computing and remembering it the first time."""
        try:
            return cast(T, self._memo[key])
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def recalled(self, key: Hashable, default: Any = None) -> Any:
        """The remembered value for `key`, or `default` (nothing is remembered)."""
        return self._memo.get(key, default)

    def remember(self, key: Hashable, value: Any) -> None:
        """Remember what a page already loaded (e.g. a chapter's facilitators) so a
        rule asked later need not query for it."""
        self._memo[key] = value

    def forget(self) -> None:
        self._memo.clear()


def as_viewer(user_or_viewer: Any) -> Viewer:
    """The argument itself if it is a Viewer, else a fresh viewer for a user."""
    if isinstance(user_or_viewer, Viewer):
        return user_or_viewer
    return Viewer(user_or_viewer)


class ViewerPermissionBackend(ObjectPermissionBackend):
    """django-rules' backend, handing the rules a Viewer instead of a bare user."""

    def has_perm(self, user: Any, perm: str, *args: Any, **kwargs: Any) -> bool:
        return bool(rules.has_perm(perm, as_viewer(user), *args, **kwargs))


def viewer_of(request: Any) -> Viewer:
    """The viewer of a request (a Django HttpRequest or a DRF Request), made once per
    request and made again only if authentication changed the user (DRF's token
    authentication runs after the middleware)."""
    http = getattr(request, "_request", request)
    user = request.user
    viewer: Viewer | None = getattr(http, "_chapterhouse_viewer", None)
    if viewer is None or viewer.user is not user:
        viewer = Viewer(user)
        http._chapterhouse_viewer = viewer
    return viewer


def member_required(request: Any) -> Member:
    """The member behind the request; 403 for anyone without a member profile."""
    member = viewer_of(request).member
    if member is None:
        raise PermissionDenied(_("Only members can do this."))
    return member


def require(request: Any, permission: str, obj: Any, denied: str) -> None:
    """403 with `denied` unless the viewer has `permission` on `obj`."""
    if not viewer_of(request).can(permission, obj):
        raise PermissionDenied(denied)


def access(
    request: Any,
    obj: T | None,
    *,
    view: str | None,
    missing: str,
    permission: str | None = None,
    denied: str | None = None,
) -> T:
    """`obj` if the viewer may see it (`view`; None: anyone may) and, when a
    `permission` is named, do it; 404 with `missing` when it does not exist or may
    not be seen, 403 with `denied` when it may be seen but not acted on."""
    viewer = viewer_of(request)
    if obj is None or (view is not None and not viewer.can(view, obj)):
        raise Http404(missing)
    if permission is not None and not viewer.can(permission, obj):
        raise PermissionDenied(denied or _("You may not do this."))
    return obj


def parse_uuid(value: Any, missing: str) -> uuid.UUID:
    """A public id from a URL or a form; 404 with `missing` when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404(missing) from None


def refusal_messages(error: Refused | ValidationError) -> list[str]:
    """What a service's refusal says, as messages for the member."""
    if isinstance(error, Refused):
        return [error.message]
    return [str(message) for message in error.messages]


def form_action(
    request: HttpRequest, run: Callable[[], object], *, success: str, then: str
) -> HttpResponse:
    """A POST-then-redirect button: run one service; its refusal or its success
    becomes a message; the member goes to `then` either way."""
    try:
        run()
    except (Refused, ValidationError) as error:
        for message in refusal_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, success)
    viewer_of(request).forget()
    return redirect(then)


def add_refusal(form: Any, error: Refused | ValidationError, field: str | None = None) -> None:
    """A service's refusal as errors of `form`: a ValidationError naming fields puts each
    message on its field (on the whole form for a field the form does not have); any
    other refusal goes on `field`, or on the whole form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, refusal_messages(error))


def submit_form(
    request: HttpRequest,
    form: Any,
    run: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    then: str | Callable[[T], str],
    field: str | None = None,
) -> HttpResponse | None:
    """The POST of a form page: when `form` is valid, run its one service. Returns the
    redirect to `then` after it succeeded (with `success` as a message), or None when
    the page should be shown again with status 400: the form's errors, or the service's
    refusal as an error of the form (of `field`, or of the whole form)."""
    if not form.is_valid():
        return None
    try:
        result = run()
    except (Refused, ValidationError) as error:
        add_refusal(form, error, field)
        return None
    messages.success(request, success(result) if callable(success) else success)
    viewer_of(request).forget()
    return redirect(then(result) if callable(then) else then)


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx asked for this (django-htmx sets request.htmx)."""
    return bool(getattr(request, "htmx", False))


def api_refusal(error: Refused | ValidationError) -> Any:
    """A service's refusal as the API's 400 (a DRF ValidationError): a refusal or a
    ValidationError without fields under `non_field_errors`, one with fields under
    them. Every app's api.py raises it so (`raise api_refusal(error) from None`)."""
    from rest_framework.exceptions import ValidationError as ApiValidationError

    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return ApiValidationError({name: [str(message) for message in found]
                                   for name, found in error.message_dict.items()})
    return ApiValidationError({"non_field_errors": refusal_messages(error)})


def person(member: Any) -> dict[str, str] | None:
    """A member as the API shows them beside what they did: public id and name."""
    if member is None:
        return None
    return {"public_id": str(member.public_id), "display_name": member.display_name}
