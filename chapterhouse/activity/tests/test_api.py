import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.activity import services
from chapterhouse.activity.models import Follow
from chapterhouse.activity.tests.factories import past_decision, record
from chapterhouse.members.tests.factories import token_client_for
from chapterhouse.mutualaid.tests.factories import make_entry
from chapterhouse.projects.tests.factories import make_group
from chapterhouse.resources.tests.factories import make_lesson

pytestmark = pytest.mark.django_db

FEED = "/api/v1/activity/"
FOLLOWS = "/api/v1/activity/follows/"


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_everything_needs_credentials(client):
    assert client.get(FEED).status_code == 401
    assert client.get(FOLLOWS).status_code == 401
    assert post_json(client, FOLLOWS, {"chapter": "fr"}).status_code == 401


def test_follow_a_chapter_then_see_its_decision_in_the_feed(member, outsider):
    api = token_client_for(member)
    record(past_decision(outsider, title="Open a tool library"))
    assert api.get(FEED).json()["results"] == []
    response = post_json(api, FOLLOWS, {"chapter": outsider.home_chapter.url_path})
    assert response.status_code == 201
    assert response.json()["chapter"]["url_path"] == outsider.home_chapter.url_path
    [item] = api.get(FEED).json()["results"]
    assert item["kind"] == "decision"
    assert item["title"] == "Open a tool library"
    assert "decided: Open a tool library" in item["text"]


def test_members_only_items_are_never_listed_to_others(member, outsider, neighbour):
    record(make_entry(member, title="A members-only lift"))
    services.follow(member=outsider, chapter=member.home_chapter)
    assert token_client_for(outsider).get(FEED).json()["results"] == []
    assert [i["title"] for i in token_client_for(neighbour).get(FEED).json()["results"]] == [
        "A members-only lift"]


def test_follow_a_group_and_stop_following(member, outsider):
    api = token_client_for(outsider)
    group = make_group(member)
    response = post_json(api, FOLLOWS, {"group": str(group.public_id)})
    assert response.status_code == 201
    public_id = response.json()["public_id"]
    assert [f["group"]["name"] for f in api.get(FOLLOWS).json()["results"]] == [group.name]
    assert api.delete(f"{FOLLOWS}{public_id}/").status_code == 204
    assert not Follow.objects.exists()


@pytest.mark.parametrize("data", [
    {}, {"chapter": "gb", "group": "00000000-0000-0000-0000-000000000000"},
    {"chapter": "gb", "colour": "red"}, {"group": "not a uuid"}, {"chapter": ["gb"]},
])
def test_bad_input_is_a_400_and_stores_nothing(outsider, data):
    response = post_json(token_client_for(outsider), FOLLOWS, data)
    assert response.status_code == 400
    assert not Follow.objects.exists()


def test_unknown_chapters_and_groups_are_404s(outsider):
    api = token_client_for(outsider)
    assert post_json(api, FOLLOWS, {"chapter": "zz/nowhere"}).status_code == 404
    assert post_json(api, FOLLOWS, {"group": "00000000-0000-0000-0000-000000000000"}
                     ).status_code == 404
    assert not Follow.objects.exists()


def test_following_ones_own_chapter_is_a_403(member):
    response = post_json(token_client_for(member), FOLLOWS,
                         {"chapter": member.home_chapter.url_path})
    assert response.status_code == 403


def test_nobody_deletes_someone_elses_follow(member, outsider, neighbour):
    follow = services.follow(member=member, chapter=outsider.home_chapter)
    api = token_client_for(neighbour)
    assert api.delete(f"{FOLLOWS}{follow.public_id}/").status_code == 404
    assert api.get(f"{FOLLOWS}{follow.public_id}/").status_code == 404
    assert Follow.objects.count() == 1


def test_the_feed_and_the_follows_cost_the_same_queries_with_more_items(member, outsider):
    api = token_client_for(member)
    services.follow(member=member, chapter=outsider.home_chapter)
    record(make_lesson(member))

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        return len(queries)

    count(FEED)  # the first request of a token warms what later ones reuse
    before = count(FEED), count(FOLLOWS)
    for n in range(5):
        record(make_lesson(outsider, title=f"Lesson {n}"))
        record(past_decision(outsider, title=f"Decision {n}"))
        services.follow(member=member, group=make_group(outsider, name=f"Group {n}"))
    assert (count(FEED), count(FOLLOWS)) == before


def test_the_feed_filters_by_kind_and_refuses_an_unknown_one(member):
    api = token_client_for(member)
    record(make_lesson(member, title="Door knocking works"))
    record(make_entry(member, title="A lift"))
    assert [i["title"] for i in api.get(FEED, {"kind": "lesson"}).json()["results"]] == [
        "Door knocking works"]
    response = api.get(FEED, {"kind": "gossip"})
    assert response.status_code == 400
    assert "kind" in response.json()
