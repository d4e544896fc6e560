"""The reading pages: the decision log and its exports, a chapter's decisions, the
proposal page, versions and the decision record — for every persona, with query
counts that do not grow with rows."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse import voting
from chapterhouse.decisions import services
from chapterhouse.decisions.models import Decision
from chapterhouse.decisions.tests.factories import (
    chapter,
    close,
    draft,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)

pytestmark = pytest.mark.django_db

HACKNEY, LONDON = "gb/eng/london/hackney", "gb/eng/london"
PERSONAS = ["client", "outsider_client", "neighbour_client", "member_client",
            "facilitator_client"]


def decided(author, title="Plant trees", **kwargs):
    proposal = in_voting(author, title=title, **kwargs)
    vote(proposal, author, {"choice": "yes"})
    return close(proposal)


def queries(client, url):
    client.get(url)  # the first request of a session also records when the member was seen
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:2000]
    return len(ctx.captured_queries)


# -- /decisions/ --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_may_read_the_decision_log(request, member, facilitator, neighbour, persona):
    decision = decided(member)
    response = request.getfixturevalue(persona).get("/decisions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert decision.title in html
    assert f"/decisions/d/{decision.proposal.public_id}/" in html


def test_the_log_filters_by_chapter_category_outcome_and_date(client, member, neighbour):
    set_rule(chapter(LONDON), "budget", method="majority", params={"threshold": 0.5})
    hackney = decided(member, title="Hackney trees")
    islington = decided(neighbour, title="Islington bins")
    london = in_voting(member, title="London budget", chapter=chapter(LONDON),
                       category="budget")
    vote(london, neighbour, {"choice": "no"})
    london_decision = close(london)

    def titles(**params):
        response = client.get("/decisions/", params)
        assert response.status_code == 200, response.content
        return {d.title for d in response.context["page_obj"]}

    assert titles() == {"Hackney trees", "Islington bins", "London budget"}
    assert titles(chapter=HACKNEY) == {"Hackney trees"}
    assert titles(chapter=LONDON) == {"London budget"}
    assert titles(chapter=LONDON, subchapters="on") == {
        "Hackney trees", "Islington bins", "London budget"}
    assert titles(category="budget") == {"London budget"}
    assert titles(outcome="rejected") == {"London budget"}
    assert titles(outcome="passed") == {"Hackney trees", "Islington bins"}
    day = timezone.localdate(hackney.decided_at)  # London's vote ran longer (budget rule)
    assert timezone.localdate(london_decision.decided_at) > day
    assert titles(since=str(day), until=str(day)) == {"Hackney trees", "Islington bins"}
    assert titles(since=str(day + timedelta(days=1))) == {"London budget"}
    assert titles(until=str(day - timedelta(days=1))) == set()
    assert hackney.sequence < islington.sequence < london_decision.sequence


def test_a_bad_filter_is_an_error_not_a_crash(client, member):
    decided(member)
    response = client.get("/decisions/", {"chapter": "xx/nowhere"})
    assert response.status_code == 400
    assert "There is no chapter at the address “xx/nowhere”." in response.content.decode()
    response = client.get("/decisions/", {"since": "2025-02-10", "until": "2025-02-01"})
    assert response.status_code == 400
    assert "The end comes before the start." in response.content.decode()


def test_htmx_gets_only_the_results(client, member):
    decided(member)
    response = client.get("/decisions/", {"outcome": "passed"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<div id="decision-results"')
    assert "<html" not in html


def test_the_log_costs_the_same_queries_at_any_size(client, member, facilitator):
    decided(member, title="One")
    few = queries(client, "/decisions/")
    for n in range(5):
        decided(member if n % 2 else facilitator, title=f"More {n}")
    assert queries(client, "/decisions/") == few
    # The chapter, and its parents to show it by name ("Hackney, London, England, …").
    assert queries(client, f"/decisions/?chapter={HACKNEY}&outcome=passed") <= few + 2


def test_the_export_is_csv_or_json_with_the_same_filters(client, member, neighbour):
    decided(member, title="=HYPERLINK(\"http://evil\")")
    decided(neighbour, title="Islington bins")
    response = client.get("/decisions/export.csv", {"chapter": HACKNEY})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["title"].startswith("'=")  # a formula is not run by a spreadsheet
    assert rows[0]["outcome"] == "passed" and rows[0]["scope"] == HACKNEY
    assert rows[0]["method"] == "majority" and rows[0]["voters"] == "1"
    response = client.get("/decisions/export.json")
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))
    assert [row["title"] for row in data] == ["Islington bins", "=HYPERLINK(\"http://evil\")"]
    decision = Decision.objects.get(title="Islington bins")
    assert data[0]["record_hash"] == decision.record_hash
    assert data[0]["url"].endswith(f"/decisions/d/{decision.proposal.public_id}/")
    assert client.get("/decisions/export.json", {"outcome": "nonsense"}).status_code == 400


def test_the_export_costs_the_same_queries_at_any_size(client, member):
    decided(member)

    def export_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/decisions/export.json")
            b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    few = export_queries()
    for n in range(4):
        decided(member, title=f"More {n}")
    assert export_queries() == few


# -- /decisions/c/<chapter>/ --------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_chapter_shows_its_proposals_by_stage(request, member, facilitator, neighbour,
                                                persona):
    in_deliberation(member, title="Deliberating")
    in_voting(member, title="Voting now")
    decided(member, title="Decided already")
    draft(member, title="My secret draft")
    response = request.getfixturevalue(persona).get(f"/decisions/c/{HACKNEY}/")
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Deliberating", "Voting now", "Decided already"):
        assert title in html
    assert ("My secret draft" in html) == (persona == "member_client")
    assert ("New proposal" in html) == (persona in ("member_client", "facilitator_client"))


def test_the_chapter_navigation_links_the_decisions_section(client, member):
    html = client.get(f"/c/{HACKNEY}/").content.decode()
    assert f'href="/decisions/c/{HACKNEY}/"' in html
    html = client.get(f"/decisions/c/{HACKNEY}/").content.decode()
    assert f'href="/decisions/c/{HACKNEY}/" aria-current="page"' in html


def test_international_has_a_decisions_page(client, member):
    assert client.get("/decisions/c/").status_code == 200
    assert client.get("/decisions/c/xx/nowhere/").status_code == 404


def test_the_chapter_shows_the_rules_in_force(client, member):
    set_rule(chapter(HACKNEY), "policy", method="schulze", params={}, secret=True)
    html = client.get(f"/decisions/c/{HACKNEY}/").content.decode()
    assert "Ranked: Schulze" in html
    assert "s default rule, which every chapter inherits" in html  # the other categories
    set_rule(chapter(LONDON), "budget", method="approval", params={})
    cache.clear()  # set_rule writes the row directly; a decision bumps the rules version
    html = client.get(f"/decisions/c/{HACKNEY}/").content.decode()
    assert "Inherited from London." in html


def test_one_stage_lists_in_full(member_client, client, member):
    for n in range(12):
        in_deliberation(member, title=f"Idea {n}")
    response = member_client.get(f"/decisions/c/{HACKNEY}/")
    assert "?stage=deliberation" in response.content.decode()
    response = client.get(f"/decisions/c/{HACKNEY}/", {"stage": "deliberation"})
    assert len(response.context["page_obj"].object_list) == 12
    assert client.get(f"/decisions/c/{HACKNEY}/", {"stage": "draft"}).status_code == 404


def test_the_chapter_page_costs_the_same_queries_at_any_size(member_client, member,
                                                             facilitator):
    def build():
        in_deliberation(member)
        proposal = in_voting(member)
        vote(proposal, member, {"choice": "yes"})
        decided(facilitator)
        draft(member)

    build()
    url = f"/decisions/c/{HACKNEY}/"
    few = queries(member_client, url)
    for _n in range(3):
        build()
    assert queries(member_client, url) == few
    stage = f"{url}?stage=voting"
    few = queries(member_client, stage)
    build()
    assert queries(member_client, stage) == few


# -- The proposal page ----------------------------------------------------------------------


def comment(proposal, authors, n):
    from chapterhouse.discussions import services as discussions
    from chapterhouse.discussions.selectors import thread_about

    thread = thread_about(proposal, kind="deliberation")
    assert thread is not None
    for i in range(n):
        discussions.reply(thread=thread, author=authors[i % len(authors)],
                          body=f"Comment {i}: *why* not? [more](https://example.org/{i})")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_proposal_page_costs_the_same_queries_with_many_comments(
    request, persona, member, neighbour, facilitator
):
    client = request.getfixturevalue(persona)
    proposal = in_deliberation(member)
    url = f"/decisions/p/{proposal.public_id}/"
    comment(proposal, [member, facilitator], 3)
    few = queries(client, url)
    comment(proposal, [member, facilitator], 60)  # more than the page shows
    assert queries(client, url) == few
    page = client.get(url).content.decode()
    assert page.count('<li class="post"') == 50  # the first page of the 64 posts


@pytest.mark.parametrize("stage", ["deliberation", "voting"])
def test_the_proposal_page_works_out_the_members_weight_once(member_client, member, stage):
    proposal = (in_deliberation if stage == "deliberation" else in_voting)(member)
    url = f"/decisions/p/{proposal.public_id}/"
    member_client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        page = member_client.get(url).content.decode()
    # Before voting: the member's stake (with the affected groups); in voting: the roll.
    table = "decisions_stakedeclaration" if stage == "deliberation" else "decisions_rollentry"
    asked = [q["sql"] for q in ctx.captured_queries
             if f'FROM "{table}"' in q["sql"] and f'WHERE ("{table}"."member_id" =' in q["sql"]
             or f'AND "{table}"."member_id" =' in q["sql"]]
    assert len(asked) == 1, asked
    # ...and still shows what it allows: amending while in deliberation, the ballot in voting.
    assert ("Propose an amendment" if stage == "deliberation" else "Cast") in page


def test_a_draft_is_its_authors_alone(client, member_client, facilitator_client,
                                      outsider_client, member):
    proposal = draft(member, title="Not yet")
    url = f"/decisions/p/{proposal.public_id}/"
    assert member_client.get(url).status_code == 200
    for other in (client, facilitator_client, outsider_client):
        assert other.get(url).status_code == 404
        assert other.get(f"{url}versions/").status_code == 404


def test_an_unknown_proposal_is_a_404(client):
    assert client.get("/decisions/p/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_published_proposal_is_public(request, member, facilitator, neighbour, persona):
    proposal = in_deliberation(member, title="Benches", text="Four **benches**.")
    html = request.getfixturevalue(persona).get(
        f"/decisions/p/{proposal.public_id}/").content.decode()
    assert "<strong>benches</strong>" in html
    assert "Deliberation" in html  # the thread is embedded
    assert "Amendments close in" in html and "Voting opens in" in html
    assert "Majority" in html  # how it is decided


def test_the_page_shows_who_may_do_what(member_client, facilitator_client, neighbour_client,
                                         member):
    proposal = in_deliberation(member, title="Benches")
    url = f"/decisions/p/{proposal.public_id}/"
    own = member_client.get(url).content.decode()
    assert "Withdraw" in own and "Propose an amendment" in own
    assert "Change who is affected" in own and "Move up" in own
    facilitator = facilitator_client.get(url).content.decode()
    assert "Move up" in facilitator and "Withdraw</button>" not in facilitator
    assert "Propose an amendment" in facilitator
    other = neighbour_client.get(url).content.decode()
    assert "Propose an amendment" not in other and "Move up" not in other
    assert "You are not affected by this proposal." in other


def test_the_history_says_what_happened(client, member, facilitator):
    proposal = in_deliberation(member, title="Benches")
    services.move_up(proposal=proposal, to_chapter=chapter(LONDON), actor=facilitator)
    services.set_affected_groups(proposal=proposal, actor=member, groups=[
        {"chapter": chapter(HACKNEY), "weight": 2.5, "reason": "next to the square"}])
    html = client.get(f"/decisions/p/{proposal.public_id}/").content.decode()
    assert "Ada Member wrote the first draft." in html
    assert "Fay Facilitator moved the proposal up from Hackney to London." in html
    # Chapters by name, not by path.
    assert "Ada Member set the affected groups: Hackney, weight 2.5." in html
    assert "gb/eng/london/hackney 2.5" not in html


def test_versions_show_a_safe_diff(client, member, facilitator):
    proposal = in_deliberation(member, text="Line one\nLine two")
    amendment = services.propose_amendment(
        proposal=proposal, author=facilitator, kind="text_change",
        text="Line one\n<script>alert(1)</script>")
    services.accept_amendment(amendment=amendment, actor=member)
    response = client.get(f"/decisions/p/{proposal.public_id}/versions/")
    html = response.content.decode()
    assert response.context["old"] == 1 and response.context["new"] == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert '<span class="diff-removed">− Line two</span>' in html
    assert client.get(f"/decisions/p/{proposal.public_id}/versions/?old=1&new=9"
                      ).status_code == 404
    page = client.get(f"/decisions/p/{proposal.public_id}/").content.decode()
    assert "from amendment 1 by Fay Facilitator" in page


# -- The decision record ------------------------------------------------------------------


def test_the_record_shows_a_schulze_count_with_its_pairwise_table(client, member, facilitator,
                                                                  neighbour):
    set_rule(chapter(HACKNEY), "policy", method="schulze", params={})
    proposal = in_voting(member, category="policy", options=["Oaks", "Limes", "Birches"])
    vote(proposal, member, {"ranking": ["o1", "o2", "o3"]})
    vote(proposal, facilitator, {"ranking": ["o2", "o1"]})
    decision = close(proposal)
    for url in (f"/decisions/d/{proposal.public_id}/", f"/decisions/d/{decision.sequence}/",
                f"/decisions/p/{proposal.public_id}/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Pairwise preferences" in html
        assert 'class="data matrix pairwise"' in html
        assert decision.record_hash in html
        assert "python -m chapterhouse.voting recount" in html
        assert 'class="bar w-' in html and "style=" not in html
    assert response.context["tally"].pairwise.rows[0]["label"] == "Oaks"


def test_the_ballot_file_recounts_to_the_published_result(client, member, facilitator):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    vote(proposal, facilitator, {"choice": "no"})
    close(proposal)
    response = client.get(f"/decisions/d/{proposal.public_id}/ballots.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = voting.loads_ballot_file(response.content.decode())
    assert voting.recount(data).to_dict() == data.result
    assert "Ada" not in response.content.decode()


def test_a_record_that_does_not_exist_is_a_404(client, member):
    proposal = in_voting(member)
    assert client.get(f"/decisions/d/{proposal.public_id}/").status_code == 404
    assert client.get(f"/decisions/d/{proposal.public_id}/ballots.json").status_code == 404
    assert client.get("/decisions/d/99/").status_code == 404
