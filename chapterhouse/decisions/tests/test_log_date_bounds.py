"""Dates at the end of the calendar in the decision log's filters are clear 400s, on
the page and in its exports, never a 500 or a stream that aborts (issue #13, item 18)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=9999-12-31&until=9999-12-31"])
@pytest.mark.parametrize("url", ["/decisions/", "/decisions/export.csv", "/decisions/export.json"])
def test_the_last_day_of_the_calendar_is_a_clear_error(client, url, query):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert not response.streaming
    assert "Enter an earlier date." in response.content.decode()


def test_a_late_but_possible_date_still_filters(client):
    assert client.get("/decisions/export.csv?until=9999-12-30").status_code == 200


@pytest.mark.parametrize("query", ["new=" + "9" * 40, "old=" + "9" * 40, "new=1e999", "old=-1",
                                   "new=١"])
def test_a_version_that_is_not_a_number_is_a_clear_error(client, member, query):
    from chapterhouse.decisions.tests.factories import in_deliberation

    proposal = in_deliberation(member, text="Line one\nLine two")
    response = client.get(f"/decisions/p/{proposal.public_id}/versions/?{query}")
    assert response.status_code == 400
    assert "A version is a number, such as 1 or 2." in response.content.decode()
