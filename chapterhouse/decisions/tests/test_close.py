import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from chapterhouse import voting
from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import (
    Ballot,
    Decision,
    DecisionRule,
    Dissent,
    Proposal,
    SecretBallot,
)
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import (
    at,
    chapter,
    close,
    draft,
    in_deliberation,
    in_voting,
    rule_in,
    set_rule,
    vote,
)
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

HACKNEY, ISLINGTON, LONDON = "gb/eng/london/hackney", "gb/eng/london/islington", "gb/eng/london"


def test_closing_counts_weighted_ballots_and_records_the_decision(member, facilitator):
    proposal = in_voting(member, groups=[
        {"chapter": chapter(HACKNEY), "weight": 2, "reason": "the square"},
    ])
    vote(proposal, member, {"choice": "yes"})
    vote(proposal, facilitator, {"choice": "abstain"})
    decision = close(proposal)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CLOSED
    assert decision.outcome == "passed"
    assert decision.result["turnout_weight"] == "4"  # exact weights are published as text
    assert decision.result["eligible_weight"] == "4"
    assert decision.turnout == {"voters": 2, "turnout_weight": "4", "eligible_weight": "4",
                                "share": 1.0}
    assert decision.roll["hash"] == proposal.roll.hash
    assert decision.roll["weights"] == [
        {"weight": "2", "reason": "@group:gb/eng/london/hackney:the square", "members": 2},
    ]
    assert decision.rule["method"] == "majority"
    assert decision.text == proposal.text and decision.title == proposal.title
    assert decision.scope_path == HACKNEY
    assert (decision.sequence, decision.previous_hash) == (1, "")
    assert decision.record_hash == decision.compute_hash()
    assert proposal.events.get(kind="closed").data["record_hash"] == decision.record_hash
    assert AuditEntry.objects.get(action="decisions.close_voting").data["sequence"] == 1
    assert Notification.objects.filter(kind=Kind.DECISION_RECORDED, recipient=member).exists()


def test_decisions_are_chained(member):
    first = in_voting(member, title="First")
    second = in_voting(member, title="Second")
    one, two = close(first), close(second)
    assert (two.sequence, two.previous_hash) == (2, one.record_hash)


def test_closing_twice_is_a_no_op(member):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    first = close(proposal)
    later = at(proposal.voting_closes_at) + timedelta(1)
    second = services.close_voting(proposal=proposal, now=later)
    assert first.pk == second.pk
    assert Decision.objects.count() == 1
    assert AuditEntry.objects.filter(action="decisions.close_voting").count() == 1


def test_nobody_closes_a_vote_early(member):
    proposal = in_voting(member)
    with pytest.raises(DecisionError, match="open until"):
        services.close_voting(proposal=proposal)
    with pytest.raises(DecisionError, match="being voted on"):
        services.close_voting(proposal=in_deliberation(member))
    assert not Decision.objects.exists()


def test_a_quorum_not_met_is_recorded(member, facilitator):
    set_rule(chapter(HACKNEY), "routine", params={"threshold": 0.5, "quorum": 0.9})
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    assert close(proposal).outcome == "no_quorum"


def test_a_multi_option_vote_elects(member, facilitator, neighbour):
    set_rule(chapter(HACKNEY), "routine", method="plurality", params={})
    proposal = in_voting(member, options=["Oak", "Lime"])
    vote(proposal, member, {"option": "o2"})
    vote(proposal, facilitator, {"option": "o2"})
    decision = close(proposal)
    assert (decision.outcome, decision.winners) == ("elected", ["o2"])
    assert [o["label"] for o in decision.options] == ["Oak", "Lime"]


# -- The breakdown by sub-chapter -------------------------------------------------------


def _londoners(count, neighbourhood):
    return [make_member(f"{neighbourhood} {i}", city="London", neighbourhood=neighbourhood)
            for i in range(count)]


