"""The API docs page works in a real browser under our CSP, with local assets only."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_swagger_docs_render_and_break_no_csp_rule(page, live_server):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary")
    # Every operation of the schema is shown (each app adds its own).
    schema = page.request.get("/api/schema/", headers={"Accept": "application/json"}).json()
    methods = {"get", "post", "put", "patch", "delete"}
    operations = sum(1 for item in schema["paths"].values() for method in item if method in methods)
    assert operations >= 30
    assert page.locator(".opblock-summary").count() == operations
    page.get_by_text("/api/v1/chapters/geojson/").first.wait_for()
    own = urlsplit(live_server.url).netloc
    assert all(urlsplit(url).netloc == own for url in requested), requested
    assert any("/static/drf_spectacular_sidecar/" in url for url in requested)
    assert page.csp_errors == []
