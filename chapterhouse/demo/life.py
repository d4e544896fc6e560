"""The demo organisation's chapter life: what the newer apps hold, around the demo login.

`seed_chapter_life()` runs after the members (and the decisions) are seeded (manage.py
seed_demo). In the demo login's home city, its busiest neighbourhood, its country,
International and one other city it writes, through each app's own services (so the
notices, the comment threads, the rooms and the rules are all real):

- announcements: three in the city (one reaching its neighbourhoods), one in the
  neighbourhood, one in the country;
- events, in the chapter's own time zone: a weekly meeting (repeating, started weeks
  ago), a repair café with four places and a waiting list, an online national assembly,
  a garden workday already past; answered by demo members, the demo login among them;
- the city's blog with three published posts and comments, and a post in the demo
  login's own blog;
- a project and a working group of the city (members, a pending request, tasks open,
  doing and done, an update each) and a caucus at International;
- link resources with tags (one for members only), two lessons learned, one marked
  helpful by the other city;
- the mutual-aid board: an offer for members only (answered privately: a conversation
  with the demo login), a request everyone sees, an offer already fulfilled;
- messages in the city's chat room and the project's room, and a private conversation
  the demo login started.

Idempotent section by section: a section whose app already holds something in these
chapters is left as it is (so a second run adds nothing, and a demo seeded before this
module existed gets what it lacks). The announcements and blog posts are dated back
over the past weeks (only these demo rows, as decisions dates its proposals' history).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from chapterhouse.announcements import services as announcements
from chapterhouse.announcements.models import Announcement
from chapterhouse.blogs import selectors as blog_selectors
from chapterhouse.blogs import services as blogs
from chapterhouse.blogs.models import BlogPost
from chapterhouse.chapters import limits
from chapterhouse.chapters.models import Chapter, ChapterLevel, ChapterRole
from chapterhouse.chat import services as chat
from chapterhouse.chat.models import Message as ChatMessage
from chapterhouse.conversations import services as conversations
from chapterhouse.discussions import services as discussions
from chapterhouse.discussions.selectors import thread_about
from chapterhouse.events import recurrence
from chapterhouse.events import selectors as event_selectors
from chapterhouse.events import services as events
from chapterhouse.events.models import Answer, Event
from chapterhouse.members.models import Member
from chapterhouse.mutualaid import services as mutualaid
from chapterhouse.mutualaid.models import Category, Entry, EntryKind
from chapterhouse.projects import services as projects
from chapterhouse.projects.models import Group, Task
from chapterhouse.resources import services as resources
from chapterhouse.resources.models import Lesson, Resource, Topic, Visibility

from .script import demo_login, places_of

DEFAULT_SEED = 2012
Say = Callable[[str], None]


@dataclass
class LifeReport:
    created: bool
    sections: list[str] = field(default_factory=list)  # the sections written this run
    reason: str = ""


class _Life:
    """The chapters, the people and the clock the sections share."""

    def __init__(self, *, demo: Member, rng: random.Random, now: datetime) -> None:
        places = places_of(demo)
        assert places is not None
        self.demo, self.rng, self.now = demo, rng, now
        self.city, self.country, self.world = places.city, places.country, places.world
        self.hood = places.neighbourhood
        self.other = (
            Chapter.objects.filter(level=ChapterLevel.CITY, member_count__gt=0)
            .exclude(pk=self.city.pk).order_by("-member_count", "name").first()
        )
        self.zone = ZoneInfo(event_selectors.chapter_zone(self.city))
        self._people: dict[int, list[Member]] = {}
        self._zones: dict[int, ZoneInfo] = {self.city.pk: self.zone}

    @property
    def chapters(self) -> list[Chapter]:
        return [c for c in (self.city, self.hood, self.country, self.world, self.other)
                if c is not None]

    def people(self, chapter: Chapter, count: int) -> list[Member]:
        """Up to `count` active members of `chapter` other than the demo login, a stable
        sample (the same seed, the same people)."""
        if chapter.pk not in self._people:
            rows = list(
                Member.objects.belonging_to(chapter).active().exclude(pk=self.demo.pk)
                .select_related("home_chapter", "user").order_by("pk")[:200]
            )
            self.rng.shuffle(rows)
            self._people[chapter.pk] = rows
        return self._people[chapter.pk][:count]

    def person(self, chapter: Chapter, index: int = 0) -> Member:
        """The `index`-th of the chapter's sample (the demo login if it has too few)."""
        rows = self.people(chapter, index + 1)
        return rows[index] if len(rows) > index else (rows[-1] if rows else self.demo)

    def facilitator(self, chapter: Chapter) -> Member:
        """One of the chapter's facilitators, else one of its members."""
        role = (ChapterRole.objects.facilitators_of(chapter)
                .filter(member__user__is_active=True).exclude(member=self.demo)
                .select_related("member__home_chapter", "member__user").order_by("pk").first())
        return role.member if role is not None else self.person(chapter)

    def local(self, chapter: Chapter, day: date, hour: int, minute: int = 0) -> datetime:
        """`hour`:`minute` on `day` in the chapter's own time zone (the zone its events
        take by default: its place's, or the nearest above it that has one)."""
        if chapter.pk not in self._zones:
            self._zones[chapter.pk] = ZoneInfo(event_selectors.chapter_zone(chapter))
        return datetime.combine(day, time(hour, minute), tzinfo=self._zones[chapter.pk])

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    def comment(self, subject: object, lines: list[tuple[Member, str]]) -> None:
        thread = thread_about(subject, kind="comments")  # type: ignore[arg-type]
        if thread is None:
            return
        for author, body in lines:
            discussions.reply(thread=thread, author=author, body=body)


