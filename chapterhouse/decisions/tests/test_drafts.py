from datetime import timedelta

import pytest
from django.utils import timezone

from chapterhouse.audit.models import AuditEntry
from chapterhouse.decisions import services
from chapterhouse.decisions.models import Option, Proposal, ProposalEvent, ProposalVersion
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import chapter, draft, in_deliberation, set_rule
from chapterhouse.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"


def nothing_stored():
    return not Proposal.objects.exists() and not ProposalVersion.objects.exists()


def test_a_member_drafts_a_proposal_in_their_chapter(member):
    proposal = draft(member, title="  Plant   trees ", text="Twelve oaks.\r\n")
    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.title == "Plant trees"
    assert proposal.text == "Twelve oaks."
    assert proposal.chapter.url_path == HACKNEY
    assert list(proposal.versions.values_list("number", "text")) == [(1, "Twelve oaks.")]
    assert list(proposal.events.values_list("kind", flat=True)) == ["created"]
    assert proposal.published_at is None


def test_a_member_may_propose_in_a_wider_chapter_they_belong_to(member):
    proposal = draft(member, chapter=chapter("gb"))
    assert proposal.chapter.url_path == "gb"


def test_a_proposal_in_a_chapter_one_does_not_belong_to_is_refused(member, outsider):
    with pytest.raises(DecisionError, match="belong"):
        draft(outsider, chapter=chapter(HACKNEY))
    assert nothing_stored()


@pytest.mark.parametrize("fields, message", [
    ({"title": "   "}, "title"),
    ({"text": ""}, "text"),
    ({"title": "x" * 201}, "200"),
    ({"category": "garden"}, "no rule"),
    ({"options": ["A", "B"]}, "yes/no"),
])
def test_a_bad_draft_is_refused_with_nothing_stored(member, fields, message):
    with pytest.raises(DecisionError, match=message):
        draft(member, **fields)
    assert nothing_stored()


def test_a_multi_option_category_needs_two_distinct_options(member):
    set_rule(chapter(HACKNEY), "routine", method="plurality", params={})
    with pytest.raises(DecisionError, match="at least two"):
        draft(member, options=["Only one"])
    with pytest.raises(DecisionError, match="same label"):
        draft(member, options=["Oak", " oak "])
    with pytest.raises(DecisionError, match="label"):
        draft(member, options=["Oak", ""])
    assert nothing_stored()
    proposal = draft(member, options=["Oak", {"label": "Lime", "text": "Lime trees"}])
    assert list(proposal.options.values_list("key", "label", "text")) == [
        ("o1", "Oak", ""), ("o2", "Lime", "Lime trees"),
    ]


def test_the_author_edits_a_draft_and_a_changed_text_is_a_new_version(member):
    proposal = draft(member)
    services.update_draft(proposal=proposal, actor=member, text="Twenty oaks.")
    services.update_draft(proposal=proposal, actor=member, title="Plant more trees")
    proposal.refresh_from_db()
    assert proposal.title == "Plant more trees"
    assert list(proposal.versions.values_list("number", "title", "text")) == [
        (1, "Plant trees on the square", "We plant twelve trees.\nThey are oaks."),
        (2, "Plant trees on the square", "Twenty oaks."),
        (3, "Plant more trees", "Twenty oaks."),
    ]


def test_editing_options_replaces_them(member):
    set_rule(chapter(HACKNEY), "routine", method="approval", params={})
    proposal = draft(member, options=["Oak", "Lime"])
    services.update_draft(proposal=proposal, actor=member, options=["Ash", "Elm", "Yew"])
    assert list(proposal.options.values_list("label", flat=True)) == ["Ash", "Elm", "Yew"]


def test_only_the_author_edits_a_draft(member, facilitator):
    proposal = draft(member)
    with pytest.raises(DecisionError, match="author"):
        services.update_draft(proposal=proposal, actor=facilitator, text="Mine now")
    proposal.refresh_from_db()
    assert proposal.text.startswith("We plant")
    assert proposal.versions.count() == 1


def test_a_published_proposal_is_not_edited_as_a_draft(member):
    proposal = in_deliberation(member)
    with pytest.raises(DecisionError, match="amendments"):
        services.update_draft(proposal=proposal, actor=member, text="Changed")


def test_publishing_sets_the_periods_from_the_rule(member, facilitator):
    set_rule(chapter(HACKNEY), "routine", deliberation_days=5, amendment_days=3, voting_days=4)
    proposal = draft(member)
    now = timezone.now()
    services.publish(proposal=proposal, actor=member, now=now)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DELIBERATION
    assert proposal.published_at == now
    assert proposal.amendments_close_at == now + timedelta(days=3)
    assert proposal.voting_opens_at == now + timedelta(days=5)
    assert proposal.voting_closes_at == now + timedelta(days=9)
    assert proposal.events.filter(kind=ProposalEvent.Kind.PUBLISHED).exists()
    assert AuditEntry.objects.filter(action="decisions.publish",
                                     target_id=str(proposal.pk)).exists()
    # The scope's facilitators hear of it; the author does not.
    notices = Notification.objects.filter(kind=Kind.PROPOSAL_PUBLISHED)
    assert list(notices.values_list("recipient", flat=True)) == [facilitator.pk]


