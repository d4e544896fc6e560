"""What the chat's services tell members (notifications.messages)."""

from django.utils.translation import gettext_lazy as _

from chapterhouse.notifications.messages import define

define("chat.mention", _("%(author)s mentioned you in the chat room “%(room)s”."))
