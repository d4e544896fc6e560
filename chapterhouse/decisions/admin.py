"""Read-only views for staff. Everything here changes only through the services (and
rules only through decisions of the category "rules"), so nothing is editable.
Ballots are not shown at all: open ballots are on the record, and secret ones must
never be browsed next to participation."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from chapterhouse.lib import admin as lib_admin

from .models import Amendment, Decision, DecisionRule, Proposal, ProposalEvent


class ReadOnlyAdmin(lib_admin.ReadOnlyAdmin):
    show_full_result_count = False


@admin.register(DecisionRule)
class DecisionRuleAdmin(ReadOnlyAdmin):
    list_display = ("chapter", "category", "method", "secret", "voting_days", "updated_at")
    list_filter = ("category", "method", "secret")
    search_fields = ("chapter__name", "chapter__url_path", "category")
    list_select_related = ("chapter",)


class AmendmentInline(admin.TabularInline[Amendment, Proposal]):
    model = Amendment
    fields = ("number", "kind", "label", "status", "author", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EventInline(admin.TabularInline[ProposalEvent, Proposal]):
    model = ProposalEvent
    fields = ("created_at", "kind", "actor", "data")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "chapter", "category", "status", "created_at", "voting_closes_at")
    list_filter = ("status", "category")
    search_fields = ("title", "public_id", "chapter__url_path")
    list_select_related = ("chapter",)
    raw_id_fields = ("author", "chapter", "referred_from")
    inlines = [AmendmentInline, EventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Proposal]:
        # Staff see published proposals; drafts are private to their authors.
        return super().get_queryset(request).exclude(status=Proposal.Status.DRAFT)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "title", "scope_path", "category", "outcome", "decided_at")
    list_filter = ("outcome", "category")
    search_fields = ("title", "scope_path", "record_hash")
    ordering = ("-sequence",)
    raw_id_fields = ("proposal", "chapter")
