import uuid
from datetime import timedelta

from django.utils import timezone

from chapterhouse.members.models import Member, User
from chapterhouse.notifications.messages import define, is_defined
from chapterhouse.notifications.models import Kind, Notification

# A message for tests that tell members an arbitrary sentence: params {"text": …}.
SAY = "tests.say"
if not is_defined(SAY):
    define(SAY, "%(text)s")


def said(text: str) -> dict[str, str]:
    """The parameters of SAY for `text`."""
    return {"text": text}


def make_notices(
    member: Member, count: int, *, read: bool = False, kind: Kind = Kind.MEMBER_JOINED
) -> list[Notification]:
    """`count` notices for `member`, older than any made by registration."""
    start = timezone.now() - timedelta(days=1)
    return Notification.objects.bulk_create(
        Notification(
            recipient=member,
            kind=kind,
            message=SAY,
            params=said(f"Notice {i}"),
            url=f"/c/notice-{i}/",
            created_at=start - timedelta(minutes=i),
            read_at=start if read else None,
        )
        for i in range(count)
    )


def make_bare_members(home_member: Member, count: int) -> list[Member]:
    """`count` members in the same home chapter, inserted in bulk (no services)."""
    users = User.objects.bulk_create(
        User(email=f"bulk-{uuid.uuid4().hex}@example.org") for _ in range(count)
    )
    return Member.objects.bulk_create(
        Member(user=user, display_name=f"Bulk {i}", home_chapter_id=home_member.home_chapter_id)
        for i, user in enumerate(users)
    )
