"""Posts' heads are rendered once and shared by every reader (presenters.attach_heads),
and whole posts by every reader with the same flags (presenters.attach_posts): whatever
changes what a post shows shows at once, and what depends on the reader (edit links,
"Report", "Reply", presence, what is new to them) is never shared."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from chapterhouse.discussions import presenters, services
from chapterhouse.discussions.selectors import thread_page
from chapterhouse.members.services import update_profile

from .factories import first_post, make_thread

pytestmark = pytest.mark.django_db


def page_of(client, thread) -> str:
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def edit_link(post) -> str:
    return reverse("discussions:edit_post", kwargs={"public_id": post.public_id})


def history_link(post) -> str:
    return reverse("discussions:post_history", kwargs={"public_id": post.public_id})


def test_a_page_of_heads_is_stored_once_and_then_read_from_the_cache(member, client):
    thread = make_thread(member, replies=3)
    page_of(client, thread)
    items = thread_page(thread, 1).posts
    where = presenters._where()
    keys = [presenters.head_key(item, where) for item in items]
    stored = cache.get_many(keys)
    assert len(stored) == len(items) == 4
    assert all(member.display_name in author for author, _meta in stored.values())
    # What is read back is what the page shows: change it in the cache (with no whole
    # post kept, which holds its head), see it there.
    author, meta = stored[keys[0]]
    cache.clear()
    cache.set_many(stored | {keys[0]: (author.replace(member.display_name, "From the cache"),
                                       meta)})
    assert "From the cache" in page_of(client, thread)


def test_an_edit_shows_at_once(member, member_client, client):
    thread = make_thread(member, body="The library or the park?")
    post = first_post(thread)
    assert history_link(post) not in page_of(client, thread)
    services.edit_post(post=post, editor=member, body="The park, then.")
    text = page_of(client, thread)
    assert "The park, then." in text and "The library or the park?" not in text
    assert history_link(post) in text  # the head's "edited" link


def test_a_new_display_name_and_the_answered_authors_name_show_at_once(member, neighbour,
                                                                     client):
    thread = make_thread(member)
    services.reply(thread=thread, author=neighbour, body="Agreed", reply_to=first_post(thread))
    before = page_of(client, thread)
    assert before.count(member.display_name) >= 2  # the author, and "in reply to"
    update_profile(member=member, display_name="Renamed Person")
    text = page_of(client, thread)
    assert text.count("Renamed Person") >= 2


def test_a_post_removed_by_its_author_shows_so_at_once(member, client):
    thread = make_thread(member, body="Words to remove")
    page_of(client, thread)
    services.remove_writing_of(member)
    text = page_of(client, thread)
    assert "Words to remove" not in text and "removed by its author" in text


def test_the_readers_own_links_are_never_shared(member, neighbour, member_client,
                                                 neighbour_client, client):
    thread = make_thread(member)
    mine, theirs = first_post(thread), services.reply(thread=thread, author=neighbour,
                                                     body="Another view")
    report = reverse("moderation:report", kwargs={"label": "discussions.post", "pk": mine.pk})
    # The author first, so that the heads the others get were stored from their page.
    as_author = page_of(member_client, thread)
    assert edit_link(mine) in as_author and edit_link(theirs) not in as_author
    assert report not in as_author
    as_neighbour = page_of(neighbour_client, thread)
    assert edit_link(mine) not in as_neighbour and edit_link(theirs) in as_neighbour
    assert report in as_neighbour
    anonymous = page_of(client, thread)
    assert edit_link(mine) not in anonymous and edit_link(theirs) not in anonymous
    assert report not in anonymous and "Log in" in anonymous


def test_what_is_new_to_a_reader_is_theirs_alone(member, neighbour, member_client,
                                                 neighbour_client):
    thread = make_thread(member)
    page_of(member_client, thread)
    page_of(neighbour_client, thread)
    services.reply(thread=thread, author=neighbour, body="Something new")
    assert 'id="first-unread"' in page_of(member_client, thread)
    assert 'id="first-unread"' not in page_of(neighbour_client, thread)


def test_a_head_in_another_language_is_another_head(member, client):
    thread = make_thread(member)
    english = page_of(client, thread)
    spanish = client.get(thread.get_absolute_url(), headers={"accept-language": "es"})
    text = spanish.content.decode()
    assert "Link to this post" in english
    assert "Link to this post" not in text



def posts_of(page: str) -> str:
    start = page.index('<ol class="posts"')
    return page[start:page.index("</ol>", start)]


def kept_posts(monkeypatch) -> list[str]:
    """The keys of the whole posts stored from here on (presenters.attach_posts)."""
    keys: list[str] = []
    store = cache.set_many

    def recording(data, timeout, *args, **kwargs):
        posts = [key for key in data if key.startswith("post:")]
        # Kept for an hour, not the heads' week: a post holds its body.
        assert not posts or timeout == presenters.POST_SECONDS == 3600
        keys.extend(posts)
        return store(data, timeout, *args, **kwargs)

    monkeypatch.setattr(cache, "set_many", recording)
    return keys


def test_a_page_of_posts_is_kept_and_then_shown_from_the_cache_as_rendered(
        member, neighbour, neighbour_client, monkeypatch):
    thread = make_thread(member, replies=3)
    page_of(neighbour_client, thread)  # read: nothing is new on the next visits
    with monkeypatch.context() as patched:  # each post through the page's own include
        patched.setattr(presenters, "attach_posts",
                        lambda items, **_: presenters.attach_heads(items))
        included = posts_of(page_of(neighbour_client, thread))
    cache.clear()
    kept = kept_posts(monkeypatch)
    cold = posts_of(page_of(neighbour_client, thread))
    assert len(kept) == 4
    warm = posts_of(page_of(neighbour_client, thread))
    assert warm == cold == included and cold.count("<li") == 4 and len(kept) == 4
    # And it is read from there: change a kept post, see it on the page.
    cache.set(kept[0], cache.get(kept[0]).replace("post-actions", "post-actions kept"))
    assert "post-actions kept" in page_of(neighbour_client, thread)


def test_who_may_reply_is_the_readers_own(member, neighbour_client, outsider_client):
    thread = make_thread(member)
    reply = reverse("discussions:reply", kwargs={"public_id": thread.public_id})
    assert f"{reply}?to=" in page_of(neighbour_client, thread)
    text = page_of(outsider_client, thread)  # reads Hackney's forum, may not post in it
    assert f"{reply}?to=" not in text and "Report" in text


def test_the_authors_presence_shows_as_it_is_now(member, neighbour, neighbour_client):
    thread = make_thread(member)
    member.last_seen = None
    member.save(update_fields=["last_seen"])
    assert "never signed in" in page_of(neighbour_client, thread)
    member.last_seen = timezone.now()
    member.save(update_fields=["last_seen"])
    text = page_of(neighbour_client, thread)
    assert 'class="presence online"' in text and "never signed in" not in text
