"""A chapter chooses its sections by decision: shown or off, who sees them, who posts
(issue #17, "Chapters choose their sections")."""

import pytest

from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters import sections
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.services import set_section
from chapterhouse.decisions.models import Proposal
from chapterhouse.decisions.tests.factories import close, in_voting, vote
from chapterhouse.discussions.models import Thread
from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.lib.errors import Refused

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"
FORUM = f"/forums/{HACKNEY}/"


def nav_labels(html: str) -> str:
    return html.split('class="chapter-nav"', 1)[1].split("</ul>", 1)[0]


def test_by_default_every_section_is_shown_and_public(client, member):
    assert sections.setting(member.home_chapter, "forums") == sections.DEFAULT
    assert "Forums" in nav_labels(client.get(f"/c/{HACKNEY}/").content.decode())
    assert client.get(FORUM).status_code == 200


def test_a_section_turned_off_leaves_the_navigation_and_its_page(client, member):
    client.get(f"/c/{HACKNEY}/")  # cached for signed-out visitors
    set_section(chapter=member.home_chapter, change={"section": "forums", "shown": False})
    html = client.get(f"/c/{HACKNEY}/").content.decode()
    assert "Forums" not in nav_labels(html) and "Decisions" in nav_labels(html)
    assert client.get(FORUM).status_code == 404
    # Its parent keeps its own.
    assert client.get("/forums/gb/eng/london/").status_code == 200
    entry = AuditEntry.objects.get(action="chapters.change_section")
    assert entry.data["after"]["shown"] is False and entry.data["before"]["shown"] is True


def test_a_members_only_section_is_closed_to_others_and_its_threads_too(
    client, member_client, outsider_client, member
):
    thread = make_thread(member)
    set_section(chapter=member.home_chapter,
                change={"section": "forums", "visibility": "members"})
    assert member_client.get(FORUM).status_code == 200
    assert member_client.get(thread.get_absolute_url()).status_code == 200
    refused = outsider_client.get(FORUM)
    assert refused.status_code == 403
    assert "Only the members of Hackney see this section: Forums." in refused.content.decode()
    assert client.get(FORUM).status_code == 403
    assert outsider_client.get(thread.get_absolute_url()).status_code == 404
    assert "Where shall we meet?" not in outsider_client.get(
        thread.get_absolute_url()).content.decode()


def test_where_only_facilitators_post_a_member_cannot_start_a_thread(
    member_client, facilitator_client, member
):
    set_section(chapter=member.home_chapter,
                change={"section": "forums", "posting": "facilitators"})
    data = {"title": "Compost", "body": "Who has a bin?"}
    assert member_client.post(FORUM, data).status_code == 403
    assert not Thread.objects.exists()
    assert member_client.get(FORUM).status_code == 200  # still readable
    assert facilitator_client.post(FORUM, data).status_code == 302
    assert Thread.objects.get().title == "Compost"


@pytest.mark.parametrize(("change", "message"), [
    ({"section": "overview", "shown": False}, "Choose one of the sections"),
    ({"section": "forums"}, "Say what changes in the section."),
    ({"section": "forums", "shown": "no"}, "Say whether the section is shown."),
    ({"section": "forums", "visibility": "secret"}, "Choose who sees the section."),
    ({"section": "forums", "posting": "anyone"}, "Choose who posts in the section."),
    ({"section": "forums", "shown": True, "colour": "red"}, "Unknown fields"),
])
def test_a_bad_section_change_is_refused_and_changes_nothing(member, change, message):
    with pytest.raises(Refused, match=message):
        set_section(chapter=member.home_chapter, change=change)
    assert Chapter.objects.get(pk=member.home_chapter.pk).sections == {}


def test_a_passed_rules_decision_turns_a_section_off(client, member, facilitator):
    proposal = in_voting(member, category="rules",
                         payload={"section": "forums", "shown": False})
    page = client.get(f"/decisions/p/{proposal.public_id}/").content.decode()
    assert "no, turned off" in page
    vote(proposal, member, {"choice": "yes"})
    decision = close(proposal)
    assert decision.effect == {"applied": True, "kind": "section", "section": "forums",
                               "shown": False, "visibility": "public", "posting": "members"}
    assert client.get(FORUM).status_code == 404


