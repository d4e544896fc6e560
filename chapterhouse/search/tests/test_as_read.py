"""The text a search entry keeps of a Markdown body: plain text is taken as it is, and
that shortcut gives exactly what rendering gives."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chapterhouse.lib.markdown import render_markdown
from chapterhouse.search import sources
from chapterhouse.search.sources import as_read


def rendered(text: str) -> str:
    import html

    from django.utils.html import strip_tags

    return html.unescape(strip_tags(render_markdown(text))).strip() if text else ""


PLAIN = [
    "Hello world.\nSecond line  here.\n\n\nNew para: yes! (ok) \"quoted\" it's 42.",
    "Ünïcödé — text, with a dash – and/or a slash.",
    "x\n\n\n\ny",
    "عضو في الفرع منذ سنوات\nنلتقي كل خميس",
    "Organiser of the Thursday meetings. Likes bicycles, libraries and soup.",
]
MARKED = ["  indented\nx", "a\n   b", "# Title", "1. one\n2. two", "- item", "**bold** text",
          "a_b_c", "Line with two spaces  \nnext", "Tom & Jerry", "<b>x</b>", "> quoted",
          "A [link](https://example.org)", "Term\n: definition", "a\r\nb", "x\n    code",
          "Title\n=====", "Title\n-----", "see *this*", "a `code` b", "100% sure"]


@pytest.mark.parametrize("text", PLAIN + MARKED)
def test_every_body_reads_as_rendered(text):
    assert as_read(text) == rendered(text)


def test_plain_text_is_not_rendered(monkeypatch):
    calls: list[str] = []

    def render(text: str) -> str:
        calls.append(text)
        return text

    monkeypatch.setattr(sources, "render_markdown", render)
    for text in PLAIN:
        as_read(text)
    assert calls == []
    as_read("**bold**")
    assert calls == ["**bold**"]


ALPHABET = "aZé ع1,.;:!?'\"()/–—-\n_*#>&<`[]|=+~\\ \t"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_any_text_reads_as_rendered(text):
    assert as_read(text) == rendered(text)


def test_random_sentences_read_as_rendered():
    rng = random.Random(19)
    words = ["meeting", "Thursday", "café", "library", "co-op", "(soon)", "it's", "42",
             "—", "and/or", "yes!", "why?", "note:", "\"ok\""]
    for _ in range(300):
        lines = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 8)))
                 for _ in range(rng.randint(1, 5))]
        text = "\n".join(line.capitalize() if line[:1].isalpha() else line for line in lines)
        assert as_read(text) == rendered(text)
