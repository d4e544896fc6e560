"""What the events' services tell members (notifications.messages)."""

from django.utils.translation import gettext_lazy as _

from chapterhouse.notifications.messages import define

define("events.new", _("New event in %(chapter)s: %(title)s, %(when)s"))
define("events.updated", _("The event %(title)s (%(when)s) has changed."))
define("events.cancelled", _("The event %(title)s (%(when)s) is cancelled."))
define("events.place", _("A place opened up: you are going to %(title)s, %(when)s."))
define("events.reminder", _("Reminder: %(title)s starts %(when)s."))
