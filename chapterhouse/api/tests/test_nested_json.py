"""JSON nested deeper than any request needs is a 400 with a message on every endpoint,
the token endpoint included, never a 500 (issue #13, item 18)."""

import pytest

from chapterhouse.lib.jsonparser import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
DEEPER_THAN_ALLOWED = '{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1)


@pytest.mark.parametrize("body", [DEEP, DEEPER_THAN_ALLOWED])
@pytest.mark.parametrize(("method", "url"), [
    ("post", "/api/v1/auth/token/"),
    ("patch", "/api/v1/me/"),
    ("post", "/api/v1/proposals/"),
])
def test_deeply_nested_json_is_a_clear_400(member_token_client, method, url, body):
    member_token_client.raise_request_exception = True
    response = getattr(member_token_client, method)(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_ordinary_nesting_still_parses(member_token_client):
    response = member_token_client.patch(
        "/api/v1/me/", {"languages": ["en"]}, content_type="application/json"
    )
    assert response.status_code == 200
