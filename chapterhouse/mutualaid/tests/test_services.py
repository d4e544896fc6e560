"""The mutual-aid services: what is stored, what leaves the board, what is refused
(with nothing stored), and the private reply through the conversations."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chapterhouse.audit.models import AuditEntry
from chapterhouse.conversations import services as conversations
from chapterhouse.conversations.models import Conversation, Message
from chapterhouse.lib.errors import Refused
from chapterhouse.members.models import Member
from chapterhouse.members.services import delete_account
from chapterhouse.members.tests.factories import make_member
from chapterhouse.mutualaid import selectors, services
from chapterhouse.mutualaid.models import DEFAULT_DAYS, MAX_DAYS, Entry, Status

from .factories import make_entry

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_posting_stores_an_open_members_only_entry_shown_for_thirty_days(member):
    entry = make_entry(member, title="  A lift   to the clinic ")
    assert (entry.chapter, entry.author, entry.status) == (member.home_chapter, member,
                                                           Status.OPEN)
    assert entry.title == "A lift to the clinic"
    assert entry.visible_to_everyone is False
    assert entry.expires_on == TODAY() + datetime.timedelta(days=DEFAULT_DAYS)
    assert entry.is_on_board()


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"category": "weapons"}, "category"),
    ({"kind": "demand"}, "kind"),
    ({"expires_on": datetime.date(2020, 1, 1)}, "expires_on"),
    ({"expires_on": "past"}, "expires_on"),
    ({"expires_on": "far"}, "expires_on"),
    ({"description": "x" * 10_001}, "description"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_stored(member, fields, field):
    if fields.get("expires_on") == "past":
        fields = {"expires_on": TODAY() - datetime.timedelta(days=1)}
    elif fields.get("expires_on") == "far":
        fields = {"expires_on": TODAY() + datetime.timedelta(days=MAX_DAYS + 1)}
    with pytest.raises(ValidationError) as error:
        make_entry(member, **fields)
    assert list(error.value.message_dict) == [field]
    assert error.value.message_dict[field][0]  # a sentence for the member
    assert not Entry.objects.exists()


def test_today_is_a_valid_last_day(member):
    assert make_entry(member, expires_on=TODAY()).is_on_board()


def test_the_author_edits_their_entry(member):
    entry = make_entry(member)
    changed = services.edit_entry(entry=entry, kind="offer", category="goods",
                                  title="A pram", description="", visible_to_everyone=True)
    entry.refresh_from_db()
    assert (entry.kind, entry.category, entry.title, entry.visible_to_everyone) == (
        "offer", "goods", "A pram", True)
    assert changed.updated_at >= entry.created_at


def test_editing_with_bad_input_changes_nothing(member):
    entry = make_entry(member)
    with pytest.raises(ValidationError):
        services.edit_entry(entry=entry, kind="offer", category="goods", title="",
                            expires_on=TODAY() - datetime.timedelta(days=3))
    entry.refresh_from_db()
    assert (entry.kind, entry.title) == ("request", "A lift to the clinic")


def test_fulfilled_and_expired_entries_leave_the_board(member):
    fulfilled = make_entry(member, title="Fulfilled")
    services.mark_fulfilled(entry=fulfilled)
    services.mark_fulfilled(entry=fulfilled)  # idempotent
    expired = make_entry(member, title="Expired")
    Entry.objects.filter(pk=expired.pk).update(expires_on=TODAY() - datetime.timedelta(days=1))
    make_entry(member, title="Still open")
    board = selectors.board_entries(chapter=member.home_chapter, viewer=member)
    assert [e.title for e in board] == ["Still open"]
    fulfilled.refresh_from_db()
    assert fulfilled.status == Status.FULFILLED


def test_the_author_deletes_their_entry(member):
    entry = make_entry(member)
    services.delete_entry(entry=entry)
    assert not Entry.objects.exists()


def test_a_facilitator_removes_an_entry_with_a_reason_audited(member, facilitator):
    entry = make_entry(member)
    with pytest.raises(Refused):
        services.remove_entry(entry=entry, facilitator=facilitator, reason="  ")
    entry.refresh_from_db()
    assert entry.status == Status.OPEN
    services.remove_entry(entry=entry, facilitator=facilitator, reason="Selling, not aid.")
    entry.refresh_from_db()
    assert (entry.status, entry.removed_reason, entry.removed_by) == (
        Status.REMOVED, "Selling, not aid.", facilitator)
    audit = AuditEntry.objects.get(action="mutualaid.remove_entry")
    assert audit.data["reason"] == "Selling, not aid."
    with pytest.raises(Refused):
        services.remove_entry(entry=entry, facilitator=facilitator, reason="Again")
    with pytest.raises(Refused):
        services.edit_entry(entry=entry, kind="offer", category="goods", title="Back")
    with pytest.raises(Refused):
        services.mark_fulfilled(entry=entry)


# -- The private reply ------------------------------------------------------------------

def test_a_reply_opens_a_conversation_with_the_author(member):
    neighbour = make_member("Nell", city="London", neighbourhood="Hackney")
    entry = make_entry(member)
    conversation = services.reply_privately(entry=entry, member=neighbour,
                                            body="I can drive you.")
    assert conversation.subject == "A lift to the clinic"
    assert set(conversation.participants.values_list("member_id", flat=True)) == {
        member.pk, neighbour.pk}
    message = Message.objects.get(conversation=conversation)
    assert (message.author, message.body) == (neighbour, "I can drive you.")


def test_the_author_cannot_reply_to_themselves(member):
    entry = make_entry(member)
    with pytest.raises(Refused):
        services.reply_privately(entry=entry, member=member, body="Me?")
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("who_blocks", ["author", "replier"])
def test_a_block_either_way_refuses_the_reply_and_stores_nothing(member, who_blocks):
    neighbour = make_member("Nell", city="London", neighbourhood="Hackney")
    entry = make_entry(member)
    if who_blocks == "author":
        conversations.block_member(blocker=member, blocked=neighbour)
    else:
        conversations.block_member(blocker=neighbour, blocked=member)
    with pytest.raises(Refused) as refusal:
        services.reply_privately(entry=entry, member=neighbour, body="Hello")
    assert "Ada Member" in refusal.value.message
    assert not Conversation.objects.exists()


def test_an_empty_reply_is_refused(member):
    neighbour = make_member("Nell", city="London", neighbourhood="Hackney")
    with pytest.raises(Refused):
        services.reply_privately(entry=make_entry(member), member=neighbour, body="  ")
    assert not Conversation.objects.exists()


def test_an_entry_off_the_board_cannot_be_answered(member):
    neighbour = make_member("Nell", city="London", neighbourhood="Hackney")
    entry = services.mark_fulfilled(entry=make_entry(member))
    with pytest.raises(Refused):
        services.reply_privately(entry=entry, member=neighbour, body="Hello")
    assert not Conversation.objects.exists()


# -- The member's data ------------------------------------------------------------------

def test_the_export_holds_the_members_entries(member, outsider):
    make_entry(member, title="Mine")
    make_entry(outsider, title="Not mine")
    exported = selectors.account_export(member)["mutual_aid_entries"]
    assert [row["title"] for row in exported] == ["Mine"]
    assert exported[0]["chapter"] == member.home_chapter.url_path


def test_the_entries_go_with_the_account(member, outsider):
    make_entry(member)
    kept = make_entry(outsider)
    delete_account(member=Member.objects.get(pk=member.pk))
    assert list(Entry.objects.all()) == [kept]
