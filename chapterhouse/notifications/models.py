"""In-app notices and each member's choice of which also come by email."""

import uuid
from typing import ClassVar

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .messages import render


class Kind(models.TextChoices):
    WELCOME = "welcome", _("Welcome to the organisation")
    MEMBER_JOINED = "member_joined", _("A new member joined a chapter you facilitate")
    ROLE_INVITATION = "role_invitation", _("An invitation to facilitate a chapter")
    PROPOSAL_PUBLISHED = "proposal_published", _("A proposal in a chapter you facilitate")
    NEW_PROPOSAL = "new_proposal", _("A new proposal in one of your chapters")
    AMENDMENT_PROPOSED = "amendment_proposed", _("An amendment to your proposal")
    AMENDMENT_ACCEPTED = "amendment_accepted", _("Your amendment was accepted")
    VOTING_OPENED = "voting_opened", _("Voting opened on a proposal you follow")
    VOTE_REMINDER = "vote_reminder", _("A reminder to vote before the close")
    DECISION_RECORDED = "decision_recorded", _("A decision was recorded")
    MENTION = "mention", _("Someone mentioned you in a discussion")
    REPLY = "reply", _("Someone replied to your post")
    QUOTE = "quote", _("Someone quoted your post")
    WATCHED_POST = "watched_post", _("A new post in a thread or forum you watch")
    WEIGHT_OBJECTION = "weight_objection", _("An objection to the weights of your proposal")
    ROLE_GRANTED = "role_granted", _("A role was given to you")
    ROLE_ENDED = "role_ended", _("A role of yours ended")
    ANNOUNCEMENT = "announcement", _("An announcement from your chapter")
    EVENT_REMINDER = "event_reminder", _("A reminder of an event")
    PRIVATE_MESSAGE = "private_message", _("A new private message")
    CHAT_MENTION = "chat_mention", _("Someone mentioned you in a chat room")
    NEW_EVENT = "new_event", _("A new event in one of your chapters")
    EVENT_UPDATED = "event_updated", _("An event you answered was changed or cancelled")
    EVENT_PLACE = "event_place", _("A place at an event came free for you")
    TASK_ASSIGNED = "task_assigned", _("A task was given to you")
    GROUP_REQUEST = "group_request", _("A request to join a group you facilitate")
    LESSON_HELPED = "lesson_helped", _("Another chapter says your lesson helped them")
    MODERATION = "moderation", _("The facilitators hid or restored something you wrote")


# Kinds that are emailed unless the member turns them off. A vote the member is on the
# roll of is opened and reminded by email: a member must not miss a vote that concerns them.
# A chapter's announcement is its way to reach every member, as a mailing list would; a
# private message is written to the member alone: both are emailed too, unless turned off.
EMAIL_BY_DEFAULT = {
    Kind.WELCOME, Kind.ROLE_INVITATION, Kind.VOTING_OPENED, Kind.VOTE_REMINDER,
    Kind.ROLE_GRANTED, Kind.ROLE_ENDED, Kind.ANNOUNCEMENT, Kind.EVENT_REMINDER,
    Kind.PRIVATE_MESSAGE, Kind.EVENT_UPDATED, Kind.EVENT_PLACE,
}


class Delivery(models.TextChoices):
    """How a kind of notice reaches a member by email, besides the notices page."""

    OFF = "off", _("No email")
    EACH = "each", _("An email for each notice")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")


DIGESTS = (Delivery.DAILY, Delivery.WEEKLY)


def default_delivery(kind: str) -> Delivery:
    """The email choice of a member who never chose one for `kind`."""
    return Delivery.EACH if kind in EMAIL_BY_DEFAULT else Delivery.OFF


class EmailStatus(models.TextChoices):
    NOT_SENT = "", _("not attempted")
    SENDING = "sending", _("sending")
    RETRYING = "retrying", _("waiting to retry")
    SENT = "sent", _("sent")
    FAILED = "failed", _("not delivered")
    # A notice whose member chose a digest for its kind: it went into one (Digest).
    DIGESTED = "digested", _("in a digest")