def test_the_draft_form_carries_a_section_change(member_client, member):
    data = {"title": "Keep our forum to ourselves", "text": "Members only.",
            "category": "rules", "section": "forums", "section_visibility": "members",
            "groups-TOTAL_FORMS": "2", "groups-INITIAL_FORMS": "0",
            "groups-MIN_NUM_FORMS": "0", "groups-MAX_NUM_FORMS": "1000"}
    response = member_client.post(f"/decisions/new/{HACKNEY}/", data)
    assert response.status_code == 302, response.content.decode()
    assert Proposal.objects.get().payload == {"section": "forums", "visibility": "members"}

    bad = member_client.post(f"/decisions/new/{HACKNEY}/",
                             {**data, "section_visibility": "", "title": "Nothing"})
    assert bad.status_code == 400
    assert "Say what changes in the section." in bad.content.decode()
    both = member_client.post(f"/decisions/new/{HACKNEY}/",
                              {**data, "rule_category": "routine", "title": "Both"})
    assert both.status_code == 400
    assert "or a section, not both." in both.content.decode()
    assert Proposal.objects.count() == 1


def test_the_apps_rules_follow_the_section_settings(member, facilitator, outsider):
    from chapterhouse.projects.tests.factories import make_group

    group = make_group(member)
    chapter = member.home_chapter
    assert outsider.user.has_perm("projects.view_group", group)
    assert member.user.has_perm("projects.create_group", chapter)
    set_section(chapter=chapter, change={"section": "projects", "visibility": "members",
                                         "posting": "facilitators"})
    chapter.refresh_from_db()
    group.chapter = chapter
    assert not outsider.user.has_perm("projects.view_group", group)
    assert member.user.has_perm("projects.view_group", group)
    assert not member.user.has_perm("projects.create_group", chapter)
    assert facilitator.user.has_perm("projects.create_group", chapter)


def test_a_section_given_to_a_working_group_takes_posts_from_its_members(
    member_client, neighbour_client, facilitator_client, member, neighbour
):
    from chapterhouse.projects.tests.factories import make_group

    group = make_group(member, name="Forum stewards")
    with pytest.raises(Refused, match="Name the working group"):
        set_section(chapter=member.home_chapter,
                    change={"section": "forums", "posting": "group"})
    set_section(chapter=member.home_chapter, change={
        "section": "forums", "posting": "group", "group": str(group.public_id)})
    data = {"title": "Compost", "body": "Who has a bin?"}
    assert neighbour_client.post(FORUM, data).status_code == 403  # not in the group
    assert member_client.post(FORUM, data).status_code == 302  # its coordinator
    assert facilitator_client.post(FORUM, {**data, "title": "Bins"}).status_code == 302
    assert sorted(Thread.objects.filter(kind="forum").values_list("title", flat=True)) == [
        "Bins", "Compost"]


def test_the_draft_form_names_the_working_group(member_client, member):
    from chapterhouse.projects.tests.factories import make_group

    group = make_group(member, name="Forum stewards")
    data = {"title": "Stewards run the forum", "text": "They know it best.",
            "category": "rules", "section": "forums", "section_posting": "group",
            "groups-TOTAL_FORMS": "2", "groups-INITIAL_FORMS": "0",
            "groups-MIN_NUM_FORMS": "0", "groups-MAX_NUM_FORMS": "1000"}
    unknown = member_client.post(f"/decisions/new/{HACKNEY}/",
                                 {**data, "section_group": "Nobody's group"})
    assert unknown.status_code == 400
    assert "No working group of Hackney is called" in unknown.content.decode()
    response = member_client.post(f"/decisions/new/{HACKNEY}/",
                                  {**data, "section_group": "forum STEWARDS"})
    assert response.status_code == 302, response.content.decode()
    proposal = Proposal.objects.get()
    assert proposal.payload == {"section": "forums", "posting": "group",
                                "group": str(group.public_id)}
    page = member_client.get(f"/decisions/p/{proposal.public_id}/").content.decode()
    assert "the working group “Forum stewards” and the facilitators" in page
