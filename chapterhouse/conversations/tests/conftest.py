import pytest

from .factories import person


@pytest.fixture
def ada(db):
    return person("Ada Lovelace", email="ada@example.org")


@pytest.fixture
def bob(db):
    return person("Bob Brown", email="bob@example.org")


@pytest.fixture
def cy(db):
    return person("Cy Twombly", email="cy@example.org")


@pytest.fixture
def eve(db):
    """Someone who takes part in nothing."""
    return person("Eve Outsider", email="eve@example.org")
