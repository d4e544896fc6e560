"""What the apps above `projects` add to a working group's page (the activity's follow
button). A `lib.panels` registry whose subject is the group; each app registers its
`Panel` from its `AppConfig.ready()`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chapterhouse.lib.panels import Panel, Panels

if TYPE_CHECKING:
    from .models import Group

__all__ = ["Panel", "panels", "register", "rendered_panels"]

_group_page: Panels[Group] = Panels()
register = _group_page.register
panels = _group_page.panels
rendered_panels = _group_page.rendered
