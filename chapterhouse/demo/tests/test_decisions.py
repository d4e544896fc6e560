"""The demo decisions: every stage, real records, idempotent, wired into seed_demo."""

from io import StringIO

import pytest
from django.core.management import call_command

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.decisions import selectors
from chapterhouse.decisions.models import (
    Amendment,
    Decision,
    DecisionRule,
    Dissent,
    Proposal,
    SecretBallot,
    StakeDeclaration,
)
from chapterhouse.demo.decisions import seed_decisions
from chapterhouse.demo.people import DEMO_EMAIL
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

LONDON = "gb/eng/london"


@pytest.fixture
def org(db):
    """A small organisation around a demo login in London (which it facilitates)."""
    demo = make_member("Dee Demo", city="London", email=DEMO_EMAIL)
    grant_role(chapter=demo.home_chapter, member=demo, source=ChapterRole.Source.ADMIN)
    for n in range(6):
        make_member(f"Hackney {n}", city="London", neighbourhood="Hackney")
    for n in range(4):
        make_member(f"London {n}", city="London")
    for n in range(3):
        make_member(f"Manchester {n}", city="Manchester")
    for n in range(3):
        make_member(f"Lyon {n}", city="Lyon", region=("FR-ARA", "Auvergne-Rhône-Alpes"),
                    country=("FR", "France"))
    return demo


def test_the_demo_shows_every_stage_with_real_records(org):
    report = seed_decisions()
    assert report.created
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert statuses == {"draft", "deliberation", "voting", "closed"}
    methods = {d.rule["method"] for d in Decision.objects.all()}
    assert {"supermajority", "majority", "consent", "schulze", "approval"} <= methods
    assert Decision.objects.filter(outcome="rejected", rule__method="consent").exists()
    # Rules changes applied: the city's policy rule and new categories.
    policy = DecisionRule.objects.get(chapter__url_path=LONDON, category="policy")
    assert (policy.method, policy.secret) == ("schulze", True)
    assert DecisionRule.objects.filter(chapter__url_path=LONDON, category="events",
                                       method="consent").exists()
    assert DecisionRule.objects.filter(chapter__url_path="gb", category="campaigns",
                                       method="approval").exists()
    assert ChapterRole.objects.filter(source=ChapterRole.Source.DECISION).exists()
    assert Dissent.objects.count() == 2
    assert SecretBallot.objects.exists()
    assert Amendment.objects.filter(status="competing").exists()
    assert Amendment.objects.filter(status="open").count() == 2
    assert StakeDeclaration.objects.exists()
    # Every record recounts and the chain holds.
    assert selectors.chain_problems() == []
    for decision in Decision.objects.select_related("proposal"):
        assert selectors.recount(decision.proposal).matches
    sequence = list(Decision.objects.order_by("sequence").values_list("decided_at", flat=True))
    assert sequence == sorted(sequence)
    # The demo login can vote on three proposals right away.
    voting = Proposal.objects.filter(status="voting")
    assert {p.title for p in voting} == set(report.voting)
    assert all(org.user.has_perm("decisions.cast_ballot", p) for p in voting)
    assert not any(selectors.has_voted(p, org) for p in voting)


def test_the_history_is_dated_in_the_simulated_time(org):
    seed_decisions()
    decision = Decision.objects.order_by("sequence")[0]
    events = list(decision.proposal.events.order_by("created_at", "id")
                  .values_list("kind", "created_at"))
    kinds = [kind for kind, _when in events]
    assert kinds[0] == "created" and kinds[-1] == "closed"
    assert events[-1][1] == decision.decided_at
    published = decision.proposal.published_at
    assert published is not None and decision.proposal.created_at < published


def test_seeding_twice_changes_nothing(org):
    seed_decisions()
    counts = (Proposal.objects.count(), Decision.objects.count())
    again = seed_decisions()
    assert not again.created
    assert (Proposal.objects.count(), Decision.objects.count()) == counts


def test_without_the_demo_login_nothing_is_seeded(member):
    report = seed_decisions()
    assert not report.created and report.reason == "no demo login"
    assert not Proposal.objects.exists()


def test_seed_demo_seeds_the_decisions_too(db):
    from chapterhouse.places.tests.factories import make_city

    for name in ("London", "Manchester", "Leeds"):
        make_city(name)
    out = StringIO()
    call_command("seed_demo", "--members", "60", stdout=out)
    assert "Demo decisions created" in out.getvalue()
    decisions = Decision.objects.count()
    assert decisions >= 8
    call_command("seed_demo", "--members", "60", stdout=StringIO())
    assert Decision.objects.count() == decisions


def test_the_demo_completes_when_the_campaigns_category_is_rejected(org, monkeypatch):
    """Random ballots can reject the campaigns rule; the demo then leaves out its vote."""
    from chapterhouse.demo import script as demo

    original = demo._Demo.yes_no

    def reject_campaigns(self, voters, yes, no, *args, **kwargs):
        if (yes, no) == (0.8, 0.1) and not DecisionRule.objects.filter(
            category="campaigns"
        ).exists():
            yes, no = 0.0, 1.0
        return original(self, voters, yes, no, *args, **kwargs)

    monkeypatch.setattr(demo._Demo, "yes_no", reject_campaigns)
    report = seed_decisions()
    assert report.created
    assert not DecisionRule.objects.filter(category="campaigns").exists()
    assert len(report.voting) == 2
    assert {p.title for p in Proposal.objects.filter(status="voting")} == set(report.voting)


def test_the_demo_meets_quorums_when_rolls_outgrow_the_sample(org, monkeypatch):
    """With rolls larger than the sample size, the rule votes still reach their quorum
    (a 20,000-member demo once failed: the sample ignored the quorum)."""
    from chapterhouse.demo import script as demo

    monkeypatch.setattr(demo, "MAX_VOTERS", 1)
    report = seed_decisions()
    assert report.created
    assert DecisionRule.objects.filter(category="events").exists()
