"""The OpenAPI schema tells the truth (issue #13, item 21): every status code an
operation can answer is documented, nullable fields say so, and invalid query values
are refused. CI also runs schemathesis against the served app (scripts/api_contract.sh)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_documents_its_error_answers(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("400", "401", "403", "404", "429"):
                assert code in operation["responses"], (method, path, code)


@pytest.mark.parametrize("component, field", [
    ("PublicMember", "avatar"),
    ("PublicMember", "last_seen"),
    ("ProposalDetail", "decision_url"),
])
def test_fields_that_can_be_null_say_so(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field].get("nullable")


def test_internationals_empty_slug_fits_the_schema(schema):
    assert "pattern" not in schema["components"]["schemas"]["Chapter"]["properties"]["slug"]


@pytest.mark.parametrize("url", ["/api/v1/decisions/?outcome=", "/api/v1/proposals/?status="])
def test_an_empty_filter_value_is_refused(member_client, url):
    assert member_client.get(url).status_code == 400


def test_request_bodies_take_no_unknown_fields(schema):
    body = schema["paths"]["/api/v1/proposals/"]["post"]["requestBody"]["content"]
    ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][ref]["additionalProperties"] is False


@pytest.mark.parametrize("url", ["/api/v1/proposals/not-a-uuid/", "/api/v1/nothing/here/"])
def test_an_address_that_names_no_endpoint_is_a_json_404(member_client, url):
    response = member_client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("query", ["until=", "since=", "since=20250101", "until=2025-01-01T10:00"])
def test_dates_in_the_decision_log_filter_are_dates(member_client, query):
    assert member_client.get(f"/api/v1/decisions/?{query}").status_code == 400


def test_the_own_profile_takes_json_only(member_client):
    response = member_client.patch("/api/v1/me/", data="show_location=yes",
                                   content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


@pytest.mark.parametrize("body", [{"display_name": 0}, {"show_location": "yes"},
                                  {"show_bio": 1}])
def test_the_own_profile_takes_json_types_only(member_client, body):
    response = member_client.patch("/api/v1/me/", data=body, content_type="application/json")
    assert response.status_code == 400


def test_subchapters_takes_true_or_false(member_client):
    assert member_client.get("/api/v1/decisions/?subchapters=null").status_code == 400
    assert member_client.get("/api/v1/decisions/?subchapters=true").status_code == 200


def test_a_post_to_a_wrong_address_is_a_json_404_even_with_a_session(member):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member.user)
    response = browser.post("/api/v1/proposals/null,null/amendments/", data={},
                            content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_an_address_with_line_breaks_is_a_json_404_too(member_client):
    response = member_client.get("/api/v1/decisions/a%0Ab%0Dc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_patching_the_own_profile_requires_no_field(schema):
    body = schema["paths"]["/api/v1/me/"]["patch"]["requestBody"]["content"]
    ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert not schema["components"]["schemas"][ref].get("required")