def seed_chapter_life(*, seed: int = DEFAULT_SEED, progress: Say | None = None) -> LifeReport:
    """Fill the newer apps around the demo login (see the module docstring); idempotent
    section by section, all in one transaction (a failure leaves nothing behind). Dated
    from the real clock, which the apps' services read too."""
    say = progress or (lambda message: None)
    demo = demo_login()
    if demo is None:
        return LifeReport(created=False, reason="no demo login")
    if places_of(demo) is None:
        return LifeReport(created=False, reason="the demo login lives in no city")
    report = LifeReport(created=False)
    # The demo's members post a whole history at once: no newcomer limits (chapters.limits).
    with limits.lifted(), transaction.atomic():
        life = _Life(demo=demo, rng=random.Random(seed), now=timezone.now())
        for name, has, write in SECTIONS:
            if has(life.chapters):
                continue
            write(life)
            report.sections.append(name)
    report.created = bool(report.sections)
    if report.created:
        say(f"Chapter life: {', '.join(report.sections)}.")
    return report


# -- Announcements -------------------------------------------------------------------------


def _announcements(life: _Life) -> None:
    city, demo = life.city, life.demo
    made = [
        (21, announcements.announce(
            chapter=city, author=demo, title=f"Welcome to the new members of {city.name}",
            body=(f"Twenty-three people joined {city.name} this month. Welcome! The weekly "
                  "meeting is the easiest way in: come along on Tuesday, nobody will ask "
                  "you to speak.\n\nThe **events** page lists everything coming up."),
        )),
        (9, announcements.announce(
            chapter=city, author=life.facilitator(city),
            title="The repair café needs volunteers",
            body=("We are opening a repair café. If you can mend bikes, lamps, clothes or "
                  "laptops, join the project on the **projects** page. If you cannot, "
                  "bring something broken!"),
        )),
        (2, announcements.announce(
            chapter=city, author=demo, title="Vote on the community garden workdays",
            body=("The proposal on garden workdays is in deliberation: read it, comment "
                  "and amend it before the vote opens. Every neighbourhood of the city "
                  "takes part."),
            reaches_subchapters=True,
        )),
        (5, announcements.announce(
            chapter=life.country, author=life.facilitator(life.country),
            title="National assembly online next week",
            body=(f"Every chapter of {life.country.name} is invited to the online assembly "
                  "on the year ahead. The link is on the event's page; no need to register."),
        )),
    ]
    if life.hood is not None:
        made.append((14, announcements.announce(
            chapter=life.hood, author=life.facilitator(life.hood),
            title=f"{life.hood.name} meets at the library from now on",
            body="The community room of the library is free for us every second Thursday. "
                 "Thank you to everyone who wrote to the council!",
        )))
    for days, announcement in made:
        Announcement.objects.filter(pk=announcement.pk).update(
            created_at=life.now - timedelta(days=days, hours=life.rng.randrange(1, 9)))


