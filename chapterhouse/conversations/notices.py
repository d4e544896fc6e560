"""What the conversations' services tell members (notifications.messages)."""

from django.utils.translation import gettext_lazy as _

from chapterhouse.notifications.messages import define

define("conversations.message", _("%(author)s sent you a private message."))
define("conversations.message_about",
       _("%(author)s sent you a private message: “%(subject)s”."))
