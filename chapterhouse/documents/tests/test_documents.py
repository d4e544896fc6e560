from __future__ import annotations

import pytest
from django.urls import reverse

from chapterhouse.decisions.models import Decision
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import close, draft, in_voting, vote
from chapterhouse.documents import services
from chapterhouse.documents.models import Document, Section, SectionVersion
from chapterhouse.documents.text import diff_html

from .factories import document

pytestmark = pytest.mark.django_db

NEW_TEXT = "Clean air, fair rents and green streets for everyone."


def _amendment(section: Section, text: str = NEW_TEXT, **extra: object) -> dict:
    return {"document_section": str(section.public_id), "text": text, **extra}


def _second(doc: Document) -> Section:
    return doc.sections.get(position=2)


def test_founding_text_is_version_one(member):
    doc = document(member.home_chapter)
    section = _second(doc)
    assert section.version == 1
    first = section.versions.get()
    assert (first.number, first.decision_public_id, first.decision_url) == (1, None, "")


def test_document_text_split_in_sections_and_bad_input_refused(member):
    assert services.split_sections("## A\none\n\n## B\ntwo") == [("A", "one"), ("B", "two")]
    with pytest.raises(services.DocumentError):
        services.split_sections("no heading")
    with pytest.raises(services.DocumentError):
        document(member.home_chapter, sections=[("Empty", "   ")])
    assert not Document.objects.exists()


def test_amendment_checked_when_drafted(member, outsider):
    doc = document(member.home_chapter)
    section = _second(doc)
    other = _second(document(outsider.home_chapter))
    cases = [
        ({"document_section": "not-an-id", "text": "x"}, "Choose a section"),
        (_amendment(other), "amends its own documents"),
        (_amendment(section, "   "), "Write the section's new text"),
        (_amendment(section, section.text), "nothing would change"),
        (_amendment(section, "x" * 50_001), "at most"),
        (_amendment(section, extra=1), "Unknown fields"),
    ]
    for payload, message in cases:
        with pytest.raises(DecisionError, match=message):
            draft(member, category="rules", payload=payload)
    proposal = draft(member, category="rules", payload=_amendment(section))
    assert proposal.payload["base_version"] == 1


def test_applied_when_passed_naming_the_decision(member):
    section = _second(document(member.home_chapter))
    proposal = in_voting(member, category="rules", title="Greener streets",
                         payload=_amendment(section, heading="What we want now"))
    vote(proposal, member, {"choice": "yes"})
    decision = close(proposal)
    assert decision.outcome == Decision.Outcome.PASSED
    section.refresh_from_db()
    assert (section.version, section.text, section.heading) == (2, NEW_TEXT, "What we want now")
    made = section.versions.get(number=2)
    assert made.decision_public_id == proposal.public_id
    assert made.decision_url == reverse("decisions:record",
                                        kwargs={"public_id": proposal.public_id})
    assert made.summary == "Greener streets"
    assert decision.effect["applied"] is True
    assert decision.effect["kind"] == "document_section"
    assert (decision.effect["version"], decision.effect["replaced"]) == (2, 1)


def test_not_applied_when_rejected(member, neighbour):
    section = _second(document(member.home_chapter))
    proposal = in_voting(member, category="rules", payload=_amendment(section))
    vote(proposal, member, {"choice": "no"})
    vote(proposal, neighbour, {"choice": "no"})
    decision = close(proposal)
    assert decision.outcome != Decision.Outcome.PASSED
    section.refresh_from_db()
    assert section.version == 1
    assert SectionVersion.objects.filter(section=section).count() == 1


def test_last_decision_wins_and_says_what_it_replaced(member):
    section = _second(document(member.home_chapter))
    first = in_voting(member, category="rules", payload=_amendment(section, "First change."))
    second = in_voting(member, category="rules", title="Another",
                       payload=_amendment(section, "Second change."))
    for proposal in (first, second):
        vote(proposal, member, {"choice": "yes"})
    close(first)
    decision = close(second)
    section.refresh_from_db()
    assert (section.version, section.text) == (3, "Second change.")
    assert decision.effect["drafted_against"] == 1
    assert decision.effect["replaced"] == 2
    assert section.versions.get(number=3).based_on == 1


def test_diff_is_escaped_with_ins_and_del():
    html = diff_html("Fair <b>rents</b> now", "Fair <i>rents</i> today")
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "<del>" in html and "<ins>" in html
    assert "<ins>today</ins>" in html and "<del>now</del>" in html


def _urls(doc: Document, section: Section) -> dict[str, str]:
    path = doc.chapter.url_path
    return {
        "list": reverse("documents:chapter", kwargs={"url_path": path}),
        "detail": reverse("documents:detail", kwargs={"url_path": path, "slug": doc.slug}),
        "history": reverse("documents:history", kwargs={
            "url_path": path, "slug": doc.slug, "section_id": section.public_id}),
    }


