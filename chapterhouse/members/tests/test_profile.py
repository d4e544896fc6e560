"""The profile page /m/<public_id>/ and the visibility choices behind it."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.members.models import Member, Visibility
from chapterhouse.members.selectors import chapters_of
from chapterhouse.members.services import set_avatar, update_profile
from chapterhouse.members.tests.factories import make_member

VIEWERS = ["anonymous", "outsider", "neighbour", "owner"]


@pytest.fixture
def viewers(client, outsider_client, facilitator_client, member_client):
    # The facilitator fixture is another member of the same neighbourhood.
    return {"anonymous": client, "outsider": outsider_client,
            "neighbour": facilitator_client, "owner": member_client}


def _page(client, member: Member):
    return client.get(member.get_absolute_url())


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [
        (Visibility.PUBLIC, {"anonymous": 200, "outsider": 200, "neighbour": 200, "owner": 200}),
        # Signed out: asked to sign in (403, see TestMembersOnlyForVisitors).
        (Visibility.MEMBERS, {"anonymous": 403, "outsider": 200, "neighbour": 200, "owner": 200}),
        (Visibility.HIDDEN, {"anonymous": 404, "outsider": 404, "neighbour": 404, "owner": 200}),
    ],
)
def test_who_may_see_a_profile(member, viewers, visibility, expected):
    update_profile(member=member, profile_visibility=visibility)
    seen = {name: _page(viewers[name], member).status_code for name in VIEWERS}
    assert seen == expected


def test_an_unknown_profile_is_not_found(member_client):
    assert member_client.get(f"/m/{uuid.uuid4()}/").status_code == 404


def test_a_malformed_id_is_not_found(member_client):
    assert member_client.get("/m/123/").status_code == 404


def test_the_profile_shows_name_chapters_and_joined_date(member, outsider_client):
    html = _page(outsider_client, member).content.decode()
    assert "<h1 dir=\"auto\">Ada Member</h1>" in html
    for url_path, name in [("", "International"), ("gb/", "United Kingdom"),
                           ("gb/eng/", "England"), ("gb/eng/london/", "London"),
                           ("gb/eng/london/hackney/", "Hackney")]:
        assert f'<a href="/c/{url_path}">{name}</a>' in html
    assert "Joined " in html
    assert timezone.now().strftime("%Y") in html
    assert "Edit profile" not in html


def test_the_owner_sees_an_edit_link(member, member_client):
    html = _page(member_client, member).content.decode()
    assert 'href="/me/edit/"' in html


def test_facilitators_are_marked(facilitator, member_client):
    html = _page(member_client, facilitator).content.decode()
    assert '<a href="/c/gb/eng/london/hackney/">Hackney</a> <span class="badge">facilitator' \
        in html


def test_an_invitation_is_not_a_role(member, outsider_client):
    grant_role(chapter=member.home_chapter, member=member,
               source=ChapterRole.Source.FIRST_MEMBER, accepted=False)
    assert "badge" not in _page(outsider_client, member).content.decode().split("<main")[1]


def test_languages_are_shown_by_name(member, outsider_client):
    update_profile(member=member, languages=["en", "es", "sw"])
    html = _page(outsider_client, member).content.decode()
    assert "English, Spanish, Swahili" in html


def test_languages_are_named_in_the_viewers_language(member, outsider_client):
    update_profile(member=member, languages=["de"])
    outsider_client.cookies["django_language"] = "es"
    html = _page(outsider_client, member).content.decode()
    assert "Alemán" in html or "alemán" in html


class TestVisibilityChoices:
    def test_a_hidden_bio_is_shown_only_to_the_owner(self, member, outsider_client, member_client):
        update_profile(member=member, bio="I grow **tomatoes**.", show_bio=False)
        assert "tomatoes" not in _page(outsider_client, member).content.decode()
        owner_html = _page(member_client, member).content.decode()
        assert "<strong>tomatoes</strong>" in owner_html
        assert "Hidden from others." in owner_html

    def test_a_shown_bio_is_rendered_from_markdown(self, member, outsider_client):
        update_profile(member=member, bio="I grow **tomatoes**.")
        assert "<strong>tomatoes</strong>" in _page(outsider_client, member).content.decode()

    def test_hidden_languages(self, member, outsider_client, member_client):
        update_profile(member=member, languages=["sw"], show_languages=False)
        assert "Swahili" not in _page(outsider_client, member).content.decode()
        assert "Swahili" in _page(member_client, member).content.decode()

    def test_hidden_location_keeps_country_and_region(self, member, outsider_client,
                                                      member_client):
        update_profile(member=member, show_location=False)
        html = _page(outsider_client, member).content.decode()
        assert '<a href="/c/gb/eng/">England</a>' in html
        assert "/c/gb/eng/london/" not in html
        assert "Hackney" not in html
        owner_html = _page(member_client, member).content.decode()
        assert '<a href="/c/gb/eng/london/hackney/">Hackney</a>' in owner_html

    def test_hidden_presence(self, member, outsider_client, member_client):
        Member.objects.filter(pk=member.pk).update(last_seen=timezone.now())
        update_profile(member=member, show_presence=False)
        html = _page(outsider_client, member).content.decode()
        assert "presence" not in html.split("<main")[1]
        assert "presence" in _page(member_client, member).content.decode().split("<main")[1]


class TestPresence:
    def test_a_member_seen_a_minute_ago_is_online(self, member, outsider_client):
        Member.objects.filter(pk=member.pk).update(
            last_seen=timezone.now() - timedelta(minutes=1))
        html = _page(outsider_client, member).content.decode()
        assert '<p><span class="presence online">Online</span></p>' in html

    def test_a_member_seen_an_hour_ago_is_offline_with_last_seen(self, member, outsider_client):
        Member.objects.filter(pk=member.pk).update(
            last_seen=timezone.now() - timedelta(hours=3))
        html = _page(outsider_client, member).content.decode()
        assert 'class="presence offline"' in html
        assert "last seen 3\xa0hours ago" in html

    def test_a_member_never_seen_is_offline_and_never_signed_in(self, member, outsider_client):
        html = _page(outsider_client, member).content.decode()
        assert '<p><span class="presence offline">Offline · never signed in</span></p>' in html
        assert "last seen" not in html

    def test_a_member_seen_once_is_not_called_never_signed_in(self, member, outsider_client):
        Member.objects.filter(pk=member.pk).update(
            last_seen=timezone.now() - timedelta(days=2))
        html = _page(outsider_client, member).content.decode()
        assert "never signed in" not in html and "last seen 2\xa0days ago" in html

    def test_a_hidden_presence_says_nothing_of_never_signing_in(self, member, outsider_client):
        update_profile(member=member, show_presence=False)
        assert "never signed in" not in _page(outsider_client, member).content.decode()

    def test_never_signed_in_is_translated(self, member, outsider_client):
        outsider_client.cookies["django_language"] = "es"
        html = _page(outsider_client, member).content.decode()
        assert "never signed in" not in html


class TestMembersOnlyForVisitors:
    """A signed-out visitor who follows a link to a members-only profile is asked to
    sign in, and learns nothing of the member."""

    def test_a_visitor_is_asked_to_sign_in_and_shown_nothing_of_the_member(self, member,
                                                                             client):
        update_profile(member=member, bio="I grow tomatoes.", languages=["sw"])
        response = _page(client, member)
        assert response.status_code == 403
        html = response.content.decode()
        url = member.get_absolute_url()
        assert f'href="/accounts/login/?next={url.replace("/", "%2F")}"' in html
        assert f'href="/accounts/signup/?next={url.replace("/", "%2F")}"' in html
        assert "Sign in to see this profile" in html
        for secret in ("Ada", "Member</h1>", "tomatoes", "Swahili", "Hackney", "London",
                       "presence", "Joined"):
            assert secret not in html.split("<main")[1], secret

    def test_signing_in_from_there_comes_back_to_the_profile(self, member, client, outsider):
        from chapterhouse.members.tests.factories import PASSWORD

        url = member.get_absolute_url()
        response = client.post(f"/accounts/login/?next={url}",
                               {"login": outsider.user.email, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == url
        assert client.get(url).status_code == 200

    def test_a_hidden_profile_and_an_unknown_one_are_still_not_found(self, member, client):
        update_profile(member=member, profile_visibility=Visibility.HIDDEN)
        assert _page(client, member).status_code == 404
        assert client.get(f"/m/{uuid.uuid4()}/").status_code == 404

    def test_a_public_profile_is_shown_to_visitors(self, member, client):
        update_profile(member=member, profile_visibility=Visibility.PUBLIC)
        assert _page(client, member).status_code == 200


def test_markdown_in_a_bio_renders_inert(member, outsider_client):
    update_profile(member=member, bio=(
        "Hello <script>alert('bio')</script>\n\n"
        '<img src=x onerror="alert(1)">\n\n'
        "[click me](javascript:alert(2))\n\n"
        '<a href="javascript:alert(3)" onclick="alert(4)">link</a>\n\n'
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==)\n\n"
        '<svg onload="alert(6)"></svg><iframe srcdoc="x"></iframe><base href="//evil">'
    ))
    html = _page(outsider_client, member).content.decode()
    main = html.split("<main", 1)[1]
    assert "<script>alert" not in main
    assert "onerror" not in main
    assert "onclick" not in main
    assert "onload" not in main
    assert "javascript:" not in main
    assert "data:text/html" not in main
    assert "<svg" not in main and "<iframe" not in main and "<base" not in main
    assert "<img" not in main
    assert "Hello" in main


def test_a_member_with_an_avatar_shows_it(member, outsider_client):
    from chapterhouse.members.tests.test_images import png_bytes

    set_avatar(member=member, content=png_bytes(256, 256))
    html = _page(outsider_client, member).content.decode()
    assert f'<img class="avatar large" src="{member.avatar.url}"' in html


def test_the_profile_costs_the_same_number_of_queries_whatever_the_member_has(
    member, outsider_client
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _page(outsider_client, member).status_code == 200
        return len(queries)

    count()  # the first request also records the viewer's presence
    before = count()
    for chapter in chapters_of(member):
        grant_role(chapter=chapter, member=member, source=ChapterRole.Source.ADMIN)
    update_profile(member=member, languages=["en", "es", "fr", "de", "sw"], bio="x " * 500)
    for n in range(5):
        make_member(f"Neighbour {n}", city="London", neighbourhood="Hackney")
    assert count() == before
    # 8, the "Send a message" button's check of blocks (one query), and whether the
    # facilitators hid the profile, with their reason (moderation, one query).
    assert before <= 10
