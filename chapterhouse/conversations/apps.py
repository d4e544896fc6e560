from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "chapterhouse.conversations"
    label = "conversations"
    verbose_name = _("Private messages")

    def ready(self) -> None:
        # What the member wrote in private messages, in their data export. Their
        # messages stay (signed "former member") when they leave: the others'
        # conversations would not read otherwise.
        from chapterhouse.members import account_data, profile_actions

        from . import selectors, views

        account_data.register(account_data.Holding(app=self.label,
                                                   export=selectors.account_export))
        # "Send a message" on a member's profile.
        profile_actions.register(profile_actions.ProfileAction(
            app=self.label, template="conversations/_profile_action.html",
            context=views.profile_action,
        ))
