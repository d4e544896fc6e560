"""What the apps above `members` add to the member's home page (their dashboard): the
activity feed of the member's chapters. A `lib.panels` registry whose subject is the
member; each app registers its `Panel` from its `AppConfig.ready()`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chapterhouse.lib.panels import Panel, Panels

if TYPE_CHECKING:
    from .models import Member

__all__ = ["Panel", "panels", "register", "rendered_panels"]

_home: Panels[Member] = Panels()
register = _home.register
panels = _home.panels
rendered_panels = _home.rendered