# -- Events --------------------------------------------------------------------------------


def _events(life: _Life) -> None:  # noqa: PLR0914 - four events, told in order
    city, demo, today = life.city, life.demo, life.today
    crowd = life.people(city, 12)

    # A weekly meeting on Tuesdays at 19:00, started four weeks ago or so.
    first = today - timedelta(days=(today.weekday() - 1) % 7 + 21)
    weekly = events.create_event(chapter=city, author=demo, fields=events.EventFields(
        title="Weekly meeting",
        starts_at=life.local(city, first, 19), ends_at=life.local(city, first, 20, 30),
        description=("Our open meeting: news from the working groups, decisions coming up, "
                     "and tea. New members are very welcome."),
        address="Community Centre, 12 High Street", recurrence="FREQ=WEEKLY;BYDAY=TU",
    ))
    upcoming = recurrence.occurrences(weekly, [], life.now, life.now + timedelta(days=8),
                                      limit=1)
    if upcoming:
        when = upcoming[0].original_start
        events.answer(event=weekly, occurrence=when, member=demo, answer=Answer.GOING,
                      now=life.now)
        for index, member in enumerate(crowd[:7]):
            events.answer(event=weekly, occurrence=when, member=member,
                          answer=Answer.MAYBE if index % 3 == 2 else Answer.GOING,
                          now=life.now)

    # A repair café with four places: two end up on the waiting list, one leaves it.
    day = today + timedelta(days=9)
    cafe = events.create_event(chapter=city, author=life.person(city, 0),
                               fields=events.EventFields(
        title="Repair café: bikes and lamps",
        starts_at=life.local(city, day, 14), ends_at=life.local(city, day, 17),
        description="Bring a bike or a lamp that does not work; we fix it together. Four "
                    "workbenches, so four places: put your name down.",
        address="The Old Library, Church Road", capacity=4,
    ))
    for member in [demo, *crowd[:5]]:
        events.answer(event=cafe, occurrence=cafe.starts_at, member=member,
                      answer=Answer.GOING, now=life.now)
    if len(crowd) >= 2:
        events.answer(event=cafe, occurrence=cafe.starts_at, member=crowd[1],
                      answer=Answer.NOT_GOING, now=life.now)  # the first in line gets in
    life.comment(cafe, [
        (crowd[0] if crowd else demo, "I can bring a spare set of brake pads."),
        (demo, "Great, thank you! Tea and biscuits are on me."),
    ])

    # An online assembly of the country.
    day = today + timedelta(days=5)
    assembly = events.create_event(
        chapter=life.country, author=life.facilitator(life.country),
        fields=events.EventFields(
            title="Online assembly: the year ahead",
            starts_at=life.local(life.country, day, 19, 30),
            ends_at=life.local(life.country, day, 21),
            description="Every chapter reports in five minutes, then we choose three "
                        "priorities for the year. Join from anywhere.",
            online_url="https://meet.example.org/chapterhouse-assembly",
        ))
    for member in [demo, *life.people(life.country, 6)]:
        events.answer(event=assembly, occurrence=assembly.starts_at, member=member,
                      answer=Answer.GOING, now=life.now)

    # A garden workday, already past, with its answers given before it.
    where = life.hood or city
    day = today - timedelta(days=12)
    workday = events.create_event(chapter=where, author=life.facilitator(where),
                                  fields=events.EventFields(
        title="Community garden workday",
        starts_at=life.local(where, day, 10), ends_at=life.local(where, day, 14),
        description="Weeding, planting and a shared lunch. Gloves and tools provided.",
        address="Community garden, behind the station",
    ))
    before = workday.starts_at - timedelta(days=3)
    goers = life.people(where, 5)
    if life.hood is None or demo.belongs_to(where):
        goers.insert(0, demo)
    for member in goers:
        events.answer(event=workday, occurrence=workday.starts_at, member=member,
                      answer=Answer.GOING, now=before)