def test_an_open_vote_is_broken_down_by_sub_chapter(member, facilitator, neighbour):
    proposal = in_voting(member, chapter=chapter(LONDON))
    vote(proposal, member, {"choice": "yes"})
    vote(proposal, facilitator, {"choice": "yes"})
    vote(proposal, neighbour, {"choice": "no"})
    groups = {g["chapter"]: g for g in close(proposal).breakdown["groups"]}
    assert set(groups) == {HACKNEY, ISLINGTON}
    assert groups[HACKNEY]["voters"] == 2 and groups[HACKNEY]["result"]["outcome"] == "passed"
    assert groups[ISLINGTON]["result"]["outcome"] == "rejected"


def test_a_secret_vote_shows_only_groups_of_five_voters_or_more(member):
    set_rule(chapter(LONDON), "routine", secret=True)
    hackney = [member, *_londoners(5, "Hackney")]
    islington = _londoners(2, "Islington")
    camden = _londoners(7, "Camden")
    proposal = in_voting(member, chapter=chapter(LONDON))
    for voter in hackney + islington + camden:
        vote(proposal, voter, {"choice": "yes"})
    decision = close(proposal)
    breakdown = decision.breakdown
    # Islington (2 voters) is hidden; then Hackney (6, the smallest shown) is hidden too,
    # or Islington's ballots could be worked out by subtracting the others from the total.
    assert [g["chapter"] for g in breakdown["groups"]] == ["gb/eng/london/camden"]
    assert (breakdown["hidden_groups"], breakdown["hidden_voters"]) == (2, 8)
    # The sub-chapter of hidden groups' ballots is forgotten.
    assert set(SecretBallot.objects.values_list("group__url_path", flat=True)) == {
        None, "gb/eng/london/camden"}


# -- Rules and roles decisions act -------------------------------------------------------


def test_a_passed_rules_decision_changes_the_rule(member, facilitator):
    proposal = in_voting(member, category="rules", payload={
        "category": "routine", "method": "consent", "params": {}, "voting_days": 2,
    })
    vote(proposal, member, {"choice": "yes"})
    decision = close(proposal)
    rule = DecisionRule.objects.get(chapter=chapter(HACKNEY), category="routine")
    assert (rule.method, rule.params, rule.voting_days) == ("consent", {}, 2)
    assert rule.deliberation_days == 3  # inherited fields are kept
    assert decision.effect["applied"] is True
    assert decision.effect["rule"]["method"] == "consent"
    assert AuditEntry.objects.filter(action="rules.change").exists()
    # Sub-chapters inherit it; the parent does not change.
    assert rule_in(chapter(LONDON), "routine").method == "majority"


def test_a_passed_rules_decision_shows_at_once_on_the_cached_decisions_page(
    client, member, facilitator, django_capture_on_commit_callbacks
):
    page = f"/decisions/c/{HACKNEY}/"
    assert "Consent" not in client.get(page).content.decode()  # the rules card is cached now
    in_london = client.get(f"/decisions/c/{LONDON}/").content.decode()
    proposal = in_voting(member, category="rules", payload={
        "category": "routine", "method": "consent", "params": {},
    })
    vote(proposal, member, {"choice": "yes"})
    with django_capture_on_commit_callbacks(execute=True):  # bumps the rules version
        close(proposal)
    assert "Consent" in client.get(page).content.decode()
    assert client.get(f"/decisions/c/{LONDON}/").content.decode().count("Consent") == \
        in_london.count("Consent")  # London's rules did not change


def test_a_rules_decision_may_add_a_category(member):
    proposal = in_voting(member, category="rules", payload={
        "category": "garden", "method": "approval", "params": {}, "deliberation_days": 2,
        "amendment_days": 1, "voting_days": 3,
    })
    vote(proposal, member, {"choice": "yes"})
    close(proposal)
    assert rule_in(chapter(HACKNEY), "garden").method == "approval"


