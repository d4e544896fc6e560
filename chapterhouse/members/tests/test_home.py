"""The home page: a landing page for visitors, a dashboard for members."""

from django.test import Client

from chapterhouse.members.tests.factories import make_user
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify
from chapterhouse.notifications.tests.factories import SAY, said


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
    for _ in range(5):
        notify(recipients=[member], kind=Kind.MEMBER_JOINED, message=SAY,
               params=said("A notice"))
    # 8, four for what needs the member in decisions (selectors.needs_you), and three for
    # the activity feed's panel (members.home_panels: its rows, the last visit read and
    # written).
    with django_assert_max_num_queries(15):
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


# Issue #13, item 11: what needs the member first, and Decisions in the navigation.


def test_the_main_navigation_links_decisions(client, db):
    assert 'href="/decisions/"' in client.get("/").content.decode()


def test_the_home_page_shows_the_votes_waiting_for_the_members_ballot_first(
    member, member_client
):
    from chapterhouse.decisions.tests.factories import in_voting, vote
    from chapterhouse.members.tests.factories import make_member

    author = make_member("Ann Author", city="London", neighbourhood="Hackney")
    waiting = in_voting(author, title="Paint the hall")
    done = in_voting(author, title="Fix the roof")
    vote(done, member, {"choice": "yes"})
    html = member_client.get("/").content.decode()
    assert "Votes waiting for your ballot" in html
    assert "Paint the hall" in html
    assert waiting.get_absolute_url() in html
    assert "closes" in html
    assert "Fix the roof" not in html
    assert html.index("Paint the hall") < html.index("Your chapters")


def test_the_home_page_shows_deliberation_in_the_members_chapters_and_amendments_to_theirs(
    member, member_client, outsider
):
    from chapterhouse.decisions import services
    from chapterhouse.decisions.tests.factories import in_deliberation
    from chapterhouse.members.tests.factories import make_member

    neighbour = make_member("Nia Neighbour", city="London", neighbourhood="Hackney")
    theirs = in_deliberation(neighbour, title="Open a library")
    mine = in_deliberation(member, title="Plant a hedge")
    in_deliberation(outsider, title="Un marché à Lyon")
    services.propose_amendment(proposal=mine, author=neighbour, kind="text_change",
                               text="Plant two hedges.")
    html = member_client.get("/").content.decode()
    assert "In deliberation in your chapters" in html
    assert theirs.get_absolute_url() in html
    assert "Un marché à Lyon" not in html
    assert "On your proposals" in html
    assert f"{mine.get_absolute_url()}#amendment-1" in html


def test_the_home_page_costs_the_same_queries_with_more_votes_and_proposals(
    member, member_client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chapterhouse.decisions import services
    from chapterhouse.decisions.tests.factories import in_deliberation, in_voting
    from chapterhouse.members.tests.factories import make_member

    author = make_member("Ann Author", city="London", neighbourhood="Hackney")

    def queries(n):
        for i in range(n):
            in_voting(author, title=f"Vote {n}-{i}")
            mine = in_deliberation(member, title=f"Mine {n}-{i}")
            services.propose_amendment(proposal=mine, author=author, kind="text_change",
                                       text=f"Other text {n}-{i}")
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get("/").status_code == 200
        return len(captured)

    member_client.get("/")  # the first request of a session caches what it can
    assert queries(1) == queries(4)


def test_the_home_page_shows_objections_to_the_weights_of_the_members_proposals(
    member, member_client
):
    from chapterhouse.decisions import services
    from chapterhouse.decisions.tests.factories import in_deliberation
    from chapterhouse.members.tests.factories import make_member

    neighbour = make_member("Nia Neighbour", city="London", neighbourhood="Hackney")
    mine = in_deliberation(member, title="Plant a hedge")
    services.object_to_weight(proposal=mine, member=neighbour, target="default",
                              reason="The street is affected more than the rest.")
    html = member_client.get("/").content.decode()
    assert "On your proposals" in html
    assert "an objection to the weights" in html
    assert f"{mine.get_absolute_url()}#affectedness" in html
