import pytest

from chapterhouse.conftest import client_for
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member


@pytest.fixture
def neighbour(db, member) -> Member:
    """A member of another chapter in the same city (London › Islington)."""
    return make_member("Nia Neighbour", city="London", neighbourhood="Islington")


@pytest.fixture
def neighbour_client(neighbour):
    return client_for(neighbour)
