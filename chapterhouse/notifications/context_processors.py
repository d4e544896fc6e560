import operator

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, new_method_proxy

from chapterhouse.lib.interface import viewer_of

from .selectors import unread_count_for


class LazyCount(SimpleLazyObject):
    """A lazy int that also does arithmetic and ordering.

    `{% blocktranslate count %}` hands the number to gettext's plural rules,
    which compute things like `n % 10` and `n >= 2`; a plain SimpleLazyObject
    supports neither, so pages failed in languages with such rules (Spanish).
    """

    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(operator.index)
    __mod__ = new_method_proxy(operator.mod)
    __add__ = new_method_proxy(operator.add)
    __sub__ = new_method_proxy(operator.sub)
    __mul__ = new_method_proxy(operator.mul)
    __floordiv__ = new_method_proxy(operator.floordiv)
    __le__ = new_method_proxy(operator.le)
    __ge__ = new_method_proxy(operator.ge)
    __round__ = new_method_proxy(round)


def unread(request: HttpRequest) -> dict[str, object]:
    """`unread_notifications` for every page: lazy, it costs nothing until a template
    uses it, and then once per request (the viewer's memo)."""

    def _unread() -> int:
        if getattr(request, "user", None) is None:
            return 0
        return unread_count_for(viewer_of(request))

    return {"unread_notifications": LazyCount(_unread)}
