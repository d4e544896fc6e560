"""Notices and other emails are written by the services only; staff may look, not touch."""

from django.contrib import admin

from chapterhouse.lib.admin import ReadOnlyAdmin

from .models import EmailPreference, Notification, OutgoingEmail


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "text", "read_at", "email_status",
                    "email_attempts", "emailed_at"]
    # "email status: not delivered" lists the notices whose email was given up.
    list_filter = ["email_status", "kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__display_name", "recipient__user__email", "=recipient__public_id"]
    list_select_related = ["recipient"]
    show_full_result_count = False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """allauth's emails (confirmations, password resets): where each delivery stands.
    The bodies are not shown: they may carry a password-reset link."""

    list_display = ["created_at", "to", "subject", "email_status", "email_attempts",
                    "email_error", "emailed_at"]
    list_filter = ["email_status"]
    search_fields = ["=to"]
    fields = ["created_at", "to", "subject", "email_status", "email_attempts", "email_due_at",
              "email_error", "emailed_at"]
    show_full_result_count = False


@admin.register(EmailPreference)
class EmailPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["member", "kind", "delivery"]
    list_filter = ["kind", "delivery"]
    search_fields = ["member__display_name", "member__user__email"]
    list_select_related = ["member"]
