"""Founding documents over the REST API: read-only, anyone reads them, versions name
their decisions, diffs between two versions; bad input is a 400 and changes nothing;
the lists cost the same whatever their length."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chapterhouse.documents import services
from chapterhouse.documents.models import Document, Section, SectionVersion
from chapterhouse.members.tests.factories import token_client_for

from .factories import document

pytestmark = pytest.mark.django_db

LIST = "/api/v1/documents/"
HACKNEY = "gb/eng/london/hackney"


def one(doc: Document) -> str:
    return f"{LIST}{doc.public_id}/"


def versions(section: Section) -> str:
    return f"{LIST}sections/{section.public_id}/versions/"


def diff(section: Section) -> str:
    return f"{LIST}sections/{section.public_id}/diff/"


def amend(section: Section, text: str, title: str = "Cleaner air") -> tuple[uuid.UUID, str]:
    decision = uuid.uuid4()
    url = f"/decisions/{decision}/"
    services.amend_section(section=section, heading=None, text=text,
                           decision_public_id=decision, decision_url=url, summary=title)
    return decision, url


@pytest.mark.parametrize("persona", [None, "member", "outsider"])
def test_anyone_lists_a_chapters_documents(request, persona, member):
    client = (Client() if persona is None
              else token_client_for(request.getfixturevalue(persona)))
    vision = document(member.home_chapter)
    document(member.home_chapter, title="Code of conduct", kind="code-of-conduct",
             sections=[("Respect", "Be kind.")])
    response = client.get(LIST, {"chapter": HACKNEY})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert (first["public_id"], first["title"], first["kind"], first["section_count"]) == (
        str(vision.public_id), "Our vision", "vision", 2)
    assert first["chapter"]["url_path"] == HACKNEY
    assert first["web_url"] == vision.get_absolute_url()
    assert first["api_url"] == one(vision)
    # Another chapter's list does not show them.
    assert client.get(LIST, {"chapter": "gb/eng/london"}).json()["count"] == 0


def test_the_list_needs_a_known_chapter(client, member):
    missing = client.get(LIST)
    assert missing.status_code == 400 and "chapter" in missing.json()
    assert client.get(LIST, {"chapter": "nowhere/at/all"}).status_code == 404
    assert client.get(LIST, {"chapter": HACKNEY, "page": "0"}).status_code == 400


def test_a_document_with_its_sections(client, member):
    vision = document(member.home_chapter)
    response = client.get(one(vision))
    assert response.status_code == 200
    body = response.json()
    assert body["section_count"] == 2
    assert [(s["position"], s["heading"], s["version"]) for s in body["sections"]] == [
        (1, "Who we are", 1), (2, "What we want", 1)]
    first = vision.sections.get(position=1)
    assert body["sections"][0]["versions_url"] == versions(first)
    assert body["sections"][0]["web_history_url"].endswith(
        f"/documents/{vision.slug}/{first.public_id}/history/")
    assert client.get(f"{LIST}{uuid.uuid4()}/").status_code == 404


def test_a_sections_versions_name_their_decisions(client, member):
    vision = document(member.home_chapter)
    section = vision.sections.get(position=2)
    decision, url = amend(section, "Clean air, fair rents and green streets.")
    body = client.get(versions(section)).json()
    assert body["count"] == 2
    newest, founding = body["results"]
    assert newest["number"] == 2 and newest["text"].startswith("Clean air, fair rents")
    assert newest["decision"] == {"public_id": str(decision), "title": "Cleaner air",
                                  "web_url": url,
                                  "api_url": f"/api/v1/decisions/{decision}/"}
    assert newest["based_on"] == 1
    assert founding["number"] == 1 and founding["decision"] is None
    assert client.get(f"{LIST}sections/{uuid.uuid4()}/versions/").status_code == 404


def test_the_difference_between_two_versions(client, member):
    section = document(member.home_chapter).sections.get(position=2)
    amend(section, "Clean air and fair rents for all of us.")
    response = client.get(diff(section), {"from": 1, "to": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["section"] == str(section.public_id)
    assert (body["before"]["number"], body["after"]["number"]) == (1, 2)
    assert body["heading_changed"] is False
    assert "<del>everyone.</del>" in body["diff_html"]
    assert "<ins>all of us.</ins>" in body["diff_html"]


def test_a_diff_escapes_the_texts(client, member):
    section = document(member.home_chapter).sections.get(position=1)
    amend(section, "We are <script>neighbours</script>.")
    body = client.get(diff(section), {"from": 1, "to": 2}).json()
    assert "<script>" not in body["diff_html"]
    assert "&lt;script&gt;" in body["diff_html"]


@pytest.mark.parametrize("params, field", [
    ({}, "from"),
    ({"from": 1}, "to"),
    ({"from": "one", "to": 2}, "from"),
    ({"from": 0, "to": 1}, "from"),
    ({"from": 1, "to": 3}, "to"),
    ({"from": 9, "to": 1}, "from"),
])
def test_a_bad_diff_is_400_naming_the_field(client, member, params, field):
    section = document(member.home_chapter).sections.get(position=1)
    response = client.get(diff(section), params)
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_the_documents_are_read_only(member, facilitator):
    vision = document(member.home_chapter)
    section = vision.sections.get(position=1)
    as_facilitator = token_client_for(facilitator)
    for url in (LIST, one(vision), versions(section), diff(section)):
        for answer in (as_facilitator.post(url, {"title": "x"},
                                           content_type="application/json"),
                       as_facilitator.patch(url, {"title": "x"},
                                            content_type="application/json"),
                       as_facilitator.delete(url)):
            assert answer.status_code == 405, url
    assert SectionVersion.objects.count() == 2
    assert Document.objects.get().title == "Our vision"


def _count(client: Client, url: str, params: dict | None = None) -> int:
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", [None, "member"])
def test_the_lists_cost_the_same_whatever_their_length(request, persona, member):
    client = (Client() if persona is None
              else token_client_for(request.getfixturevalue(persona)))
    vision = document(member.home_chapter)
    section = vision.sections.get(position=1)
    small_list = _count(client, LIST, {"chapter": HACKNEY})
    small_versions = _count(client, versions(section))
    small_detail = _count(client, one(vision))
    for index in range(5):
        document(member.home_chapter, title=f"Programme {index}", kind="programme",
                 sections=[(f"Part {n}", "Text.") for n in range(1, 4)])
        amend(section, f"We are neighbours, take {index}.")
    document(member.home_chapter, title="Long one",
             sections=[(f"Part {n}", "Text.") for n in range(1, 9)])
    assert _count(client, LIST, {"chapter": HACKNEY}) == small_list
    assert _count(client, versions(section)) == small_versions
    long_one = Document.objects.get(title="Long one")
    assert _count(client, one(long_one)) == small_detail
