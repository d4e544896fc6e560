from typing import Any, ClassVar, Self, TypeVar

from django.db import models

_N = TypeVar("_N", bound=MP_Node)

class MP_NodeQuerySet(models.QuerySet[_N, _N]): ...

class MP_NodeManager(models.Manager[_N]):
    def get_first_root_node(self) -> _N | None: ...
    def add_root(
        self, create_kwargs: dict[str, Any] | None = None, *, instance: _N | None = None
    ) -> _N: ...
    def add_child(
        self, target: _N, create_kwargs: dict[str, Any] | None = None, *, instance: _N | None = None
    ) -> _N: ...
    def find_problems(self, parent: _N | None = None) -> tuple[list[Any], ...]: ...

class MP_Node(models.Model):
    steplen: ClassVar[int]
    alphabet: ClassVar[str]
    path = models.CharField(max_length=255, unique=True)
    depth = models.PositiveIntegerField()
    numchild = models.PositiveIntegerField(default=0)
    @classmethod
    def _str2int(cls, num: str) -> int: ...
    @classmethod
    def _get_children_path_interval(cls, path: str) -> tuple[str, str]: ...
    @classmethod
    def _get_path(cls, path: str | None, depth: int, newstep: int) -> str: ...
    def get_parent(self, update: bool = False) -> Self | None: ...
