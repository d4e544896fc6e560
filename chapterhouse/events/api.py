"""A chapter's events over the REST API (v1): the same rules and services as the pages.

    GET   /api/v1/events/?chapter=<address>[&from=&to=]  the occurrences the chapter's
                                                       calendar shows, soonest first,
                                                       paginated (?page=)
    POST  /api/v1/events/                             create: chapter, title, starts_at,
                                                       ends_at, time_zone, …
    GET   /api/v1/events/mine/                        your answers to what is ahead
    GET   /api/v1/events/<id>/[?on=<occurrence>]      one event: its rule, its next
                                                       occurrences, one occurrence's
                                                       answers and yours
    PATCH /api/v1/events/<id>/                        change it (any of the create fields)
    POST  /api/v1/events/<id>/cancel/                 cancel it (every occurrence)
    POST  /api/v1/events/<id>/answer/                 answer one occurrence: going, maybe,
                                                       not_going (a full one: the waiting
                                                       list)

A chapter's address is its url_path, `international` for the root. An occurrence is
named by its original start in UTC, `20260107T190000Z` (its `key`). `from` and `to` are
ISO dates or date-times (with their offset); the window is at most UPCOMING_DAYS long
(from now, UPCOMING_DAYS ahead, when absent). A members-only event, or one of a chapter
whose events section the viewer may not see, is a 404 for everyone else. Creating is
for the chapter's facilitators (and its members where the chapter allows it), changing
and cancelling for the event's author and the chapter's facilitators, answering for the
members of the event's chapter (403 otherwise). A refusal (an end before the start, a
rule that does not parse, a past occurrence, unknown fields) is a 400 with its reason;
nothing is stored.
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.chapters import sections
from chapterhouse.chapters.access import access_chapter, url_path_of
from chapterhouse.chapters.api import ChapterRefSerializer
from chapterhouse.chapters.selectors import ChapterChain
from chapterhouse.lib.api_hidden import HiddenAware, HiddenAwareList
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import api_refusal, member_required, person, viewer_of
from chapterhouse.lib.jsonfields import JSONFlag, JSONNumber, JSONText, JSONWhole
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.api import StrictSerializer

from . import recurrence, selectors, services
from .access import access_event
from .models import (
    ADDRESS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    RRULE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Answer,
    Event,
    Rsvp,
)
from .recurrence import Occurrence

TAGS = ["events"]
# What a member may answer (waiting is where a full event puts them).
REPLIES = [(a.value, a.label) for a in (Answer.GOING, Answer.MAYBE, Answer.NOT_GOING)]
SECTION = "events"
# How many of a repeating event's next occurrences one event carries.
NEXT_OCCURRENCES = 20
CHAPTER_HELP = gettext_lazy("The chapter's address: its url_path, `international` for the "
                            "root.")
OCCURRENCE_HELP = gettext_lazy("An occurrence's key: its original start in UTC, such as "
                               "20260107T190000Z. Without it, the next occurrence not yet "
                               "over.")




def _denied_change() -> str:
    return _("Only the event's author and the chapter's facilitators can change it.")


class EventPersonSerializer(serializers.Serializer[Any]):
    """A member: their public id and name."""

    public_id = serializers.UUIDField(read_only=True)
    display_name = serializers.CharField(read_only=True)




def _web_url(event: Event, occurrence: Occurrence | None = None) -> str:
    url = event.get_absolute_url()
    return url + (f"?on={occurrence.key}" if occurrence is not None and event.repeats else "")


class EventRefSerializer(serializers.Serializer[Any]):
    """Enough of an event to show it in a list and open it."""

    public_id = serializers.UUIDField(read_only=True)
    chapter = ChapterRefSerializer(read_only=True)
    title = serializers.CharField(read_only=True)
    time_zone = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    online_url = serializers.CharField(read_only=True)
    is_public = serializers.BooleanField(read_only=True)
    repeats = serializers.BooleanField(read_only=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)


class OccurrenceSerializer(HiddenAware, serializers.Serializer[Any]):
    """One occurrence of an event: when it happens (a moved one where it moved to),
    its title (it may have its own), whether it is cancelled."""

    hidden_fields = ("title", "event.title", "event.address", "event.online_url")

    class Meta:
        list_serializer_class = HiddenAwareList

    def hidden_target(self, obj: Any) -> Any:
        return obj.event

    key = serializers.CharField(read_only=True, help_text=OCCURRENCE_HELP)
    original_start = serializers.DateTimeField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    title = serializers.CharField(read_only=True)
    cancelled = serializers.BooleanField(read_only=True)
    changed = serializers.BooleanField(read_only=True)
    event = EventRefSerializer(read_only=True)
    web_url = serializers.SerializerMethodField()

    def get_web_url(self, occurrence: Occurrence) -> str:
        return _web_url(occurrence.event, occurrence)


class AnswersSerializer(serializers.Serializer[Any]):
    """The answers to one occurrence, and the viewer's own (null: none, or signed out)."""

    going = serializers.IntegerField(read_only=True)
    maybe = serializers.IntegerField(read_only=True)
    not_going = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(read_only=True)
    mine = serializers.ChoiceField(choices=Answer.choices, read_only=True, allow_null=True)
    place_in_line = serializers.IntegerField(read_only=True, allow_null=True, help_text=(
        gettext_lazy("Your place on the waiting list, 1 first; null when not waiting.")))


