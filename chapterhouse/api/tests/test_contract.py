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
