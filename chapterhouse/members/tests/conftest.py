"""Fixtures for the members app's tests: a small gazetteer and signup data."""

import pytest

from chapterhouse.places.models import Place
from chapterhouse.places.tests.factories import make_city


@pytest.fixture
def gazetteer(db) -> dict[str, Place]:
    """A few cities in two regions of the UK, one in France, one in a country without regions."""
    london = make_city("London", population=8_000_000)
    london.names = {"es": "Londres"}
    london.save(update_fields=["names"])
    england = london.parent
    assert england is not None
    england.names = {"es": "Inglaterra"}
    england.save(update_fields=["names"])
    uk = england.parent
    assert uk is not None
    uk.names = {"es": "Reino Unido"}
    uk.save(update_fields=["names"])
    return {
        "london": london,
        "england": england,
        "uk": uk,
        "manchester": make_city("Manchester", population=500_000),
        "edinburgh": make_city("Edinburgh", region=("GB-SCT", "Scotland")),
        "lyon": make_city("Lyon", region=("FR-ARA", "Auvergne-Rhône-Alpes"),
                          country=("FR", "France")),
        "monaco": make_city("Monaco", region=None, country=("MC", "Monaco")),
    }


@pytest.fixture
def signup_data(gazetteer) -> dict[str, str]:
    return {
        "display_name": "Nia Newcomer",
        "email": "nia@example.org",
        "password1": "a long and unusual passphrase 42",
        "password2": "a long and unusual passphrase 42",
        "country": "GB",
        "region": "GB-ENG",
        "city": "London",
        "city_code": "",
        "neighbourhood": "Hackney",
    }
