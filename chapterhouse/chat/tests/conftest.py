import pytest

from chapterhouse.chat import services
from chapterhouse.chat.models import Room
from chapterhouse.conftest import client_for
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member


@pytest.fixture
def camden(db) -> Member:
    """A member of London (Camden) but not of Hackney."""
    return make_member("Cam Camden", city="London", neighbourhood="Camden")


@pytest.fixture
def camden_client(camden):
    return client_for(camden)


@pytest.fixture
def hackney_room(member) -> Room:
    """Hackney's own room."""
    return services.chapter_room(chapter=member.home_chapter)


@pytest.fixture
def public_room(member) -> Room:
    """A public room in Hackney made by the member."""
    return services.create_room(chapter=member.home_chapter, creator=member,
                                name="Garden group", description="Seeds and soil")


@pytest.fixture
def private_room(member) -> Room:
    """An invite-only room in Hackney made by the member."""
    return services.create_room(chapter=member.home_chapter, creator=member,
                                name="Treasurers", access=Room.Access.INVITE)
