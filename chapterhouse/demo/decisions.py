"""The demo organisation's decisions: the whole cycle at once.

`seed_decisions()` runs after the members are seeded (manage.py seed_demo). Around the
demo login's home city it creates, through the real services and with their clocks
set by `now=` (so rolls, ballots, records and hashes are all real):

- decided, oldest first: two "rules" decisions in the city that are applied (policy is
  decided by a secret Schulze ranking from then on; a new category "events" decided
  by consent, where members may declare a stake) and one in the country (a new
  category "campaigns" decided by approval); an open majority vote with weighted
  affected groups; a street party blocked under consent, with a dissent; a facilitator
  elected by a "roles" decision; a secret Schulze ranking with a dissent; an approval
  vote; and an International vote with a stronger weight for one country;
- voting now (the demo login has not voted yet): an open majority vote, a secret
  Schulze ranking with an amendment standing as a competing option, and a national
  approval vote;
- in deliberation: a consent proposal with posts, a text amendment and a declared
  stake, and a regional proposal moved up from the city, with an alternative;
- a private draft of the demo login.

Idempotent: when any proposal exists, nothing is written. The history of each
proposal is dated as it happened in the simulated time (the services date their
events with the real clock; only these demo rows are re-dated).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from chapterhouse.chapters import limits
from chapterhouse.chapters.models import Chapter, ChapterLevel, ChapterRole
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import Amendment, Decision, Proposal
from chapterhouse.members.models import Member

from .script import DecisionsReport, Say, _Demo, demo_login, places_of

DEFAULT_SEED = 2012


def seed_decisions(*, seed: int = DEFAULT_SEED, now: datetime | None = None,
                   progress: Say | None = None) -> DecisionsReport:
    """Create the demo decisions (see the module docstring); idempotent.

    All in one transaction: a failure leaves nothing behind.
    """
    say = progress or (lambda message: None)
    if Proposal.objects.exists():
        return DecisionsReport(created=False, reason="proposals already exist")
    demo = demo_login()
    if demo is None:
        return DecisionsReport(created=False, reason="no demo login")
    places = places_of(demo)
    if places is None:
        return DecisionsReport(created=False, reason="the demo login lives in no city")
    now = now or timezone.now()
    # The demo's members post a whole history at once: no newcomer limits (chapters.limits).
    with limits.lifted(), transaction.atomic():
        script = _Demo(demo=demo, places=places, rng=random.Random(seed), now=now, say=say)
        report = _seed(script)
    say(f"Decisions: {report.decisions} recorded, {report.proposals} proposals.")
    return report


def _seed(d: _Demo) -> DecisionsReport:  # noqa: PLR0915 - one story, told in order
    p, demo, now = d.places, d.demo, d.now
    day = timedelta(days=1)
    city, region, country, world = p.city, p.region, p.country, p.world
    neighbour = d.someone(city)
    report = DecisionsReport(created=True)

    def decided(proposal: Proposal, created: datetime, ballots: Any) -> Decision:
        d.open(proposal)
        d.cast(proposal, ballots(proposal))
        decision = d.close(proposal)
        d.backdate(proposal, created)
        return decision

    # 1. Rules the city decides for itself (applied when they pass).
    t = now - 100 * day
    policy_rule = d.draft(
        chapter=city, author=demo, category="rules",
        title="Decide our policies by secret ranked ballot",
        text=(f"Policies of {city.name} are often choices between several ideas. A yes/no "
              "vote hides that. From now on, policies are decided by **ranking the "
              "options** (Schulze method), by **secret ballot**.\n\nThe quorum stays at "
              "10% of the roll."),
        payload={"category": "policy", "method": "schulze", "secret": True},
    )
    d.publish(policy_rule, at=t)
    decided(policy_rule, t - day, lambda q: d.yes_no(d.voters(q, 0.3, demo=True), 0.85, 0.1))

    t = now - 99 * day
    events_rule = d.draft(
        chapter=city, author=neighbour, category="rules",
        title="A category for events, decided by consent",
        text=("Events need quick decisions and nobody should be overruled on safety. "
              "Create the category **events**: decided by **consent** (it passes unless "
              "someone blocks, with a reason), three days of deliberation, two for "
              "amendments, three of voting. Members most affected (neighbours of a venue) "
              "may declare a stronger stake, up to 3."),
        payload={"category": "events", "method": "consent", "params": {"quorum": 0},
                 "deliberation_days": 3, "amendment_days": 2, "voting_days": 3,
                 "allow_self_declared_stakes": True, "self_declared_cap": 3},
    )
    d.publish(events_rule, at=t)
    decided(events_rule, t - day, lambda q: d.yes_no(d.voters(q, 0.3, demo=True), 0.9, 0.05))

    t = now - 98 * day
    country_member = d.someone(country, besides=[neighbour])
    campaigns_rule = d.draft(
        chapter=country, author=country_member, category="rules",
        title="Choose national campaigns by approval",
        text=("Each year we pick campaigns to put our energy into. Create the category "
              "**campaigns**, decided by **approval voting**: approve up to two, the most "
              "approved wins. Seven days of deliberation, five of voting, quorum 5%."),
        payload={"category": "campaigns", "method": "approval",
                 "params": {"max_choices": 2, "quorum": 0.05},
                 "deliberation_days": 7, "amendment_days": 5, "voting_days": 5},
    )
    d.publish(campaigns_rule, at=t)
    # Random ballots could (rarely, in a small country) reject the new category;
    # the steps that use it then stay out of the demo.
    has_campaigns = decided(
        campaigns_rule, t - day, lambda q: d.yes_no(d.voters(q, 0.3, demo=True), 0.8, 0.1)
    ).outcome == "passed"

    # 2. An open majority vote with weighted affected groups.
    t = now - 50 * day
    groups = []
    if p.neighbourhood is not None:
        groups = [(p.neighbourhood, 2.0, "the library is in this neighbourhood; its "
                   "members will run the room")]
    assembly = d.draft(
        chapter=city, author=demo, category="routine",
        title="A monthly open assembly in the public library",
        text=("The library offers its community room on the first Saturday of each month, "
              "10:00–13:00, free of charge. We hold an **open assembly** there: anyone may "
              "come, members or not.\n\n- agenda posted a week before\n- notes published "
              "here within three days"),
        groups=groups,
    )
    d.publish(assembly, at=t)
    decided(assembly, t - 2 * day, lambda q: d.yes_no(d.voters(q, 0.4, demo=True), 0.7, 0.2))

    # 3. Consent, blocked, with a dissent.
    t = now - 40 * day
    party_author = d.someone(city, besides=[neighbour])
    party = d.draft(
        chapter=city, author=party_author, category="events",
        title="A street party on Midsummer's Day",
        text="Close the high street from noon to ten for a street party, with a stage for "
             "local bands.",
    )
    d.publish(party, at=t)
    d.open(party)
    voters = d.voters(party, 0.3, demo=True)
    ballots: list[tuple[Member, dict[str, Any]]] = []
    blocker = voters[-1]
    concerns = ["Noise after nine: keep the bands acoustic.",
                "Who cleans up? Let us name a team before we start.",
                "The shops lose a day of trade; invite them to set up stalls.",
                "Please keep a quiet corner for children and older neighbours."]
    for index, member in enumerate(voters[:-1]):
        if index % 5 == 4:
            ballots.append((member, {"choice": "concern",
                                     "reason": concerns[(index // 5) % len(concerns)]}))
        else:
            ballots.append((member, {"choice": "consent"}))
    ballots.append((blocker, {"choice": "block", "reason": (
        "The high street is the only access for ambulances to the care home; closing it "
        "for ten hours is not safe. The park would work.")}))
    d.cast(party, ballots)
    party_decision = d.close(party)
    d.dissent(party_decision, voters[:-1], (
        "The block has a point, but we could have kept one lane open for emergencies. "
        "Next time let us amend instead of block."))
    d.backdate(party, t - day)

    # 4. A facilitator elected by a "roles" decision.
    t = now - 45 * day
    candidate = next(
        (m for m in d.people(city) if m.pk != demo.pk and not ChapterRole.objects.filter(
            chapter=city, member=m, accepted_at__isnull=False).exists()),
        None,
    )
    if candidate is not None:
        role = d.draft(
            chapter=city, author=demo, category="roles",
            title=f"{candidate.display_name} as a facilitator of {city.name}",
            text=(f"{candidate.display_name} has kept our notes and the assembly agenda for "
                  "a year. Facilitators prepare meetings and look after this site's "
                  "chapter pages; they decide nothing alone."),
            payload={"action": "grant", "member": str(candidate.public_id)},
        )
        d.publish(role, at=t)
        decided(role, t - day, lambda q: d.yes_no(d.voters(q, 0.3, demo=True), 0.8, 0.1))

    # 5. Approval in the country (the category decided in step 1).
    if has_campaigns:
        t = now - 30 * day
        campaigns = d.draft(
            chapter=country, author=country_member, category="campaigns",
            title="Our campaigns for this year",
            text="Approve up to two campaigns; the most approved is where we put our energy.",
            options=["Affordable housing", "Free public transport", "Repair cafés everywhere",
                     "A four-day week"],
        )
        d.publish(campaigns, at=t)

        def approvals(q: Proposal) -> list[tuple[Member, dict[str, Any]]]:
            keys = ["o1", "o2", "o3", "o4"]
            out = []
            for index, member in enumerate(d.voters(q, 0.2, demo=True)):
                picks = [keys[index % 2]]
                if d.rng.random() < 0.6:
                    picks.append(d.rng.choice([k for k in keys if k not in picks]))
                out.append((member, {"approve": picks}))
            return out

        decided(campaigns, t - day, approvals)

    # 6. A secret Schulze ranking (the policy rule from step 1), with a dissent.
    t = now - 35 * day
    newsletter = d.draft(
        chapter=city, author=neighbour, category="policy",
        title="How we keep members informed",
        text="Rank the ways we tell members about meetings and decisions.",
        options=["Printed leaflet", "Email list", "Chat channel",
                 "Noticeboard in the library"],
    )
    d.publish(newsletter, at=t)
    d.open(newsletter)
    voters = d.voters(newsletter, 0.3, demo=True)
    d.cast(newsletter, d.rankings(voters, ["o1", "o2", "o3", "o4"], [0.2, 1.0, 0.8, 0.1]))
    decision = d.close(newsletter)
    d.dissent(decision, list(reversed(voters)), (
        "Many older members have no email. Whatever we use, print a summary for the "
        "noticeboard too."))
    d.backdate(newsletter, t - day)

    # 7. International, with a stronger weight for one country.
    t = now - 12 * day
    strong = (
        Chapter.objects.filter(level=ChapterLevel.COUNTRY, url_path__in=["br", "pt"])
        .order_by("-member_count", "path").first()
    )
    translate = d.draft(
        chapter=world, author=demo, category="routine",
        title="Translate the site into Portuguese",
        text=("Volunteers offer to translate the interface and the help pages into "
              "Portuguese. Members who read Portuguese are most affected."),
        groups=[(strong, 3.0, "most of our Portuguese-speaking members live here")]
        if strong is not None else [],
    )
    d.publish(translate, at=t)
    decided(translate, t - day, lambda q: d.yes_no(d.voters(q, 0.05, demo=False), 0.75, 0.15))

    # -- Voting now: the demo login has not voted yet --------------------------------------
    rule = selectors.effective_rule(city, "routine")
    assert rule is not None
    t = now - (rule.deliberation_days + 1) * day
    repaint = d.draft(
        chapter=city, author=neighbour, category="routine",
        title="Repaint the meeting room",
        text="The room we rent needs paint. The owner pays for it if we do the work on two "
             "Saturdays. Yes or no?",
    )
    d.publish(repaint, at=t)
    d.open(repaint)
    d.cast(repaint, d.yes_no(d.voters(repaint, 0.15, demo=False), 0.6, 0.3))
    d.backdate(repaint, t - day)

    rule = selectors.effective_rule(city, "policy")
    assert rule is not None
    t = now - (rule.deliberation_days + 2) * day
    venue = d.draft(
        chapter=city, author=party_author, category="policy",
        title="Where to hold the autumn assembly",
        text="Our autumn assembly needs a bigger room. Rank the venues.",
        options=["The public library", "The community centre", "The trade union hall"],
    )
    d.publish(venue, at=t)
    services.propose_amendment(
        proposal=venue, author=neighbour, kind=Amendment.Kind.ALTERNATIVE,
        label="Outdoors, in the park", text="Hold it outdoors in the park, with a tent if "
        "it rains: anyone passing can join.", now=t + day,
    )
    d.open(venue)  # the amendment stands as a competing option
    d.cast(venue, d.rankings(d.voters(venue, 0.15, demo=False), ["o1", "o2", "o3", "a1"],
                             [0.6, 0.5, 0.1, 0.7]))
    d.backdate(venue, t - day)

    if has_campaigns:
        rule = selectors.effective_rule(country, "campaigns")
        assert rule is not None
        t = now - (rule.deliberation_days + 1) * day
        training = d.draft(
            chapter=country, author=country_member, category="campaigns",
            title="Which trainings we offer next",
            text="Approve up to two trainings for new members.",
            options=["Facilitating meetings", "Running a repair café", "Writing for the web",
                     "Self-defence"],
        )
        d.publish(training, at=t)
        d.open(training)
        d.cast(training, [(m, {"approve": ["o1", "o3"] if i % 3 else ["o2"]})
                          for i, m in enumerate(d.voters(training, 0.1, demo=False))])
        d.backdate(training, t - day)

    # -- In deliberation ----------------------------------------------------------------------
    garden = d.draft(
        chapter=city, author=demo, category="events",
        title="Community garden workdays",
        text="Open the community garden for workdays every second Sunday, 10:00 to 14:00. "
             "Tools are in the shed; bring gloves.",
    )
    published = now - timedelta(hours=20)
    d.publish(garden, at=published)
    gardener = d.someone(city, besides=[neighbour, party_author])
    services.propose_amendment(
        proposal=garden, author=gardener, kind=Amendment.Kind.TEXT_CHANGE,
        text="Open the community garden for workdays every second Sunday, 10:00 to 14:00, "
             "and every Wednesday evening in summer. Tools are in the shed; bring gloves.",
        now=published + timedelta(hours=4),
    )
    services.declare_stake(proposal=garden, member=gardener, weight=2,
                           reason="I live next to the garden gate",
                           now=published + timedelta(hours=5))
    d.posts(garden, [
        (neighbour, "Great idea. Who keeps the key to the shed?"),
        (gardener, "I can, I live next door. I proposed adding summer evenings as well."),
        (demo, "Thanks! I will accept the amendment if nobody objects here by tomorrow."),
    ])
    d.backdate(garden, published - timedelta(hours=2))

    gathering = d.draft(
        chapter=city, author=demo, category="routine",
        title="A regional gathering in spring",
        text=f"Invite every chapter of {region.name} to a one-day gathering in {city.name} in "
             "April: workshops in the morning, an assembly in the afternoon.",
    )
    if region.pk != city.pk:
        services.move_up(proposal=gathering, to_chapter=region, actor=demo)
        services.set_affected_groups(proposal=gathering, actor=demo, groups=[
            services.GroupInput(chapter=city, weight=2.0,
                                reason="the hosts: they organise and house guests"),
        ])
    published = now - timedelta(hours=12)
    d.publish(gathering, at=published)
    services.propose_amendment(
        proposal=gathering, author=neighbour, kind=Amendment.Kind.ALTERNATIVE,
        label="Two smaller gatherings", text="Hold two smaller gatherings, in the north and "
        "in the south of the region, so that nobody travels more than an hour.",
        now=published + timedelta(hours=2),
    )
    d.posts(gathering, [
        (neighbour, "A whole region in one place is a long trip for many. See my amendment."),
    ])
    d.backdate(gathering, published - timedelta(hours=3))

    # -- A private draft of the demo login ------------------------------------------------------
    d.draft(
        chapter=city, author=demo, category="routine",
        title="A tool library (my draft)",
        text="Members lend each other tools through a shared list. *Only you see this draft "
             "until you publish it.*",
    )

    report.proposals = Proposal.objects.count()
    report.decisions = Decision.objects.count()
    report.voting = [repaint.title, venue.title] + ([training.title] if has_campaigns else [])
    return report
