"""Groups for tests, made through the services (their room and updates thread too)."""

from __future__ import annotations

from typing import Any

from chapterhouse.members.models import Member
from chapterhouse.projects import services
from chapterhouse.projects.models import Group


def make_group(creator: Member, name: str = "Housing group", *, chapter: Any = None,
               joining: str = Group.Joining.OPEN, **kwargs: Any) -> Group:
    return services.create_group(chapter=chapter or creator.home_chapter, creator=creator,
                                 name=name, joining=joining, **kwargs)


def join(group: Group, *members: Member) -> Group:
    """Members of an open group (or accepted into an approved one by its creator)."""
    for member in members:
        services.join_group(group=group, member=member)
        if not group.is_open:
            assert group.created_by is not None
            services.accept_request(group=group, coordinator=group.created_by, member=member)
    return group
