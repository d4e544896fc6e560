"""Proposal titles are plain text in their deliberation thread, and the
bidirectional override controls never reach a page (issue #13, item 19)."""

import pytest
from django.apps import apps

from chapterhouse.conftest import client_for
from chapterhouse.decisions.tests.factories import in_deliberation
from chapterhouse.discussions.models import Post, Thread
from chapterhouse.discussions.services import reply
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.lib.text import without_bidi_controls
from chapterhouse.members.services import update_profile
from chapterhouse.notifications.models import Notification

pytestmark = pytest.mark.django_db

OVERRIDES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_a_proposal_title_is_plain_text_in_its_deliberation_thread(member, outsider, client):
    if not apps.is_installed("chapterhouse.discussions"):
        pytest.skip("the discussions app is not installed")
    title = (f"[Read this](https://evil.example/) <b>now</b> **and** "
             f"@[{outsider.display_name}](member:{outsider.public_id})")
    notices_before = Notification.objects.filter(recipient=outsider).count()
    proposal = in_deliberation(member, title=title)
    thread = Thread.objects.get(subject_id=str(proposal.pk), kind="deliberation")
    # No post is written in anyone's name or language: the page says what it is for.
    assert not Post.objects.filter(thread=thread).exists()
    html = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert "evil.example/\"" not in html and "<b>now" not in html
    assert Notification.objects.filter(recipient=outsider).count() == notices_before


def test_the_deliberation_is_introduced_in_the_readers_language(member, client):
    proposal = in_deliberation(member)
    english = client.get(proposal.get_absolute_url()).content.decode()
    spanish = client.get(proposal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "discuss it here while it is open" in english
    assert "lo debaten aquí mientras está abierta" in spanish


def test_bidi_controls_are_removed_and_right_to_left_text_is_kept():
    arabic = "اقتراح لزراعة الأشجار"
    assert without_bidi_controls(f"abc{OVERRIDES}def") == "abcdef"
    assert without_bidi_controls(f"{arabic}\u200f!") == f"{arabic}\u200f!"  # marks stay


def test_titles_and_options_are_stored_without_bidi_controls(member):
    from chapterhouse.decisions.tests.factories import chapter, set_rule

    set_rule(chapter("gb/eng/london/hackney"), "routine", method="plurality", params={})
    proposal = in_deliberation(
        member, title="Invoice \u202efdp.exe", options=["Yes \u2067please", "No\u202b"],
    )
    assert proposal.title == "Invoice fdp.exe"
    labels = [option.label for option in proposal.options.all()]
    assert not any(set(OVERRIDES) & set(label) for label in labels)


def test_posts_and_bios_are_shown_without_bidi_controls(member):
    thread = Thread.objects.get(
        subject_id=str(in_deliberation(member).pk), kind="deliberation"
    )
    post = reply(thread=thread, author=member, body="The plan \u202eis good\u202c.")
    assert not set(OVERRIDES) & set(post.body)
    # Text stored before the controls were removed is cleaned when shown.
    assert not set(OVERRIDES) & set(str(render_markdown("old \u202epost")))
    update_profile(member=member, bio="I \u2066live\u2069 here", display_name="Ada \u202eMember")
    member.refresh_from_db()
    assert member.bio == "I live here" and member.display_name == "Ada Member"


def test_member_text_is_isolated_on_the_page(member):
    arabic = "اقتراح لزراعة الأشجار"
    proposal = in_deliberation(member, title=arabic)
    page = client_for(member).get(proposal.get_absolute_url()).content.decode()
    assert f'<h1 dir="auto">{arabic}</h1>' in page
    thread = Thread.objects.get(subject_id=str(proposal.pk), kind="deliberation")
    page = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert f'<h1 dir="auto">{arabic}' in page
    reply(thread=thread, author=member, body=arabic)
    page = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert '<div class="post-body" dir="auto">' in page
