"""What the apps above `chapters` add to the chapter page (its overview).

The chapter page is served here, but what other apps show on it (a chapter's
announcements) lives in apps above this one, which it may not import (the app layers
in pyproject.toml). Each such app registers a `Panel` from its `AppConfig.ready()`:
a template included in the page's main column, and the function that gives it its
context (a `lib.panels` registry whose subject is the chapter's chain). As
members.account_data does for the member's data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chapterhouse.lib.panels import Panel, Panels

if TYPE_CHECKING:
    from .selectors import ChapterChain

__all__ = ["Panel", "panels", "register", "rendered_panels"]

# A panel's context(request, found) is for the chapter `found.chapter` (with its
# ancestors, `found.chain`). The page is cached whole for signed-out visitors
# (lib.pagecache): a panel whose content must show them at once forgets the chapter's
# page when it changes.
_chapter_page: Panels[ChapterChain] = Panels()
register = _chapter_page.register
panels = _chapter_page.panels
rendered_panels = _chapter_page.rendered