# -- Blogs ---------------------------------------------------------------------------------


def _blogs(life: _Life) -> None:
    city, demo = life.city, life.demo
    writer = life.person(city, 1)
    blog = blog_selectors.blog_of_chapter(city)
    posts = [
        (30, blogs.write_post(
            blog=blog, author=demo, publish=True, title="What we did this spring",
            body=(f"Three months, three campaigns. {city.name} held eleven meetings, "
                  "planted a garden and won a bus stop.\n\n## The garden\n\nThirty "
                  "neighbours came to the first workday. The beans are already up.\n\n"
                  "## The bus stop\n\nAfter two hundred letters, the council moved the "
                  "stop back to where people live."),
        )),
        (16, blogs.write_post(
            blog=blog, author=writer, publish=True, title="Why I joined the housing group",
            body=("My rent went up by a fifth this year. On my own I could only move out; "
                  "with the working group we wrote to the landlord together, and he "
                  "listened.\n\nIf your rent is rising too, come and talk to us."),
        )),
        (4, blogs.write_post(
            blog=blog, author=demo, publish=True, title="How we decide, in five minutes",
            body=("Anyone can propose. A proposal is discussed, amended, then voted on, and "
                  "every decision is recorded where anyone can recount it. Read the "
                  "**decisions** page to see it at work."),
        )),
    ]
    life.comment(posts[0][1], [
        (life.person(city, 2), "The garden looks wonderful. When is the next workday?"),
        (demo, "Every second Sunday: it is on the events page."),
    ])
    life.comment(posts[1][1], [(life.person(city, 3), "Same here. See you on Thursday.")])
    own = blogs.write_post(
        blog=blog_selectors.blog_of_member(demo), author=demo, publish=True,
        title="Notes from my first year as a facilitator",
        body=("Mostly I learned to listen, to keep meetings short, and to ask the quiet "
              "people first. The rest is booking rooms."),
    )
    for days, post in [*posts, (45, own)]:
        moment = life.now - timedelta(days=days, hours=life.rng.randrange(1, 9))
        BlogPost.objects.filter(pk=post.pk).update(created_at=moment, updated_at=moment,
                                                   published_at=moment)


# -- Projects, working groups and a caucus ------------------------------------------------


