"""The app server refuses to start with a guessable SECRET_KEY outside debug.

With a known key anyone can forge sessions, password-reset and email-confirmation
links. The check runs where the site starts serving (asgi.py, wsgi.py, and so
`runserver`), not when settings are read: management commands that sign nothing
(`makemigrations --check`, `makemessages`, `collectstatic`) keep working without one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

HOW_TO_MAKE_ONE = (
    "SECRET_KEY is missing or is a placeholder, and DEBUG is off. Set SECRET_KEY to a "
    "long random string of your own (at least 32 characters), for example the output of\n"
    "    python -c 'from django.core.management.utils import get_random_secret_key; "
    "print(get_random_secret_key())'\n"
    "(or set DEBUG=1 to run the development server on this machine only)."
)


def is_guessable(key: str) -> bool:
    return (
        len(key) < 32
        or len(set(key)) < 5
        or key.startswith("django-insecure")
        or "change-me" in key
    )


def refuse_a_guessable_key() -> None:
    """Raise ImproperlyConfigured, saying how to make a key, when serving outside debug
    and the test suite with a missing or guessable SECRET_KEY."""
    if settings.DEBUG or settings.TESTING:
        return
    try:
        key = str(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to read an empty key
        key = ""
    if is_guessable(key):
        raise ImproperlyConfigured(HOW_TO_MAKE_ONE)
