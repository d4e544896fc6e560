"""Who reads a thread about something: what its subject's app says.

A thread about a subject (a blog post's comments, an event's, a lesson's, a group's
updates) is read by whoever may see the subject: a members-only event's comments are
not for outsiders, an unpublished post's comments are its author's. The apps above
this one register, from their `AppConfig.ready()`, the permission that says who sees
their subject:

    subjects.register("events.event", "events.view_event")

A thread about a subject no app registered is read by anyone (a proposal's
deliberation: proposals are public records).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

_view_permissions: dict[str, str] = {}


def register(model_label: str, permission: str) -> None:
    """Threads about `model_label` ("app_label.modelname") are read by those who have
    `permission` on the subject."""
    _view_permissions[model_label.lower()] = permission


def view_permission(subject_type_id: int) -> str | None:
    """The permission that reads threads about this content type, if one is registered
    (content types are cached: no query after the first)."""
    content_type = ContentType.objects.get_for_id(subject_type_id)
    return _view_permissions.get(f"{content_type.app_label}.{content_type.model}")
