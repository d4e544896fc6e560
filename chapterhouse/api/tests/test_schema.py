"""The OpenAPI schema and the Swagger docs page, under our CSP and with local assets."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/auth/token/", "/api/v1/me/", "/api/v1/members/", "/api/v1/members/{public_id}/",
    "/api/v1/chapters/", "/api/v1/chapters/{lookup}/", "/api/v1/chapters/geojson/",
    # decisions (chapterhouse.decisions.api)
    "/api/v1/proposals/", "/api/v1/proposals/{public_id}/",
    "/api/v1/proposals/{public_id}/publish/", "/api/v1/proposals/{public_id}/amendments/",
    "/api/v1/proposals/{public_id}/amendments/{number}/accept/",
    "/api/v1/proposals/{public_id}/ballot/", "/api/v1/decisions/",
    "/api/v1/decisions/{public_id}/", "/api/v1/decisions/{sequence}/",
    "/api/v1/decisions/{public_id}/ballots/",
    # private messages (chapterhouse.conversations.api)
    "/api/v1/conversations/", "/api/v1/conversations/{public_id}/messages/",
    # announcements (chapterhouse.announcements.api)
    "/api/v1/announcements/", "/api/v1/announcements/{public_id}/",
    "/api/v1/announcements/{public_id}/withdraw/",
    # chat (chapterhouse.chat.api)
    "/api/v1/chat/rooms/", "/api/v1/chat/rooms/{public_id}/messages/",
    # notifications (chapterhouse.notifications.api)
    "/api/v1/notifications/", "/api/v1/notifications/read/",
    "/api/v1/notifications/{public_id}/read/",
    # projects (chapterhouse.projects.api), resources and lessons
    # (chapterhouse.resources.api), mutual aid (chapterhouse.mutualaid.api)
    "/api/v1/groups/", "/api/v1/groups/{public_id}/", "/api/v1/groups/{public_id}/join/",
    "/api/v1/groups/{public_id}/leave/", "/api/v1/groups/{public_id}/accept/",
    "/api/v1/groups/{public_id}/decline/", "/api/v1/groups/{public_id}/tasks/",
    "/api/v1/groups/{public_id}/tasks/{task_id}/assign/",
    "/api/v1/groups/{public_id}/tasks/{task_id}/status/",
    "/api/v1/resources/", "/api/v1/resources/{public_id}/",
    "/api/v1/resources/{public_id}/remove/", "/api/v1/lessons/",
    "/api/v1/lessons/{public_id}/", "/api/v1/lessons/{public_id}/helped/",
    "/api/v1/mutual-aid/", "/api/v1/mutual-aid/{public_id}/",
    "/api/v1/mutual-aid/{public_id}/fulfil/", "/api/v1/mutual-aid/{public_id}/remove/",
    "/api/v1/mutual-aid/{public_id}/reply/",
    # events (chapterhouse.events.api)
    "/api/v1/events/", "/api/v1/events/mine/", "/api/v1/events/{public_id}/",
    "/api/v1/events/{public_id}/cancel/", "/api/v1/events/{public_id}/answer/",
    # blogs (chapterhouse.blogs.api)
    "/api/v1/blog-posts/", "/api/v1/blog-posts/{public_id}/",
    "/api/v1/blog-posts/{public_id}/publish/", "/api/v1/blog-posts/{public_id}/unpublish/",
    # polls and surveys (chapterhouse.polls.api), moderation (chapterhouse.moderation.api),
    # founding documents (chapterhouse.documents.api)
    "/api/v1/polls/", "/api/v1/surveys/", "/api/v1/polls/{public_id}/",
    "/api/v1/polls/{public_id}/answer/", "/api/v1/polls/{public_id}/close/",
    "/api/v1/moderation/reports/", "/api/v1/moderation/queue/",
    "/api/v1/moderation/decisions/", "/api/v1/moderation/appeals/",
    "/api/v1/moderation/appeals/decide/", "/api/v1/moderation/log/",
    "/api/v1/documents/", "/api/v1/documents/{public_id}/",
    "/api/v1/documents/sections/{public_id}/versions/",
    "/api/v1/documents/sections/{public_id}/diff/",
    # the activity (chapterhouse.activity.api)
    "/api/v1/activity/", "/api/v1/activity/follows/", "/api/v1/activity/follows/{public_id}/",
    # search (chapterhouse.search.api)
    "/api/v1/search/",
}


def test_the_schema_generates_without_warnings_or_errors():
    out = StringIO()
    # Raises (and the test fails) on any warning or error, or an invalid schema.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=out)
    text = out.getvalue()
    for endpoint in ENDPOINTS:
        assert f"  {endpoint}:" in text


@pytest.mark.parametrize("persona", ["client", "member_client"])
def test_the_schema_is_served(request, persona):
    response = request.getfixturevalue(persona).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    assert set(response.json()["paths"]) == ENDPOINTS


@pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
def test_the_docs_page_loads_only_local_assets_and_no_inline_code(request, persona):
    response = request.getfixturevalue(persona).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(src.startswith(("/static/", "/api/docs/")) for src in sources), sources
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    # Every script is an external file; no inline script or style for the CSP to block.
    assert len(re.findall(r"<script\b", html)) == len(re.findall(r"<script src=", html)) == 3
    assert "<style" not in html
    assert " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_the_docs_script_is_javascript_for_this_site_only(client):
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "SwaggerUIBundle" in response.content.decode()
    cross_site = client.get("/api/docs/?script=", HTTP_SEC_FETCH_SITE="cross-site")
    assert cross_site.status_code == 403


def test_the_sidecar_assets_are_served_locally(client):
    for name in ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"]:
        response = client.get(f"/static/drf_spectacular_sidecar/swagger-ui-dist/{name}")
        assert response.status_code == 200, name
        b"".join(response.streaming_content)
    assert client.get("/static/api/swagger_ui.css").status_code == 200


def test_endpoints_answer_json_even_to_a_browser(client, member):
    # DRF's browsable pages would need inline styles; the docs page is for browsing.
    response = client.get("/api/v1/chapters/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
