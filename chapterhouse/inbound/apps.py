from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    name = "chapterhouse.inbound"
    label = "inbound"
    verbose_name = _("Replies by email")

    def ready(self) -> None:
        # An email provider's inbound webhook (django-anymail) hands its mail over by
        # this signal: the receiver is the webhook's interface (webhooks.py).
        from anymail.signals import inbound

        from chapterhouse.members import account_data

        from . import selectors, webhooks

        inbound.connect(webhooks.on_inbound, dispatch_uid="chapterhouse.inbound")
        # The member's replies by email in their export (their rows go with the account:
        # the foreign key cascades).
        account_data.register(account_data.Holding(app=self.label,
                                                   export=selectors.account_export))
