import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chapterhouse.members.models import User
from chapterhouse.notifications.models import EMAIL_BY_DEFAULT, EmailPreference, Kind, Notification
from chapterhouse.notifications.tests.factories import make_notices

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
READ_ALL = reverse("notifications:mark_all_read")
SETTINGS = reverse("notifications:settings")


def open_url(notice: Notification) -> str:
    return reverse("notifications:open", kwargs={"public_id": notice.public_id})


def read_url(notice: Notification) -> str:
    return reverse("notifications:mark_read", kwargs={"public_id": notice.public_id})


# Anonymous visitors are sent to log in, and nothing changes.


@pytest.mark.parametrize("method,url", [("get", LIST), ("post", READ_ALL), ("get", SETTINGS)])
def test_anonymous_visitors_are_sent_to_log_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_visitors_cannot_open_or_read_a_notice(client, member):
    notice = member.notifications.first()
    for url in (open_url(notice), read_url(notice)):
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_staff_account_without_a_member_profile_gets_404(client):
    admin = User.objects.create_superuser("root@example.org", "x")
    client.force_login(admin)
    assert client.get(LIST).status_code == 404
    assert client.get(SETTINGS).status_code == 404


# The list


def test_a_member_sees_their_notices_newest_first_with_unread_ones_marked(member, member_client):
    make_notices(member, 2, read=True)
    response = member_client.get(LIST)
    assert response.status_code == 200
    notices = list(response.context["page_obj"])
    assert notices == sorted(notices, key=lambda n: n.created_at, reverse=True)
    content = response.content.decode()
    # Registration left a welcome and an invitation unread; the two made here are read.
    assert content.count('class="notice unread"') == 2
    assert content.count('class="notice"') == 2
    assert "Notice 0" in content
    assert response.context["unread"] == 2


def test_the_header_shows_the_unread_count(member_client):
    content = member_client.get(LIST).content.decode()
    assert 'class="badge" aria-label="2 unread notifications">2</span>' in content


def test_an_outsider_never_sees_another_members_notices(member, outsider, outsider_client):
    make_notices(member, 3)
    response = outsider_client.get(LIST)
    assert response.status_code == 200
    shown = {n.pk for n in response.context["page_obj"]}
    assert shown == set(outsider.notifications.values_list("pk", flat=True))
    assert "Notice 0" not in response.content.decode()


def test_a_facilitator_does_not_see_the_notices_of_their_chapters_members(
    member, facilitator_client
):
    make_notices(member, 1)
    assert "Notice 0" not in facilitator_client.get(LIST).content.decode()


def test_the_list_is_paginated_thirty_to_a_page(member, member_client):
    make_notices(member, 40)  # plus the 2 from registration
    first = member_client.get(LIST)
    assert len(first.context["page_obj"]) == 30
    assert 'rel="next"' in first.content.decode()
    second = member_client.get(LIST, {"page": 2})
    assert len(second.context["page_obj"]) == 12
    assert member_client.get(LIST, {"page": "nonsense"}).status_code == 200


def _queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_number_of_queries_for_few_or_many_rows(member, member_client):
    member_client.get(LIST)  # presence is touched once a minute; keep it out of the count
    few = _queries_for_list(member_client)
    make_notices(member, 25)
    many = _queries_for_list(member_client)
    assert few == many
    assert many <= 7


def test_the_unread_count_is_one_query_per_request(member, member_client):
    with CaptureQueriesContext(connection) as queries:
        member_client.get(LIST)
    counts = [
        q["sql"] for q in queries
        if "COUNT(" in q["sql"] and "notifications_notification" in q["sql"]
        and '"read_at" IS NULL' in q["sql"]
    ]
    # Shown twice on the page (header badge and heading), counted once.
    assert len(counts) == 1


# Marking read


def test_marking_all_as_read_reads_every_notice_of_the_member_only(
    member, outsider, member_client
):
    make_notices(member, 3)
    response = member_client.post(READ_ALL)
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not member.notifications.filter(read_at__isnull=True).exists()
    assert outsider.notifications.filter(read_at__isnull=True).exists()
    content = member_client.get(LIST).content.decode()
    assert 'class="notice unread"' not in content
    assert 'class="badge" aria-label' not in content


def test_marking_read_is_never_done_by_a_get(member, member_client):
    notice = member.notifications.first()
    assert member_client.get(READ_ALL).status_code == 405
    assert member_client.get(read_url(notice)).status_code == 405
    assert member_client.get(open_url(notice)).status_code == 405
    assert not member.notifications.filter(read_at__isnull=False).exists()


