"""The forms that move a proposal along: drafts (options, affectedness, rules and
roles changes), publishing, amendments, stakes, moving up and referring down.
Each for anonymous, outsider, member and facilitator; bad input stores nothing."""

import pytest

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.decisions.models import (
    AffectedGroup,
    Amendment,
    Option,
    Proposal,
    StakeDeclaration,
)
from chapterhouse.decisions.tests.factories import (
    chapter,
    draft,
    in_deliberation,
    in_voting,
    set_rule,
)
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

HACKNEY, ISLINGTON, LONDON = "gb/eng/london/hackney", "gb/eng/london/islington", "gb/eng/london"
NEW = f"/decisions/new/{HACKNEY}/"


def groups(*rows, total=None):
    """The affected-groups formset's fields."""
    data = {
        "groups-TOTAL_FORMS": str(total if total is not None else max(len(rows), 2)),
        "groups-INITIAL_FORMS": "0", "groups-MIN_NUM_FORMS": "0",
        "groups-MAX_NUM_FORMS": "1000",
    }
    for i, (where, weight, reason) in enumerate(rows):
        data.update({f"groups-{i}-chapter": where, f"groups-{i}-weight": str(weight),
                     f"groups-{i}-reason": reason})
    return data


def proposal_data(**fields):
    data = {"title": "Plant trees", "text": "Twelve oaks.", "category": "routine", **groups()}
    data.update(fields)
    return data


def url(proposal, action=""):
    return f"/decisions/p/{proposal.public_id}/{action}"


# -- New proposals --------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, member):
    response = client.get(NEW)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(NEW, proposal_data()).status_code == 302
    assert not Proposal.objects.exists()


def test_only_members_of_the_chapter_may_propose_there(outsider_client, neighbour_client,
                                                       member):
    for other in (outsider_client, neighbour_client):
        assert other.get(NEW).status_code == 403
        assert other.post(NEW, proposal_data()).status_code == 403
    assert not Proposal.objects.exists()
    assert neighbour_client.get(f"/decisions/new/{LONDON}/").status_code == 200
    assert outsider_client.get("/decisions/new/xx/").status_code == 404


def test_a_member_saves_a_private_draft(member_client, member):
    form = member_client.get(NEW)
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="option_6"' in html and 'name="option_7"' not in html
    assert "Routine — Majority" in html
    response = member_client.post(NEW, proposal_data())
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == url(proposal)
    assert (proposal.status, proposal.author, proposal.chapter.url_path) == (
        "draft", member, HACKNEY)
    assert not proposal.options.exists()


def test_save_and_publish_starts_the_deliberation(member_client, member):
    member_client.post(NEW, proposal_data(publish="1"))
    proposal = Proposal.objects.get()
    assert proposal.status == "deliberation" and proposal.voting_opens_at is not None


