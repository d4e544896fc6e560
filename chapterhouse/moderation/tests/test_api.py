"""Moderation over the REST API: reporting (counted once), the facilitators' queue,
hiding, restoring and dismissing with a reason, the author's one appeal, the public
log without the content; outsiders refused, bad input a 400 that changes nothing, and
lists that cost the same whatever their length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chapterhouse.members.tests.factories import make_member, token_client_for
from chapterhouse.moderation import services
from chapterhouse.moderation.models import Action, Appeal, Hidden, Report

from .factories import a_post, london_facilitator

pytestmark = pytest.mark.django_db

API = "/api/v1/moderation/"
HACKNEY = "gb/eng/london/hackney"
POST = "discussions.post"


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


def report(client, post, reason="Rude"):
    return post_json(client, API + "reports/", {"content": POST, "id": post.pk,
                                                "reason": reason})


def decide(client, post, decision, reason="Personal attack"):
    return post_json(client, API + "decisions/", {"content": POST, "id": post.pk,
                                                  "decision": decision, "reason": reason})


def appeal(client, post, text="It was a joke"):
    return post_json(client, API + "appeals/", {"content": POST, "id": post.pk,
                                                "text": text})


def test_a_member_reports_a_post_and_flooding_counts_once(member, neighbour):
    post = a_post(member)
    as_neighbour = token_client_for(neighbour)
    first = report(as_neighbour, post)
    assert first.status_code == 201
    assert first.json()["content"] == POST and first.json()["id"] == post.pk
    for reason in ("Rude!", "Very rude", "Still rude"):
        again = report(as_neighbour, post, reason)
        assert again.status_code == 200
    only = Report.objects.get()
    assert (only.reporter, only.reason) == (neighbour, "Still rude")


def test_reporting_needs_credentials_and_the_rule(client, member, outsider):
    post = a_post(member)
    assert report(client, post).status_code == 401
    own = report(token_client_for(member), post)
    assert own.status_code == 403 and own.json()["detail"] == "You cannot report this."
    # Anyone signed in who sees a public post may report it.
    assert report(token_client_for(outsider), post).status_code == 201


@pytest.mark.parametrize("data, field", [
    ({"content": POST, "reason": ""}, "reason"),
    ({"content": POST, "reason": "x" * 1001}, "non_field_errors"),
    ({"content": "auth.user", "reason": "Rude"}, "content"),
    ({"content": "", "reason": "Rude"}, "content"),
    ({"content": POST, "id": 0, "reason": "Rude"}, "id"),
    ({"content": POST, "id": "one", "reason": "Rude"}, "id"),
    ({"content": POST, "reason": "Rude", "urgent": True}, "urgent"),
])
def test_a_bad_report_is_400_and_nothing_is_stored(member, neighbour, data, field):
    post = a_post(member)
    response = post_json(token_client_for(neighbour), API + "reports/",
                         {"id": post.pk, **data})
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Report.objects.exists()


def test_reporting_unknown_content_is_404(member, neighbour):
    response = post_json(token_client_for(neighbour), API + "reports/",
                         {"content": POST, "id": 999999, "reason": "Rude"})
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_the_queue_is_for_the_chapters_facilitators(client, member, neighbour, facilitator,
                                                    outsider):
    post = a_post(member, body="A very distinctive sentence")
    services.report(reporter=neighbour, target=post, reason="Rude")
    response = token_client_for(facilitator).get(API + "queue/", {"chapter": HACKNEY})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert (item["content"], item["id"], item["reports"], item["reasons"]) == (
        POST, post.pk, 1, ["Rude"])
    assert "A very distinctive sentence" in item["excerpt"]
    assert item["chapter"]["url_path"] == HACKNEY and item["escalated"] is False
    assert client.get(API + "queue/", {"chapter": HACKNEY}).status_code == 401
    for other in (member, neighbour, outsider):
        refused = token_client_for(other).get(API + "queue/", {"chapter": HACKNEY})
        assert refused.status_code == 403
    as_facilitator = token_client_for(facilitator)
    assert as_facilitator.get(API + "queue/").status_code == 400
    assert as_facilitator.get(API + "queue/", {"chapter": "no/such/place"}).status_code == 404


def test_a_facilitator_hides_restores_and_dismisses(member, neighbour, facilitator):
    post = a_post(member)
    services.report(reporter=neighbour, target=post, reason="Rude")
    as_facilitator = token_client_for(facilitator)
    hidden = decide(as_facilitator, post, "hide")
    assert hidden.status_code == 200
    body = hidden.json()
    assert (body["decision"], body["hiding"]["reason"], body["dismissed"]) == (
        "hide", "Personal attack", None)
    assert Hidden.objects.get().restored_at is None
    assert not Report.objects.filter(closed_at__isnull=True).exists()
    twice = decide(as_facilitator, post, "hide")
    assert twice.status_code == 400 and "hidden already" in str(twice.json())
    restored = decide(as_facilitator, post, "restore", "On reflection, fine")
    assert restored.status_code == 200 and restored.json()["hiding"]["restored_at"]
    services.report(reporter=neighbour, target=post, reason="Rude again")
    dismissed = decide(as_facilitator, post, "dismiss", "Not rude")
    assert dismissed.status_code == 200 and dismissed.json()["dismissed"] == 1
    assert list(Action.objects.order_by("pk").values_list("kind", flat=True)) == [
        "hide", "restore", "dismiss"]


def test_deciding_is_for_the_facilitators_at_or_above(client, member, neighbour, outsider):
    post = a_post(member)
    services.report(reporter=neighbour, target=post, reason="Rude")
    assert decide(client, post, "hide").status_code == 401
    for other in (neighbour, outsider):
        refused = decide(token_client_for(other), post, "hide")
        assert refused.status_code == 403
        assert refused.json()["detail"] == "You do not moderate this."
    assert not Hidden.objects.exists() and not Action.objects.exists()
    assert decide(token_client_for(london_facilitator()), post, "hide").status_code == 200


@pytest.mark.parametrize("decision, reason, text", [
    ("hide", "", "reason"),
    ("hide", "x" * 1001, "too long"),
    ("delete", "Rude", "decision"),
    ("", "Rude", "decision"),
    ("restore", "Fine", "not hidden"),
])
def test_a_bad_decision_is_400_and_changes_nothing(member, neighbour, facilitator, decision,
                                                   reason, text):
    post = a_post(member)
    services.report(reporter=neighbour, target=post, reason="Rude")
    response = decide(token_client_for(facilitator), post, decision, reason)
    assert response.status_code == 400
    assert text in str(response.json()), response.json()
    assert not Hidden.objects.exists() and not Action.objects.exists()
    assert Report.objects.get().closed_at is None


def test_dismissing_without_reports_is_400(member, facilitator):
    post = a_post(member)
    response = decide(token_client_for(facilitator), post, "dismiss", "Nothing")
    assert response.status_code == 400 and "no open report" in str(response.json())
    assert not Action.objects.exists()


def test_the_author_appeals_once(member, facilitator, neighbour):
    post = a_post(member)
    services.hide(target=post, moderator=facilitator, reason="Personal attack")
    assert appeal(token_client_for(neighbour), post).status_code == 404
    empty = appeal(token_client_for(member), post, "  ")
    assert empty.status_code == 400 and not Appeal.objects.exists()
    made = appeal(token_client_for(member), post)
    assert made.status_code == 201
    assert made.json()["chapter"]["url_path"] == "gb/eng/london"
    assert made.json()["text"] == "It was a joke" and made.json()["outcome"] is None
    again = appeal(token_client_for(member), post, "Please")
    assert again.status_code == 403
    assert Appeal.objects.count() == 1


def test_appealing_what_is_not_hidden_is_404(client, member):
    post = a_post(member)
    assert appeal(client, post).status_code == 401
    assert appeal(token_client_for(member), post).status_code == 404
    assert not Appeal.objects.exists()


def test_the_public_log_never_shows_the_content(client, member, outsider, facilitator):
    post = a_post(member, body="A very distinctive sentence")
    services.hide(target=post, moderator=facilitator, reason="Personal attack")
    for viewer in (client, token_client_for(outsider)):
        response = viewer.get(API + "log/", {"chapter": HACKNEY})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        line = body["results"][0]
        assert (line["kind"], line["reason"], line["role"]) == (
            "hide", "Personal attack", "facilitator")
        assert line["noun"]
        assert "distinctive" not in response.content.decode()
        assert facilitator.display_name not in response.content.decode()
    assert client.get(API + "log/").status_code == 400
    assert client.get(API + "log/", {"chapter": "no/such/place"}).status_code == 404


def _count(client, url, params):
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_the_queue_and_the_log_cost_the_same_whatever_their_length(member, facilitator):
    as_facilitator = token_client_for(facilitator)
    anonymous = Client()
    first = a_post(member, body="First")
    services.report(reporter=facilitator, target=first, reason="Rude")
    services.hide(target=a_post(member, body="Hidden"), moderator=facilitator, reason="No")
    small_queue = _count(as_facilitator, API + "queue/", {"chapter": HACKNEY})
    small_log = _count(anonymous, API + "log/", {"chapter": HACKNEY})
    for index in range(5):
        author = make_member(f"Author {index}", city="London", neighbourhood="Hackney")
        reporter = make_member(f"Reporter {index}", city="London", neighbourhood="Hackney")
        services.report(reporter=reporter, target=a_post(author, body=f"Post {index}"),
                        reason="Rude")
        services.report(reporter=reporter, target=first, reason="Also rude")
        services.hide(target=a_post(author, body=f"Gone {index}"), moderator=facilitator,
                      reason="No")
    assert _count(as_facilitator, API + "queue/", {"chapter": HACKNEY}) == small_queue
    assert _count(anonymous, API + "log/", {"chapter": HACKNEY}) == small_log


def decide_appeal(client, post, decision="restore", reason="On reflection, fine"):
    return post_json(client, API + "appeals/decide/", {"content": POST, "id": post.pk,
                                                       "decision": decision,
                                                       "reason": reason})


def test_the_chapter_above_sees_and_decides_the_appeal(client, member, facilitator,
                                                       outsider):
    post = a_post(member, body="A very distinctive sentence")
    services.hide(target=post, moderator=facilitator, reason="Personal attack")
    assert appeal(token_client_for(member), post).status_code == 201
    above = london_facilitator()
    as_above = token_client_for(above)
    listed = as_above.get(API + "appeals/", {"chapter": "gb/eng/london"})
    assert listed.status_code == 200
    item = listed.json()["results"][0]
    assert (item["content"], item["id"], item["hidden_reason"], item["text"]) == (
        POST, post.pk, "Personal attack", "It was a joke")
    assert "distinctive" in item["excerpt"] and item["chapter"]["url_path"] == HACKNEY
    assert client.get(API + "appeals/", {"chapter": "gb/eng/london"}).status_code == 401
    for other in (member, facilitator, outsider):
        assert token_client_for(other).get(
            API + "appeals/", {"chapter": "gb/eng/london"}).status_code == 403
    # Neither the author, nor the one who hid it, nor an outsider decides.
    assert decide_appeal(client, post).status_code == 401
    for other in (member, facilitator, outsider):
        assert decide_appeal(token_client_for(other), post).status_code == 403
    assert Appeal.objects.get().decided_at is None
    decided = decide_appeal(as_above, post)
    assert decided.status_code == 200 and decided.json()["outcome"] == "restored"
    assert Hidden.objects.get().restored_at is not None
    assert Action.objects.filter(kind="appeal_restored").count() == 1
    # Decided, there is nothing left to decide.
    assert decide_appeal(as_above, post).status_code == 404


def test_an_upheld_appeal_keeps_it_hidden(member, facilitator):
    post = a_post(member)
    services.hide(target=post, moderator=facilitator, reason="Personal attack")
    appeal(token_client_for(member), post)
    upheld = decide_appeal(token_client_for(london_facilitator()), post, "uphold",
                           "It was an attack")
    assert upheld.status_code == 200 and upheld.json()["outcome"] == "upheld"
    assert Hidden.objects.get().restored_at is None


@pytest.mark.parametrize("decision, reason, field", [
    ("restore", "", "reason"),
    ("restore", "x" * 1001, "non_field_errors"),
    ("delete", "Fine", "decision"),
    ("", "Fine", "decision"),
])
def test_a_bad_appeal_decision_is_400_and_changes_nothing(member, facilitator, decision,
                                                          reason, field):
    post = a_post(member)
    services.hide(target=post, moderator=facilitator, reason="Personal attack")
    appeal(token_client_for(member), post)
    response = decide_appeal(token_client_for(london_facilitator()), post, decision, reason)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Appeal.objects.get().decided_at is None
    assert Hidden.objects.get().restored_at is None


def test_deciding_without_an_appeal_is_404(member, facilitator):
    post = a_post(member)
    services.hide(target=post, moderator=facilitator, reason="Personal attack")
    response = decide_appeal(token_client_for(london_facilitator()), post)
    assert response.status_code == 404
    assert Hidden.objects.get().restored_at is None


def test_the_appeals_cost_the_same_whatever_their_number(member, facilitator):
    as_above = token_client_for(london_facilitator())
    params = {"chapter": "gb/eng/london"}

    def hidden_and_appealed(author, body):
        post = a_post(author, body=body)
        services.hide(target=post, moderator=facilitator, reason="No")
        services.appeal(hidden=Hidden.objects.get(object_id=post.pk, restored_at=None),
                        author=author, text="Please")

    hidden_and_appealed(member, "First")
    small = _count(as_above, API + "appeals/", params)
    for index in range(5):
        author = make_member(f"Author {index}", city="London", neighbourhood="Hackney")
        hidden_and_appealed(author, f"Post {index}")
    assert _count(as_above, API + "appeals/", params) == small
