from django.db.models import QuerySet

from chapterhouse.members.models import Member

from .models import Notification


def unread_count(member: Member) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def notifications_for(member: Member) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=member)
