import pytest
from django.urls import reverse

from chapterhouse.conftest import client_for
from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.members.tests.factories import make_member
from chapterhouse.moderation import services
from chapterhouse.moderation.models import Action, Appeal, Hidden, Report

from .factories import a_post, london_facilitator

pytestmark = pytest.mark.django_db


def report_url(post):
    return reverse("moderation:report", kwargs={"label": "discussions.post", "pk": post.pk})


def content_url(post):
    return reverse("moderation:content", kwargs={"label": "discussions.post", "pk": post.pk})


def queue_url(chapter):
    return reverse("moderation:queue", kwargs={"url_path": chapter.url_path})


def test_a_member_reports_a_post_with_the_form(member, neighbour_client):
    post = a_post(member)
    page = neighbour_client.get(report_url(post))
    assert page.status_code == 200
    for _ in range(3):
        done = neighbour_client.post(report_url(post), {"reason": "Rude"})
        assert done.status_code == 302
    assert Report.objects.count() == 1


def test_a_report_without_reason_is_refused(member, neighbour_client):
    post = a_post(member)
    page = neighbour_client.post(report_url(post), {"reason": ""})
    assert page.status_code == 400
    assert not Report.objects.exists()


def test_reporting_needs_an_account_and_a_known_kind(client, member, neighbour_client):
    post = a_post(member)
    assert client.get(report_url(post)).status_code == 302  # to the login page
    missing = reverse("moderation:report", kwargs={"label": "auth.user", "pk": 1})
    assert neighbour_client.get(missing).status_code == 404
    assert neighbour_client.get(reverse(
        "moderation:report", kwargs={"label": "discussions.post", "pk": 999999})
    ).status_code == 404


def test_the_author_cannot_report_their_post(member, member_client):
    post = a_post(member)
    assert member_client.post(report_url(post), {"reason": "x"}).status_code == 403


def test_the_queue_is_the_facilitators(member, neighbour, facilitator_client,
                                       member_client, outsider_client, client):
    post = a_post(member, body="A very distinctive sentence")
    services.report(reporter=neighbour, target=post, reason="Rude")
    url = queue_url(member.home_chapter)
    page = facilitator_client.get(url)
    assert page.status_code == 200
    assert b"A very distinctive sentence" in page.content
    assert member_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 403
    assert client.get(url).status_code == 403


def test_a_facilitator_hides_and_restores(member, neighbour, facilitator_client):
    post = a_post(member)
    services.report(reporter=neighbour, target=post, reason="Rude")
    page = facilitator_client.post(content_url(post), {"decision": "hide",
                                                       "reason": "Personal attack"})
    assert page.status_code == 302
    assert Hidden.objects.get().reason == "Personal attack"
    page = facilitator_client.post(content_url(post), {"decision": "restore",
                                                       "reason": ""})
    assert page.status_code == 400
    assert Hidden.objects.get().is_current
    page = facilitator_client.post(content_url(post), {"decision": "restore",
                                                       "reason": "Fine after all"})
    assert page.status_code == 302
    assert not Hidden.objects.get().is_current


def test_others_may_not_moderate(member, neighbour_client, outsider_client):
    post = a_post(member)
    for client in (neighbour_client, outsider_client):
        assert client.get(content_url(post)).status_code == 403
        assert client.post(content_url(post), {"decision": "hide",
                                               "reason": "x"}).status_code == 403
    assert not Hidden.objects.exists()
    assert not Action.objects.exists()


def test_a_facilitator_of_the_chapter_above_moderates_too(member):
    post = a_post(member)
    client = client_for(london_facilitator())
    assert client.post(content_url(post), {"decision": "hide",
                                           "reason": "Seen from London"}).status_code == 302
    assert Action.objects.get().role == "parent"


def test_hidden_post_shows_the_reason_to_others_and_the_text_to_its_author(
        member, facilitator, neighbour_client, member_client, client):
    thread = make_thread(member, body="The secret rude text")
    post = thread.posts.get()
    services.hide(target=post, moderator=facilitator, reason="Personal attack")
    for reader in (neighbour_client, client):
        page = reader.get(thread.get_absolute_url())
        assert b"Personal attack" in page.content
        assert b"The secret rude text" not in page.content
    page = member_client.get(thread.get_absolute_url())
    assert b"Personal attack" in page.content
    assert b"The secret rude text" in page.content
    assert reverse("moderation:appeal", kwargs={"pk": Hidden.objects.get().pk}).encode() \
        in page.content


def test_appeal_pages(member, facilitator, member_client, neighbour_client, facilitator_client):
    post = a_post(member)
    hidden = services.hide(target=post, moderator=facilitator, reason="Rude")
    url = reverse("moderation:appeal", kwargs={"pk": hidden.pk})
    assert neighbour_client.get(url).status_code == 404
    assert member_client.post(url, {"text": ""}).status_code == 400
    assert member_client.post(url, {"text": "It was fair"}).status_code == 302
    assert member_client.post(url, {"text": "Again"}).status_code == 403
    assert Appeal.objects.count() == 1
    appeal = Appeal.objects.get()
    decide = reverse("moderation:decide_appeal", kwargs={"pk": appeal.pk})
    # the facilitator who hid it is not of the chapter above: refused
    assert facilitator_client.post(decide, {"decision": "restore",
                                            "reason": "x"}).status_code == 403
    parent = client_for(london_facilitator())
    page = parent.get(queue_url(appeal.chapter))
    assert b"It was fair" in page.content
    assert parent.post(decide, {"decision": "uphold", "reason": "Stays"}).status_code == 302
    assert Appeal.objects.get().outcome == "upheld"