def test_a_rejected_rules_decision_changes_nothing(member):
    proposal = in_voting(member, category="rules",
                         payload={"category": "routine", "method": "consent"})
    vote(proposal, member, {"choice": "no"})
    decision = close(proposal)
    assert decision.outcome == "rejected" and decision.effect == {}
    assert not DecisionRule.objects.filter(chapter=chapter(HACKNEY)).exists()


def test_a_passed_roles_decision_grants_the_role(member, facilitator):
    newcomer = make_member("Nora", city="London", neighbourhood="Hackney")
    proposal = in_voting(member, category="roles",
                         payload={"action": "grant", "member": str(newcomer.public_id)})
    vote(proposal, member, {"choice": "yes"})
    decision = close(proposal)
    role = ChapterRole.objects.get(chapter=chapter(HACKNEY), member=newcomer)
    assert role.source == ChapterRole.Source.DECISION and role.is_active
    assert decision.effect["action"] == "grant"
    [told] = newcomer.notifications.filter(kind="role_granted")
    assert told.message == "decisions.role_granted" and "Hackney" in told.text


def test_a_passed_roles_decision_revokes_the_role(member, facilitator):
    proposal = in_voting(member, category="roles",
                         payload={"action": "revoke", "member": str(facilitator.public_id)})
    vote(proposal, member, {"choice": "yes"})
    close(proposal)
    assert not ChapterRole.objects.filter(chapter=chapter(HACKNEY), member=facilitator).exists()
    assert AuditEntry.objects.filter(action="roles.revoke").exists()
    [told] = facilitator.notifications.filter(kind="role_ended")
    assert "no longer facilitate" in told.text and "Hackney" in told.text


def test_a_role_change_that_no_longer_fits_is_recorded_as_not_applied(member):
    other = make_member("Olga", city="London", neighbourhood="Hackney")
    proposal = in_voting(member, category="roles",
                         payload={"action": "revoke", "member": str(other.public_id)})
    vote(proposal, member, {"choice": "yes"})
    decision = close(proposal)
    assert decision.outcome == "passed"
    assert decision.effect["applied"] is False and "no role" in decision.effect["error"]


# -- Dissent ----------------------------------------------------------------------------


def test_a_member_who_voted_against_adds_a_dissent(member, facilitator):
    grant_role(chapter=chapter(HACKNEY), member=member, source=ChapterRole.Source.ADMIN)
    third = make_member("Theo", city="London", neighbourhood="Hackney")
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    vote(proposal, third, {"choice": "yes"})
    vote(proposal, facilitator, {"choice": "no"})
    decision = close(proposal)
    assert decision.outcome == "passed"
    dissent = services.add_dissent(decision=decision, member=facilitator, text="Oaks grow slow.")
    assert list(selectors.dissents(decision)) == [dissent]
    services.add_dissent(decision=decision, member=facilitator, text="Oaks grow slowly.")
    assert Dissent.objects.get().text == "Oaks grow slowly."
    with pytest.raises(DecisionError, match="voted against"):
        services.add_dissent(decision=decision, member=member, text="I agreed, but…")
    with pytest.raises(DecisionError, match="Write"):
        services.add_dissent(decision=decision, member=facilitator, text=" ")
    # The record's hash does not cover dissent: it can be added afterwards.
    assert decision.compute_hash() == decision.record_hash


