"""What the projects' services tell members (notifications.messages)."""

from django.utils.translation import gettext_lazy as _

from chapterhouse.notifications.messages import define

define("projects.request", _("%(member)s asks to join “%(group)s”."))
define("projects.accepted", _("You are now a member of “%(group)s”."))
define("projects.task_assigned", _("%(by)s gave you a task in “%(group)s”: %(title)s"))
