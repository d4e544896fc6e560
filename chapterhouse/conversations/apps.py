from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "chapterhouse.conversations"
    label = "conversations"
    verbose_name = _("Private messages")

    def ready(self) -> None:
        # What the member wrote in private messages, in their data export. When they
        # leave, the text of their messages goes (each keeps its place, "removed by its
        # author", so that the others' conversations still read).
        from chapterhouse.members import account_data, profile_actions
        from chapterhouse.notifications import replies

        from . import email_replies, selectors, services, views

        # Replying to a private message's notice email posts in the conversation.
        replies.register("message", email_replies.reply_in_conversation)

        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
            remove_on_deletion=services.remove_writing_of,
        ))
        # "Send a message" on a member's profile.
        profile_actions.register(profile_actions.ProfileAction(
            app=self.label, template="conversations/_profile_action.html",
            context=views.profile_action,
        ))
        # Members report a private message to the facilitators of its author's home
        # chapter (moderation): the reporter, who takes part, chooses to show it to them.
        from chapterhouse.lib import reportables

        reportables.register(reportables.Reportable(
            label="conversations.message",
            chapter_of=lambda message: message.author.home_chapter if message.author else None,
            excerpt=lambda message: message.body, author_of=lambda message: message.author,
            url_of=lambda message: f"{message.conversation.get_absolute_url()}"
                                   f"#m-{message.public_id}",
            view="conversations.view_conversation", view_on=lambda message: message.conversation,
            related=("conversation", "author__home_chapter"),
        ))