def test_who_may_dissent_depends_on_the_outcome():
    against = selectors.voted_against
    assert against(method="majority", ballot={"choice": "no"}, outcome="passed", winners=[])
    assert against(method="majority", ballot={"choice": "yes"}, outcome="rejected", winners=[])
    assert not against(method="majority", ballot={"choice": "abstain"}, outcome="passed",
                       winners=[])
    assert against(method="consent", ballot={"choice": "block", "reason": "x"},
                   outcome="rejected", winners=[]) is False
    assert against(method="consent", ballot={"choice": "consent"}, outcome="rejected",
                   winners=[])
    assert against(method="plurality", ballot={"option": "o1"}, outcome="elected",
                   winners=["o2"])
    assert not against(method="approval", ballot={"approve": ["o1", "o2"]}, outcome="elected",
                       winners=["o2"])
    assert against(method="score", ballot={"scores": {"o1": 5, "o2": 1}}, outcome="elected",
                   winners=["o2"])
    assert not against(method="schulze", ballot={"ranking": ["o2", "o1"]}, outcome="elected",
                       winners=["o2"])
    assert against(method="irv", ballot={}, outcome="elected", winners=["o2"])
    assert against(method="majority", ballot={"choice": "yes"}, outcome="no_quorum", winners=[])


def test_in_a_secret_vote_any_voter_may_dissent(member, facilitator):
    set_rule(chapter(HACKNEY), "routine", secret=True)
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    decision = close(proposal)
    services.add_dissent(decision=decision, member=member, text="On reflection, no.")
    with pytest.raises(DecisionError, match="voted against"):
        services.add_dissent(decision=decision, member=facilitator, text="I did not vote.")


# -- Recount and the ballot file ---------------------------------------------------------


def _closed_vote(member, facilitator, secret=False):
    set_rule(chapter(HACKNEY), "routine", method="schulze", params={}, secret=secret)
    proposal = in_voting(member, options=["Oak", "Lime", "Ash"])
    vote(proposal, member, {"ranking": ["o2", "o1"]})
    vote(proposal, facilitator, {"ranking": ["o2", "o3", "o1"]})
    close(proposal)
    return proposal


@pytest.mark.parametrize("secret", [False, True])
def test_the_ballot_file_recounts_to_the_published_result(member, facilitator, secret, tmp_path):
    proposal = _closed_vote(member, facilitator, secret)
    data = selectors.ballot_file(proposal)
    assert data["format"] == "chapterhouse-ballots/2"
    assert data["method"] == "schulze" and data["options"] == ["o1", "o2", "o3"]
    assert data["labels"] == {"o1": "Oak", "o2": "Lime", "o3": "Ash"}
    assert data["eligible_weight"] == "2"
    assert len(data["ballots"]) == 2
    text = json.dumps(data)
    assert str(member.public_id) not in text and member.display_name not in text
    assert all((row["receipt"] is not None) is secret for row in data["ballots"])
    path = tmp_path / "ballots.json"
    path.write_text(voting.ballot_file_json(data))
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "chapterhouse.voting", "recount", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_recount_from_the_database_equals_the_published_result(member, facilitator, capsys):
    proposal = _closed_vote(member, facilitator)
    assert selectors.recount(proposal).matches
    call_command("recount", str(proposal.public_id))
    assert "equals the published result" in capsys.readouterr().out


def test_recount_exits_1_when_a_ballot_was_altered(member, facilitator):
    proposal = _closed_vote(member, facilitator)
    Ballot.objects.filter(member=member).update(ballot={"ranking": ["o3"]})
    with pytest.raises(CommandError, match="DIFFERS") as error:
        call_command("recount", str(proposal.public_id))
    assert error.value.returncode == 1


