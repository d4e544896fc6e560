"""What the members' services tell members (notifications.messages)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from chapterhouse.notifications.messages import define

define("members.welcome", _("Welcome to %(chapter)s, %(name)s!"))
define("members.joined", _("%(name)s joined %(chapter)s."))
define("members.first_member", ngettext_lazy(
    "You are the first member of %(chapters)s. Would you like to facilitate it?",
    "You are the first member of %(chapters)s. Would you like to facilitate them?",
    "count"))
define("members.roles_ended", ngettext_lazy(
    "You moved away from %(chapters)s: your role or invitation there has ended.",
    "You moved away from %(chapters)s: your roles and invitations there have ended.",
    "count"))
