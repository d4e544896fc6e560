from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chapterhouse.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        # The member's chat messages and rooms in their export. When an account is
        # deleted its messages stay, signed "former member" (author SET_NULL).
        from chapterhouse.members import account_data

        from . import selectors

        account_data.register(account_data.Holding(app=self.label,
                                                   export=selectors.account_export))