def test_recount_explains_bad_arguments(member):
    with pytest.raises(CommandError, match="Not a proposal id"):
        call_command("recount", "nope")
    with pytest.raises(CommandError, match="No proposal"):
        call_command("recount", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(CommandError, match="no decision"):
        call_command("recount", str(in_voting(member).public_id))


# -- Reminders and moving along ------------------------------------------------------------


def test_members_who_have_not_voted_are_reminded_once_on_the_last_day(member, facilitator):
    third = make_member("Theo", city="London", neighbourhood="Hackney")
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    last_day = at(proposal.voting_closes_at) - timedelta(hours=12)
    assert services.send_reminders(proposal=proposal, now=proposal.voting_opens_at) == 0
    assert services.send_reminders(proposal=proposal, now=last_day, batch_size=1) == 2
    assert services.send_reminders(proposal=proposal, now=last_day) == 0
    reminded = Notification.objects.filter(kind=Kind.VOTE_REMINDER)
    assert set(reminded.values_list("recipient", flat=True)) == {facilitator.pk, third.pk}
    assert services.send_reminders(proposal=proposal, now=proposal.voting_closes_at) == 0


def test_a_deleted_voter_does_not_stop_the_reminders(member, facilitator):
    from chapterhouse.members.services import delete_account

    leaver = make_member("Leo Leaver", city="London", neighbourhood="Hackney")
    proposal = in_voting(member)
    vote(proposal, leaver, {"choice": "yes"})
    delete_account(member=leaver)
    assert Ballot.objects.filter(member__isnull=True).count() == 1  # the vote stays
    last_hour = at(proposal.voting_closes_at) - timedelta(hours=1)
    assert services.send_reminders(proposal=proposal, now=last_hour) == 2


def test_a_secret_voter_is_not_reminded(member, facilitator):
    set_rule(chapter(HACKNEY), "routine", secret=True)
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    last_hour = at(proposal.voting_closes_at) - timedelta(hours=1)
    services.send_reminders(proposal=proposal, now=last_hour)
    reminded = Notification.objects.filter(kind=Kind.VOTE_REMINDER)
    assert list(reminded.values_list("recipient", flat=True)) == [facilitator.pk]


def test_advance_takes_each_step_when_it_is_due(member):
    proposal = in_deliberation(member)
    assert services.advance(proposal=proposal) == ""
    assert services.advance(proposal=proposal, now=proposal.voting_opens_at) == "opened"
    proposal.refresh_from_db()
    closes = at(proposal.voting_closes_at)
    assert services.advance(proposal=proposal, now=closes - timedelta(hours=2)) == "reminded"
    assert services.advance(proposal=proposal, now=closes - timedelta(hours=1)) == ""
    assert services.advance(proposal=proposal, now=closes) == "closed"
    assert services.advance(proposal=proposal, now=closes) == ""
    assert Decision.objects.count() == 1


def test_the_sweep_command_advances_every_due_proposal(member, capsys):
    past = timezone.now() - timedelta(days=30)
    due = services.publish(proposal=draft(member, title="Due"), actor=member, now=past)
    services.publish(proposal=draft(member, title="Not yet"), actor=member)
    call_command("advance_decisions")
    assert "opened 1" in capsys.readouterr().out
    due.refresh_from_db()
    assert due.status == Proposal.Status.VOTING
    # Voting opened when the sweep ran; it closes after the rule's voting period.
    assert services.advance_all(now=due.voting_closes_at)["closed"] == 1


def test_the_task_advances_a_proposal_and_is_safe_to_repeat(member):
    from chapterhouse.decisions.tasks import advance_proposal

    past = timezone.now() - timedelta(days=30)
    proposal = services.publish(proposal=draft(member), actor=member, now=past)
    assert advance_proposal.call(proposal.pk) == "opened"
    assert advance_proposal.call(proposal.pk) == ""
    assert advance_proposal.call(10**9) == ""


def test_publishing_and_opening_schedule_the_next_steps_as_deferred_tasks(member, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "email"]}}
    proposal = in_deliberation(member)
    scheduled = DBTaskResult.objects.filter(
        task_path="chapterhouse.decisions.tasks.advance_proposal")
    assert list(scheduled.values_list("run_after", "args_kwargs")) == [
        (proposal.voting_opens_at, {"args": [proposal.pk], "kwargs": {}}),
    ]
    proposal = services.open_voting(proposal=proposal, now=proposal.voting_opens_at)
    assert sorted(scheduled.values_list("run_after", flat=True))[1:] == [
        at(proposal.voting_closes_at) - timedelta(days=1), proposal.voting_closes_at,
    ]
