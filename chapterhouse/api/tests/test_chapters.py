"""/api/v1/chapters/: the public chapter tree, its counts, and its GeoJSON."""

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters.models import Chapter
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

LIST = "/api/v1/chapters/"
PERSONAS = ["client", "outsider_client", "member_client", "member_token_client"]


def paths(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["url_path"] for row in response.json()["results"]]


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_may_read_the_tree(request, member, outsider, persona):
    client = request.getfixturevalue(persona)
    assert paths(client.get(LIST)) == [
        "", "gb", "gb/eng", "gb/eng/london", "gb/eng/london/hackney",
        "fr", "fr/ara", "fr/ara/lyon",
    ]
    assert client.get(f"{LIST}gb/eng/london/").status_code == 200
    assert client.get(f"{LIST}geojson/").status_code == 200


def test_a_chapter_row_carries_its_count_and_parent(client, member, outsider):
    rows = {row["url_path"]: row for row in client.get(LIST).json()["results"]}
    assert rows[""]["member_count"] == 2
    assert rows[""]["parent"] is None
    assert rows["gb"]["parent"] == ""
    assert rows["gb/eng/london/hackney"] == {
        "url_path": "gb/eng/london/hackney",
        "slug": "hackney",
        "name": "Hackney",
        "names": {},
        "level": 4,
        "level_name": "Neighbourhood",
        "parent": "gb/eng/london",
        "member_count": 1,
        "latitude": None,
        "longitude": None,
        "web_url": "http://testserver/c/gb/eng/london/hackney/",
        "api_url": "http://testserver/api/v1/chapters/gb/eng/london/hackney/",
    }


def test_names_follow_the_language_asked_for(client, member):
    Chapter.objects.filter(url_path="gb").update(names={"es": "Reino Unido"})
    row = client.get(LIST, {"level": 1}, HTTP_ACCEPT_LANGUAGE="es").json()["results"][0]
    assert (row["name"], row["names"]) == ("Reino Unido", {"es": "Reino Unido"})
    assert client.get(LIST, {"level": 1}).json()["results"][0]["name"] == "United Kingdom"


def test_the_list_filters_by_level_and_parent(client, member, outsider):
    make_member("Bo", city="Leeds")
    assert paths(client.get(LIST, {"level": 1})) == ["fr", "gb"]
    assert paths(client.get(LIST, {"level": 3})) == ["gb/eng/leeds", "gb/eng/london",
                                                     "fr/ara/lyon"]
    assert paths(client.get(LIST, {"parent": "gb/eng"})) == ["gb/eng/leeds", "gb/eng/london"]
    assert paths(client.get(LIST, {"parent": "international"})) == ["fr", "gb"]
    assert paths(client.get(LIST, {"parent": "gb", "level": 3})) == []


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"level": "7"}, {"level": ["Choose a level from 0 to 4."]}),
        ({"level": "city"}, {"level": ["Choose a level from 0 to 4."]}),
        ({"parent": "gb/nowhere"}, {"parent": ["There is no such chapter."]}),
    ],
)
def test_bad_filters_are_clear_errors(client, member, query, error):
    response = client.get(LIST, query)
    assert response.status_code == 400
    assert response.json() == error


def test_a_chapter_has_its_breadcrumb_children_and_description(client, member, facilitator):
    hackney = member.home_chapter
    Chapter.objects.filter(pk=hackney.pk).update(description="We meet on **Tuesdays**.")
    make_member("Bo", city="London", neighbourhood="Dalston")
    london = client.get(f"{LIST}gb/eng/london/").json()
    assert [c["url_path"] for c in london["breadcrumb"]] == ["", "gb", "gb/eng", "gb/eng/london"]
    assert london["breadcrumb"][0]["name"] == "International"
    assert london["children_count"] == 2
    assert [(c["url_path"], c["member_count"]) for c in london["children"]] == [
        ("gb/eng/london/hackney", 2), ("gb/eng/london/dalston", 1),
    ]
    body = client.get(f"{LIST}gb/eng/london/hackney/").json()
    assert body["description"] == "We meet on **Tuesdays**."
    assert body["description_html"] == "<p>We meet on <strong>Tuesdays</strong>.</p>"
    assert body["children"] == []


def test_the_international_chapter_has_its_own_address(client, member):
    body = client.get(f"{LIST}international/").json()
    assert body["url_path"] == ""
    assert body["name"] == "International"
    assert body["member_count"] == 1
    assert body["api_url"] == "http://testserver/api/v1/chapters/international/"
    assert [c["url_path"] for c in body["children"]] == ["gb"]


def test_an_unknown_chapter_is_not_found(client, member):
    assert client.get(f"{LIST}gb/eng/atlantis/").status_code == 404
    assert client.get(f"{LIST}gb//eng/").status_code == 404


def test_a_description_cannot_run_script(client, member):
    Chapter.objects.filter(pk=member.home_chapter.pk).update(
        description='<script>alert(1)</script><img src=x onerror="alert(1)">'
    )
    html = client.get(f"{LIST}gb/eng/london/hackney/").json()["description_html"]
    assert "<script" not in html
    assert "onerror" not in html


def test_chapters_cannot_be_written(member_client, facilitator_client, member):
    url = f"{LIST}gb/eng/london/hackney/"
    assert facilitator_client.patch(
        url, {"description": "x"}, content_type="application/json"
    ).status_code == 405
    assert member_client.post(LIST, {"name": "New"}).status_code == 405
    assert member_client.delete(url).status_code == 405
    assert Chapter.objects.get(pk=member.home_chapter.pk).description == ""


def test_the_geojson_has_every_chapter_with_coordinates(client, member, outsider):
    Chapter.objects.update(latitude=51.5, longitude=-0.12)
    response = client.get(f"{LIST}geojson/")
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    by_url = {f["properties"]["url"]: f for f in body["features"]}
    assert by_url["/c/gb/eng/london/hackney/"]["properties"]["count"] == 1
    assert by_url["/c/gb/eng/london/hackney/"]["geometry"] == {
        "type": "Point", "coordinates": [-0.12, 51.5],
    }
    assert "/c/fr/ara/lyon/" in by_url


def test_the_geojson_answers_304_and_gzip(client, member):
    first = client.get(f"{LIST}geojson/")
    again = client.get(f"{LIST}geojson/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    zipped = client.get(f"{LIST}geojson/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == first.content


def _grow(size: int) -> None:
    for index in range(size):
        make_member(f"P{index}", city=f"Town {index}", neighbourhood=f"Quarter {index}")
        make_member(f"Q{index}", city="London", neighbourhood=f"Area {index}")
    Chapter.objects.update(latitude=51.5, longitude=-0.12)


def _queries(client, path: str) -> int:
    from django.core.cache import cache

    client.get(path)
    cache.clear()  # the GeoJSON is cached: measure the uncached build
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["client", "member_client", "member_token_client"])
@pytest.mark.parametrize(
    "path",
    [LIST, LIST + "?level=3", LIST + "?parent=gb/eng", LIST + "gb/eng/london/",
     LIST + "international/", LIST + "geojson/"],
)
def test_chapter_endpoints_run_a_constant_number_of_queries(request, member, persona, path):
    client = request.getfixturevalue(persona)
    _grow(2)
    small = _queries(client, path)
    _grow(12)
    assert _queries(client, path) == small
    assert small <= 8, small
