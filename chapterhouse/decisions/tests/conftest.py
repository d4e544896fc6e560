import pytest

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.conftest import client_for
from chapterhouse.decisions.tests.factories import chapter
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member


@pytest.fixture
def neighbour(db, member) -> Member:
    """A member of another chapter in the same city (London › Islington)."""
    return make_member("Nia Neighbour", city="London", neighbourhood="Islington")


@pytest.fixture
def neighbour_client(neighbour):
    return client_for(neighbour)


@pytest.fixture
def author(db) -> Member:
    """The author of the objections' and weights vote's proposals (London › Hackney)."""
    return make_member("Alan Author", city="London", neighbourhood="Hackney")


@pytest.fixture
def parent_facilitator(db) -> Member:
    """A facilitator of England, the parent chapter of London."""
    other = make_member("Lou London", city="London")
    grant_role(chapter=chapter("gb/eng"), member=other, source=ChapterRole.Source.ADMIN)
    return other
