from django.http import HttpRequest

from chapterhouse.lib.interface import viewer_of
from chapterhouse.notifications.context_processors import LazyCount

from .selectors import unread_count_for


def unread(request: HttpRequest) -> dict[str, object]:
    """`unread_messages` for every page: lazy (nothing until a template shows it),
    then one query per request (the viewer's memo)."""

    def _unread() -> int:
        if getattr(request, "user", None) is None:
            return 0
        return unread_count_for(viewer_of(request))

    return {"unread_messages": LazyCount(_unread)}
