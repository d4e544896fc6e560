"""What the announcements' services tell members (notifications.messages)."""

from django.utils.translation import gettext_lazy as _

from chapterhouse.notifications.messages import define

define("announcements.new", _("%(author)s announced in %(chapter)s: %(title)s"))
define("announcements.withdrawn", _("An announcement in %(chapter)s was withdrawn."))
