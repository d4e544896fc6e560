from datetime import timedelta

import pytest
from django.utils import timezone

from chapterhouse.audit.models import AuditEntry
from chapterhouse.lib.errors import Refused
from chapterhouse.members.tests.factories import make_member
from chapterhouse.moderation import selectors, services
from chapterhouse.moderation.models import Action, Appeal, Hidden, Report
from chapterhouse.notifications.models import Kind, Notification

from .factories import a_post, london_facilitator

pytestmark = pytest.mark.django_db


def _parent(chapter):
    parent = services.parent_of(chapter)
    assert parent is not None
    return parent


def test_a_report_goes_to_the_chapter_of_the_content(member, neighbour, facilitator):
    post = a_post(member)
    report = services.report(reporter=neighbour, target=post, reason="Insulting")
    assert report.chapter == member.home_chapter
    assert [item.object_id for item in selectors.queue(member.home_chapter)] == [post.pk]
    assert AuditEntry.objects.filter(action="moderation.report").count() == 1


def test_one_member_reporting_ten_times_counts_once(member, neighbour):
    post = a_post(member)
    for number in range(10):
        services.report(reporter=neighbour, target=post, reason=f"Reason {number}")
    assert Report.objects.count() == 1
    assert Report.objects.get().reason == "Reason 9"
    [item] = selectors.queue(member.home_chapter)
    assert item.reports == 1


def test_two_members_count_twice(member, neighbour, facilitator):
    post = a_post(member)
    services.report(reporter=neighbour, target=post, reason="One")
    services.report(reporter=facilitator, target=post, reason="Two")
    [item] = selectors.queue(member.home_chapter)
    assert item.reports == 2
    assert item.reasons == ["One", "Two"]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_a_report_needs_a_reason_of_at_most_1000_characters(member, neighbour, reason):
    post = a_post(member)
    with pytest.raises(Refused):
        services.report(reporter=neighbour, target=post, reason=reason)
    assert not Report.objects.exists()


def test_nobody_reports_their_own_post(member):
    post = a_post(member)
    with pytest.raises(Refused):
        services.report(reporter=member, target=post, reason="Me")
    assert not Report.objects.exists()


def test_an_unanswered_report_reaches_the_chapter_above_after_the_chapters_time(
        member, neighbour, facilitator):
    hackney = member.home_chapter
    london = _parent(hackney)
    services.set_escalation_hours(chapter=hackney, member=facilitator, hours=5)
    post = a_post(member)
    services.report(reporter=neighbour, target=post, reason="Rude")
    now = timezone.now()
    assert selectors.queue(london, now=now + timedelta(hours=4, minutes=59)) == []
    [item] = selectors.queue(london, now=now + timedelta(hours=5, minutes=1))
    assert item.escalated
    # and above London too; never in a sibling's queue
    assert selectors.queue(_parent(london), now=now + timedelta(hours=6))
    other = make_member("Sib", city="Manchester").home_chapter
    assert selectors.queue(other, now=now + timedelta(days=9)) == []


def test_the_default_wait_is_72_hours(member, neighbour):
    post = a_post(member)
    report = services.report(reporter=neighbour, target=post, reason="Rude")
    assert report.escalates_at - report.created_at == timedelta(hours=72)


def test_escalation_hours_are_bounded(member, facilitator):
    with pytest.raises(Refused):
        services.set_escalation_hours(chapter=member.home_chapter, member=facilitator, hours=0)


def test_hiding_closes_the_reports_logs_audits_and_tells_the_author(
        member, neighbour, facilitator):
    post = a_post(member)
    services.report(reporter=neighbour, target=post, reason="Rude")
    hidden = services.hide(target=post, moderator=facilitator, reason="Personal attack")
    assert hidden.author == member
    assert selectors.queue(member.home_chapter) == []
    action = Action.objects.get()
    assert (action.kind, action.role, action.reason) == ("hide", "facilitator", "Personal attack")
    assert AuditEntry.objects.filter(action="moderation.hide").exists()
    notice = Notification.objects.get(recipient=member, kind=Kind.MODERATION)
    assert "Personal attack" in notice.text
    with pytest.raises(Refused):
        services.hide(target=post, moderator=facilitator, reason="Again")


def test_restore_and_dismiss(member, neighbour, facilitator):
    post = a_post(member)
    with pytest.raises(Refused):
        services.restore(target=post, moderator=facilitator, reason="Not hidden")
    with pytest.raises(Refused):
        services.dismiss(target=post, moderator=facilitator, reason="No report")
    services.report(reporter=neighbour, target=post, reason="Rude")
    assert services.dismiss(target=post, moderator=facilitator, reason="Fair comment") == 1
    services.hide(target=post, moderator=facilitator, reason="On second thought")
    services.restore(target=post, moderator=facilitator, reason="Overruled")
    assert selectors.hidden_of(post) is None
    assert list(Action.objects.order_by("pk").values_list("kind", flat=True)) == [
        "dismiss", "hide", "restore"]
    # a member may report again once their report was closed
    services.report(reporter=neighbour, target=post, reason="Still rude")
    assert Report.objects.filter(closed_at__isnull=True).count() == 1


def test_the_author_appeals_once_to_the_chapter_above(member, facilitator):
    parent_facilitator = london_facilitator()
    post = a_post(member)
    hidden = services.hide(target=post, moderator=facilitator, reason="Rude")
    appeal = services.appeal(hidden=hidden, author=member, text="It was a joke")
    assert appeal.chapter == _parent(member.home_chapter)
    assert [item.appeal for item in selectors.appeals_for(appeal.chapter)] == [appeal]
    with pytest.raises(Refused):
        services.appeal(hidden=hidden, author=member, text="Again")
    assert Appeal.objects.count() == 1
    services.decide_appeal(appeal=appeal, moderator=parent_facilitator, restore=True,
                           reason="A joke indeed")
    assert selectors.hidden_of(post) is None
    last = Action.objects.order_by("-pk")[0]
    assert (last.kind, last.role) == ("appeal_restored", "parent")
    assert selectors.appeals_for(appeal.chapter) == []
    with pytest.raises(Refused):
        services.decide_appeal(appeal=appeal, moderator=parent_facilitator, restore=False,
                               reason="Twice")


def test_an_upheld_appeal_keeps_it_hidden(member, facilitator):
    parent_facilitator = london_facilitator()
    post = a_post(member)
    hidden = services.hide(target=post, moderator=facilitator, reason="Rude")
    appeal = services.appeal(hidden=hidden, author=member, text="Please")
    services.decide_appeal(appeal=appeal, moderator=parent_facilitator, restore=False,
                           reason="It stays")
    assert Hidden.objects.get().is_current
    assert Notification.objects.filter(recipient=member, kind=Kind.MODERATION).count() == 2


def test_every_kind_of_content_is_registered():
    from chapterhouse.lib import reportables

    assert {"discussions.post", "blogs.blogpost", "events.event", "resources.resource",
            "mutualaid.entry", "members.member"} <= set(reportables.labels())


def test_the_members_reports_and_appeals_are_in_their_export(member, neighbour, facilitator):
    post = a_post(member)
    services.report(reporter=neighbour, target=post, reason="Rude")
    hidden = services.hide(target=post, moderator=facilitator, reason="Hidden")
    services.appeal(hidden=hidden, author=member, text="Please")
    assert selectors.account_export(neighbour)["moderation_reports"][0]["reason"] == "Rude"
    assert selectors.account_export(member)["moderation_appeals"][0]["text"] == "Please"
