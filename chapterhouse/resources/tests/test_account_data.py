"""The member's resources and lessons in their export, and what deleting the account
does to them (members.account_data)."""

import json
import os

import pytest

from chapterhouse.members.models import Member
from chapterhouse.members.services import delete_account
from chapterhouse.resources import services
from chapterhouse.resources.models import Lesson, Resource

from .factories import make_file, make_lesson, make_link

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_members_resources_and_lessons(member, member_client, facilitator):
    make_link(member, title="Guide", tags="guides")
    make_file(member, title="Flyer", name="flyer.pdf")
    make_link(facilitator, title="Not hers", url="https://example.org/x")
    make_lesson(member, title="Pairs")
    data = json.loads(member_client.post("/me/export/").content)
    assert [r["title"] for r in data["resources"]] == ["Guide", "Flyer"]
    assert data["resources"][0]["tags"] == ["guides"]
    assert data["resources"][1]["file"] == "flyer.pdf"
    assert [lesson["title"] for lesson in data["lessons"]] == ["Pairs"]


def test_deleting_the_account_keeps_the_library_and_lessons_without_a_name(member):
    make_link(member)
    make_lesson(member)
    delete_account(member=Member.objects.get(pk=member.pk))
    assert Resource.objects.get().author is None
    assert Lesson.objects.get().author is None


def test_removing_the_writing_deletes_the_resources_and_empties_the_lessons(
    member, outsider, django_capture_on_commit_callbacks,
):
    path = make_file(member).file.path
    make_link(member)
    lesson = make_lesson(member, title="Pairs")
    services.mark_helpful(lesson=lesson, member=outsider)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(member=Member.objects.get(pk=member.pk), remove_writing=True)
    assert not Resource.objects.exists() and not os.path.exists(path)
    lesson.refresh_from_db()
    # Its place stays (title, comments, other chapters' thanks), its text goes.
    assert (lesson.title, lesson.body, lesson.helped_count) == ("Pairs", "", 1)


def test_a_removed_lesson_says_so(member, client):
    lesson = make_lesson(member)
    services.remove_writing_of(member)
    assert "Removed by its author." in client.get(lesson.get_absolute_url()).content.decode()
