"""A chapter's events: its calendar, one event with its answers and comments, the
create and edit forms, the settings, a member's own events, the feeds and the map's
data. Plain forms (POST-redirect-GET): everything works without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse.chapters.access import access_chapter
from chapterhouse.chapters.navigation import section_context
from chapterhouse.lib.interface import form_action, member_required, submit_form, viewer_of

from . import recurrence, selectors, services
from .access import access_event
from .forms import AgendaItemForm, EventForm, MeetingVoteForm, MinutesForm, SettingsForm
from .models import AgendaItem, Answer, Event
from .recurrence import Occurrence


def _differs(reader: ZoneInfo, zone: tzinfo, moment: datetime) -> bool:
    """Whether the reader's clock shows another time than the event's at that moment
    (UTC and London in winter show the same: no second line)."""
    return bool(moment.astimezone(reader).utcoffset() != moment.astimezone(zone).utcoffset())


def _reader_zone(request: HttpRequest) -> ZoneInfo | None:
    """The reader's zone: their home chapter's (as an event's default), or None for a
    visitor (who sees the event's own zone)."""
    member = viewer_of(request).member
    if member is None:
        return None
    return ZoneInfo(viewer_of(request).recall(
        ("events_zone", member.home_chapter_id),
        lambda: selectors.chapter_zone(member.home_chapter)))


def _rows(occurrences: list[Occurrence], reader: ZoneInfo | None) -> list[dict[str, Any]]:
    return [{
        "occurrence": o, "event": o.event,
        "starts": o.starts_at.astimezone(reader or o.event.zone),
        "ends": o.ends_at.astimezone(reader or o.event.zone),
        "zone": str(reader or o.event.zone),
        "url": o.event.get_absolute_url() + (f"?on={o.key}" if o.event.repeats else ""),
    } for o in occurrences]


@require_safe
def chapter_events(request: HttpRequest, url_path: str) -> HttpResponse:
    """The chapter's calendar: upcoming occurrences (or past ones with ?past=1)."""
    context = section_context(request, url_path, "events")
    chapter = context["chapter"]
    member = viewer_of(request).member
    settings = selectors.settings_of(chapter)
    events = selectors.calendar_events(chapter, member,
                                       subchapters=settings.shows_subchapter_events)
    showing_past = request.GET.get("past") == "1"
    found = selectors.past(events) if showing_past else selectors.upcoming(events)
    viewer = viewer_of(request)
    context.update({
        "rows": _rows(found, _reader_zone(request)),
        "showing_past": showing_past,
        "settings": settings,
        "may_create": viewer.can("events.create_event", chapter),
        "may_set": viewer.can("events.set_settings", chapter),
        "feed_url": reverse("events:chapter_feed", kwargs={"url_path": chapter.url_path}),
    })
    return render(request, "events/chapter.html", context)


def _form_page(request: HttpRequest, context: dict[str, Any], form: EventForm,
               status: int) -> HttpResponse:
    context["form"] = form
    return render(request, "events/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, url_path: str) -> HttpResponse:
    found = access_chapter(
        request, url_path, "events.create_event",
        denied=_("Only this chapter's facilitators (and its members, where the chapter "
                 "allows it) can create events."))
    chapter = found.chapter
    author = member_required(request)
    context = section_context(request, url_path, "events")
    if request.method == "POST":
        form = EventForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.create_event(chapter=chapter, author=author,
                                          fields=form.fields_value()),
            success=_("The event is created; the chapter's members are told."),
            then=lambda event: event.get_absolute_url(),
        )
        return done or _form_page(request, context, form, 400)
    form = EventForm(initial={"time_zone": selectors.chapter_zone(chapter), "is_public": True,
                              "remind_hours": 24})
    return _form_page(request, context, form, 200)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    event = access_event(request, public_id, "events.change_event",
                         denied=_("Only the event's author and the chapter's facilitators "
                                  "can change it."))
    editor = member_required(request)
    context = section_context(request, event.chapter.url_path, "events")
    context["event"] = event
    if request.method == "POST":
        form = EventForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.update_event(event=event, editor=editor,
                                          fields=form.fields_value()),
            success=_("The event is changed; those who answered are told."),
            then=event.get_absolute_url(),
        )
        return done or _form_page(request, context, form, 400)
    return _form_page(request, context, EventForm(initial=EventForm.initial_for(event)), 200)


def _occurrence_from(request: HttpRequest, event: Event, value: str | None) -> Occurrence:
    original = recurrence.parse_key(value) if value else None
    if value and original is None:
        raise Http404(_("There is no such occurrence."))
    occurrence = selectors.occurrence_of(event, original)
    if occurrence is None:
        raise Http404(_("There is no such occurrence."))
    return occurrence


@require_safe
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    event = access_event(request, public_id)
    occurrence = _occurrence_from(request, event, request.GET.get("on"))
    context = section_context(request, event.chapter.url_path, "events")
    viewer = viewer_of(request)
    member = viewer.active_member
    reader = _reader_zone(request)
    now = timezone.now()
    context.update({
        "event": event,
        "occurrence": occurrence,
        "in_event_zone": {"starts": occurrence.starts_at.astimezone(event.zone),
                          "ends": occurrence.ends_at.astimezone(event.zone)},
        "in_reader_zone": ({"starts": occurrence.starts_at.astimezone(reader),
                            "ends": occurrence.ends_at.astimezone(reader), "zone": str(reader)}
                           if reader is not None
                           and _differs(reader, event.zone, occurrence.starts_at) else None),
        "answers": selectors.answers_to(event, occurrence.original_start, member),
        "may_answer": (viewer.can("events.answer", event) and not occurrence.cancelled
                       and occurrence.ends_at > now),
        "may_change": viewer.can("events.change_event", event),
        "is_over": occurrence.ends_at <= now,
        "next_ones": (_rows(selectors.next_occurrences(event, now), reader)
                      if event.repeats else []),
        "repeats": (recurrence.describe(event.recurrence, event.starts_at.astimezone(event.zone))
                    if event.repeats else ""),
        "answer_choices": [(a.value, a.label) for a in (Answer.GOING, Answer.MAYBE,
                                                          Answer.NOT_GOING)],
    })
    from chapterhouse.discussions.selectors import thread_about

    context["thread"] = thread_about(event, kind="comments")
    minutes = selectors.minutes_of(event)
    context.update({
        "agenda": selectors.agenda_of(event),
        "minutes": minutes,
        "meeting_decisions": selectors.meeting_decisions(event),
        "may_edit_meeting": viewer.can("events.edit_meeting", event),
        "started": event.starts_at <= now,
    })
    return render(request, "events/detail.html", context)


@login_required
@require_POST
def answer(request: HttpRequest, public_id: str) -> HttpResponse:
    event = access_event(request, public_id, "events.answer",
                         denied=_("Only members of this event's chapter can answer it."))
    occurrence = _occurrence_from(request, event, request.POST.get("on"))
    member = member_required(request)
    choice = request.POST.get("answer", "")
    then = event.get_absolute_url() + (f"?on={occurrence.key}" if event.repeats else "")
    return form_action(
        request,
        lambda: services.answer(event=event, occurrence=occurrence.original_start,
                                member=member, answer=choice),
        success=_("Your answer is saved."), then=then)


@login_required
@require_POST
def cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    event = access_event(request, public_id, "events.change_event",
                         denied=_("Only the event's author and the chapter's facilitators "
                                  "can change it."))
    actor = member_required(request)
    return form_action(request, lambda: services.cancel_event(event=event, actor=actor),
                       success=_("The event is cancelled; those who answered are told."),
                       then=event.get_absolute_url())


@login_required
@require_POST
def cancel_occurrence(request: HttpRequest, public_id: str) -> HttpResponse:
    event = access_event(request, public_id, "events.change_event",
                         denied=_("Only the event's author and the chapter's facilitators "
                                  "can change it."))
    occurrence = _occurrence_from(request, event, request.POST.get("on"))
    actor = member_required(request)
    restore = request.POST.get("restore") == "1"
    return form_action(
        request,
        lambda: services.change_occurrence(event=event, actor=actor,
                                           original_start=occurrence.original_start,
                                           cancelled=not restore),
        success=_("This date is restored.") if restore else _("This date is cancelled."),
        then=event.get_absolute_url() + f"?on={occurrence.key}")


@login_required
@require_http_methods(["GET", "POST"])
def chapter_settings(request: HttpRequest, url_path: str) -> HttpResponse:
    found = access_chapter(request, url_path, "events.set_settings",
                           denied=_("Only this chapter's facilitators can change this."))
    chapter = found.chapter
    actor = member_required(request)
    current = selectors.settings_of(chapter)
    context = section_context(request, url_path, "events")
    if request.method == "POST":
        form = SettingsForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.set_settings(
                chapter=chapter, actor=actor,
                members_may_create=form.cleaned_data["members_may_create"],
                shows_subchapter_events=form.cleaned_data["shows_subchapter_events"]),
            success=_("The chapter's event settings are saved."),
            then=reverse("events:chapter", kwargs={"url_path": chapter.url_path}))
        if done is not None:
            return done
        status = 400
    else:
        form = SettingsForm(initial={
            "members_may_create": current.members_may_create,
            "shows_subchapter_events": current.shows_subchapter_events})
        status = 200
    context["form"] = form
    return render(request, "events/settings.html", context, status=status)


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    member = member_required(request)
    reader = _reader_zone(request)
    rows = []
    for rsvp in selectors.my_answers(member):
        zone = reader or rsvp.event.zone
        rows.append({"rsvp": rsvp, "event": rsvp.event,
                     "starts": rsvp.occurrence.astimezone(zone), "zone": str(zone),
                     "url": rsvp.event.get_absolute_url()
                     + (f"?on={recurrence.make_occurrence(rsvp.event, rsvp.occurrence, {}).key}"
                        if rsvp.event.repeats else "")})
    token = services.calendar_token_of(member=member)
    return render(request, "events/mine.html", {
        "rows": rows,
        "feed_url": request.build_absolute_uri(
            reverse("events:member_feed", kwargs={"token": token.token})),
    })