def test_only_the_author_publishes_and_only_once(member, facilitator):
    proposal = draft(member)
    with pytest.raises(DecisionError, match="author"):
        services.publish(proposal=proposal, actor=facilitator)
    services.publish(proposal=proposal, actor=member)
    with pytest.raises(DecisionError, match="already published"):
        services.publish(proposal=proposal, actor=member)


def test_publishing_opens_the_deliberation_thread(member):
    from django.apps import apps

    if not apps.is_installed("chapterhouse.discussions"):
        pytest.skip("the discussions app is not installed")
    from chapterhouse.discussions.models import Thread

    proposal = in_deliberation(member)
    thread = Thread.objects.get(subject_id=str(proposal.pk), kind="deliberation")
    assert thread.chapter == proposal.chapter
    assert thread.posting_rule == "decisions.deliberate"
    assert thread.title == proposal.title


def test_the_author_withdraws_a_draft_or_a_proposal_in_deliberation(member):
    first = draft(member)
    services.withdraw_proposal(proposal=first, actor=member)
    second = in_deliberation(member)
    services.withdraw_proposal(proposal=second, actor=member)
    assert set(Proposal.objects.values_list("status", flat=True)) == {"withdrawn"}
    assert AuditEntry.objects.filter(action="decisions.withdraw").count() == 1  # the published one


def test_withdrawing_is_for_the_author_before_voting(member, facilitator):
    from chapterhouse.decisions.tests.factories import in_voting

    proposal = in_deliberation(member)
    with pytest.raises(DecisionError, match="author"):
        services.withdraw_proposal(proposal=proposal, actor=facilitator)
    voting = in_voting(member)
    with pytest.raises(DecisionError, match="before voting"):
        services.withdraw_proposal(proposal=voting, actor=member)


# -- Structured changes: rules and roles ---------------------------------------------------


def test_a_rules_proposal_describes_a_valid_rule_change(member):
    proposal = draft(member, category="rules",
                     payload={"category": "routine", "method": "consent", "params": {}})
    assert proposal.payload["method"] == "consent"


@pytest.mark.parametrize("payload, message", [
    ({"category": "routine", "colour": "red"}, "Unknown fields"),
    ({"category": "routine", "chapter": "gb"}, "own rules"),
    ({"method": "consent"}, "category"),
    ({"category": "Not A Slug", "method": "consent"}, "category"),
    ({"category": "routine", "method": "dictator"}, "Unknown voting method"),
    ({"category": "routine", "params": {"threshold": 2}}, "parameters"),
    ({"category": "routine", "params": {"colour": 1}}, "parameters"),
    ({"category": "routine", "voting_days": 0}, "at least one day"),
    ({"category": "routine", "amendment_days": 9, "deliberation_days": 2}, "within"),
    ({"category": "garden", "method": "plurality"}, "Periods"),
    ({"category": "garden"}, "new category"),
    ({"category": "routine", "self_declared_cap": 20}, "capped"),
])
def test_a_bad_rule_change_is_refused(member, payload, message):
    with pytest.raises(DecisionError, match=message):
        draft(member, category="rules", payload=payload)
    assert nothing_stored()


def test_a_roles_proposal_names_a_member_of_the_chapter(member, outsider, facilitator):
    proposal = draft(member, category="roles",
                     payload={"action": "grant", "member": str(facilitator.public_id)})
    assert proposal.payload["action"] == "grant"
    with pytest.raises(DecisionError, match="does not belong"):
        draft(member, category="roles",
              payload={"action": "grant", "member": str(outsider.public_id)})
    with pytest.raises(DecisionError, match="Name the member"):
        draft(member, category="roles", payload={"action": "grant", "member": "nobody"})
    with pytest.raises(DecisionError, match="granted or revoked"):
        draft(member, category="roles",
              payload={"action": "crown", "member": str(facilitator.public_id)})


def test_other_categories_carry_no_structured_change(member):
    with pytest.raises(DecisionError, match="Only rules and roles"):
        draft(member, payload={"anything": 1})


def test_options_are_kept_for_the_ballot(member):
    set_rule(chapter(HACKNEY), "routine", method="schulze", params={})
    proposal = draft(member, options=["Oak", "Lime", "Ash"])
    assert Option.objects.filter(proposal=proposal).count() == 3
