"""`{% load moderation %}`: what the apps' templates need to show hidden content and a
"Report" link, without importing moderation (it sits above them).

    {% hidden_among discussion.posts "post" as hidden_posts %}   (one query)
    {% with hidden=hidden_posts|hidden_for:post %}
      {% if hidden %}{% include "moderation/_hidden.html" %}{% endif %}
      {% if not hidden or hidden.author_id == current_member.pk %}…the content…{% endif %}
    {% endwith %}
    <a href="{% report_url post %}">Report</a>
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from chapterhouse.moderation import selectors
from chapterhouse.moderation.models import Hidden

register = template.Library()


@register.simple_tag
def hidden_among(objects: Any, attribute: str = "") -> dict[tuple[int, int], Hidden]:
    """The current hidings of `objects` (or of each one's `attribute`): one query."""
    items = list(objects or [])
    if attribute:
        items = [getattr(item, attribute, None) for item in items]
    return selectors.hidden_among(item for item in items if item is not None)


@register.simple_tag
def hidden_one(obj: Any) -> Hidden | None:
    """The current hiding of one object (one query)."""
    return selectors.hidden_of(obj) if obj is not None and obj.pk is not None else None


@register.filter
def hidden_for(hidings: Any, obj: Any) -> Hidden | None:
    if not hidings or obj is None:
        return None
    found: Hidden | None = hidings.get((ContentType.objects.get_for_model(obj).pk, obj.pk))
    return found


@register.simple_tag
def report_url(obj: Any) -> str:
    return reverse("moderation:report", kwargs={"label": obj._meta.label_lower, "pk": obj.pk})


@register.simple_tag
def moderate_url(obj: Any) -> str:
    return reverse("moderation:content", kwargs={"label": obj._meta.label_lower, "pk": obj.pk})
