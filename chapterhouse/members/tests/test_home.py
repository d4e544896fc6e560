"""The home page: a landing page for visitors, a dashboard for members."""

from django.test import Client

from chapterhouse.members.tests.factories import make_user
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify


def test_visitors_see_what_the_organisation_is(client, db):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/accounts/signup/"' in html
    assert 'href="/accounts/login/"' in html
    assert 'href="/c/map/"' in html
    assert 'href="/c/"' in html
    assert "in proportion to the degree you are affected" in html


def test_a_member_sees_their_chapters(member, member_client):
    response = member_client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hello, Ada Member" in html
    for url in ["/c/", "/c/gb/", "/c/gb/eng/", "/c/gb/eng/london/", "/c/gb/eng/london/hackney/"]:
        assert f'href="{url}"' in html
    assert 'href="/me/edit/"' in html


def test_an_outsider_sees_their_own_chapters(member, outsider_client):
    html = outsider_client.get("/").content.decode()
    assert 'href="/c/fr/ara/lyon/"' in html
    assert "/c/gb/eng/london/hackney/" not in html


def test_a_user_without_a_member_profile_sees_the_landing_page(db):
    browser = Client()
    browser.force_login(make_user())
    response = browser.get("/")
    assert response.status_code == 200
    assert 'href="/accounts/signup/"' in response.content.decode()


def test_the_dashboard_costs_the_same_whatever_the_member_has(member, member_client,
                                                             django_assert_max_num_queries):
    member_client.get("/")
    def text(recipient: object) -> str:
        return "A notice"

    for _ in range(5):
        notify(recipients=[member], kind=Kind.MEMBER_JOINED, text=text)
    with django_assert_max_num_queries(8):
        member_client.get("/")


def test_pages_with_plural_counts_render_in_spanish(member, member_client):
    # The unread badge's plural rule does arithmetic on a lazy count.
    member_client.cookies["django_language"] = "es"
    response = member_client.get("/")
    assert response.status_code == 200
    assert 'class="badge"' in response.content.decode()


def test_the_landing_page_creates_nothing(client, db):
    from chapterhouse.chapters.models import Chapter

    response = client.get("/")
    assert response.status_code == 200
    assert not Chapter.objects.exists()
    assert 'href="/c/"' in response.content.decode()


def test_the_landing_page_shows_the_membership(client, member, outsider):
    assert "2 members so far" in client.get("/").content.decode()
