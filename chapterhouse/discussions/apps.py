from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "chapterhouse.discussions"
    label = "discussions"
    verbose_name = _("Discussions")

    def ready(self) -> None:
        # The member's posts in their export, and removable when they leave.
        from chapterhouse.members import account_data
        from chapterhouse.notifications import replies

        from . import email_replies, selectors, services

        # Replying to a notice's email about a post posts the reply (chapterhouse.inbound).
        replies.register("post", email_replies.reply_to_post)

        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
            remove_writing=services.remove_writing_of,
        ))
