from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chapterhouse.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        # The member's chat messages and rooms in their export. When an account is
        # deleted the text of its messages goes; each keeps its place, shown as deleted.
        from chapterhouse.members import account_data
        from chapterhouse.notifications import replies

        from . import email_replies, selectors, services

        # Replying to a chat mention's notice email posts in the room.
        replies.register("chat", email_replies.reply_in_room)

        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
            remove_on_deletion=services.remove_writing_of,
        ))
