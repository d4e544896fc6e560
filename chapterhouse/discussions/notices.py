"""What the discussions' services tell members (notifications.messages)."""

from django.utils.translation import gettext_lazy as _

from chapterhouse.notifications.messages import define

define("discussions.mention", _("%(author)s mentioned you in “%(title)s”."))
define("discussions.reply", _("%(author)s replied to you in “%(title)s”."))
define("discussions.quote", _("%(author)s quoted you in “%(title)s”."))
define("discussions.watched_post", _("%(author)s posted in “%(title)s”."))