def test_the_public_log_shows_no_content(member, facilitator, client):
    post = a_post(member, body="The secret rude text")
    services.hide(target=post, moderator=facilitator, reason="Personal attack")
    page = client.get(reverse("moderation:log", kwargs={"url_path": member.home_chapter.url_path}))
    assert page.status_code == 200
    assert b"Personal attack" in page.content
    assert b"The secret rude text" not in page.content
    assert facilitator.display_name.encode() not in page.content
    assert b"a facilitator of the chapter" in page.content


def test_settings_change_the_wait(member, facilitator_client, member_client):
    url = reverse("moderation:settings", kwargs={"url_path": member.home_chapter.url_path})
    assert member_client.post(url, {"escalate_after_hours": "5"}).status_code == 403
    assert facilitator_client.post(url, {"escalate_after_hours": "0"}).status_code == 400
    assert facilitator_client.post(url, {"escalate_after_hours": "5"}).status_code == 302
    assert services.escalation_hours(member.home_chapter) == 5


def _reported_posts(author, count):
    reporters = [make_member(f"Reporter {n}", city="London", neighbourhood="Hackney")
                 for n in range(2)]
    for n in range(count):
        post = a_post(author, body=f"Post {n}")
        for reporter in reporters:
            services.report(reporter=reporter, target=post, reason=f"Reason {n}")


def test_the_queue_costs_the_same_whatever_its_length(
        member, facilitator_client, django_assert_num_queries):
    url = queue_url(member.home_chapter)
    _reported_posts(member, 2)
    facilitator_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert facilitator_client.get(url).status_code == 200
    _reported_posts(member, 8)
    with CaptureQueriesContext(connection) as large:
        page = facilitator_client.get(url)
    assert page.content.count(b"Reason 7") == 2
    assert len(large) == len(small)


def test_the_log_costs_the_same_whatever_its_length(member, facilitator, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("moderation:log", kwargs={"url_path": member.home_chapter.url_path})
    for n in range(2):
        services.hide(target=a_post(member), moderator=facilitator, reason=f"R{n}")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(8):
        services.hide(target=a_post(member), moderator=facilitator, reason=f"S{n}")
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert b"S7" in page.content
    assert len(large) == len(small)


def test_the_thread_costs_the_same_with_hidden_posts(member, facilitator, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chapterhouse.discussions import services as discussions

    thread = make_thread(member, replies=2)
    for post in thread.posts.all()[:2]:
        services.hide(target=post, moderator=facilitator, reason="Hidden")
    client.get(thread.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        client.get(thread.get_absolute_url())
    for n in range(6):
        post = discussions.reply(thread=thread, author=member, body=f"More {n}")
        services.hide(target=post, moderator=facilitator, reason="Hidden")
    with CaptureQueriesContext(connection) as large:
        client.get(thread.get_absolute_url())
    assert len(large) == len(small)


def test_a_hidden_blog_post_and_event_show_the_reason(member, facilitator, neighbour_client,
                                                       member_client):
    from chapterhouse.blogs.tests.factories import make_post
    from chapterhouse.events.tests.factories import make_event

    post = make_post(member, title="Blog title", body="The secret blog text")
    event = make_event(author=member, title="Secret picnic", description="The secret plan")
    services.hide(target=post, moderator=facilitator, reason="Blog reason")
    services.hide(target=event, moderator=facilitator, reason="Event reason")
    for target, secret, reason in ((post, b"The secret blog text", b"Blog reason"),
                                   (event, b"The secret plan", b"Event reason")):
        page = neighbour_client.get(target.get_absolute_url())
        assert page.status_code == 200
        assert reason in page.content and secret not in page.content
        page = member_client.get(target.get_absolute_url())
        assert reason in page.content and secret in page.content
    # reporting an event someone may see
    url = reverse("moderation:report", kwargs={"label": "events.event", "pk": event.pk})
    assert neighbour_client.post(url, {"reason": "Spam"}).status_code == 302


def test_the_chapter_page_leads_its_facilitators_to_the_queue(
        member, neighbour, facilitator_client, member_client):
    services.report(reporter=neighbour, target=a_post(member), reason="Rude")
    url = member.home_chapter.get_absolute_url()
    page = facilitator_client.get(url).content.decode()
    assert queue_url(member.home_chapter) in page
    assert "1 reported thing waits." in page
    assert queue_url(member.home_chapter) not in member_client.get(url).content.decode()


def test_the_chapter_pages_count_shows_a_new_report_and_a_decision_at_once(
    member, neighbour, facilitator, facilitator_client, django_capture_on_commit_callbacks
):
    post = a_post(member)
    page = f"/c/{member.home_chapter.url_path}/"
    assert "0 reported things wait." in facilitator_client.get(page).content.decode()  # cached
    with django_capture_on_commit_callbacks(execute=True):
        services.report(reporter=neighbour, target=post, reason="Rude")
    assert "1 reported thing waits." in facilitator_client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.dismiss(target=post, moderator=facilitator, reason="It is fine")
    assert "0 reported things wait." in facilitator_client.get(page).content.decode()