class OccurrenceAnswersSerializer(serializers.Serializer[Any]):
    occurrence = OccurrenceSerializer(read_only=True)
    answers = AnswersSerializer(read_only=True)
    may_answer = serializers.BooleanField(read_only=True)


class EventSerializer(HiddenAware, serializers.ModelSerializer[Event]):
    """An event, with its rule, its next occurrences, and one occurrence (`?on=`, else
    the next) with its answers."""

    chapter = ChapterRefSerializer(read_only=True)
    author = serializers.SerializerMethodField()
    description_html = serializers.SerializerMethodField(help_text=gettext_lazy(
        "The Markdown rendered and sanitised."))
    remind_hours = serializers.SerializerMethodField()
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)
    next_occurrences = serializers.SerializerMethodField()
    occurrence = serializers.SerializerMethodField()
    may_change = serializers.SerializerMethodField()

    hidden_fields = ('title', 'description', 'description_html', 'address', 'online_url')

    class Meta:
        list_serializer_class = HiddenAwareList
        model = Event
        fields = ["public_id", "chapter", "author", "title", "description",
                  "description_html", "starts_at", "ends_at", "time_zone", "address",
                  "latitude", "longitude", "online_url", "capacity", "recurrence",
                  "is_public", "remind_hours", "cancelled_at", "created_at", "updated_at",
                  "web_url", "next_occurrences", "occurrence", "may_change", "hidden"]
        read_only_fields = fields
        extra_kwargs = {"recurrence": {"help_text": gettext_lazy(
            "The RFC 5545 rule it repeats by (FREQ=WEEKLY;BYDAY=TU), empty for a one-off "
            "event; read in its time zone.")}}

    @extend_schema_field(EventPersonSerializer(allow_null=True))
    def get_author(self, event: Event) -> dict[str, str] | None:
        return person(event.author)

    def get_description_html(self, event: Event) -> str:
        return str(render_markdown(event.description))

    def get_remind_hours(self, event: Event) -> int:
        return int(event.remind_before.total_seconds() // 3600)

    @extend_schema_field(OccurrenceSerializer(many=True))
    def get_next_occurrences(self, event: Event) -> list[dict[str, Any]]:
        found = selectors.next_occurrences(event, timezone.now(), limit=NEXT_OCCURRENCES)
        return list(OccurrenceSerializer(found, many=True, context=self.context).data)

    @extend_schema_field(OccurrenceAnswersSerializer(allow_null=True))
    def get_occurrence(self, event: Event) -> dict[str, Any] | None:
        request = self.context.get("request")
        occurrence = self.context.get("occurrence")
        if request is None or occurrence is None:
            return None
        return _occurrence_answers(request, event, occurrence)

    def get_may_change(self, event: Event) -> bool:
        request = self.context.get("request")
        return request is not None and viewer_of(request).can("events.change_event", event)


def _occurrence_answers(request: Request, event: Event,
                        occurrence: Occurrence) -> dict[str, Any]:
    viewer = viewer_of(request)
    found = selectors.answers_to(event, occurrence.original_start, viewer.active_member,
                                 shown=0)
    return {
        "occurrence": OccurrenceSerializer(occurrence, context={"request": request}).data,
        "answers": {"going": found.going, "maybe": found.maybe,
                    "not_going": found.not_going, "waiting": found.waiting,
                    "mine": found.mine.answer if found.mine is not None else None,
                    "place_in_line": found.place_in_line},
        "may_answer": (viewer.can("events.answer", event) and not occurrence.cancelled
                       and occurrence.ends_at > timezone.now()),
    }


class MyAnswerSerializer(HiddenAware, serializers.ModelSerializer[Rsvp]):
    """One of your answers: the event, the occurrence (its original start) and what
    you answered (waiting: on its waiting list)."""

    event = EventRefSerializer(read_only=True)
    occurrence_key = serializers.SerializerMethodField(help_text=OCCURRENCE_HELP)
    web_url = serializers.SerializerMethodField()
    hidden_fields = ("event.title", "event.address", "event.online_url")

    class Meta:
        model = Rsvp
        list_serializer_class = HiddenAwareList
        fields = ["event", "occurrence", "occurrence_key", "answer", "answered_at", "web_url",
                  "hidden"]
        read_only_fields = fields

    def hidden_target(self, obj: Any) -> Any:
        return obj.event

    def get_occurrence_key(self, rsvp: Rsvp) -> str:
        return recurrence.make_occurrence(rsvp.event, rsvp.occurrence, {}).key

    def get_web_url(self, rsvp: Rsvp) -> str:
        return _web_url(rsvp.event, recurrence.make_occurrence(rsvp.event, rsvp.occurrence, {}))


class _JSONURL(serializers.URLField):
    """A link only as a JSON string."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class _LooseDateTimeField(serializers.DateTimeField):
    """An ISO date-time, kept as given: one without an offset is read in the event's
    time zone (as the page's form reads its wall-clock times)."""

    def enforce_timezone(self, value: datetime) -> datetime:
        return value


class EventFieldsSerializer(StrictSerializer):
    """What an event says (all but `chapter` may be changed)."""

    # Lengths and ranges are the service's to check (one message for each).
    title = JSONText(max_length=TITLE_MAX_LENGTH + 1000)
    description = JSONText(required=False, allow_blank=True, default="",
                                        max_length=DESCRIPTION_MAX_LENGTH + 1000)
    starts_at = _LooseDateTimeField(help_text=gettext_lazy(
        "ISO 8601; without an offset, a time in `time_zone` (or the chapter's)."))
    ends_at = _LooseDateTimeField(help_text=gettext_lazy(
        "ISO 8601; without an offset, a time in `time_zone` (or the chapter's)."))
    time_zone = JSONText(required=False, allow_blank=True, default="",
                                      max_length=64, help_text=gettext_lazy(
                                          "An IANA zone such as Europe/London; empty: "
                                          "the chapter's."))
    address = JSONText(required=False, allow_blank=True, default="",
                                    max_length=ADDRESS_MAX_LENGTH)
    latitude = JSONNumber(required=False, allow_null=True, default=None,
                                      min_value=-90, max_value=90)
    longitude = JSONNumber(required=False, allow_null=True, default=None,
                                       min_value=-180, max_value=180)
    online_url = _JSONURL(required=False, allow_blank=True, default="", max_length=200)
    capacity = JSONWhole(required=False, allow_null=True, default=None,
                                        min_value=0, max_value=services.MAX_CAPACITY)
    recurrence = JSONText(required=False, allow_blank=True, default="",
                                       max_length=RRULE_MAX_LENGTH, help_text=gettext_lazy(
                                           "An RFC 5545 rule such as FREQ=WEEKLY;BYDAY=TU; "
                                           "empty for a one-off event."))
    is_public = JSONFlag(required=False, default=True)
    remind_hours = JSONWhole(required=False, default=24, min_value=0,
                                            max_value=336)


class CreateEventSerializer(EventFieldsSerializer):
    chapter = JSONText(help_text=CHAPTER_HELP)


class CancelSerializer(StrictSerializer):
    """Nothing to say: cancelling cancels every occurrence."""


class AnswerSerializer(StrictSerializer):
    answer = serializers.ChoiceField(choices=REPLIES)
    occurrence = JSONText(required=False, allow_blank=True, default="",
                                       max_length=32, help_text=OCCURRENCE_HELP)


def _in_zone(value: datetime, zone: str) -> datetime:
    """A naive time read in `zone`; left naive (the service refuses it) when the zone is
    not one."""
    if timezone.is_aware(value):
        return value
    try:
        return value.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value


def _fields(data: dict[str, Any], zone: str) -> services.EventFields:
    return services.EventFields(
        title=data["title"], description=data["description"],
        starts_at=_in_zone(data["starts_at"], zone), ends_at=_in_zone(data["ends_at"], zone),
        time_zone=data["time_zone"], address=data["address"], latitude=data["latitude"],
        longitude=data["longitude"], online_url=data["online_url"],
        capacity=data["capacity"], recurrence=data["recurrence"],
        is_public=data["is_public"], remind_before=timedelta(hours=data["remind_hours"]),
    )


def _current(event: Event) -> dict[str, Any]:
    return {
        "title": event.title, "description": event.description,
        "starts_at": event.starts_at, "ends_at": event.ends_at,
        "time_zone": event.time_zone, "address": event.address,
        "latitude": event.latitude, "longitude": event.longitude,
        "online_url": event.online_url, "capacity": event.capacity,
        "recurrence": event.recurrence, "is_public": event.is_public,
        "remind_hours": int(event.remind_before.total_seconds() // 3600),
    }


def _section(request: Request, lookup: str) -> ChapterChain:
    """The chapter at `lookup`, if the viewer may see its events section (404 if it
    has none, 403 if it keeps it to its members, as the page)."""
    found = access_chapter(request, url_path_of(lookup))
    if not sections.shown(found.chapter, SECTION):
        raise Http404(_("%(chapter)s does not have this section.")
                      % {"chapter": found.chapter.display_name()})
    if not sections.may_view(found.chapter, SECTION, belongs=found.viewer_belongs):
        raise PermissionDenied(
            _("Only the members of %(chapter)s see this section: %(section)s.")
            % {"chapter": found.chapter.display_name(),
               "section": sections.section_label(SECTION)})
    return found


def _moment(name: str, value: str, *, end: bool) -> datetime:
    """An ISO date (its start, or for the end its whole day) or an ISO date-time with
    its offset."""
    found: datetime | date | None = None
    try:
        found = parse_date(value) or parse_datetime(value)
    except ValueError:
        found = None
    if found is None or (isinstance(found, datetime) and timezone.is_naive(found)):
        raise ValidationError({name: [_("Give an ISO date (2026-01-07) or a date and time "
                                        "with its offset (2026-01-07T19:00:00+01:00).")]})
    if isinstance(found, datetime):
        return found
    return datetime.combine(found + timedelta(days=1) if end else found, time(), tzinfo=UTC)


def _window(request: Request) -> tuple[datetime, datetime]:
    params = request.query_params
    given_from, given_to = params.get("from"), params.get("to")
    after = _moment("from", given_from, end=False) if given_from else timezone.now()
    before = (_moment("to", given_to, end=True) if given_to
              else after + timedelta(days=selectors.UPCOMING_DAYS))
    if before <= after:
        raise ValidationError({"to": [_("The end of the window must come after its "
                                        "start.")]})
    if before - after > timedelta(days=selectors.UPCOMING_DAYS):
        raise ValidationError({"to": [_("The window is at most %(days)s days long.")
                                      % {"days": selectors.UPCOMING_DAYS}]})
    return after, before


def _occurrence_named(event: Event, key: str | None, *, field: str | None = None
                      ) -> Occurrence:
    """The occurrence `key` names (the next one without it): a 404 for a query
    parameter, a 400 for a field of the body."""
    original = recurrence.parse_key(key) if key else None
    found = None if key and original is None else selectors.occurrence_of(event, original)
    if found is None:
        message = _("There is no such occurrence.")
        if field is not None:
            raise ValidationError({field: [message]})
        raise Http404(message)
    return found


@extend_schema(tags=TAGS)
class EventList(generics.ListAPIView[Any]):
    """The occurrences a chapter's calendar shows (its events, and those of the chapters
    below when it chose so; cancelled ones say so), soonest first, in a window of at
    most a year. POST creates an event (201)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = OccurrenceSerializer

    def get_queryset(self) -> Any:
        lookup = self.request.query_params.get("chapter")
        if not lookup:
            raise ValidationError({"chapter": [_("Give the chapter's address.")]})
        after, before = _window(self.request)
        found = _section(self.request, lookup)
        member = viewer_of(self.request).member
        settings = selectors.settings_of(found.chapter)
        events = selectors.calendar_events(found.chapter, member,
                                           subchapters=settings.shows_subchapter_events)
        return selectors.occurrences_between(events, after, before)

    @extend_schema(parameters=[
        OpenApiParameter("chapter", str, required=True, description=str(CHAPTER_HELP)),
        OpenApiParameter("from", str, description=(
            "The window's start: an ISO date or date-time with its offset; now if absent.")),
        OpenApiParameter("to", str, description=(
            "The window's end (a date: to its end); at most 366 days after `from`.")),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CreateEventSerializer, responses={201: EventSerializer})
    def post(self, request: Request) -> Response:
        author = member_required(request)
        serializer = CreateEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        found = access_chapter(
            request, url_path_of(data["chapter"]), "events.create_event",
            denied=_("Only this chapter's facilitators (and its members, where the chapter "
                     "allows it) can create events."))
        zone = data["time_zone"] or selectors.chapter_zone(found.chapter)
        try:
            event = services.create_event(chapter=found.chapter, author=author,
                                          fields=_fields(data, zone))
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(_event_data(request, event, None), status=status.HTTP_201_CREATED)


def _event_data(request: Request, event: Event, key: str | None) -> Any:
    fresh = selectors.get_event(event.public_id) or event
    occurrence = _occurrence_named(fresh, key)
    return EventSerializer(fresh, context={"request": request, "occurrence": occurrence}).data


@extend_schema(tags=TAGS)
class EventDetail(generics.GenericAPIView[Event]):
    """One event, with its next occurrences and one occurrence's answers (`?on=`, else
    the next); PATCH changes it (its author and its chapter's facilitators): the fields
    given, the others kept."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = EventSerializer

    @extend_schema(parameters=[OpenApiParameter("on", str, description=str(OCCURRENCE_HELP))])
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        event = access_event(request, public_id)
        return Response(_event_data(request, event, request.query_params.get("on")))

    @extend_schema(request=EventFieldsSerializer(partial=True),
                   responses={200: EventSerializer})
    def patch(self, request: Request, public_id: uuid.UUID) -> Response:
        event = access_event(request, public_id, "events.change_event",
                             denied=_denied_change())
        editor = member_required(request)
        serializer = EventFieldsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {**_current(event), **serializer.validated_data}
        try:
            changed = services.update_event(event=event, editor=editor,
                                            fields=_fields(data, data["time_zone"]))
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(_event_data(request, changed, None))


@extend_schema(tags=TAGS)
class EventCancel(generics.GenericAPIView[Event]):
    """Cancel the whole event (every occurrence); those who answered are told. Its
    author and its chapter's facilitators; cancelling twice changes nothing more."""

    permission_classes = [IsAuthenticated]
    serializer_class = CancelSerializer

    @extend_schema(request=CancelSerializer, responses={200: EventSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        event = access_event(request, public_id, "events.change_event",
                             denied=_denied_change())
        CancelSerializer(data=request.data).is_valid(raise_exception=True)
        try:
            services.cancel_event(event=event, actor=member_required(request))
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(_event_data(request, event, None))


@extend_schema(tags=TAGS)
class EventAnswer(generics.GenericAPIView[Event]):
    """Answer one occurrence (the next without `occurrence`): going, maybe or not going.
    Going to a full one puts you on its waiting list (`mine` says `waiting`); leaving
    lets the first in line in. The members of the event's chapter."""

    permission_classes = [IsAuthenticated]
    serializer_class = AnswerSerializer

    @extend_schema(request=AnswerSerializer, responses={200: OccurrenceAnswersSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        event = access_event(request, public_id, "events.answer",
                             denied=_("Only members of this event's chapter can answer it."))
        member = member_required(request)
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        occurrence = _occurrence_named(event, data["occurrence"] or None, field="occurrence")
        try:
            services.answer(event=event, occurrence=occurrence.original_start,
                            member=member, answer=data["answer"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(_occurrence_answers(request, event, occurrence))


@extend_schema(tags=TAGS)
class MyEvents(generics.ListAPIView[Rsvp]):
    """Your answers (going, maybe, waiting) to occurrences not yet over, soonest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyAnswerSerializer

    def get_queryset(self) -> Any:
        return selectors.my_answers(member_required(self.request))


urlpatterns = [
    path("events/", EventList.as_view(), name="event-list"),
    path("events/mine/", MyEvents.as_view(), name="event-mine"),
    path("events/<uuid:public_id>/", EventDetail.as_view(), name="event-detail"),
    path("events/<uuid:public_id>/cancel/", EventCancel.as_view(), name="event-cancel"),
    path("events/<uuid:public_id>/answer/", EventAnswer.as_view(), name="event-answer"),
]
