"""New accounts are limited in links and posts per hour until they have taken part for a
while; the limits are the chapter's rules, changed by decision (issue #18, moderation)."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters import limits
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.services import set_newcomer_limits
from chapterhouse.decisions.models import Proposal
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import close, draft, in_voting, vote
from chapterhouse.discussions import email_replies
from chapterhouse.discussions import services as discussions
from chapterhouse.discussions.models import Post
from chapterhouse.discussions.tests.factories import first_post, make_thread
from chapterhouse.events.models import Event
from chapterhouse.events.tests.factories import make_event
from chapterhouse.lib.errors import Refused
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import token_client_for
from chapterhouse.mutualaid.models import Entry
from chapterhouse.mutualaid.tests.factories import make_entry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("newcomer_limits")]

HACKNEY = "gb/eng/london/hackney"
HOURLY = "New members can post 3 times an hour. You can post again in"


def established(member: Member) -> Member:
    """`member` as one who joined a month ago and has written five posts since."""
    long_ago = timezone.now() - timedelta(days=30)
    Member.objects.filter(pk=member.pk).update(joined_at=long_ago)
    member.refresh_from_db()
    thread = make_thread(member, body=None)
    for index in range(5):
        Post.objects.create(thread=thread, author=member, body=f"Old post {index}",
                            created_at=long_ago)
    return member


def body_error(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.message_dict["body"])


@pytest.mark.parametrize(("text", "count"), [
    ("No links here, just www and http.", 0),
    ("See https://example.org/a?b=c and http://example.net.", 2),
    ("Bare www.example.org counts too, and WWW.EXAMPLE.COM.", 2),
    ("A [markdown link](https://example.org) and <https://example.net>", 2),
    ("An email me@www.example.org is not a link", 0),
])
def test_links_are_http_addresses_and_bare_www_ones(text, count):
    assert limits.count_links(text) == count


def test_a_new_member_posts_three_times_an_hour_and_the_fourth_is_refused(member):
    thread = make_thread(member, replies=2)
    with pytest.raises(ValidationError) as refused:
        discussions.reply(thread=thread, author=member, body="A fourth post")
    assert HOURLY in body_error(refused)
    assert "60 minutes" in body_error(refused)
    assert Post.objects.filter(author=member).count() == 3
    thread.refresh_from_db()
    assert thread.post_count == 3


def test_the_hour_counts_every_kind_of_contribution(member):
    make_thread(member)
    make_event(author=member)
    make_entry(member)
    with pytest.raises(Refused, match=HOURLY):
        make_entry(member, title="Another")
    with pytest.raises(Refused, match=HOURLY):
        make_event(author=member, title="Another picnic")
    with pytest.raises(ValidationError):
        make_thread(member, title="Another thread")
    assert (Entry.objects.count(), Event.objects.count()) == (1, 1)


def test_the_wait_is_until_the_oldest_post_of_the_hour_is_an_hour_old(member):
    thread = make_thread(member, replies=2)
    Post.objects.filter(pk=first_post(thread).pk).update(
        created_at=timezone.now() - timedelta(minutes=45))
    with pytest.raises(ValidationError) as refused:
        discussions.reply(thread=thread, author=member, body="Again")
    assert "15 minutes" in body_error(refused)
    Post.objects.filter(pk=first_post(thread).pk).update(
        created_at=timezone.now() - timedelta(minutes=61))
    discussions.reply(thread=thread, author=member, body="Now it is fine")


def test_a_new_member_puts_at_most_one_link_in_a_post(member):
    thread = make_thread(member, body="One link: https://example.org")
    with pytest.raises(ValidationError) as refused:
        discussions.reply(thread=thread, author=member,
                          body="Two: https://example.org and www.example.net")
    assert body_error(refused) == ("New members can put at most 1 link in a post "
                                   "(this one has 2).")
    with pytest.raises(Refused, match="at most 1 link"):
        make_entry(member, description="http://a.example and http://b.example")
    with pytest.raises(Refused, match="at most 1 link"):
        make_event(author=member, description="www.a.example www.b.example")
    assert Post.objects.count() == 1
    assert not Entry.objects.exists() and not Event.objects.exists()


def test_an_established_member_is_not_limited(member):
    established(member)
    thread = make_thread(member, body="https://a.example https://b.example")
    for index in range(5):
        discussions.reply(thread=thread, author=member, body=f"www.{index}.example www.x.org")
    make_entry(member, description="http://a.example http://b.example")
    assert Post.objects.filter(author=member, body__contains="example").count() == 6


def test_an_old_account_with_few_posts_is_still_new(member):
    Member.objects.filter(pk=member.pk).update(joined_at=timezone.now() - timedelta(days=30))
    member.refresh_from_db()
    assert limits.is_newcomer(member, limits.STANDARD)
    established(member)
    assert not limits.is_newcomer(member, limits.STANDARD)


def test_a_passed_rules_decision_changes_the_limits_and_they_apply(client, member):
    proposal = in_voting(member, category="rules",
                         payload={"newcomer_limits": {"posts_per_hour": 1,
                                                      "links_per_post": 0}})
    page = client.get(f"/decisions/p/{proposal.public_id}/").content.decode()
    assert "Posts an hour for new members" in page
    assert "Links in a post for new members" in page
    vote(proposal, member, {"choice": "yes"})
    decision = close(proposal)
    assert decision.effect == {"applied": True, "kind": "newcomer_limits",
                               "posts_per_hour": 1, "links_per_post": 0, "days": 7, "posts": 5}
    chapter = Chapter.objects.get(pk=member.home_chapter_id)
    assert limits.limits_for(chapter) == limits.Limits(posts_per_hour=1, links_per_post=0)
    assert AuditEntry.objects.filter(action="chapters.change_newcomer_limits").exists()
    member.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        make_thread(member, body="www.example.org")
    assert body_error(refused) == ("New members cannot put links in a post yet "
                                   "(this one has 1).")
    thread = make_thread(member)
    with pytest.raises(ValidationError) as refused:
        discussions.reply(thread=thread, author=member, body="Second")
    assert "New members can post 1 time an hour." in body_error(refused)


def test_the_nearest_chapter_above_that_set_limits_decides(member):
    hackney = member.home_chapter
    london = Chapter.objects.get(url_path="gb/eng/london")
    assert limits.limits_for(hackney) == limits.STANDARD
    set_newcomer_limits(chapter=Chapter.objects.get(url_path="gb"), change={"posts": 50})
    set_newcomer_limits(chapter=london, change={"posts_per_hour": 10})
    # London's change starts from the limits it had (those of the United Kingdom).
    assert limits.limits_for(hackney) == limits.Limits(posts_per_hour=10, posts=50)
    set_newcomer_limits(chapter=hackney, change={"days": 0})
    hackney.refresh_from_db()
    assert limits.limits_for(hackney) == limits.Limits(posts_per_hour=10, days=0, posts=50)
    # Above them the shipped limits still apply.
    assert limits.limits_for(Chapter.objects.get(depth=1)) == limits.STANDARD


def test_where_limits_were_raised_a_new_member_posts_more(member):
    set_newcomer_limits(chapter=member.home_chapter, change={"posts_per_hour": 5,
                                                               "links_per_post": 3})
    thread = make_thread(member, replies=3, body="a.example www.b.example https://c.example")
    assert thread.post_count == 4


@pytest.mark.parametrize(("change", "message"), [
    ({}, "Say which newcomer limit changes."),
    ({"posts_per_hour": 0}, "Posts an hour for new members must be a whole number from 1 "
                            "to 100."),
    ({"links_per_post": -1}, "from 0 to 50"),
    ({"days": 1.5}, "Days an account stays new must be a whole number"),
    ({"posts": "5"}, "Posts before a member is no longer new must be a whole number"),
    ({"posts": True}, "must be a whole number"),
    ({"days": 400}, "from 0 to 365"),
    ({"posts_per_hour": 2, "colour": "red"}, "Unknown fields in the newcomer limits: colour."),
    ([1, 2], "Give the newcomer limits as fields and numbers."),
])
def test_a_bad_change_of_the_limits_is_refused_and_changes_nothing(member, change, message):
    with pytest.raises(Refused, match=message):
        set_newcomer_limits(chapter=member.home_chapter, change=change)
    assert Chapter.objects.get(pk=member.home_chapter_id).newcomer_limits == {}
    with pytest.raises(DecisionError, match=message):
        draft(member, category="rules", payload={"newcomer_limits": change})
    assert not Proposal.objects.exists()


def test_a_limits_change_carries_nothing_else(member):
    with pytest.raises(DecisionError, match="Unknown fields in the change of the newcomer"):
        draft(member, category="rules",
              payload={"newcomer_limits": {"posts": 3}, "method": "majority"})


FORM = {"title": "Let newcomers post more", "text": "Five an hour.", "category": "rules",
        "groups-TOTAL_FORMS": "2", "groups-INITIAL_FORMS": "0",
        "groups-MIN_NUM_FORMS": "0", "groups-MAX_NUM_FORMS": "1000"}


def test_the_draft_form_carries_a_change_of_the_limits(member_client, member):
    page = member_client.get(f"/decisions/new/{HACKNEY}/").content.decode()
    assert "…or the limits for new members" in page
    response = member_client.post(f"/decisions/new/{HACKNEY}/",
                                  {**FORM, "newcomer_posts_per_hour": "5"})
    assert response.status_code == 302, response.content.decode()
    assert Proposal.objects.get().payload == {"newcomer_limits": {"posts_per_hour": 5}}
    both = member_client.post(f"/decisions/new/{HACKNEY}/", {
        **FORM, "newcomer_posts_per_hour": "5", "rule_category": "routine", "title": "Both"})
    assert both.status_code == 400
    assert "the limits for new members: one of them." in both.content.decode()
    bad = member_client.post(f"/decisions/new/{HACKNEY}/",
                             {**FORM, "newcomer_days": "9999", "title": "Too long"})
    assert bad.status_code == 400
    assert Proposal.objects.count() == 1
    proposal = Proposal.objects.get()
    edit = member_client.get(f"/decisions/p/{proposal.public_id}/edit/").content.decode()
    assert 'name="newcomer_posts_per_hour" value="5"' in edit


def test_the_web_the_api_and_email_replies_all_obey(member, member_client):
    thread = make_thread(member, replies=2)
    page = member_client.post(f"/discussions/{thread.public_id}/reply/", {"body": "Fourth"})
    assert page.status_code == 400
    assert HOURLY in page.content.decode()
    with pytest.raises(Refused, match=HOURLY):
        email_replies.reply_to_post(member, first_post(thread).public_id, "By email")
    api = token_client_for(member).post("/api/v1/mutual-aid/", json.dumps({
        "chapter": HACKNEY, "kind": "offer", "category": "skills", "title": "Bike repairs"}),
        content_type="application/json")
    assert api.status_code == 400
    assert HOURLY in json.dumps(api.json())
    assert Post.objects.count() == 3 and not Entry.objects.exists()


def test_the_demo_seeding_lifts_the_limits_and_only_inside(member):
    thread = make_thread(member, replies=2)
    with limits.lifted():
        for index in range(3):
            discussions.reply(thread=thread, author=member, body=f"www.{index}.a www.b.c")
    with pytest.raises(ValidationError):
        discussions.reply(thread=thread, author=member, body="After")


def test_an_edit_cannot_add_more_links_but_does_not_count_as_a_post(member):
    from chapterhouse.events.services import EventFields, update_event
    from chapterhouse.mutualaid.services import edit_entry

    thread = make_thread(member)
    entry = make_entry(member)
    event = make_event(author=member)
    two = "https://a.example www.b.example"
    with pytest.raises(ValidationError) as refused:
        discussions.edit_post(post=first_post(thread), editor=member, body=two)
    assert "at most 1 link" in body_error(refused)
    with pytest.raises(Refused, match="at most 1 link"):
        edit_entry(entry=entry, kind=entry.kind, category=entry.category, title="Lift",
                   description=two)
    with pytest.raises(Refused, match="at most 1 link"):
        update_event(event=event, editor=member, fields=EventFields(
            title="Picnic", starts_at=event.starts_at, ends_at=event.ends_at,
            time_zone="UTC", description=two))
    # Three posts this hour already: an edit with one link still goes through.
    discussions.edit_post(post=first_post(thread), editor=member, body="https://a.example")
    assert first_post(thread).body == "https://a.example"
