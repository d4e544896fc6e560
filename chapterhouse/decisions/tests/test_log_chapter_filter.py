"""The decision log's chapter filter takes a chapter's name (#15 item 14): in any
shipped language, with its parents to tell places apart, or its address as old links
give it. A name of several chapters lists them ("Which London?"); a name of none is
an error, and neither ever shows every chapter's decisions as if filtered."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.services import refresh_place_names
from chapterhouse.decisions.tests.factories import chapter
from chapterhouse.decisions.tests.test_views_pages import decided
from chapterhouse.members.tests.factories import make_member
from chapterhouse.places.models import Place, PlaceKind, ascii_fold, sort_names_of
from chapterhouse.places.services import alt_names_field

pytestmark = pytest.mark.django_db

URL = "/decisions/"
ONTARIO, CANADA = ("CA-ON", "Ontario"), ("CA", "Canada")
LONDON_NAMES = {"es": "Londres", "fr": "Londres", "ar": "لندن"}
UK_NAMES = {"es": "Reino Unido", "ar": "المملكة المتحدة"}


def name_place(place, names):
    """Gives `place` names in other languages, stored as load_places stores them."""
    place.names, place.sort_names = names, sort_names_of(names)
    place.alt_names = alt_names_field(names.values(), ascii_fold(place.name))
    place.save()


@pytest.fixture
def log(member, neighbour):
    """Decisions of London › Hackney (Ada), London › Islington (Nia) and of London,
    Ontario (Olu); London and the United Kingdom named in Spanish, French and Arabic."""
    hackney = decided(member, title="Hackney trees")
    islington = decided(neighbour, title="Islington bins")
    ontario = make_member("Olu Ontario", city="London", region=ONTARIO, country=CANADA)
    canada = decided(ontario, title="Ontario library", chapter=chapter("ca/on/london"))
    name_place(Place.objects.get(kind=PlaceKind.CITY, name="London", country_code="GB"),
               LONDON_NAMES)
    name_place(Place.objects.get(kind=PlaceKind.COUNTRY, code="GB"), UK_NAMES)
    refresh_place_names()
    return {"hackney": hackney, "islington": islington, "ontario": canada}


def get(client, language="en", **params):
    return client.get(URL, params, HTTP_ACCEPT_LANGUAGE=language)


def titles(response):
    return {d.title for d in response.context["page_obj"]}


def test_a_unique_name_filters_by_its_chapter(client, log):
    response = get(client, chapter="hackney")
    assert response.status_code == 200
    assert titles(response) == {"Hackney trees"}
    html = response.content.decode()
    # The field shows the chapter found, with its parents.
    assert 'value="Hackney, London, England, United Kingdom"' in html
    assert "Decisions of Hackney, London, England, United Kingdom" in html


def test_the_name_with_its_parents_as_suggested_finds_it_again(client, log):
    response = get(client, chapter="Hackney, London, England, United Kingdom")
    assert titles(response) == {"Hackney trees"}
    assert titles(get(client, chapter="London, Ontario", subchapters="on")) == {
        "Ontario library"}
    # Levels may be left out, and parents named in another language.
    assert titles(get(client, chapter="london, reino unido", subchapters="on")) == {
        "Hackney trees", "Islington bins"}


def test_a_name_of_several_chapters_lists_them_and_shows_no_decisions(client, log):
    response = get(client, chapter="London", outcome="passed")
    assert response.status_code == 400
    assert titles(response) == set()
    html = response.content.decode()
    assert "Which “London”?" in html
    assert "Several chapters are called “London”: choose one." in html
    # Each choice keeps the other filters and names the chapter by its address.
    assert 'href="?chapter=gb%2Feng%2Flondon&amp;outcome=passed"' in html
    assert 'href="?chapter=ca%2Fon%2Flondon&amp;outcome=passed"' in html
    assert "London, England, United Kingdom" in html and "London, Ontario, Canada" in html
    assert response.context["chapter_choices"][0][0] == "London, England, United Kingdom"
    assert "Hackney trees" not in html and "Export the decisions shown" not in html


def test_a_choice_from_the_list_filters_by_that_chapter(client, log):
    response = get(client, chapter="gb/eng/london", outcome="passed", subchapters="on")
    assert response.status_code == 200
    assert titles(response) == {"Hackney trees", "Islington bins"}
    assert 'value="London, England, United Kingdom"' in response.content.decode()


def test_an_unknown_name_is_an_error_not_every_decision(client, log):
    response = get(client, chapter="Londn")
    assert response.status_code == 400
    assert titles(response) == set()
    html = response.content.decode()
    assert "No chapter is named “Londn”." in html
    for title in ("Hackney trees", "Islington bins", "Ontario library"):
        assert title not in html
    assert 'value="Londn"' in html  # what was typed stays, to be corrected


def test_an_unknown_address_is_an_error(client, log):
    response = get(client, chapter="xx/nowhere")
    assert response.status_code == 400
    assert "There is no chapter at the address “xx/nowhere”." in response.content.decode()
    assert titles(response) == set()


@pytest.mark.parametrize("address", ["gb/eng/london/hackney", "/c/gb/eng/london/hackney/",
                                     "GB/ENG/London/Hackney"])
def test_an_address_still_works_as_old_links_give_it(client, log, address):
    assert titles(get(client, chapter=address)) == {"Hackney trees"}


def test_a_country_address_and_international_still_work(client, log):
    assert titles(get(client, chapter="ca", subchapters="on")) == {"Ontario library"}
    assert titles(get(client, chapter="international", subchapters="on")) == {
        "Hackney trees", "Islington bins", "Ontario library"}
    assert titles(get(client, chapter="international")) == set()


def test_and_below_keeps_its_meaning_with_a_name(client, log):
    assert titles(get(client, chapter="Islington")) == {"Islington bins"}
    assert titles(get(client, chapter="London, England")) == set()
    assert titles(get(client, chapter="London, England", subchapters="on")) == {
        "Hackney trees", "Islington bins"}
    assert "and its sub-chapters" in get(
        client, chapter="London, England", subchapters="on").content.decode()


@pytest.mark.parametrize(("language", "typed", "shown"), [
    ("es", "Londres, Reino Unido", "Londres, England, Reino Unido"),
    ("es", "londres, england", "Londres, England, Reino Unido"),
    ("ar", "لندن، المملكة المتحدة", "لندن, England, المملكة المتحدة"),  # the Arabic comma
    ("en", "Londres, United Kingdom", "London, England, United Kingdom"),
])
def test_a_name_in_another_language_works(client, log, language, typed, shown):
    response = get(client, language, chapter=typed, subchapters="on")
    assert response.status_code == 200, response.content.decode()[:500]
    assert titles(response) == {"Hackney trees", "Islington bins"}
    assert f'value="{shown}"' in response.content.decode()


def test_a_spanish_name_of_several_chapters_lists_them_in_spanish(client, log):
    Place.objects.filter(kind=PlaceKind.CITY, country_code="CA").update(
        names={"es": "Londres"}, sort_names={"es": "londres"})
    refresh_place_names()
    response = get(client, "es", chapter="Londres")
    assert response.status_code == 400
    html = response.content.decode()
    assert "¿Cuál «Londres»?" in html
    assert "Londres, England, Reino Unido" in html and "Londres, Ontario, Canada" in html


def test_the_chosen_suggestions_address_picks_exactly_its_chapter(client, log):
    # Two chapters with the same name and parents cannot be told apart by name; the
    # hidden address the autocomplete fills can.
    response = get(client, chapter="London", chapter_path="ca/on/london")
    assert response.status_code == 200
    assert titles(response) == {"Ontario library"}
    # The page never writes the address back: a name typed later is not overruled.
    assert 'name="chapter_path" id="id_chapter_path" value=""' in response.content.decode()
    # An address that names no chapter is ignored: the name decides (here: ambiguous).
    assert get(client, chapter="London", chapter_path="zz/none").status_code == 400
    # An empty field is no filter, whatever the hidden address says.
    assert len(titles(get(client, chapter="", chapter_path="ca/on/london"))) == 3


def test_htmx_gets_the_choices_and_the_fields_errors_with_the_results(client, log):
    response = client.get(URL, {"chapter": "London"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only successful answers
    assert titles(response) == set()
    html = response.content.decode()
    assert html.startswith('<div id="decision-results"')
    assert "Which “London”?" in html
    assert '<div id="chapter-errors" hx-swap-oob="true">' in html


def test_the_export_refuses_a_name_of_several_chapters(client, log):
    response = client.get("/decisions/export.json", {"chapter": "London"})
    assert response.status_code == 400
    assert "Several chapters" in response.content.decode()
    response = client.get("/decisions/export.csv", {"chapter": "Hackney"})
    assert response.status_code == 200
    assert b"Hackney trees" in b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
def test_anyone_may_filter_and_filtering_changes_nothing(request, log, persona):
    client = request.getfixturevalue(persona)
    chapters = Chapter.objects.count()
    response = get(client, chapter="Hackney")
    assert titles(response) == {"Hackney trees"}
    assert Chapter.objects.count() == chapters


def test_the_filter_rejects_posts(client, log):
    assert client.post(URL, {"chapter": "Hackney"}).status_code == 405


def count_queries(client, **params):
    get(client, **params)
    with CaptureQueriesContext(connection) as ctx:
        get(client, **params)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [
    {"chapter": "London, England", "subchapters": "on"},
    {"chapter": "London"},  # the choices
    {"chapter": "gb/eng/london", "subchapters": "on"},
])
def test_the_filter_costs_the_same_queries_at_any_size(client, log, member, neighbour, params):
    few = count_queries(client, **params)
    for n in range(4):
        decided(member if n % 2 else neighbour, title=f"More {n}")
        make_member(f"Lon {n}", city="London", region=(f"US-X{n}", f"State {n}"),
                    country=("US", "United States"))
    assert count_queries(client, **params) == few
