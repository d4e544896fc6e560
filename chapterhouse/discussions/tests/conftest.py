import pytest

from chapterhouse.conftest import client_for
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member

from .factories import make_thread


@pytest.fixture
def thread(member):
    """A forum thread in Hackney started by the member."""
    return make_thread(member)


@pytest.fixture
def staff(db) -> Member:
    return make_member("Sam Staff", city="Leeds", is_staff=True)


@pytest.fixture
def staff_client(staff):
    return client_for(staff)