@login_required
@require_POST
def reset_feed(request: HttpRequest) -> HttpResponse:
    member = member_required(request)
    return form_action(request, lambda: services.reset_calendar_token(member=member),
                       success=_("Your calendar has a new address; the old one no longer "
                                 "works."),
                       then=reverse("events:mine"))


def _ics(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


@require_safe
def chapter_feed(request: HttpRequest, url_path: str) -> HttpResponse:
    """The chapter's public events as iCalendar (a stable address: subscribe to it)."""
    from . import feeds  # icalendar, 2 MB: loaded by the first feed, not by every page

    found = access_chapter(request, url_path)
    chapter = found.chapter
    settings = selectors.settings_of(chapter)
    events = selectors.calendar_events(chapter, None,
                                       subchapters=settings.shows_subchapter_events)
    return _ics(feeds.chapter_feed(chapter.display_name(),
                                   events.order_by("starts_at", "pk")[:1000]),
                "events")


@require_safe
def member_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's "my events" (going or maybe) at their private address; 404 for any
    other token (a reset one too)."""
    from . import feeds  # as chapter_feed

    member = selectors.member_for_token(token)
    if member is None:
        raise Http404(_("There is no such calendar."))
    return _ics(feeds.member_feed(_("My events"), selectors.feed_answers(member)),
                "my-events")


@require_safe
def map_data(request: HttpRequest) -> JsonResponse:
    """Upcoming public events with a point, as GeoJSON, for the map."""
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point",
                     "coordinates": [o.event.longitude, o.event.latitude]},
        "properties": {
            "title": o.title, "chapter": o.event.chapter.display_name(),
            "starts_at": o.starts_at.astimezone(UTC).isoformat(),
            "ends_at": o.ends_at.astimezone(UTC).isoformat(),
            "time_zone": o.event.time_zone,
            "url": o.event.get_absolute_url() + (f"?on={o.key}" if o.event.repeats else ""),
        },
    } for o in selectors.map_events()]
    return JsonResponse({"type": "FeatureCollection", "features": features},
                        content_type="application/geo+json")



# -- Meetings: the agenda, the minutes and the votes taken there ---------------------------

_MEETING_DENIED = _("Only the event's author and the chapter's facilitators can change its "
                    "agenda and minutes.")


def _meeting_page(request: HttpRequest, event: Event, template: str,
                  status: int = 200, **extra: Any) -> HttpResponse:
    context = section_context(request, event.chapter.url_path, "events")
    context.update({"event": event, "agenda": selectors.agenda_of(event), **extra})
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def agenda(request: HttpRequest, public_id: str) -> HttpResponse:
    """The agenda editor: the items in order (move up or down, remove) and a form to add."""
    event = access_event(request, public_id, "events.edit_meeting", denied=_MEETING_DENIED)
    actor = member_required(request)
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST":
        done = submit_form(
            request, form,
            lambda: services.add_agenda_item(event=event, actor=actor, **form.cleaned_data),
            success=_("The item is on the agenda."),
            then=reverse("events:agenda", kwargs={"public_id": event.public_id}))
        if done is not None:
            return done
        return _meeting_page(request, event, "events/agenda.html", 400, form=form)
    return _meeting_page(request, event, "events/agenda.html", form=form)


def _agenda_item(event: Event, position: int) -> AgendaItem:
    item = selectors.agenda_item(event, position)
    if item is None:
        raise Http404(_("There is no such agenda item."))
    return item


@login_required
@require_POST
def agenda_item(request: HttpRequest, public_id: str, position: int) -> HttpResponse:
    """Move an item up or down (`move` = "up" | "down") or remove it (`remove`)."""
    event = access_event(request, public_id, "events.edit_meeting", denied=_MEETING_DENIED)
    actor = member_required(request)
    item = _agenda_item(event, position)
    then = reverse("events:agenda", kwargs={"public_id": event.public_id})
    if request.POST.get("remove"):
        return form_action(request, lambda: services.remove_agenda_item(item=item, actor=actor),
                           success=_("The item is off the agenda."), then=then)
    up = request.POST.get("move") == "up"
    return form_action(request,
                       lambda: services.move_agenda_item(item=item, actor=actor, up=up),
                       success=_("The agenda is reordered."), then=then)


def _minutes_context(event: Event, **forms_given: Any) -> dict[str, Any]:
    minutes = selectors.minutes_of(event)
    rules = selectors.meeting_vote_rules(event.chapter)
    return {
        "minutes": minutes,
        "minutes_form": forms_given.get("minutes_form")
        or MinutesForm(initial={"text": minutes.text} if minutes else None),
        "vote_form": forms_given.get("vote_form") or MeetingVoteForm(rules=rules),
        "vote_rules": rules,
        "decisions": selectors.meeting_decisions(event),
        "started": event.starts_at <= timezone.now(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, public_id: str) -> HttpResponse:
    """Write the minutes (once the event has started), and the form to enter a vote."""
    event = access_event(request, public_id, "events.edit_meeting", denied=_MEETING_DENIED)
    author = member_required(request)
    may_record = viewer_of(request).can("events.record_meeting_vote", event)
    if request.method == "POST":
        form = MinutesForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.write_minutes(event=event, author=author,
                                           text=form.cleaned_data["text"]),
            success=_("The minutes are saved."),
            then=event.get_absolute_url() + "#minutes")
        if done is not None:
            return done
        return _meeting_page(request, event, "events/minutes.html", 400,
                             may_record=may_record, **_minutes_context(event, minutes_form=form))
    return _meeting_page(request, event, "events/minutes.html", may_record=may_record,
                         **_minutes_context(event))


@login_required
@require_POST
def meeting_vote(request: HttpRequest, public_id: str) -> HttpResponse:
    """Enter a vote taken at the event; it becomes a decision record (decisions app)."""
    event = access_event(
        request, public_id, "events.record_meeting_vote",
        denied=_("Only the chapter's facilitators can enter a vote taken at a meeting."))
    recorder = member_required(request)
    form = MeetingVoteForm(request.POST, rules=selectors.meeting_vote_rules(event.chapter))
    done = submit_form(
        request, form,
        lambda: services.record_vote(event=event, recorder=recorder, **form.cleaned_data),
        success=_("The vote is in the public record of decisions."),
        then=event.get_absolute_url() + "#minutes")
    if done is not None:
        return done
    return _meeting_page(request, event, "events/minutes.html", 400, may_record=True,
                         **_minutes_context(event, vote_form=form))
