from collections.abc import Callable
from typing import Any, overload

class Predicate:
    fn: Callable[..., Any]
    name: str
    num_args: int
    def __init__(
        self, fn: Callable[..., Any] | Predicate | bool, name: str | None = None,
        bind: bool = False,
    ) -> None: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
    def test(self, obj: Any = ..., target: Any = ...) -> bool: ...
    def __and__(self, other: Predicate) -> Predicate: ...
    def __or__(self, other: Predicate) -> Predicate: ...
    def __xor__(self, other: Predicate) -> Predicate: ...
    def __invert__(self) -> Predicate: ...

@overload
def predicate(fn: Callable[..., Any], name: str | None = None, **options: Any) -> Predicate: ...
@overload
def predicate(
    fn: None = None, name: str | None = None, **options: Any
) -> Callable[[Callable[..., Any]], Predicate]: ...

always_true: Predicate
always_false: Predicate
always_allow: Predicate
always_deny: Predicate
is_authenticated: Predicate
is_superuser: Predicate
is_staff: Predicate
is_active: Predicate

def is_group_member(*groups: str) -> Predicate: ...