def test_pages_and_history_with_diff(member, client):
    doc = document(member.home_chapter)
    section = _second(doc)
    proposal = in_voting(member, category="rules", title="Greener streets",
                         payload=_amendment(section))
    vote(proposal, member, {"choice": "yes"})
    close(proposal)
    urls = _urls(doc, section)
    assert "Our vision" in client.get(urls["list"]).content.decode()
    page = client.get(urls["detail"]).content.decode()
    assert NEW_TEXT in page and "document_section=" in page
    history = client.get(urls["history"]).content.decode()
    assert "Version 2" in history and "Version 1" in history
    assert reverse("decisions:record", kwargs={"public_id": proposal.public_id}) in history
    assert "<ins>" in history and "<del>" in history
    chapter_page = client.get(doc.chapter.get_absolute_url()).content.decode()
    assert urls["detail"] in chapter_page


def test_proposal_page_shows_the_diff_and_draft_form_is_prefilled(member, member_client):
    section = _second(document(member.home_chapter))
    proposal = draft(member, category="rules", payload=_amendment(section))
    page = member_client.get(proposal.get_absolute_url()).content.decode()
    assert "<ins>" in page and "green" in page
    new_url = reverse("decisions:new", kwargs={"url_path": member.home_chapter.url_path})
    form = member_client.get(new_url, {"category": "rules",
                                       "document_section": str(section.public_id)})
    body = form.content.decode()
    assert "Clean air and fair rents for everyone." in body
    assert f'value="{section.public_id}" selected' in body


def test_draft_form_amendment_and_its_errors(member, member_client):
    section = _second(document(member.home_chapter))
    new_url = reverse("decisions:new", kwargs={"url_path": member.home_chapter.url_path})
    data = {"title": "Amend", "text": "Why.", "category": "rules",
            "document_section": str(section.public_id), "document_text": "",
            "groups-TOTAL_FORMS": "0", "groups-INITIAL_FORMS": "0",
            "groups-MIN_NUM_FORMS": "0", "groups-MAX_NUM_FORMS": "1000"}
    response = member_client.post(new_url, data)
    assert response.status_code == 400
    assert "Write the section" in response.content.decode()
    response = member_client.post(new_url, {**data, "document_text": NEW_TEXT})
    assert response.status_code == 302
    from chapterhouse.decisions.models import Proposal

    assert Proposal.objects.get(title="Amend").payload["text"] == NEW_TEXT


def test_outsiders_and_missing(member, outsider_client, client):
    doc = document(member.home_chapter)
    urls = _urls(doc, _second(doc))
    for url in urls.values():
        assert outsider_client.get(url).status_code == 200  # founding texts are public
    path = doc.chapter.url_path
    assert client.get(reverse("documents:detail", kwargs={
        "url_path": path, "slug": "nope"})).status_code == 404
    assert client.get(reverse("documents:history", kwargs={
        "url_path": path, "slug": doc.slug,
        "section_id": "00000000-0000-0000-0000-000000000000"})).status_code == 404
    new = reverse("documents:new", kwargs={"url_path": path})
    assert outsider_client.get(new).status_code == 403
    assert outsider_client.post(new, {"kind": "vision", "title": "X",
                                      "text": "## A\nb"}).status_code == 403
    assert Document.objects.count() == 1


def test_facilitator_creates_a_document(facilitator, facilitator_client, member_client):
    path = facilitator.home_chapter.url_path
    new = reverse("documents:new", kwargs={"url_path": path})
    assert member_client.get(new).status_code == 403
    bad = facilitator_client.post(new, {"kind": "vision", "title": "V", "text": "no heading"})
    assert bad.status_code == 400 and not Document.objects.exists()
    ok = facilitator_client.post(new, {"kind": "vision", "title": "Vision",
                                       "text": "## One\nFirst.\n\n## Two\nSecond."})
    assert ok.status_code == 302
    doc = Document.objects.get()
    assert [s.heading for s in doc.sections.all()] == ["One", "Two"]


def test_query_counts(member, client, django_assert_max_num_queries):
    doc = document(member.home_chapter)
    section = _second(doc)
    urls = _urls(doc, section)

    def counts() -> list[int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        out = []
        for url in urls.values():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    counts()  # the breadcrumb is cached after the first page
    small = counts()
    for i in range(3):
        document(member.home_chapter, title=f"Programme {i}")
    for i in range(3):
        services.amend_section(section=section, heading=None, text=f"Text {i}",
                               decision_public_id=None, decision_url="", summary="")
    Section.objects.create(document=doc, position=3, heading="More", text="More.")
    assert counts() == small


def test_seed_vision_once(db):
    from django.core.management import call_command

    call_command("seed_vision")
    call_command("seed_vision")
    founding = Document.objects.filter(chapter__depth=1)
    assert sorted(founding.values_list("kind", flat=True)) == [
        "code-of-conduct", "structure", "vision"]
    vision = founding.get(kind="vision")
    assert "Self-management" in vision.sections.get(heading="Our values").text


def test_the_chapter_page_lists_a_new_document_at_once(member_client, member,
                                                       django_capture_on_commit_callbacks):
    page = f"/c/{member.home_chapter.url_path}/"
    assert "Our conduct" not in member_client.get(page).content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        services.create_document(chapter=member.home_chapter, kind="code-of-conduct",
                                 title="Our conduct", sections=[("Respect", "Be kind.")],
                                 actor=None)
    assert "Our conduct" in member_client.get(page).content.decode()
