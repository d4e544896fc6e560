"""Notices are stored as a message and its parameters and read in the reader's language
(issue #15, item 2)."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from chapterhouse.chapters.models import Chapter, ChapterLevel
from chapterhouse.notifications import messages
from chapterhouse.notifications.messages import moment, parse, place, render
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_a_place_is_shown_by_its_name_in_the_readers_language():
    chapter = Chapter(name="London", names={"es": "Londres", "ar": "لندن"},
                      level=ChapterLevel.CITY)
    stored = place(chapter)
    assert render("members.joined", {"name": "Ana", "chapter": stored}) == "Ana joined London."
    with translation.override("ar"):
        assert "لندن" in render("members.joined", {"name": "Ana", "chapter": stored})
    with translation.override("de"):  # no German name: the gazetteer's own
        assert "London" in render("members.joined", {"name": "Ana", "chapter": stored})


def test_international_is_translated_in_every_language():
    stored = place(Chapter(name="International", level=ChapterLevel.INTERNATIONAL))
    with translation.override("es"):
        spanish = render("members.joined", {"name": "Ana", "chapter": stored})
        assert translation.gettext("International") in spanish
    assert "International" not in spanish


def test_a_time_is_written_in_the_readers_format():
    when = moment(datetime(2030, 5, 17, 15, 30, tzinfo=UTC))
    english = render("decisions.voting_opened", {"title": "Bikes", "when": when})
    with translation.override("de"):
        german = render("decisions.voting_opened", {"title": "Bikes", "when": when})
    assert "2030" in english and "2030" in german
    assert english != german and "Mai" in german


def test_a_choice_is_shown_by_its_translated_label():
    with translation.override("fr"):
        french = render("decisions.decided", {"title": "Vélos", "outcome": "rejected"})
        assert translation.gettext("rejected") in french
    assert render("decisions.decided", {"title": "Bikes", "outcome": "rejected"}) == (
        "“Bikes” was decided: rejected.")


def test_a_plural_message_takes_the_form_of_its_count():
    one = render("members.first_member", {"chapters": ["Hackney"], "count": 1})
    two = render("members.first_member", {"chapters": ["Hackney", "London"], "count": 2})
    assert one.endswith("facilitate it?") and "Hackney" in one
    assert two.endswith("facilitate them?") and "Hackney, London" in two


def test_an_unknown_message_or_a_missing_parameter_shows_what_was_stored_never_fails():
    assert render("gone.away", {"text": "An old notice"}) == "An old notice"
    assert render("members.joined", {"text": "Kept"}) == "Kept"
    assert render("gone.away", {}) == ""


def test_a_message_is_defined_once():
    with pytest.raises(ValueError, match="defined twice"):
        messages.define("members.welcome", "Again")


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("en", "Ana joined Hackney.", ("members.joined", {"name": "Ana", "chapter": "Hackney"})),
    ("en", "“Bikes” was decided: no quorum.",
     ("decisions.decided", {"title": "Bikes", "outcome": "no_quorum"})),
    ("en", "You are the first member of Hackney, London. Would you like to facilitate them?",
     ("members.first_member", {"chapters": "Hackney, London", "count": 2})),
    ("es", None, ("discussions.reply", {"author": "Ana", "title": "Bicis"})),
])
def test_a_stored_text_is_read_back_into_its_message(language, text, expected):
    name, params = expected
    if text is None:  # written in another language: its own translation is recognised
        with translation.override(language):
            text = render(name, params)
        assert text != render(name, params)
    assert parse(text) == expected


def test_a_text_that_is_no_message_is_not_read_back():
    assert parse("Something said once, in no template") is None


def test_a_notice_stored_once_reads_in_the_language_the_member_switched_to(client, member):
    notify(recipients=[member], kind=Kind.MEMBER_JOINED, message="discussions.reply",
           params={"author": "Ana", "title": "Bicis"}, url="/c/")
    client.force_login(member.user)
    english = client.get("/notifications/").content.decode()
    assert "Ana replied to you in “Bicis”." in english
    client.post("/i18n/setlang/", {"language": "es", "next": "/notifications/"})
    spanish = client.get("/notifications/").content.decode()
    with translation.override("es"):
        expected = translation.gettext("%(author)s replied to you in “%(title)s”.") % {
            "author": "Ana", "title": "Bicis"}
    assert expected != "Ana replied to you in “Bicis”."
    assert expected in spanish and "Ana replied to you" not in spanish
    assert Notification.objects.filter(recipient=member, message="discussions.reply").count() == 1


def test_in_a_right_to_left_language_each_parameter_is_isolated():
    with translation.override("ar"):
        arabic = render("members.joined", {"name": "Ana Lima", "chapter": "Hackney"})
    assert "\u2068Ana Lima\u2069" in arabic and "\u2068Hackney\u2069" in arabic
    assert "\u2068" not in render("members.joined", {"name": "Ana", "chapter": "Hackney"})