class EmailDelivery(models.Model):
    """Where sending one email stands: kept in the data, so a send that failed is
    retried whatever the task queue keeps (notifications.tasks sends, the services
    claim_email and record_email_* write these fields).

    `email_due_at` is when the row next needs a look: for SENDING, when the claim of
    the worker sending it expires (it may have died); for RETRYING, the next attempt.
    """

    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.NOT_SENT, blank=True
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_due_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True, default="")
    emailed_at = models.DateTimeField(null=True, blank=True)

    # Fields emptied once the email is sent or given up (what it should no longer keep).
    cleared_when_done: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True


# The rows a sweep for due emails reads: few, whatever the size of the table.
_PENDING = models.Q(email_status__in=[EmailStatus.SENDING, EmailStatus.RETRYING])


class Notification(EmailDelivery):
    # Addresses the notice in URLs (house rule: no sequential ids in public URLs).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # What the notice says, as a message and its parameters (messages.py): the text is
    # rendered in the reader's language whenever it is read. `url` points at what the
    # notice is about.
    message = models.CharField(max_length=80, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # What the notice tells of: one key per event (a vote opened, a decision recorded,
    # one call of notify()), so a member is told of an event once, whatever runs twice
    # (a task taken back from a dead worker, a hand requeue). Notices from before event
    # keys carry one of their own, made from their id (migration 0008).
    event = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(fields=["email_due_at"], condition=_PENDING,
                         name="notification_email_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"],
                                    name="notification_once_per_event"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """What the notice says, in the active language."""
        return render(self.message, self.params)[:500]

    @property
    def link(self) -> str:
        """`url` if it is a path on this site, else "" (never a link elsewhere)."""
        url = self.url
        if url.startswith("/") and not url.startswith(("//", "/\\")):
            return url
        return ""


class EmailPreference(models.Model):
    """Overrides the default email choice for one kind of notice."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.EACH)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="emailpreference_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.kind}={self.delivery}"


class Digest(EmailDelivery):
    """One digest email: a member's notices of the kinds they chose a digest for, not
    emailed one by one, gathered once per period (the day, or the ISO week starting on
    `period`). The unique member, frequency and period make gathering idempotent: run
    twice, it makes one digest; `notices` records what went into it."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="digests"
    )
    frequency = models.CharField(max_length=10, choices=[
        (Delivery.DAILY.value, Delivery.DAILY.label),
        (Delivery.WEEKLY.value, Delivery.WEEKLY.label),
    ])
    period = models.DateField()
    notices = models.ManyToManyField(Notification, related_name="digests")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "frequency", "period"],
                                    name="digest_once_per_period"),
        ]
        indexes = [
            models.Index(fields=["email_due_at"], condition=_PENDING, name="digest_email_due"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.frequency} {self.period}"


class OutgoingEmail(EmailDelivery):
    """An email that is not a notice (allauth's: address confirmation, password reset,
    …), stored rendered when it is asked for and sent by the task queue, retried like a
    notice's email. Its bodies are emptied once it is sent or given up: they may carry
    a password-reset link."""

    to = models.EmailField()
    from_email = models.CharField(max_length=300)
    subject = models.CharField(max_length=998)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    cleared_when_done: ClassVar[tuple[str, ...]] = ("body", "html")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["email_due_at"], condition=_PENDING,
                         name="outgoingemail_email_due"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    def message(self) -> EmailMessage:
        """The message as it was rendered, to send."""
        if not self.body:
            message = EmailMessage(self.subject, self.html, self.from_email, [self.to])
            message.content_subtype = "html"
            return message
        message = EmailMultiAlternatives(self.subject, self.body, self.from_email, [self.to])
        if self.html:
            message.attach_alternative(self.html, "text/html")
        return message
