"""Small gazetteer entries for tests that do not need the shipped data."""

import factory
from django.utils.text import slugify

from chapterhouse.places.models import Place, PlaceKind


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ("kind", "code")

    kind = PlaceKind.COUNTRY
    code = "GB"
    name = "United Kingdom"
    ascii_name = factory.LazyAttribute(lambda o: slugify(o.name).replace("-", " "))
    names = factory.LazyAttribute(lambda o: {"es": f"{o.name} (es)"})
    country_code = factory.LazyAttribute(lambda o: o.code)
    latitude = 54.0
    longitude = -2.0


class RegionFactory(CountryFactory):
    kind = PlaceKind.REGION
    code = "GB-ENG"
    name = "England"
    parent = factory.SubFactory(CountryFactory)
    country_code = factory.LazyAttribute(lambda o: o.code[:2])
    latitude = 52.0
    longitude = -1.0


class CityFactory(CountryFactory):
    kind = PlaceKind.CITY
    code = factory.Sequence(lambda n: f"city-{n}")
    name = "London"
    parent = factory.SubFactory(RegionFactory)
    country_code = factory.LazyAttribute(lambda o: o.parent.country_code)
    latitude = 51.5
    longitude = -0.12
    population = 8_000_000
    timezone = "Europe/London"


def make_city(
    name: str = "London",
    region: tuple[str, str] = ("GB-ENG", "England"),
    country: tuple[str, str] = ("GB", "United Kingdom"),
    **fields: object,
) -> Place:
    """A city in a region in a country, reusing places that already exist."""
    country_place = CountryFactory(code=country[0], name=country[1])
    region_place = RegionFactory(code=region[0], name=region[1], parent=country_place)
    existing = Place.objects.filter(kind=PlaceKind.CITY, parent=region_place, name=name).first()
    if existing:
        return existing
    return CityFactory(name=name, parent=region_place, **fields)