def test_options_are_the_filled_inputs_and_more_can_be_added(member_client, member):
    set_rule(chapter(HACKNEY), "policy", method="schulze", params={})
    response = member_client.post(NEW, proposal_data(
        category="policy", option_1="Oaks", option_2="", option_3="  Limes ", option_9="Elms"))
    assert response.status_code == 302, response.content.decode()
    labels = list(Option.objects.order_by("position").values_list("label", flat=True))
    assert labels == ["Oaks", "Limes", "Elms"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": ""}, "This field is required."),
    ({"category": "nonsense"}, "Select a valid choice."),
    ({"option_1": "Oaks", "option_2": "Limes"}, "the options are implied, do not list any"),
])
def test_a_bad_draft_is_refused_with_a_reason(member_client, member, fields, message):
    response = member_client.post(NEW, proposal_data(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_multi_option_category_needs_two_options(member_client, member):
    set_rule(chapter(HACKNEY), "policy", method="approval", params={})
    response = member_client.post(NEW, proposal_data(category="policy", option_1="Oaks"))
    assert response.status_code == 400
    assert "give at least two" in response.content.decode()
    assert not Proposal.objects.exists()


def test_affected_groups_come_with_the_draft(member_client, member):
    response = member_client.post(NEW, proposal_data(**groups(
        ("Hackney", 3, "the square is here"), ("", "", ""))))
    assert response.status_code == 302, response.content.decode()
    group = AffectedGroup.objects.get()
    assert (group.chapter.url_path, group.weight, group.reason) == (HACKNEY, 3.0,
                                                                     "the square is here")


@pytest.mark.parametrize(("row", "message"), [
    ((HACKNEY, 11, "very"), "A weight is a number from 0 to 10."),
    ((HACKNEY, -1, "very"), "A weight is a number from 0 to 10."),
    ((HACKNEY, 2, ""), "This field is required."),
    (("Atlantis", 2, "sunk"), "There is no chapter “Atlantis” in Hackney."),
    ((LONDON, 2, "the whole city"), "Move the proposal up to London first"),
])
def test_bad_affected_groups_store_nothing(member_client, member, row, message):
    response = member_client.post(NEW, proposal_data(**groups(row)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Proposal.objects.exists() and not AffectedGroup.objects.exists()


def test_a_group_listed_twice_is_refused(member_client, member):
    response = member_client.post(NEW, proposal_data(**groups(
        (HACKNEY, 2, "one"), ("hackney", 3, "two"))))
    assert response.status_code == 400
    assert "Hackney is listed twice." in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_rules_proposal_carries_the_new_rule(member_client, member):
    response = member_client.post(NEW, proposal_data(
        category="rules", rule_category="policy", rule_method="schulze", rule_quorum="15%",
        rule_voting_days="5", rule_secret="yes"))
    assert response.status_code == 302, response.content.decode()
    proposal = Proposal.objects.get()
    assert proposal.payload == {
        "category": "policy", "method": "schulze", "params": {"quorum": 0.15},
        "voting_days": 5, "secret": True,
    }
    page = member_client.get(url(proposal)).content.decode()
    assert "What changes when it passes" in page and "Ranked: Schulze" in page


def test_a_rules_proposal_keeps_the_parameters_the_method_uses(member_client, member):
    member_client.post(NEW, proposal_data(category="rules", rule_category="routine",
                                          rule_threshold="3/4"))
    assert Proposal.objects.get().payload == {
        "category": "routine", "params": {"threshold": 0.75, "quorum": 0},
    }


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "Choose the category whose rule changes."),
    ({"rule_category": "policy"}, "Say what changes in the rule."),
    ({"rule_category": "routine", "rule_block_limit": "10%"},
     "Majority does not use this setting."),
    ({"rule_category": "routine", "rule_quorum": "150%"}, "A share is between 0 and 1"),
    ({"rule_category": "routine", "rule_quorum": "lots"}, "Write a share as a fraction"),
    ({"rule_category": "routine", "rule_amendment_days": "9"},
     "The amendment period must end within the deliberation."),
])
def test_a_bad_rule_change_is_refused(member_client, member, fields, message):
    response = member_client.post(NEW, proposal_data(category="rules", **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_roles_proposal_names_a_member_of_the_chapter(member_client, member, facilitator,
                                                        outsider):
    response = member_client.post(NEW, proposal_data(category="roles", role_action="grant",
                                                     role_member="fay facilitator"))
    assert response.status_code == 302, response.content.decode()
    assert Proposal.objects.get().payload == {"action": "grant",
                                              "member": str(facilitator.public_id)}
    response = member_client.post(NEW, proposal_data(
        category="roles", role_action="grant", role_member=f"/m/{outsider.public_id}/"))
    assert response.status_code == 400
    assert "Oscar Outsider does not belong to Hackney." in response.content.decode()
    response = member_client.post(NEW, proposal_data(category="roles", role_action="grant",
                                                     role_member="Nobody"))
    assert "No member of Hackney is called “Nobody”." in response.content.decode()
    assert Proposal.objects.count() == 1


def test_suggestions_list_sub_chapters_and_members(member_client, client, member, facilitator,
                                                   neighbour):
    # The draft form's pickers ask the one autocomplete (chapters:search, members:search).
    html = member_client.get("/c/search/", {"within": LONDON, "q": "hack"}).content.decode()
    assert f'data-suggestion="{HACKNEY}"' in html and "Islington" not in html
    html = member_client.get("/m/search/", {"within": HACKNEY, "q": "fay"}).content.decode()
    assert str(facilitator.public_id) in html and "Nia" not in html
    assert client.get("/m/search/", {"within": HACKNEY}).status_code == 302


def test_hidden_members_are_neither_suggested_nor_found_by_name(member_client, member):
    from chapterhouse.members.models import Visibility
    from chapterhouse.members.services import update_profile

    hidden = make_member("Hal Hidden", city="London", neighbourhood="Hackney")
    update_profile(member=hidden, profile_visibility=Visibility.HIDDEN)
    html = member_client.get("/m/search/", {"within": HACKNEY, "q": "hal"}).content.decode()
    assert "Hal" not in html
    response = member_client.post(NEW, proposal_data(category="roles", role_action="grant",
                                                     role_member="Hal Hidden"))
    assert response.status_code == 400
    assert not Proposal.objects.exists()


# -- Editing and publishing drafts ----------------------------------------------------------


def test_the_author_edits_the_draft(member_client, member):
    proposal = draft(member, title="Old title")
    form = member_client.get(url(proposal, "edit/"))
    assert form.status_code == 200 and "Old title" in form.content.decode()
    response = member_client.post(url(proposal, "edit/"), proposal_data(
        title="New title", **groups((HACKNEY, 2, "the square"))))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "New title"
    assert proposal.versions.count() == 2
    assert proposal.affected_groups.get().weight == 2.0


def test_nobody_else_may_edit_or_publish_a_draft(facilitator_client, outsider_client, client,
                                                 member):
    proposal = draft(member, title="Mine")
    for other in (facilitator_client, outsider_client):
        assert other.get(url(proposal, "edit/")).status_code == 404
        assert other.post(url(proposal, "publish/")).status_code == 404
    assert client.post(url(proposal, "publish/")).status_code == 302  # to log in
    proposal.refresh_from_db()
    assert proposal.status == "draft"


def test_a_published_proposal_is_not_edited_but_amended(member_client, member):
    proposal = in_deliberation(member)
    assert member_client.get(url(proposal, "edit/")).status_code == 403


def test_the_author_publishes_and_withdraws(member_client, member):
    proposal = draft(member)
    assert member_client.get(url(proposal, "publish/")).status_code == 405
    response = member_client.post(url(proposal, "publish/"))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "deliberation"
    member_client.post(url(proposal, "withdraw/"))
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_others_may_not_withdraw(facilitator_client, member):
    proposal = in_deliberation(member)
    assert facilitator_client.post(url(proposal, "withdraw/")).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "deliberation"


# -- Amendments -------------------------------------------------------------------------------


def test_an_affected_member_proposes_an_amendment(facilitator_client, member, facilitator):
    proposal = in_deliberation(member, text="Twelve oaks.")
    form = facilitator_client.get(url(proposal, "amend/"))
    assert form.status_code == 200 and "Twelve oaks." in form.content.decode()
    response = facilitator_client.post(url(proposal, "amend/"), {
        "kind": "alternative", "label": "Limes instead", "text": "Twelve limes."})
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert (amendment.author, amendment.kind, amendment.label) == (
        facilitator, "alternative", "Limes instead")


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "alternative", "label": "", "text": "Limes."},
     "Give the alternative a short label for the ballot."),
    ({"kind": "text_change", "text": ""}, "This field is required."),
    ({"kind": "text_change", "text": "Twelve oaks."}, "This text is the same as the proposal"),
    ({"kind": "rewrite", "text": "x"}, "Select a valid choice."),
])
def test_a_bad_amendment_stores_nothing(facilitator_client, member, fields, message):
    proposal = in_deliberation(member, text="Twelve oaks.")
    response = facilitator_client.post(url(proposal, "amend/"), fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Amendment.objects.exists()


def test_only_affected_members_amend(outsider_client, neighbour_client, client, member):
    proposal = in_deliberation(member)
    for other in (outsider_client, neighbour_client):
        assert other.post(url(proposal, "amend/"), {
            "kind": "text_change", "text": "Mine."}).status_code == 403
    assert client.get(url(proposal, "amend/")).status_code == 302
    assert not Amendment.objects.exists()


def test_no_amendments_once_voting_opened(member_client, member):
    proposal = in_voting(member)
    assert member_client.get(url(proposal, "amend/")).status_code == 403


def test_the_author_accepts_an_amendment_and_its_author_withdraws_one(
        member_client, facilitator_client, member, facilitator):
    set_rule(chapter(HACKNEY), "policy", method="schulze", params={})
    proposal = in_deliberation(member, category="policy", options=["Oaks", "Limes"])
    facilitator_client.post(url(proposal, "amend/"), {
        "kind": "alternative", "label": "Birches", "text": "Birches."})
    facilitator_client.post(url(proposal, "amend/"), {
        "kind": "alternative", "label": "Elms", "text": "Elms."})
    # Only the proposal's author accepts; only the amendment's author withdraws.
    assert facilitator_client.post(url(proposal, "amendments/1/accept/")).status_code == 403
    assert member_client.post(url(proposal, "amendments/2/withdraw/")).status_code == 403
    page = member_client.get(url(proposal)).content.decode()
    assert "Accept as an option" in page
    assert member_client.post(url(proposal, "amendments/1/accept/")).status_code == 302
    assert facilitator_client.post(url(proposal, "amendments/2/withdraw/")).status_code == 302
    assert dict(Amendment.objects.values_list("number", "status")) == {
        1: "accepted", 2: "withdrawn"}
    assert proposal.options.filter(label="Birches").exists()
    assert member_client.post(url(proposal, "amendments/9/accept/")).status_code == 404


# -- Affectedness and stakes -------------------------------------------------------------------


def test_the_author_changes_who_is_affected_during_deliberation(member_client,
                                                                facilitator_client, member):
    proposal = in_deliberation(member)
    assert member_client.get(url(proposal, "affected/")).status_code == 200
    response = member_client.post(url(proposal, "affected/"), groups((HACKNEY, 4, "here")))
    assert response.status_code == 302
    assert proposal.affected_groups.get().weight == 4.0
    response = member_client.post(url(proposal, "affected/"), groups((LONDON, 2, "all")))
    assert response.status_code == 400
    assert "Move the proposal up to London first" in response.content.decode()
    assert proposal.affected_groups.get().weight == 4.0
    assert facilitator_client.get(url(proposal, "affected/")).status_code == 403


def test_members_declare_a_stake_where_the_rule_allows(member_client, facilitator_client,
                                                       neighbour_client, member, facilitator):
    set_rule(chapter(HACKNEY), "routine", allow_self_declared_stakes=True, self_declared_cap=3)
    proposal = in_deliberation(member)
    page = facilitator_client.get(url(proposal)).content.decode()
    assert "Declare my stake" in page
    response = facilitator_client.post(url(proposal, "stake/"), {
        "weight": "2.5", "reason": "I live on the square"})
    assert response.status_code == 302
    stake = StakeDeclaration.objects.get()
    assert (stake.member, stake.weight) == (facilitator, 2.5)
    response = facilitator_client.post(url(proposal, "stake/"), {"weight": "5", "reason": "x"})
    assert response.status_code == 400
    assert "You can declare a weight of at most 3." in response.content.decode()
    assert StakeDeclaration.objects.get().weight == 2.5
    assert neighbour_client.post(url(proposal, "stake/"), {
        "weight": "2", "reason": "x"}).status_code == 403
    facilitator_client.post(url(proposal, "stake/"), {"withdraw": "1"})
    assert not StakeDeclaration.objects.exists()


def test_no_stakes_where_the_rule_does_not_allow_them(member_client, member):
    proposal = in_deliberation(member)
    assert "Declare my stake" not in member_client.get(url(proposal)).content.decode()
    assert member_client.post(url(proposal, "stake/"), {
        "weight": "2", "reason": "x"}).status_code == 403
    assert not StakeDeclaration.objects.exists()


# -- Subsidiarity -----------------------------------------------------------------------------


def test_the_author_or_a_facilitator_moves_a_proposal_up(member_client, facilitator_client,
                                                         neighbour_client, member):
    proposal = in_deliberation(member)
    form = facilitator_client.get(url(proposal, "move-up/"))
    assert form.status_code == 200 and "London" in form.content.decode()
    assert neighbour_client.post(url(proposal, "move-up/"), {"to": LONDON}).status_code == 403
    response = facilitator_client.post(url(proposal, "move-up/"), {"to": "fr"})
    assert response.status_code == 400
    response = facilitator_client.post(url(proposal, "move-up/"), {"to": LONDON})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.chapter.url_path == LONDON


def test_a_proposal_is_referred_down_to_sub_chapters(member_client, member, neighbour):
    proposal = in_deliberation(member, chapter=chapter(LONDON))
    form = member_client.get(url(proposal, "refer-down/"))
    assert "Islington" in form.content.decode()
    response = member_client.post(url(proposal, "refer-down/"), {})
    assert response.status_code == 400
    response = member_client.post(url(proposal, "refer-down/"), {"to": [HACKNEY, ISLINGTON]})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "referred"
    assert set(proposal.referrals.values_list("chapter__url_path", flat=True)) == {
        HACKNEY, ISLINGTON}
    html = member_client.get(url(proposal)).content.decode()
    assert "referred the proposal down" in html


def test_a_facilitator_of_another_chapter_may_not_move_it(member, facilitator, client):
    proposal = in_deliberation(member, chapter=chapter(LONDON))
    from chapterhouse.conftest import client_for

    # Fay facilitates Hackney, not London.
    assert ChapterRole.objects.filter(member=facilitator, chapter__url_path=HACKNEY).exists()
    assert client_for(facilitator).post(url(proposal, "refer-down/"), {
        "to": [HACKNEY]}).status_code == 403
