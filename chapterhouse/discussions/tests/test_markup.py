"""Post bodies render safely: Markdown sanitised, mentions and quotes built by us."""

import uuid

import pytest

from chapterhouse.discussions import markup, services
from chapterhouse.discussions.markup import mention_token, render

from .factories import first_post

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[click](javascript:alert(3))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==)",
    '<a href="#" onclick="alert(5)">x</a>',
    "<svg onload=alert(6)></svg>",
    '<iframe srcdoc="<script>alert(7)</script>"></iframe>',
    '<base href="https://evil.example/">',
    "<style>body{display:none}</style>",
]


def assert_inert(html: str) -> None:
    lowered = html.lower()
    for needle in ["<script", "onerror", "onclick", "onload", "javascript:", "data:text",
                   "<svg", "<iframe", "srcdoc", "<base", "<style"]:
        assert needle not in lowered, (needle, html)


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_markup_renders_inert(body):
    assert_inert(render(body).html)


def test_markdown_still_works():
    html = render("**bold** and *it*\n\n- one\n- two\n\n[site](https://example.org)").html
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "<li>one</li>" in html
    assert 'href="https://example.org"' in html


def test_a_mention_becomes_a_link_to_the_profile_with_the_current_name(member, neighbour):
    body = f"Ask @[Someone Else](member:{neighbour.public_id}) please"
    html = render(body, {neighbour.public_id: neighbour}).html
    assert (
        f'<a class="mention" href="{neighbour.get_absolute_url()}">@Nell Neighbour</a>' in html
    )
    assert "Someone Else" not in html


def test_an_unknown_mention_is_plain_text():
    html = render(f"hi @[Ghost <b>](member:{uuid.uuid4()})").html
    assert "@Ghost &lt;b&gt;" in html and "<a" not in html


def test_a_display_name_with_markup_is_escaped_in_a_mention(neighbour):
    neighbour.display_name = '<img src=x onerror=alert(1)>"'
    html = render(mention_token(neighbour), {neighbour.public_id: neighbour}).html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;&quot;" in html


def test_a_mention_in_code_stays_literal(neighbour):
    token = mention_token(neighbour)
    html = render(f"`{token}`\n\n```\n{token}\n```", {neighbour.public_id: neighbour}).html
    assert "<a" not in html
    assert html.count(f"@[Nell Neighbour](member:{neighbour.public_id})") == 2


def test_a_mention_inside_a_link_is_not_a_nested_link(neighbour):
    token = mention_token(neighbour)
    html = render(f"[see {token}](https://example.org)", {neighbour.public_id: neighbour}).html
    assert html.count("<a ") == 1 and "@Nell Neighbour" in html


def test_a_mention_inside_an_attribute_stays_inert(neighbour):
    token = mention_token(neighbour)
    html = render(f'[x](https://example.org "{token}")', {neighbour.public_id: neighbour}).html
    assert 'class="mention"' not in html
    assert html.count("<a ") == 1


def test_mentions_outside_code_and_quotes_are_found_once(neighbour, outsider):
    body = (
        f"{mention_token(neighbour)} {mention_token(neighbour)} `{mention_token(outsider)}`\n\n"
        f"> {mention_token(outsider)}"
    )
    assert markup.mentioned_ids(body) == [neighbour.public_id]


def test_a_quote_is_an_attributed_blockquote_linking_to_the_post(thread, member):
    post = first_post(thread)
    text = markup.quote(post)
    assert text.startswith(f"> [Ada Member]({post.get_absolute_url()}) wrote:\n>\n> The library")
    html = render(text).html
    assert "<blockquote>" in html
    assert f'href="{post.get_absolute_url()}"' in html


def test_a_quote_leaves_out_quotes_inside_the_quoted_post(thread, member, neighbour):
    post = services.reply(thread=thread, author=neighbour, body="> old words\n\nmy words")
    text = markup.quote(post)
    assert "old words" not in text and "> my words" in text


def test_a_quote_of_a_former_members_post_says_so(thread, member):
    post = first_post(thread)
    post.author = None
    assert "former member" in markup.quote(post)


def test_a_quote_escapes_markdown_in_the_name(thread, member):
    member.display_name = "[Evil](javascript:alert(1))"
    post = first_post(thread)
    post.author = member
    html = render(markup.quote(post)).html
    assert 'href="javascript' not in html
    assert "[Evil](javascript:alert(1))</a> wrote:" in html  # shown, as text
