"""What moderation tells the author of the content (notifications.messages)."""

from django.utils.translation import gettext_lazy as _

from chapterhouse.notifications.messages import define

define("moderation.hidden",
       _("The facilitators hid something you wrote. Their reason: %(reason)s"))
define("moderation.restored",
       _("The facilitators restored something you wrote. Their reason: %(reason)s"))
define("moderation.appeal_upheld",
       _("Your appeal was decided: what you wrote stays hidden. Their reason: %(reason)s"))
define("moderation.appeal_restored",
       _("Your appeal was decided: what you wrote is shown again. Their reason: %(reason)s"))
