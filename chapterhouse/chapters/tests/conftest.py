import pytest

from chapterhouse.conftest import client_for
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member


@pytest.fixture
def staff(db) -> Member:
    return make_member("Sam Staff", city="Leeds", is_staff=True)


@pytest.fixture
def staff_client(staff):
    return client_for(staff)


@pytest.fixture
def sub_facilitator(db, member) -> Member:
    """A facilitator of Hackney (a sub-chapter of London), for London's matrix."""
    from chapterhouse.chapters.models import ChapterRole
    from chapterhouse.chapters.services import grant_role

    person = make_member("Sid Subfacilitator", city="London", neighbourhood="Hackney")
    grant_role(chapter=person.home_chapter, member=person, source=ChapterRole.Source.ADMIN)
    return person


@pytest.fixture
def sub_facilitator_client(sub_facilitator):
    return client_for(sub_facilitator)
