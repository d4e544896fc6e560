from django.http import HttpRequest

from chapterhouse.lib.interface import viewer_of
from chapterhouse.notifications.context_processors import LazyCount

from .selectors import unread_counts_for


def unread(request: HttpRequest) -> dict[str, object]:
    """`unread_messages` and `unread_notifications` for every page: lazy (nothing until
    a template shows one), then one query for both per request (the viewer's memo).
    Listed after notifications' own processor, whose `unread_notifications` this
    replaces with the count of the same query."""

    def _both() -> tuple[int, int]:
        if getattr(request, "user", None) is None:
            return 0, 0
        return unread_counts_for(viewer_of(request))

    return {"unread_notifications": LazyCount(lambda: _both()[0]),
            "unread_messages": LazyCount(lambda: _both()[1])}
