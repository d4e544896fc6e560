from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from chapterhouse.notifications.selectors import unread_count


def member(request: HttpRequest) -> dict[str, object]:
    """`current_member` (or None) and `unread_notifications` for every page."""
    def _member():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return getattr(user, "member", None)

    current = SimpleLazyObject(_member)
    return {
        "current_member": current,
        "unread_notifications": SimpleLazyObject(
            lambda: unread_count(current) if current else 0
        ),
    }
