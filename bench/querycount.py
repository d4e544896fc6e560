"""In-process SQL query counts for bench/run.py (needs DJANGO_SETTINGS_MODULE + DATABASE_URL).

Picks, in the seeded database, a large and a small instance for each page, requests each
with django.test.Client (after one warm-up request), counts its queries with
CaptureQueriesContext, and prints JSON:
    {"pages": [{"key", "name", "large": {"url", "rows", "queries", "status"},
                "small": {...}}],
      "load": {"chapter_page", "member_home", "proposals_list", "proposals_path", "proposals_rows",
              "member_cookie", and when a proposal is published: "proposal_page",
              "proposal_id", "proposal_posts"}}
Pages: the chapter page anonymous and as a member of the chapter, that member's home page
with their activity feed (against the smallest chapter's member's), the chapter's proposals
list, a proposal page with the most posts on its deliberation thread (the generator
makes one with 200) against one with the fewest (both anonymous, as served from the page
cache after the first visit, and as that member, rendered for them), and the search page
for a common query against a rare one (load: "search_page", "search_query", "search_rows").
`member_cookie` is a `Cookie:` header value for a session of the large chapter's member,
created here in the scratch database (sessions live in the database), for the HTTP load
of the member chapter page.
"""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chapterhouse.config.settings")
django.setup()

from urllib.parse import urlencode  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import CharField, Count, OuterRef, Q, Subquery  # noqa: E402
from django.db.models.functions import Cast, Coalesce  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from chapterhouse.activity.selectors import feed_for  # noqa: E402
from chapterhouse.chapters.models import Chapter  # noqa: E402
from chapterhouse.decisions.models import Proposal  # noqa: E402
from chapterhouse.discussions.models import Thread  # noqa: E402
from chapterhouse.lib.interface import Viewer  # noqa: E402
from chapterhouse.members.models import Member  # noqa: E402
from chapterhouse.search.models import Entry  # noqa: E402
from chapterhouse.search.selectors import Filters, find, parse_query  # noqa: E402


def measure(client: Client, url: str) -> dict:
    client.get(url)  # warm-up: per-process caches, cached fragments, first-request work
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return {"url": url, "queries": len(ctx.captured_queries), "status": response.status_code}


def member_of(chapter: Chapter) -> Member | None:
    """A member whose home chapter is `chapter` or one of its descendants."""
    return (Member.objects.filter(home_chapter__path__startswith=chapter.path)
            .select_related("user").order_by("id").first())


def feed_size(member: Member) -> int:
    """How much the member's feed holds (what their home page shows the newest of)."""
    return feed_for(member).count()


