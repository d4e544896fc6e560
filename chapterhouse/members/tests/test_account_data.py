"""What a member's data export holds of what they did in the apps above members
(posts, proposals, amendments, stakes, rolls, ballots, dissent), and what deleting
the account removes and keeps (members.account_data)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.decisions import services as decisions
from chapterhouse.decisions.models import (
    Amendment,
    Ballot,
    Dissent,
    DissentEntry,
    Participation,
    Proposal,
    SecretBallot,
    StakeDeclaration,
)
from chapterhouse.decisions.tests.factories import (
    chapter,
    close,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)
from chapterhouse.discussions import services as discussions
from chapterhouse.discussions.models import Mention, Post, PostVersion, Thread
from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.members.account_data import holdings
from chapterhouse.members.models import Member
from chapterhouse.members.selectors import export_data_for
from chapterhouse.members.services import delete_account
from chapterhouse.members.tests.factories import PASSWORD, make_member

HACKNEY = "gb/eng/london/hackney"


def _export(client) -> dict:
    response = client.post("/me/export/")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def third(db, member):
    return make_member("Theo Third", city="London", neighbourhood="Hackney")


@pytest.fixture
def busy(member, facilitator, third):
    """The member (Ada) and the facilitator (another member of Hackney) each did a bit
    of everything; what is theirs is marked in the text ("Ada's …", "Fay's …")."""
    grant_role(chapter=chapter(HACKNEY), member=member, source=ChapterRole.Source.ADMIN)
    thread = make_thread(member, title="Ada's thread", body="Ada's first post")
    discussions.reply(thread=thread, author=facilitator, body="Fay's reply")
    mine = discussions.reply(thread=thread, author=member, body="Ada's reply")
    discussions.edit_post(post=mine, editor=member, body="Ada's reply, edited")
    make_thread(facilitator, title="Fay's thread", body="Fay's post")

    set_rule(chapter(HACKNEY), "routine", allow_self_declared_stakes=True, self_declared_cap=3)
    own = in_deliberation(member, title="Ada's proposal")
    theirs = in_deliberation(facilitator, title="Fay's proposal")
    decisions.propose_amendment(proposal=theirs, author=member, kind="text_change",
                                text="Ada's amendment")
    decisions.propose_amendment(proposal=own, author=facilitator, kind="text_change",
                                text="Fay's amendment")
    decisions.declare_stake(proposal=theirs, member=member, weight=2, reason="Ada's stake")
    decisions.declare_stake(proposal=own, member=facilitator, weight=2, reason="Fay's stake")

    set_rule(chapter(HACKNEY), "routine", allow_self_declared_stakes=False)
    open_vote = in_voting(facilitator, title="Fay's open vote")
    vote(open_vote, member, {"choice": "no"})
    vote(open_vote, facilitator, {"choice": "yes"})
    decided = in_voting(facilitator, title="Fay's decided vote")
    vote(decided, member, {"choice": "no"})
    vote(decided, facilitator, {"choice": "yes"})
    vote(decided, third, {"choice": "yes"})
    decision = close(decided)
    decisions.add_dissent(decision=decision, member=member, text="Ada's dissent")

    set_rule(chapter(HACKNEY), "routine", secret=True)
    secret = in_voting(facilitator, title="Fay's secret vote")
    receipt = vote(secret, member, {"choice": "abstain"}).receipt
    vote(secret, facilitator, {"choice": "yes"})
    return {"thread": thread, "own": own, "theirs": theirs, "open_vote": open_vote,
            "secret": secret, "receipt": receipt, "decision": decision}


class TestExport:
    def test_it_holds_the_members_posts_with_their_threads_and_versions(self, busy,
                                                                       member_client):
        data = _export(member_client)
        assert [p["text"] for p in data["posts"]] == ["Ada's first post", "Ada's reply, edited"]
        reply = data["posts"][1]
        assert reply["thread"] == {"title": "Ada's thread", "kind": "forum",
                                   "url": busy["thread"].get_absolute_url()}
        assert reply["edited_at"] and reply["created_at"]
        assert [v["text"] for v in reply["earlier_versions"]] == ["Ada's reply"]
        # Her forum thread, and the deliberation her proposal opened.
        assert [(t["title"], t["kind"]) for t in data["threads_started"]] == [
            ("Ada's thread", "forum"), ("Ada's proposal", "deliberation")]

    def test_it_holds_the_members_proposals_amendments_and_stakes(self, busy, member_client):
        data = _export(member_client)
        assert [(p["title"], p["status"]) for p in data["proposals"]] == [
            ("Ada's proposal", "deliberation")]
        assert data["proposals"][0]["url"] == busy["own"].get_absolute_url()
        assert [(a["text"], a["status"], a["proposal"]["title"])
                for a in data["amendments"]] == [("Ada's amendment", "open", "Fay's proposal")]
        assert [(s["reason"], s["weight"], s["proposal"]["title"]) for s in data["stakes"]] == [
            ("Ada's stake", "2.000000", "Fay's proposal")]

    def test_it_holds_the_members_open_ballots_and_their_dissent(self, busy, member_client):
        data = _export(member_client)
        ballots = {b["proposal"]["title"]: b for b in data["ballots"]}
        assert set(ballots) == {"Fay's open vote", "Fay's decided vote"}
        assert ballots["Fay's open vote"]["choice"] == {"choice": "no"}
        assert ballots["Fay's open vote"]["proposal"]["voting_open"] is True
        assert ballots["Fay's decided vote"]["proposal"]["voting_open"] is False
        assert [d["text"] for d in data["dissents"]] == ["Ada's dissent"]
        assert {r["proposal"]["title"] for r in data["rolls"]} == {
            "Fay's open vote", "Fay's decided vote", "Fay's secret vote"}

    def test_of_a_secret_ballot_it_says_only_that_the_member_voted(self, busy, member_client):
        response = member_client.post("/me/export/")
        data = json.loads(response.content)
        assert data["secret_votes"] == [{
            "proposal": {"title": "Fay's secret vote", "url": busy["secret"].get_absolute_url(),
                         "status": "voting", "voting_open": True},
            "voted": True,
        }]
        text = response.content.decode()
        assert "abstain" not in text
        assert busy["receipt"] not in text
        for ballot in SecretBallot.objects.filter(proposal=busy["secret"]):
            assert ballot.receipt_hash not in text and str(ballot.id) not in text
            assert not ballot.owner_hash or ballot.owner_hash not in text

    def test_it_holds_nobody_elses(self, busy, member_client, facilitator_client):
        text = member_client.post("/me/export/").content.decode()
        assert "Fay's reply" not in text and "Fay's post" not in text
        assert "Fay's amendment" not in text and "Fay's stake" not in text
        assert "Fay's thread" not in text
        theirs = _export(facilitator_client)
        assert [p["title"] for p in theirs["proposals"]] == [
            "Fay's proposal", "Fay's open vote", "Fay's decided vote", "Fay's secret vote"]
        assert [p["text"] for p in theirs["posts"]] == ["Fay's reply", "Fay's post"]
        assert [a["text"] for a in theirs["amendments"]] == ["Fay's amendment"]
        assert [s["reason"] for s in theirs["stakes"]] == ["Fay's stake"]
        assert {b["choice"]["choice"] for b in theirs["ballots"]} == {"yes"}
        assert theirs["dissents"] == []

    def test_a_member_who_did_nothing_gets_empty_sections(self, outsider_client):
        data = _export(outsider_client)
        for section in ("posts", "threads_started", "proposals", "amendments", "stakes",
                        "rolls", "ballots", "secret_votes", "dissents"):
            assert data[section] == [], section

    def test_it_costs_the_same_number_of_queries_whatever_the_member_did(
            self, member, facilitator):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                export_data_for(Member.objects.get(pk=member.pk))
            return len(queries)

        grant_role(chapter=chapter(HACKNEY), member=member, source=ChapterRole.Source.ADMIN)
        thread = make_thread(member, replies=1)
        in_deliberation(member)
        vote(in_voting(facilitator), member, {"choice": "yes"})
        before = count()
        for n in range(4):
            post = discussions.reply(thread=thread, author=member, body=f"More {n}")
            discussions.edit_post(post=post, editor=member, body=f"More {n}, edited")
            make_thread(member, title=f"Thread {n}")
            proposal = in_deliberation(member, title=f"Proposal {n}")
            decisions.propose_amendment(proposal=proposal, author=member, kind="text_change",
                                        text=f"Amendment {n}")
            vote(in_voting(facilitator, title=f"Vote {n}"), member, {"choice": "no"})
        assert count() == before

    def test_every_app_above_members_registers_its_holding(self):
        assert [h.app for h in holdings()] == [
            "activity", "announcements", "blogs", "chat", "conversations", "decisions",
            "discussions", "events", "inbound", "moderation", "mutualaid", "polls", "projects",
            "resources"]


class TestDeletion:
    def test_by_default_posts_stay_signed_former_member(self, busy, member):
        delete_account(member=member)
        post = Post.objects.get(body="Ada's reply, edited")
        assert post.author is None and not post.is_removed
        assert PostVersion.objects.filter(post=post).exists()

    def test_removing_writing_empties_forum_posts_and_comments_only(self, busy, member,
                                                                    facilitator):
        deliberation = Thread.objects.get(kind=Thread.Kind.DELIBERATION,
                                          subject_id=str(busy["own"].pk))
        discussions.reply(thread=deliberation, author=member, body="Ada's argument")
        comments = make_thread(facilitator, title="Comments", kind=Thread.Kind.COMMENTS,
                               subject=chapter("gb"), body=None)
        discussions.reply(thread=comments, author=member, body="Ada's comment @[Fay](member:"
                          f"{facilitator.public_id})")
        assert Mention.objects.filter(member=facilitator).exists()
        delete_account(member=member, remove_writing=True)
        removed = Post.objects.filter(thread__in=[busy["thread"], comments], author=None)
        assert removed.count() == 3
        assert all(post.is_removed and post.edited_at is None for post in removed)
        assert not PostVersion.objects.filter(post__in=removed).exists()
        assert not Mention.objects.filter(post__in=removed).exists()
        # Others' posts, deliberation and the thread titles stay.
        assert Post.objects.filter(body="Fay's reply", author=facilitator).exists()
        assert deliberation.posts.get(author=None).body == "Ada's argument"
        assert Thread.objects.filter(title="Ada's thread").exists()

    def test_what_goes_and_what_stays_in_decisions(self, busy, member):
        public_id = str(member.public_id)
        delete_account(member=member, remove_writing=True)
        # Stays, without a name: proposals, amendments, ballots, participation, roll places.
        assert Proposal.objects.get(title="Ada's proposal").author is None
        assert Amendment.objects.get(text="Ada's amendment").author is None
        assert Ballot.objects.filter(proposal=busy["open_vote"], member=None).count() == 1
        assert Participation.objects.filter(proposal=busy["secret"], member=None).count() == 1
        assert SecretBallot.objects.filter(proposal=busy["secret"]).count() == 2
        # Goes: the stake declaration and the dissent shown; its chain entry stays.
        assert not StakeDeclaration.objects.filter(reason="Ada's stake").exists()
        assert not Dissent.objects.filter(text="Ada's dissent").exists()
        assert DissentEntry.objects.filter(member=public_id, text="Ada's dissent").exists()

    def test_a_removed_post_reads_removed_by_its_author(self, busy, member, facilitator_client):
        delete_account(member=member, remove_writing=True)
        html = facilitator_client.get(busy["thread"].get_absolute_url()).content.decode()
        assert html.count("removed by its author") == 2
        assert "Ada's first post" not in html and "Fay's reply" in html

    def test_the_page_says_what_goes_and_what_stays(self, member_client):
        html = member_client.get("/me/delete/").content.decode()
        assert "What is deleted at once" in html
        assert "What stays, without your name, and why" in html
        assert 'type="checkbox" name="remove_posts"' in html
        assert "everything in it" not in html

    def test_the_form_deletes_and_removes_posts_when_asked(self, busy, member, member_client):
        response = member_client.post("/me/delete/", {"password": PASSWORD, "remove_posts": "on"},
                                      follow=True)
        html = response.content.decode()
        assert "The text of your forum posts and comments was removed." in html
        assert "stay in the organisation" in html
        assert not Member.objects.filter(pk=member.pk).exists()
        assert Post.objects.filter(thread=busy["thread"], body="").count() == 2

    def test_the_form_keeps_posts_when_not_asked(self, busy, member, member_client):
        response = member_client.post("/me/delete/", {"password": PASSWORD}, follow=True)
        assert "signed “former member”" in response.content.decode()
        assert not Post.objects.filter(body="").exists()

    def test_a_wrong_password_removes_nothing(self, busy, member, member_client):
        response = member_client.post("/me/delete/", {"password": "wrong", "remove_posts": "on"})
        assert response.status_code == 200
        assert Member.objects.filter(pk=member.pk).exists()
        assert not Post.objects.filter(body="").exists()

    def test_another_member_cannot_remove_someone_elses_posts(self, busy, member,
                                                              facilitator_client):
        from chapterhouse.conftest import client_for

        facilitator_client.post("/me/delete/", {"password": "wrong", "remove_posts": "on"})
        assert Post.objects.filter(author=member).count() == 2
        assert not Post.objects.filter(body="").exists()
        assert client_for(member).get("/me/delete/").status_code == 200