def test_a_member_marks_one_notice_read(member, member_client):
    first, second = member.notifications.all()[:2]
    response = member_client.post(read_url(first), {"page": "2"})
    assert response.status_code == 302
    assert response["Location"] == LIST + "?page=2"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_marking_read_with_htmx_returns_the_row(member, member_client):
    notice = member.notifications.first()
    response = member_client.post(read_url(notice), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<li class="notice"')
    assert "<html" not in content
    assert notice.text in content


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(member, member_client):
    notice = member.notifications.get(kind=Kind.WELCOME)
    response = member_client.post(open_url(notice))
    assert response.status_code == 302
    assert response["Location"] == notice.url
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_opening_a_notice_never_redirects_off_site(member, member_client):
    notice = member.notifications.first()
    for url in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        Notification.objects.filter(pk=notice.pk).update(url=url, read_at=None)
        response = member_client.post(open_url(notice))
        assert response["Location"] == LIST
    assert "evil.example" not in member_client.get(LIST).content.decode()


def test_an_outsider_gets_404_for_another_members_notice(member, outsider_client):
    notice = member.notifications.first()
    assert outsider_client.post(open_url(notice)).status_code == 404
    assert outsider_client.post(read_url(notice)).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_an_unknown_notice_is_404(member_client):
    url = reverse(
        "notifications:open", kwargs={"public_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert member_client.post(url).status_code == 404


# Email settings


def _all(choice="off", **chosen):
    """A settings form's data: every kind `choice`, but those in `chosen`."""
    return {f"kind_{kind.value}": chosen.get(kind.value, choice) for kind in Kind}


def test_the_settings_page_shows_the_defaults(member_client):
    response = member_client.get(SETTINGS)
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert {key[5:] for key, value in initial.items() if value == "each"} == set(
        EMAIL_BY_DEFAULT)
    page = response.content.decode()
    assert 'name="kind_member_joined"' in page
    assert '<option value="weekly">' in page and "<script" not in page.split("<main")[-1]


def test_a_member_saves_their_email_choices(member, member_client):
    response = member_client.post(SETTINGS, _all(member_joined="weekly", reply="daily"))
    assert response.status_code == 302
    stored = dict(member.email_preferences.values_list("kind", "delivery"))
    assert stored == {kind.value: {"member_joined": "weekly", "reply": "daily"}.get(
        kind.value, "off") for kind in Kind}
    initial = member_client.get(SETTINGS).context["form"].initial
    assert initial["kind_member_joined"] == "weekly" and initial["kind_welcome"] == "off"


def test_an_unknown_choice_is_an_error_and_nothing_is_stored(member_client):
    response = member_client.post(SETTINGS, _all(welcome="hourly"))
    assert response.status_code == 400
    assert response.context["form"].errors["kind_welcome"]
    assert not EmailPreference.objects.exists()


def test_a_missing_kind_is_an_error_and_nothing_is_stored(member_client):
    data = _all()
    del data["kind_reply"]
    response = member_client.post(SETTINGS, data)
    assert response.status_code == 400
    assert not EmailPreference.objects.exists()


def test_choices_are_stored_for_the_signed_in_member_only(member, outsider, outsider_client):
    outsider_client.post(SETTINGS, _all())
    assert not member.email_preferences.exists()
    assert outsider.email_preferences.count() == len(Kind)


# The unread JSON (live.js's polling fallback) and live.js itself


def test_unread_json_gives_the_members_own_count_and_newest_notices(member, outsider,
                                                                     member_client):
    make_notices(member, 3)
    make_notices(outsider, 2)
    data = member_client.get("/notifications/unread.json").json()
    assert data["unread"] == member.notifications.filter(read_at__isnull=True).count()
    assert data["label"] == f"{data['unread']} unread notifications"
    own = {str(pk) for pk in member.notifications.values_list("public_id", flat=True)}
    assert {notice["id"] for notice in data["notices"]} <= own


def test_unread_json_costs_the_same_queries_for_more_notices(member, member_client):
    make_notices(member, 2)
    member_client.get("/notifications/unread.json")
    with CaptureQueriesContext(connection) as few:
        member_client.get("/notifications/unread.json")
    make_notices(member, 20)
    with CaptureQueriesContext(connection) as many:
        member_client.get("/notifications/unread.json")
    assert len(many) == len(few)


def test_unread_json_refuses_visitors_with_json(client):
    response = client.get("/notifications/unread.json")
    assert response.status_code == 403 and "error" in response.json()


def test_live_js_is_loaded_for_members_only(member_client, client):
    assert "js/live.js" in member_client.get(SETTINGS).content.decode()
    assert "js/live.js" not in client.get("/").content.decode()