def _projects(life: _Life) -> None:
    city, demo, world = life.city, life.demo, life.world
    crew = life.people(city, 8)
    today = life.today
    lead = crew[0] if crew else demo
    cafe = projects.create_group(
        chapter=city, creator=lead, name="Repair café", kind=Group.Kind.PROJECT,
        description="A monthly repair café: we fix what people bring and teach them how.",
    )
    for member in [demo, *crew[1:4]]:
        projects.join_group(group=cafe, member=member)
    joined = [lead, demo, *crew[1:4]]
    steps = [
        ("Find a venue", joined[1 % len(joined)], Task.Status.DONE),
        ("Print the posters", joined[2 % len(joined)], Task.Status.DOING),
        ("Collect spare parts", joined[3 % len(joined)], Task.Status.OPEN),
        ("Ask the library about a second date", None, Task.Status.OPEN),
    ]
    for index, (title, assignee, status) in enumerate(steps):
        task = projects.add_task(group=cafe, author=lead, title=title, assignee=assignee,
                                 due_date=today + timedelta(days=7 * (index + 1)))
        if status != Task.Status.OPEN:
            projects.set_task_status(task=task, member=assignee or lead, status=status)
    life.comment(cafe, [(lead, "We have a venue: the Old Library, every second Saturday.")])

    housing = projects.create_group(
        chapter=city, creator=demo, name="Housing working group",
        kind=Group.Kind.WORKING_GROUP, joining=Group.Joining.APPROVED,
        description="Tenants helping tenants: rent rises, repairs, and knowing our rights.",
    )
    for member in crew[4:7]:
        projects.join_group(group=housing, member=member)
        projects.accept_request(group=housing, coordinator=demo, member=member)
    if len(crew) > 7:
        projects.join_group(group=housing, member=crew[7])  # waiting for an answer
    tenants = crew[4:7]
    for index, (title, status) in enumerate([
        ("Write the tenants' guide", Task.Status.DOING),
        ("Map the buildings with repair problems", Task.Status.OPEN),
        ("Book a room for the open evening", Task.Status.DONE),
    ]):
        assignee = tenants[index] if index < len(tenants) else demo
        task = projects.add_task(group=housing, author=demo, title=title, assignee=assignee)
        if status != Task.Status.OPEN:
            projects.set_task_status(task=task, member=assignee, status=status)
    life.comment(housing, [(demo, "The first draft of the guide is in the shared folder.")])

    founder = life.person(world, 0) if life.other is None else life.person(life.other, 0)
    caucus = projects.create_group(
        chapter=world, creator=founder, name="Climate caucus", kind=Group.Kind.CAUCUS,
        description="Members of every country who want the organisation to put the "
                    "climate first. We share what works and draft proposals together.",
    )
    projects.join_group(group=caucus, member=demo)
    for member in life.people(life.country, 2):
        if member.pk != founder.pk:
            projects.join_group(group=caucus, member=member)


# -- Resources and lessons ----------------------------------------------------------------


def _resources(life: _Life) -> None:
    city, demo = life.city, life.demo
    links = [
        ("How to run a meeting everyone can follow", "https://www.seedsforchange.org.uk/",
         "Short guides on facilitation, consensus and meetings.", "meetings, facilitation",
         Visibility.PUBLIC, demo),
        ("Tenants' rights: a plain guide", "https://www.gov.uk/private-renting",
         "What a landlord may and may not do.", "housing, rights", Visibility.PUBLIC,
         life.person(city, 1)),
        ("Repair café starter kit", "https://www.repaircafe.org/en/start/",
         "Everything for starting a repair café.", "repair, events", Visibility.PUBLIC,
         life.person(city, 0)),
        ("Our phone tree", "https://docs.example.org/phone-tree",
         "Who calls whom when we need people quickly. Members only: it has numbers.",
         "organising", Visibility.MEMBERS, demo),
    ]
    for title, url, description, tags, visibility, author in links:
        resources.add_resource(chapter=city, author=author, title=title, url=url,
                               description=description, tags=tags, visibility=visibility)
    lesson = resources.write_lesson(
        chapter=city, author=demo, topic=Topic.EVENTS,
        title="Start on time, end on time",
        body=("We used to start meetings when enough people had arrived. People stopped "
              "coming. Now we start at the time announced and end when we said we would, "
              "and twice as many come."),
    )
    where = life.hood or life.country
    resources.write_lesson(
        chapter=where, author=life.facilitator(where), topic=Topic.ORGANISING,
        title="Knock on doors in pairs",
        body="Two people at a door feel safer and remember more of what was said. Swap who "
             "talks at each door.",
    )
    if life.other is not None:
        helper = life.person(life.other, 1)
        if helper.pk != demo.pk and not helper.belongs_to(city):
            resources.mark_helpful(lesson=lesson, member=helper)