def logged_in(member: Member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def discussed_proposals() -> tuple[Proposal, Proposal] | None:
    """The published proposals with the most and the fewest (but some, if any has some)
    posts on their deliberation thread (annotated `posts`), or None when none is published.
    A proposal without a thread skips the thread's queries: not the same page."""
    posts = Thread.objects.filter(
        kind=Thread.Kind.DELIBERATION, subject_type=ContentType.objects.get_for_model(Proposal),
        subject_id=Cast(OuterRef("pk"), CharField()),
    ).values("post_count")[:1]
    ranked = Proposal.objects.exclude(status=Proposal.Status.DRAFT).annotate(
        posts=Coalesce(Subquery(posts), 0)
    )
    most = ranked.order_by("-posts", "id").first()
    fewest = (ranked.filter(posts__gt=0).order_by("posts", "id").first()
              or ranked.order_by("posts", "id").first())
    return (most, fewest) if most is not None and fewest is not None else None


# A common query: bench/generate.py's posts say these words in one sentence of ten
# (SENTENCES). A rare one: only the root chapter's name says it.
SEARCH_COMMON = "neighbourhood worked"
SEARCH_RARE = "international"


def search_url(text: str) -> str:
    return f"{reverse('search:index')}?{urlencode({'q': text})}"


def found(text: str) -> int:
    """How many results an anonymous reader gets (what the page counts: at most
    selectors.MAX_RESULTS)."""
    query = parse_query(text)
    return 0 if query is None else find(Viewer(AnonymousUser()), query, Filters()).total


def main() -> None:
    chapters = Chapter.objects.exclude(url_path="")
    big = chapters.order_by("-member_count", "path").first()
    small = chapters.filter(member_count__gt=0).order_by("member_count", "path").first()
    with_proposals = Chapter.objects.exclude(url_path="").annotate(
        n=Count("proposals", filter=~Q(proposals__status="draft"))
    )
    busy = with_proposals.order_by("-n", "path").first()
    quiet = with_proposals.filter(n__gt=0).order_by("n", "path").first() or with_proposals.order_by(
        "n", "path"
    ).first()
    if big is None or small is None or busy is None or quiet is None:
        sys.exit("querycount: the database has no chapters; is it seeded?")
    big_member, small_member = member_of(big), member_of(small)
    if big_member is None or small_member is None:
        sys.exit("querycount: no member in the largest or smallest chapter")

    def proposals_url(c: Chapter) -> str:
        return reverse("decisions:chapter", kwargs={"url_path": c.url_path})

    anonymous = Client()
    member_client = logged_in(big_member)
    home = reverse("members:home")
    pages = [
        {
            "key": "chapter_anonymous", "name": "chapter page (anonymous)",
            "large": {**measure(anonymous, big.get_absolute_url()), "rows": big.member_count},
            "small": {**measure(anonymous, small.get_absolute_url()), "rows": small.member_count},
        },
        {
            "key": "chapter_member", "name": "chapter page (member)",
            "large": {**measure(member_client, big.get_absolute_url()), "rows": big.member_count},
            "small": {**measure(logged_in(small_member), small.get_absolute_url()),
                      "rows": small.member_count},
        },
        {
            # The home page of the same two members, with the feed of their chapters.
            "key": "member_home", "name": "member home with activity feed",
            "large": {**measure(member_client, home), "rows": feed_size(big_member)},
            "small": {**measure(logged_in(small_member), home), "rows": feed_size(small_member)},
        },
        {
            "key": "proposals_list", "name": "proposals list (anonymous)",
            "large": {**measure(anonymous, proposals_url(busy)), "rows": busy.n},
            "small": {**measure(anonymous, proposals_url(quiet)), "rows": quiet.n},
        },
        {
            # Rendered for the member (signed-out visitors get it from the page cache).
            "key": "proposals_list_member", "name": "proposals list (member)",
            "large": {**measure(member_client, proposals_url(busy)), "rows": busy.n},
            "small": {**measure(member_client, proposals_url(quiet)), "rows": quiet.n},
        },
    ]
    load = {
        "chapter_page": big.get_absolute_url(),
        "member_home": home,
        "proposals_list": proposals_url(busy),
        "proposals_path": busy.url_path,
        "proposals_rows": busy.n,
        "member_cookie": f"{settings.SESSION_COOKIE_NAME}="
                         f"{member_client.cookies[settings.SESSION_COOKIE_NAME].value}",
    }
    discussed = discussed_proposals()
    if discussed is not None:
        most, fewest = discussed
        pages.append({
            "key": "proposal_page", "name": "proposal page (anonymous)",
            "large": {**measure(anonymous, most.get_absolute_url()), "rows": most.posts},
            "small": {**measure(anonymous, fewest.get_absolute_url()), "rows": fewest.posts},
        })
        pages.append({
            "key": "proposal_page_member", "name": "proposal page (member)",
            "large": {**measure(member_client, most.get_absolute_url()), "rows": most.posts},
            "small": {**measure(member_client, fewest.get_absolute_url()),
                      "rows": fewest.posts},
        })
        load |= {"proposal_page": most.get_absolute_url(), "proposal_id": most.pk,
                 "proposal_posts": most.posts}
    # Search: a common query (words of many generated posts) against a rare one.
    if Entry.objects.exists():
        common, rare = SEARCH_COMMON, SEARCH_RARE
        pages.append({
            "key": "search", "name": "search (anonymous)",
            "large": {**measure(anonymous, search_url(common)), "rows": found(common)},
            "small": {**measure(anonymous, search_url(rare)), "rows": found(rare)},
        })
        load |= {"search_page": search_url(common), "search_query": common,
                 "search_rows": found(common)}
    json.dump({"pages": pages, "load": load}, sys.stdout)


if __name__ == "__main__":
    main()
