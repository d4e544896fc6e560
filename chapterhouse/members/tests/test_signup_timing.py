"""Signing up with an email that already has an account costs what a new sign-up
costs: the password is hashed on both paths, so the answer's timing does not tell
whether the address is registered (issue #13, item 16)."""

import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from chapterhouse.members.models import User
from chapterhouse.members.tests.factories import make_user

SIGNUP = "/accounts/signup/"


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"
    encoded = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.encoded += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.encoded = 0
    return CountingHasher


def _signup(data: dict[str, str], email: str) -> None:
    response = Client().post(SIGNUP, {**data, "email": email})
    assert response.status_code == 302


@pytest.mark.django_db
def test_both_paths_hash_the_password_once(signup_data, counting_hasher):
    make_user(email="known@example.org")
    counting_hasher.encoded = 0
    _signup(signup_data, "new@example.org")
    new_path = counting_hasher.encoded
    counting_hasher.encoded = 0
    _signup(signup_data, "known@example.org")
    known_path = counting_hasher.encoded
    assert new_path == known_path == 1
    assert User.objects.filter(email="known@example.org").count() == 1


@pytest.mark.django_db
def test_both_paths_take_about_as_long_with_the_real_hasher(signup_data, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    make_user(email="known@example.org")

    def fastest(emails: list[str]) -> float:
        timings = []
        for email in emails:
            started = time.perf_counter()
            _signup(signup_data, email)
            timings.append(time.perf_counter() - started)
        return min(timings)

    new = fastest([f"new{n}@example.org" for n in range(5)])
    known = fastest(["known@example.org"] * 5)
    # Before: 17–27 ms against 258–314 ms (a tenth). The hash dominates both now; the
    # margin leaves room for a machine loaded by other work (0.59 seen under load 10).
    assert known > 0.4 * new, (known, new)