# -- Mutual aid ----------------------------------------------------------------------------


def _mutualaid(life: _Life) -> None:
    city, demo, today = life.city, life.demo, life.today
    offer = mutualaid.post_entry(
        chapter=city, author=demo, kind=EntryKind.OFFER, category=Category.GOODS,
        title="Lending a drill and a ladder",
        description="Borrow them for a weekend. I live near the station.",
        expires_on=today + timedelta(days=30),
    )
    asker = life.person(city, 2)
    if asker.pk != demo.pk:
        talk = mutualaid.reply_privately(
            entry=offer, member=asker,
            body="Hello! Could I borrow the ladder on Saturday? I need to clear a gutter.")
        conversations.post_message(conversation=talk, author=demo,
                                   body="Of course. Come by on Friday evening to pick it up.")
    mutualaid.post_entry(
        chapter=city, author=life.person(city, 3), kind=EntryKind.REQUEST,
        category=Category.TIME, title="Help moving flat on Saturday",
        description="Two hours of carrying boxes down two floors. Pizza for everyone.",
        visible_to_everyone=True, expires_on=today + timedelta(days=6),
    )
    done = mutualaid.post_entry(
        chapter=city, author=life.person(city, 4), kind=EntryKind.OFFER,
        category=Category.GOODS, title="Tomato seedlings to give away",
        description="About twenty, ready to plant out.",
    )
    mutualaid.mark_fulfilled(entry=done)
    if life.hood is not None:
        mutualaid.post_entry(
            chapter=life.hood, author=life.person(life.hood, 0), kind=EntryKind.OFFER,
            category=Category.SKILLS, title="English conversation practice",
            description="An hour a week over coffee, for anyone learning English.",
            visible_to_everyone=True,
        )


# -- Chat and a private conversation ------------------------------------------------------


def _chat(life: _Life) -> None:
    city, demo = life.city, life.demo
    room = chat.chapter_room(chapter=city)
    first, second = life.person(city, 0), life.person(city, 5)
    for author, text in [
        (first, "Is anyone going to the weekly meeting tonight?"),
        (demo, "Yes, I'll be there at seven. I'll bring the agenda."),
        (second, "Running late, save me a seat!"),
    ]:
        chat.post_message(room=room, author=author, text=text)
    cafe = Group.objects.filter(chapter=city, name="Repair café").select_related("room").first()
    if cafe is not None and cafe.room is not None:
        chat.post_message(room=cafe.room, author=demo,
                          text="Posters are at the printer, ready on Thursday.")
    other = life.person(city, 6)
    if other.pk != demo.pk:
        talk = conversations.start_conversation(
            author=demo, recipients=[other], subject="Minutes on Tuesday",
            body="Hi! Could you take the minutes at Tuesday's meeting? I am chairing.")
        conversations.post_message(conversation=talk, author=other,
                                   body="Happy to. Send me last week's so I can follow on.")


def _within(model: type, field_name: str = "chapter") -> Callable[[list[Chapter]], bool]:
    def has(chapters: list[Chapter]) -> bool:
        return bool(model._default_manager.filter(  # type: ignore[attr-defined]
            **{f"{field_name}__in": chapters}).exists())
    return has


# The sections in order: a name, whether it has something already, how to write it.
SECTIONS: list[tuple[str, Callable[[list[Chapter]], bool], Callable[[_Life], None]]] = [
    ("announcements", _within(Announcement), _announcements),
    ("events", _within(Event), _events),
    ("blogs", _within(BlogPost, "blog__chapter"), _blogs),
    ("projects", _within(Group), _projects),
    ("resources", lambda chapters: _within(Resource)(chapters) or _within(Lesson)(chapters),
     _resources),
    ("mutualaid", _within(Entry), _mutualaid),
    ("chat", _within(ChatMessage, "room__chapter"), _chat),
]
