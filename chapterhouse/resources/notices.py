"""What the resources app's services tell members (notifications.messages)."""

from django.utils.translation import gettext_lazy as _

from chapterhouse.notifications.messages import define

define("resources.lesson_helped",
       _("%(chapter)s says your lesson “%(title)s” helped them"))
