"""notify_roll_of, what opening, reminding and closing a vote call (issue #13, item 10):
one notice per member on the frozen roll but those excluded, and an email job only for the
members whose choice for that kind asks for one."""

from collections import Counter

import pytest
from django_tasks_db.models import DBTaskResult

from chapterhouse.decisions.models import RollEntry
from chapterhouse.decisions.tests.factories import in_voting
from chapterhouse.members.models import User
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.notifications.services import notify_roll_of, set_email_preferences
from chapterhouse.notifications.tasks import deliver_to_roll
from chapterhouse.notifications.tests.factories import SAY, said

pytestmark = pytest.mark.django_db

URL = "/told-the-roll/"


@pytest.fixture
def database_tasks(settings):
    """The production task backend: enqueueing is an INSERT, nothing runs."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }


def hackney(name):
    return make_member(name, city="London", neighbourhood="Hackney")


@pytest.mark.parametrize(("kind", "emailed"), [
    (Kind.VOTING_OPENED, ["Kim Keen", "Vic Voter"]),  # emailed by default
    (Kind.DECISION_RECORDED, ["Kim Keen"]),  # emailed only when asked for
])
def test_the_roll_is_told_once_each_but_the_excluded_and_emailed_as_each_chose(
    member, facilitator, outsider, database_tasks, kind, emailed
):
    voter = hackney("Vic Voter")
    quiet = hackney("Quinn Quiet")
    set_email_preferences(member=quiet, choices={Kind.VOTING_OPENED: False})
    keen = hackney("Kim Keen")  # asked for the outcome, left the opening as it was
    set_email_preferences(member=keen, choices={Kind.DECISION_RECORDED: True,
                                                Kind.VOTE_REMINDER: False})
    gone = hackney("Gil Gone")
    proposal = in_voting(member)
    User.objects.filter(pk=gone.user_id).update(is_active=False)  # after the roll froze
    late = hackney("Lou Late")  # joined after the roll froze
    on_roll = set(RollEntry.objects.filter(roll__proposal=proposal)
                  .values_list("member_id", flat=True))
    assert on_roll == {member.pk, facilitator.pk, voter.pk, quiet.pk, keen.pk, gone.pk}
    assert late.pk not in on_roll and outsider.pk not in on_roll
    DBTaskResult.objects.all().delete()  # what opening queued

    notify_roll_of(proposal_id=proposal.pk, kind=kind, message=SAY, params=said("Told"), url=URL,
                   exclude=[member.pk, facilitator.pk])

    [task] = DBTaskResult.objects.all()  # one job, whatever the roll's size
    assert task.task_path.endswith("deliver_to_roll")
    assert deliver_to_roll.call(*task.args_kwargs["args"]) == 3
    told = Counter(Notification.objects.filter(url=URL)
                   .values_list("recipient__display_name", "kind"))
    assert told == {("Vic Voter", kind): 1, ("Quinn Quiet", kind): 1, ("Kim Keen", kind): 1}
    jobs = DBTaskResult.objects.filter(task_path__endswith="send_notification_emails")
    queued = [pk for job in jobs for pk in job.args_kwargs["args"][0]]
    assert len(queued) == len(set(queued))
    assert sorted(Notification.objects.filter(pk__in=queued)
                  .values_list("recipient__display_name", flat=True)) == emailed
