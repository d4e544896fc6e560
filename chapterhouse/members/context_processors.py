from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from chapterhouse.lib.interface import viewer_of


def member(request: HttpRequest) -> dict[str, object]:
    """`current_member` (or None) for every page; lazy: it costs nothing until a
    template uses it. (The unread count is notifications.context_processors.unread.)"""

    def _member() -> object:
        if getattr(request, "user", None) is None:
            return None
        return viewer_of(request).member

    return {"current_member": SimpleLazyObject(_member)}
