"""`manage.py check_data`: each kind of problem is found, named and counted."""

import io
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from chapterhouse.chapters.models import Chapter
from chapterhouse.conversations.models import Attachment
from chapterhouse.conversations.services import start_conversation
from chapterhouse.conversations.tests.factories import png_bytes
from chapterhouse.decisions.models import Decision
from chapterhouse.decisions.tests.factories import close, in_voting, vote
from chapterhouse.discussions.models import Thread
from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.members.services import set_avatar
from chapterhouse.ops.backup import sqlite_integrity_problems

pytestmark = pytest.mark.django_db

CHECKS = ("Database integrity", "Chapter tree", "Chapter member counts", "Thread post counts",
          "Decision record chain", "Uploaded files")


@pytest.fixture
def data(member, outsider):
    thread = make_thread(member, replies=2)
    proposal = in_voting(member, title="One")
    vote(proposal, member, {"choice": "yes"})
    close(proposal)
    set_avatar(member=member, content=b"\x89PNG not really")
    return thread


def check_data(capsys) -> tuple[int, str]:
    try:
        call_command("check_data")
    except CommandError as error:
        return error.returncode, capsys.readouterr().out
    return 0, capsys.readouterr().out


def test_sound_data_passes_every_check(data, capsys):
    code, out = check_data(capsys)
    assert code == 0
    for name in CHECKS:
        assert f"{name}: OK" in out
    assert "All checks passed." in out


def test_a_wrong_member_count_is_named(data, member, capsys):
    Chapter.objects.filter(pk=member.home_chapter_id).update(member_count=F("member_count") + 2)
    code, out = check_data(capsys)
    assert code == 1
    assert "Chapter member counts: 1 problem(s)" in out
    assert "  - Chapter /c/gb/eng/london/hackney/: stores 3 members, but 1 belong to it." in out


def test_a_wrong_post_count_is_named(data, capsys):
    Thread.objects.filter(pk=data.pk).update(post_count=1)
    code, out = check_data(capsys)
    assert code == 1
    assert (f"  - Thread {data.public_id} ('Where shall we meet?'): stores 1 posts, "
            "but has 3.") in out


def test_a_damaged_chapter_tree_is_named(data, capsys):
    Chapter.objects.filter(url_path="gb/eng/london").update(numchild=5)
    Chapter.objects.filter(url_path="fr").update(depth=7)
    code, out = check_data(capsys)
    assert code == 1
    assert "Chapter tree: 2 problem(s)" in out
    assert "  - Chapter /c/gb/eng/london/: stores 5 sub-chapters, but has 1." in out
    assert "  - Chapter /c/fr/: depth 7 does not match its tree path." in out


def test_a_broken_decision_chain_is_named_as_verify_decisions_names_it(data, capsys):
    Decision.objects.filter(sequence=1).update(title="Something else")
    code, out = check_data(capsys)
    assert code == 1
    assert "  - Record 1 was altered: its content does not match its hash." in out


def test_a_missing_upload_is_named(data, member, capsys):
    member.refresh_from_db()
    (Path(settings.MEDIA_ROOT) / member.avatar.name).unlink()
    code, out = check_data(capsys)
    assert code == 1
    name = member.avatar.name
    assert f"  - members.Member {member.pk}: its avatar file {name} is missing." in out


def test_a_missing_private_message_image_is_named(data, member, outsider, capsys):
    start_conversation(author=member, recipients=[outsider], body="",
                       image=io.BytesIO(png_bytes()))
    attachment = Attachment.objects.get()
    path = Path(settings.PRIVATE_MEDIA_ROOT) / attachment.file.name
    assert path.is_file()
    assert check_data(capsys)[0] == 0
    path.unlink()
    code, out = check_data(capsys)
    assert code == 1
    assert "Uploaded files: 1 problem(s)" in out
    assert (f"  - conversations.Attachment {attachment.pk}: its file file "
            f"{attachment.file.name} is missing.") in out


def test_every_problem_is_printed_and_counted(data, member, capsys):
    Thread.objects.filter(pk=data.pk).update(post_count=9)
    Chapter.objects.filter(url_path="").update(member_count=0)
    with pytest.raises(CommandError, match=r"check_data found 2 problem\(s\)") as error:
        call_command("check_data")
    assert error.value.returncode == 1
    out = capsys.readouterr().out
    assert "Chapter member counts: 1 problem(s)" in out
    assert "Thread post counts: 1 problem(s)" in out
    assert "Decision record chain: OK" in out


def _damaged_index(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
    db.execute("CREATE INDEX t_b ON t (b)")
    db.executemany("INSERT INTO t (b) VALUES (?)", [(f"row {i:05}",) for i in range(2000)])
    db.commit()
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    [(root,)] = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 't_b'").fetchall()
    db.close()
    with path.open("r+b") as raw:  # scribble over the index's root page
        raw.seek((root - 1) * page_size)
        raw.write(b"\x2a" * page_size)
    return sqlite3.connect(path)


def test_sqlite_damage_is_reported(tmp_path):
    db = _damaged_index(tmp_path / "damaged.sqlite3")
    problems = sqlite_integrity_problems(db)
    assert problems and all(p.startswith("SQLite") for p in problems)


def test_sqlite_rows_pointing_at_missing_rows_are_reported(tmp_path):
    db = sqlite3.connect(tmp_path / "links.sqlite3")
    db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id REFERENCES parent (id))")
    db.execute("INSERT INTO child VALUES (1, 42)")  # foreign keys are off by default
    assert sqlite_integrity_problems(db) == [
        "Table child, row 1: refers to a missing row of parent."]
