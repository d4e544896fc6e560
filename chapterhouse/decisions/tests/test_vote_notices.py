"""Members hear of every vote that concerns them (issue #13, item 10): everyone on the
roll when voting opens, a reminder if they have not voted, the outcome; the chapter's
members of a new proposal. The fan-out runs in a task, never in the request."""

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from chapterhouse.decisions import services
from chapterhouse.decisions.tests.factories import at, close, draft, in_voting, vote
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.notifications.services import set_email_preferences

pytestmark = pytest.mark.django_db


@pytest.fixture
def voter(member):
    """A member of Hackney who is neither the author nor a facilitator."""
    return make_member("Vic Voter", city="London", neighbourhood="Hackney")


def kinds_of(member, url):
    return sorted(Notification.objects.filter(recipient=member, url=url)
                  .values_list("kind", flat=True))


def test_everyone_on_the_roll_hears_that_voting_opened_and_what_was_decided(member, voter):
    proposal = in_voting(member)
    url = proposal.get_absolute_url()
    assert Kind.VOTING_OPENED in kinds_of(voter, url)
    vote(proposal, member, {"choice": "yes"})
    close(proposal)
    assert kinds_of(voter, url) == sorted([Kind.NEW_PROPOSAL, Kind.VOTING_OPENED,
                                           Kind.DECISION_RECORDED])
    # The author is told once of each, not twice.
    assert kinds_of(member, url) == sorted([Kind.VOTING_OPENED, Kind.DECISION_RECORDED])


def test_a_member_on_the_roll_who_has_not_voted_is_reminded_once(member, voter):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    proposal.refresh_from_db()
    soon = at(proposal.voting_closes_at) - timedelta(hours=1)
    assert services.send_reminders(proposal=proposal, now=soon) == 1
    assert services.send_reminders(proposal=proposal, now=soon) == 0
    url = proposal.get_absolute_url()
    assert Kind.VOTE_REMINDER in kinds_of(voter, url)
    assert Kind.VOTE_REMINDER not in kinds_of(member, url)


def test_the_chapters_members_hear_of_a_new_proposal_and_outsiders_do_not(
    member, voter, facilitator, outsider
):
    proposal = services.publish(proposal=draft(member), actor=member)
    url = proposal.get_absolute_url()
    assert kinds_of(voter, url) == [Kind.NEW_PROPOSAL]
    assert kinds_of(facilitator, url) == [Kind.PROPOSAL_PUBLISHED]  # once, as facilitator
    assert kinds_of(member, url) == []
    assert kinds_of(outsider, url) == []


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }


def test_opening_only_enqueues_the_roll_and_the_task_is_idempotent_and_respects_email_choices(
    member, voter, database_tasks
):
    quiet = make_member("Quinn Quiet", city="London", neighbourhood="Hackney")
    set_email_preferences(member=quiet, choices={Kind.VOTING_OPENED: False})
    proposal = in_voting(member)
    url = proposal.get_absolute_url()
    assert kinds_of(voter, url) == []  # nothing stored by the opening itself
    task = DBTaskResult.objects.get(task_path__endswith="deliver_to_roll")
    from chapterhouse.notifications.tasks import deliver_to_roll

    DBTaskResult.objects.filter(task_path__endswith="send_notification_emails").delete()
    assert deliver_to_roll.call(*task.args_kwargs["args"]) == 2  # voter and quiet
    assert deliver_to_roll.call(*task.args_kwargs["args"]) == 0
    assert kinds_of(voter, url) == [Kind.VOTING_OPENED]
    emailed = [pk for e in DBTaskResult.objects.filter(
        task_path__endswith="send_notification_emails") for pk in e.args_kwargs["args"][0]]
    assert emailed == [Notification.objects.get(recipient=voter, url=url).pk]
