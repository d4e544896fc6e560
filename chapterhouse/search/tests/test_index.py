"""The index and the query: every kind found, ranking, permissions in the query,
moderation, the index following the apps (tasks after commit), bad input. Written to
pass on SQLite (FTS5) and PostgreSQL alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chapterhouse.chapters.services import set_section
from chapterhouse.chat import services as chat_services
from chapterhouse.discussions import services as discussions_services
from chapterhouse.discussions.tests.factories import first_post, make_thread
from chapterhouse.events.tests.factories import make_event
from chapterhouse.lib.errors import Refused
from chapterhouse.members.models import Visibility
from chapterhouse.members.services import delete_account
from chapterhouse.members.tests.factories import make_member
from chapterhouse.moderation import services as moderation
from chapterhouse.moderation.tests.factories import london_facilitator
from chapterhouse.search import selectors, services
from chapterhouse.search.models import Entry
from chapterhouse.search.selectors import Filters, parse_query

from .factories import WORD, chapter_at, make_corpus, reindex, viewer


def parsed(text):
    query = parse_query(text)
    assert query is not None
    return query

pytestmark = pytest.mark.django_db

CONTENT_KINDS = {"post", "event", "proposal", "blogpost", "project", "resource", "lesson",
                 "aid", "message"}


def found(member, text, **filters):
    return list(selectors.find(viewer(member), parsed(text), Filters(**filters)).entries)


def kinds(member, text, **filters):
    return {entry.kind for entry in found(member, text, **filters)}


def counts(member, text, **filters):
    return selectors.find(viewer(member), parsed(text), Filters(**filters)).counts


class TestEveryKind:
    def test_a_member_finds_every_kind_of_thing_of_their_chapter(self, member):
        make_corpus(member)
        reindex()
        assert kinds(member, WORD) == CONTENT_KINDS
        assert counts(member, WORD) == dict.fromkeys(CONTENT_KINDS, 1)

    def test_what_is_indexed_is_the_text_as_read_not_its_markdown(self, member):
        make_thread(member, title="Plans",
                    body=f"### Our {WORD}\n\n**Bold** [a link](https://example.org) & more")
        reindex()
        [entry] = found(member, WORD)
        assert entry.body.split() == ["Our", WORD, "Bold", "a", "link", "&", "more"]

    def test_members_are_found_by_name_and_place(self, member, outsider):
        reindex()
        assert [e.title for e in found(member, "Oscar")] == ["Oscar Outsider"]
        assert [e.title for e in found(member, "lyon") if e.kind == "member"] == [
            "Oscar Outsider"]

    def test_a_name_in_another_script_is_found(self, member):
        make_member("ليلى حسن", city="London")
        make_member("山田 花子", city="London")
        reindex()
        assert [e.title for e in found(member, "ليلى")] == ["ليلى حسن"]
        assert [e.title for e in found(member, "花子")] == ["山田 花子"]

    def test_chapters_are_found_by_their_names_in_other_languages(self, member):
        london = chapter_at("gb/eng/london")
        london.names = {"es": "Londres", "ar": "لندن"}
        london.save()
        reindex()
        assert [e.title for e in found(None, "Londres")] == ["London"]
        assert [e.title for e in found(None, "لندن")] == ["London"]

    def test_accents_do_not_matter(self, outsider):
        reindex()
        assert "Auvergne-Rhône-Alpes" in [e.title for e in found(None, "rhone")]
        assert "Auvergne-Rhône-Alpes" in [e.title for e in found(None, "RHÔNE")]

    def test_a_decision_record_is_found(self, member, facilitator):
        from chapterhouse.decisions.tests.factories import close, in_voting, vote

        proposal = in_voting(member, title="Plant twelve oaks")
        vote(proposal, member, {"choice": "yes"})
        close(proposal)
        reindex()
        assert kinds(None, "oaks") == {"proposal", "decision"}


class TestRanking:
    def test_a_match_in_the_title_comes_before_one_in_the_text(self, member):
        make_thread(member, title="About the weather", body=f"A {WORD} was seen")
        make_thread(member, title=f"The {WORD} census", body="Counting again")
        reindex()
        titles = [e.title for e in found(member, WORD)]
        assert titles == [f"The {WORD} census", "About the weather"]

    def test_all_words_are_needed_and_a_phrase_keeps_its_order(self, member):
        make_thread(member, title="Green park", body="the bench is green")
        make_thread(member, title="Park bench", body="painted green")
        reindex()
        assert len(found(member, "green bench")) == 2
        assert [e.title for e in found(member, '"bench is green"')] == ["Green park"]
        assert found(member, "green orange") == []


class TestPermissionsInTheQuery:
    def test_a_members_only_event_is_neither_found_nor_counted_by_outsiders(
            self, member, neighbour, outsider):
        make_event(author=member, title=f"Secret {WORD} picnic", is_public=False)
        make_event(author=member, title=f"Open {WORD} picnic")
        reindex()
        assert {e.title for e in found(neighbour, WORD)} == {
            f"Open {WORD} picnic", f"Secret {WORD} picnic"}
        assert counts(neighbour, WORD) == {"event": 2}
        for stranger in (outsider, None):
            assert [e.title for e in found(stranger, WORD)] == [f"Open {WORD} picnic"]
            assert counts(stranger, WORD) == {"event": 1}

    def test_a_forum_kept_to_members_follows_the_chapters_decision(
            self, member, neighbour, outsider, django_capture_on_commit_callbacks):
        make_thread(member, title="Plans", body=f"A {WORD} plan")
        reindex()
        assert kinds(outsider, WORD) == {"post"}
        with django_capture_on_commit_callbacks(execute=True):
            set_section(chapter=member.home_chapter,
                        change={"section": "forums", "visibility": "members"})
        assert kinds(outsider, WORD) == set() and counts(outsider, WORD) == {}
        assert kinds(None, WORD) == set()
        assert kinds(neighbour, WORD) == {"post"}

    def test_chat_is_found_only_by_the_rooms_members(self, member, neighbour, outsider):
        room = chat_services.create_room(chapter=member.home_chapter, creator=member,
                                         name="Plotters", access="public")
        chat_services.post_message(room=room, author=member, text=f"The {WORD} plan")
        reindex()
        assert kinds(member, WORD) == {"message"}
        assert kinds(neighbour, WORD) == set() and counts(neighbour, WORD) == {}
        assert kinds(outsider, WORD) == set() and kinds(None, WORD) == set()
        chat_services.join_room(room=room, member=neighbour)
        assert kinds(neighbour, WORD) == {"message"}

    def test_the_chapters_room_is_found_by_those_who_belong(self, member, neighbour,
                                                              outsider):
        room = chat_services.chapter_room(chapter=member.home_chapter)
        chat_services.post_message(room=room, author=member, text=f"The {WORD} plan")
        reindex()
        assert kinds(neighbour, WORD) == {"message"}
        assert kinds(outsider, WORD) == set()

    def test_profiles_follow_their_visibility(self, member, outsider):
        shy = make_member("Shy Quokkaface", city="London")
        shy.profile_visibility = Visibility.HIDDEN
        shy.save()
        open_one = make_member("Open Quokkaface", city="London")
        open_one.profile_visibility = Visibility.PUBLIC
        open_one.save()
        reindex()
        assert [e.title for e in found(None, "quokkaface")] == ["Open Quokkaface"]
        assert {e.title for e in found(outsider, "quokkaface")} == {"Open Quokkaface"}
        assert {e.title for e in found(shy, "quokkaface")} == {"Open Quokkaface",
                                                                "Shy Quokkaface"}
        assert [e.title for e in found(None, "Ada")] == []  # members only by default
        assert [e.title for e in found(outsider, "Ada")] == ["Ada Member"]

    def test_hidden_content_is_gone_and_comes_back_when_restored(
            self, member, neighbour, django_capture_on_commit_callbacks):
        post = first_post(make_thread(member, title="Rude", body=f"A rude {WORD}"))
        reindex()
        moderator = london_facilitator()
        with django_capture_on_commit_callbacks(execute=True):
            moderation.hide(target=post, moderator=moderator, reason="Rude")
        for reader in (member, neighbour, None):
            assert kinds(reader, WORD) == set()
        with django_capture_on_commit_callbacks(execute=True):
            moderation.restore(target=post, moderator=moderator, reason="Fine after all")
        assert kinds(neighbour, WORD) == {"post"}


class TestTheIndexFollows:
    def test_a_new_post_is_indexed_after_the_commit_by_a_task(
            self, member, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            thread = make_thread(member, title="Fresh", body=f"A new {WORD}")
        # Nothing in the request: only callbacks that enqueue.
        assert not Entry.objects.filter(kind="post").exists()
        for callback in callbacks:
            callback()
        assert [e.title for e in found(member, WORD)] == ["Fresh"]
        with django_capture_on_commit_callbacks(execute=True):
            discussions_services.edit_post(post=first_post(thread), editor=member,
                                           body="Nothing to see")
        assert found(member, WORD) == []

    def test_a_deleted_thing_leaves_the_index(self, member,
                                              django_capture_on_commit_callbacks):
        event = make_event(author=member, title=f"{WORD} day")
        reindex()
        with django_capture_on_commit_callbacks(execute=True):
            event.delete()
        assert found(member, WORD) == []

    def test_a_deleted_accounts_removed_writing_leaves_the_index(
            self, member, neighbour, django_capture_on_commit_callbacks):
        make_thread(member, title="Mine", body=f"My {WORD} story")
        reindex()
        with django_capture_on_commit_callbacks(execute=True):
            delete_account(member=member, remove_writing=True)
        assert found(neighbour, WORD) == []
        assert found(neighbour, "Ada") == []

    def test_indexing_twice_changes_nothing(self, member):
        make_corpus(member)
        reindex()
        before = sorted(Entry.objects.values_list("key", "audience", "title", "body"))
        reindex()
        services.index_object(label_lower="discussions.post",
                              pk=str(Entry.objects.get(kind="post").key.split(":")[1]))
        assert sorted(Entry.objects.values_list("key", "audience", "title", "body")) == before
        assert len(found(member, WORD)) == len(CONTENT_KINDS)

    def test_the_command_rebuilds(self, member):
        from io import StringIO

        from django.core.management import call_command

        make_corpus(member)
        out = StringIO()
        call_command("search_index", "--rebuild", stdout=out)
        assert "post: 1" in out.getvalue()
        assert kinds(member, WORD) == CONTENT_KINDS


class TestFilters:
    def test_by_kind_chapter_and_below_and_date(self, member, outsider):
        make_event(author=member, title=f"{WORD} in Hackney")
        make_event(author=outsider, title=f"{WORD} in Lyon")
        reindex()
        assert kinds(member, WORD, kind="event") == {"event"}
        assert kinds(member, WORD, kind="post") == set()
        london = [e.title for e in found(member, WORD, chapter=chapter_at("gb/eng/london"))]
        assert london == [f"{WORD} in Hackney"]
        assert len(found(member, WORD, chapter=chapter_at(""))) == 2
        today = timezone.now().date()
        assert found(member, WORD, until=today - timedelta(days=1)) == []
        assert len(found(member, WORD, since=today, until=today + timedelta(days=10))) == 2


class TestBadInput:
    @pytest.mark.parametrize("text", [
        'quokka OR "', "quokka AND NOT", "-quokka", "quokka*", "NEAR(quokka park)",
        "quokka:title", "^quokka", "'; DROP TABLE search_entry; --", "((((", "\"\"\"",
        "東京 quokka", "ليلى", "a" * 200, "\x00quokka", "quokka\u202eevil",
    ])
    def test_operators_quotes_and_other_scripts_never_break_the_query(self, member, text):
        make_thread(member, title="Park", body=f"{WORD} park")
        reindex()
        try:
            query = parse_query(text)
        except Refused:
            return
        assert query is not None
        list(selectors.find(viewer(member), query, Filters()).entries)

    def test_operators_are_words(self, member):
        make_thread(member, title="Park", body=f"{WORD} park")
        reindex()
        assert found(member, "quokka OR nothing") == []
        assert len(found(member, '-quokka "park')) == 1

    def test_too_long_or_wordless_queries_are_refused_clearly(self):
        with pytest.raises(Refused, match="at most 200"):
            parse_query("a" * 201)
        with pytest.raises(Refused, match="at least one word"):
            parse_query("!!! ??? ---")
        with pytest.raises(Refused, match="at most 12 words"):
            parse_query(" ".join(f"w{n}" for n in range(13)))
        assert parse_query("   ") is None


class TestHighlight:
    def test_snippets_are_escaped_and_marked(self):
        query = parsed("quokka")
        html = selectors.highlight('<b>A</b> Quökka & <script>x</script>', query)
        assert html == ("&lt;b&gt;A&lt;/b&gt; <mark>Quökka</mark> &amp; "
                        "&lt;script&gt;x&lt;/script&gt;")

    def test_a_long_text_is_cut_around_the_first_match(self):
        text = "word " * 200 + "quokka " + "tail " * 200
        html = selectors.highlight(text, parsed("quokka"), length=100)
        assert html.startswith("…") and html.endswith("…")
        assert "<mark>quokka</mark>" in html and len(html) < 140

    def test_only_whole_words_are_marked(self):
        html = selectors.highlight("quokkas and quokka", parsed("quokka"))
        assert html == "quokkas and <mark>quokka</mark>"


class TestAudienceKeys:
    def test_a_members_keys_cost_two_queries_and_name_their_chapters_and_rooms(
            self, member, django_assert_num_queries):
        room = chat_services.create_room(chapter=member.home_chapter, creator=member,
                                         name="Room", access="invite")
        reader = viewer(member)
        reader.active_member  # noqa: B018  (the request's member, loaded once anyway)
        with django_assert_num_queries(2):
            keys = selectors.audience_keys(reader)
        chapters = [f"chapter:{chapter_at(path).pk}" for path in
                    ("", "gb", "gb/eng", "gb/eng/london", "gb/eng/london/hackney")]
        assert set(keys) == {"public", "members", f"member:{member.pk}",
                             f"room:{room.pk}", *chapters}

    def test_anyone_else_has_the_public_key_only(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert selectors.audience_keys(viewer(None)) == ["public"]
