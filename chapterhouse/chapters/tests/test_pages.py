import pytest
from django.urls import reverse

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.services import update_chapter
from chapterhouse.members.models import Visibility
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db


def chapter(url_path: str) -> Chapter:
    return Chapter.objects.get(url_path=url_path)


def test_urls_carry_the_chapter_path():
    assert reverse("chapters:international") == "/c/"
    assert reverse("chapters:detail", kwargs={"url_path": ""}) == "/c/"
    assert reverse("chapters:detail", kwargs={"url_path": "gb/eng"}) == "/c/gb/eng/"
    assert reverse("members:chapter_members", kwargs={"url_path": ""}) == "/c/members/"
    assert reverse("members:chapter_members", kwargs={"url_path": "gb/eng"}) == "/c/gb/eng/members/"
    assert reverse("chapters:edit", kwargs={"url_path": "gb"}) == "/c/gb/edit/"
    assert reverse("chapters:subchapters", kwargs={"url_path": "gb"}) == "/c/gb/chapters/"
    assert reverse("map:index") == "/map/"
    assert reverse("map:geojson") == "/map/chapters.geojson"
    assert reverse("roles:mine") == "/me/roles/"


@pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
def test_every_visitor_sees_a_chapter_page(request, member, persona):
    client = request.getfixturevalue(persona)
    response = client.get("/c/gb/eng/london/hackney/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hackney" in page
    assert 'class="breadcrumb"' in page
    assert 'class="chapter-nav"' in page


@pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
def test_international_lives_at_c(request, member, persona):
    response = request.getfixturevalue(persona).get("/c/")
    assert response.status_code == 200
    assert response.context["chapter"].url_path == ""
    assert "gb" in [c.url_path for c in response.context["subchapters"]["links"]]


@pytest.mark.parametrize(
    "path", ["/c/zz/", "/c/gb/eng/nowhere/", "/c/gb/eng/london/hackney/nope/",
             "/c/zz/members/", "/c/zz/chapters/", "/c/zz/edit/"]
)
def test_an_unknown_path_is_a_404(member_client, path):
    assert member_client.get(path).status_code == 404


def test_the_page_shows_name_level_count_and_description(client, member):
    london = chapter("gb/eng/london")
    update_chapter(chapter=london, description="We meet on **Tuesdays**.")
    response = client.get("/c/gb/eng/london/")
    page = response.content.decode()
    assert "<h1>London</h1>" in page
    assert "City or town" in page
    assert "1 member" in page
    assert "<strong>Tuesdays</strong>" in page


def test_the_description_is_sanitised(client, member):
    update_chapter(
        chapter=chapter("gb"),
        description=(
            "<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
        ),
    )
    page = client.get("/c/gb/").content.decode()
    assert "<script>alert(1)" not in page
    assert "javascript:alert" not in page
    assert "onerror" not in page


def test_the_name_is_shown_in_the_visitors_language(client, member):
    Chapter.objects.filter(url_path="gb").update(names={"es": "Reino Unido"})
    page = client.get("/c/gb/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<h1>Reino Unido</h1>" in page
    page = client.get("/c/gb/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>United Kingdom</h1>" in page


def test_sub_chapters_are_ordered_by_count_then_name(client, member):
    make_member("B", city="Manchester")
    make_member("C", city="Manchester")
    make_member("D", city="Bristol")
    response = client.get("/c/gb/eng/")
    assert [c.name for c in response.context["subchapters"]["links"]] == [
        "Manchester", "Bristol", "London"
    ]
    assert response.context["subchapters"]["more"] is False


def test_a_chapter_with_many_sub_chapters_shows_the_top_ones_and_a_link_to_all(
    client, member, settings, monkeypatch
):
    from chapterhouse.chapters import selectors

    monkeypatch.setattr(selectors, "SUBCHAPTERS_SHOWN", 2)
    make_member("B", city="Manchester")
    make_member("C", city="Bristol")
    response = client.get("/c/gb/eng/")
    assert len(response.context["subchapters"]["links"]) == 2
    assert response.context["subchapters"]["more"] is True
    assert 'href="/c/gb/eng/chapters/">Show all 3 sub-chapters<' in response.content.decode()


def test_the_show_all_page_lists_every_sub_chapter_paginated(client, member, monkeypatch):
    from chapterhouse.chapters import views

    monkeypatch.setattr(views, "CHAPTERS_PER_PAGE", 2)
    make_member("B", city="Manchester")
    make_member("C", city="Bristol")
    first = client.get("/c/gb/eng/chapters/")
    assert first.status_code == 200
    assert first.context["page_obj"].paginator.count == 3
    assert len(first.context["page_obj"].object_list) == 2
    second = client.get("/c/gb/eng/chapters/?page=2")
    assert [c.name for c in second.context["page_obj"]] == ["Manchester"]


def test_the_page_lists_its_facilitators_and_not_those_of_sub_chapters(client, facilitator):
    hackney = client.get("/c/gb/eng/london/hackney/")
    assert [m.pk for m in hackney.context["facilitators"]] == [facilitator.pk]
    london = client.get("/c/gb/eng/london/")
    assert london.context["facilitators"] == []


def test_an_invited_but_not_accepted_member_is_not_listed_as_facilitator(client, member):
    # The member was the first in London and is invited, not yet a facilitator.
    response = client.get("/c/gb/eng/london/")
    assert response.context["facilitators"] == []


def test_the_chapter_navigation_shows_only_the_sections_that_exist(client, member):
    response = client.get("/c/gb/")
    nav = {section["key"]: section for section in response.context["nav"]}
    # Sections appear as their apps add a URL (forums:chapter, events:chapter …).
    assert list(nav) == ["overview", "members", "decisions", "forums", "events", "blog",
                         "projects", "resources", "mutualaid", "polls"]
    assert nav["overview"]["url"] == "/c/gb/" and nav["overview"]["active"]
    assert nav["members"]["url"] == "/c/gb/members/"
    page = response.content.decode()
    assert "coming soon" not in page and "Dues" not in page


class TestBelonging:
    def test_a_member_is_told_they_belong_to_each_of_their_chapters(self, member_client):
        for path in ["/c/", "/c/gb/", "/c/gb/eng/london/", "/c/gb/eng/london/hackney/"]:
            response = member_client.get(path)
            assert response.context["viewer_belongs"] is True
            assert "You belong here" in response.content.decode()

    def test_a_member_does_not_belong_to_another_countrys_chapter(self, member, outsider_client):
        response = outsider_client.get("/c/gb/")
        assert response.context["viewer_belongs"] is False
        assert "You are not a member of this chapter." in response.content.decode()

    def test_a_member_of_the_city_does_not_belong_to_its_neighbourhoods(self, member):
        from chapterhouse.conftest import client_for

        city_member = make_member("Cy", city="London")
        response = client_for(city_member).get("/c/gb/eng/london/hackney/")
        assert response.context["viewer_belongs"] is False

    def test_an_anonymous_visitor_is_invited_to_join(self, client, member):
        page = client.get("/c/gb/").content.decode()
        assert reverse("account_signup") in page
        assert "Join" in page


class TestBreadcrumb:
    def test_it_shows_every_level_with_its_siblings(self, client, member):
        make_member("F", city="Paris", region=("FR-IDF", "Île-de-France"), country=("FR", "France"))
        make_member("M", city="Manchester")
        make_member("S", city="London", neighbourhood="Shoreditch")
        response = client.get("/c/gb/eng/london/hackney/")
        crumbs = response.context["breadcrumb"]["crumbs"]
        assert [c.chapter.url_path for c in crumbs] == [
            "", "gb", "gb/eng", "gb/eng/london", "gb/eng/london/hackney"
        ]
        assert crumbs[0].siblings == []
        assert [s.url_path for s in crumbs[1].siblings] == ["fr", "gb"]
        assert [s.url_path for s in crumbs[3].siblings] == ["gb/eng/london", "gb/eng/manchester"]
        assert [s.url_path for s in crumbs[4].siblings] == [
            "gb/eng/london/hackney", "gb/eng/london/shoreditch"
        ]
        assert crumbs[4].is_current
        page = response.content.decode()
        assert "<details>" in page and 'class="siblings"' in page
        assert 'href="/c/fr/"' in page
        assert 'href="/c/gb/eng/london/shoreditch/"' in page

    def test_it_ends_with_a_dropdown_of_the_current_chapters_children(self, client, member):
        make_member("S", city="London", neighbourhood="Shoreditch")
        response = client.get("/c/gb/eng/london/")
        children = response.context["breadcrumb"]["children"]
        assert [c.name for c in children] == ["Hackney", "Shoreditch"]
        assert 'class="subchapters"' in response.content.decode()

    def test_a_long_level_is_capped_with_a_more_link(self, client, member, monkeypatch):
        from chapterhouse.chapters import selectors

        monkeypatch.setattr(selectors, "BREADCRUMB_SIBLINGS", 2)
        make_member("M", city="Manchester")
        make_member("M2", city="Manchester")
        make_member("B", city="Bristol")
        make_member("B2", city="Bristol")
        make_member("Y", city="York")
        response = client.get("/c/gb/eng/london/")
        city_crumb = response.context["breadcrumb"]["crumbs"][3]
        # The top two by members (Bristol, Manchester) plus the current chapter.
        assert [s.name for s in city_crumb.siblings] == ["Bristol", "London", "Manchester"]
        assert city_crumb.more_url == "/c/gb/eng/chapters/"

    def test_it_is_on_the_members_and_sub_chapter_pages_too(self, client, member):
        for path in ["/c/gb/members/", "/c/gb/chapters/"]:
            assert 'class="breadcrumb"' in client.get(path).content.decode()


class TestMembersList:
    def test_it_lists_members_who_belong_and_chose_to_be_listed(self, member_client, member):
        lou = make_member("Lou", city="London")
        unlisted = make_member("Una", city="London")
        unlisted.listed_in_directory = False
        unlisted.save()
        make_member("Far Away", city="Paris", region=("FR-IDF", "Île-de-France"),
                    country=("FR", "France"))
        response = member_client.get("/c/gb/eng/london/members/")
        names = [m.display_name for m in response.context["page_obj"]]
        assert names == sorted(["Ada Member", "Lou"])
        assert lou.get_absolute_url() in response.content.decode()

    def test_anonymous_visitors_see_only_public_profiles(self, client, member):
        public = make_member("Pat Public", city="London")
        public.profile_visibility = Visibility.PUBLIC
        public.save()
        response = client.get("/c/gb/members/")
        assert [m.display_name for m in response.context["page_obj"]] == ["Pat Public"]

    def test_members_see_public_and_members_only_profiles_but_not_hidden_ones(
        self, outsider_client, member
    ):
        hidden = make_member("Hal Hidden", city="London")
        hidden.profile_visibility = Visibility.HIDDEN
        hidden.save()
        response = outsider_client.get("/c/gb/members/")
        assert [m.display_name for m in response.context["page_obj"]] == ["Ada Member"]

    def test_a_hidden_member_still_sees_themself(self, member, member_client):
        member.profile_visibility = Visibility.HIDDEN
        member.save()
        response = member_client.get("/c/gb/members/")
        assert [m.display_name for m in response.context["page_obj"]] == ["Ada Member"]

    def test_the_home_chapter_shows_only_when_the_member_shows_their_location(
        self, outsider_client, member
    ):
        page = outsider_client.get("/c/gb/members/").content.decode()
        assert 'href="/c/gb/eng/london/hackney/">Hackney<' in page
        member.show_location = False
        member.save()
        page = outsider_client.get("/c/gb/members/").content.decode()
        assert 'href="/c/gb/eng/london/hackney/">Hackney<' not in page

    def test_it_is_paginated_by_fifty(self, member_client, member, monkeypatch):
        from chapterhouse.members import views

        monkeypatch.setattr(views, "MEMBERS_PER_PAGE", 2)
        make_member("B", city="London")
        make_member("C", city="London")
        first = member_client.get("/c/gb/members/")
        assert len(first.context["page_obj"].object_list) == 2
        assert first.context["page_obj"].paginator.num_pages == 2
        assert len(member_client.get("/c/gb/members/?page=2").context["page_obj"]) == 1
        # A bad page number shows a page rather than an error.
        assert member_client.get("/c/gb/members/?page=zzz").status_code == 200

    def test_the_default_page_size_is_fifty(self):
        from chapterhouse.members import views

        assert views.MEMBERS_PER_PAGE == 50

    def test_deactivated_accounts_are_not_listed(self, member_client, member):
        gone = make_member("Gone", city="London")
        gone.user.is_active = False
        gone.user.save()
        response = member_client.get("/c/gb/members/")
        assert "Gone" not in [m.display_name for m in response.context["page_obj"]]


class TestMyChapters:
    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        response = client.get("/c/mine/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_it_lists_home_and_every_ancestor_with_counts_and_roles(self, member_client, member):
        response = member_client.get("/c/mine/")
        assert response.status_code == 200
        rows = response.context["rows"]
        assert [row["chapter"].url_path for row in rows] == [
            "", "gb", "gb/eng", "gb/eng/london", "gb/eng/london/hackney"
        ]
        # First member of the new chapters: invited to facilitate all but International.
        assert [len(row["roles"]) for row in rows] == [0, 1, 1, 1, 1]
        page = response.content.decode()
        assert "invited as facilitator" in page

    def test_the_outsider_sees_their_own_chapters(self, outsider_client, member):
        rows = outsider_client.get("/c/mine/").context["rows"]
        assert rows[-1]["chapter"].name == "Lyon"

    def test_a_user_without_a_profile_gets_an_empty_page(self, client, db):
        from chapterhouse.members.tests.factories import UserFactory

        client.force_login(UserFactory(is_staff=True))
        response = client.get("/c/mine/")
        assert response.status_code == 200
        assert response.context["rows"] == []


def test_reserved_words_never_become_chapter_slugs(member):
    for word in ["members", "edit", "chapters", "events"]:
        neighbour = make_member("N", city="London", neighbourhood=word.title())
        assert neighbour.home_chapter.slug == f"{word}-area"
    assert make_member("N2", city="London", neighbourhood="Members").home_chapter.slug == \
        "members-area"


def test_a_neighbourhood_called_members_is_still_reachable(client, member):
    make_member("N", city="London", neighbourhood="Members")
    assert client.get("/c/gb/eng/london/members-area/").status_code == 200
    assert client.get("/c/gb/eng/london/members/").context["chapter"].name == "London"


def test_the_old_map_url_redirects_to_the_map(client):
    response = client.get("/c/map/")
    assert response.status_code == 302
    assert response["Location"] == "/map/"


def test_international_works_before_anyone_joins(client):
    assert not Chapter.objects.exists()
    response = client.get("/c/")
    assert response.status_code == 200
    assert response.context["chapter"].url_path == ""
    assert client.get("/c/").status_code == 200
    assert Chapter.objects.count() == 1


# Every chapters URL × anonymous, outsider, member: the declared policy.
POLICY = {
    "/c/": (200, 200, 200),
    "/c/gb/eng/london/hackney/": (200, 200, 200),
    "/c/gb/members/": (200, 200, 200),
    "/c/gb/chapters/": (200, 200, 200),
    "/c/gb/edit/": (302, 403, 403),
    "/c/mine/": (302, 200, 200),
    "/me/roles/": (302, 200, 200),
    "/map/": (200, 200, 200),
    "/map/chapters.geojson": (200, 200, 200),
    "/c/map/": (302, 302, 302),
}


@pytest.mark.parametrize("path", POLICY)
def test_every_url_answers_each_persona_as_declared(client, member, outsider_client,
                                                    member_client, path):
    codes = tuple(c.get(path).status_code for c in (client, outsider_client, member_client))
    assert codes == POLICY[path]


@pytest.mark.parametrize("path", ["/c/gb/", "/c/gb/members/", "/map/chapters.geojson", "/c/mine/"])
def test_read_only_pages_refuse_to_change_state_by_post(member_client, path):
    assert member_client.post(path).status_code == 405
