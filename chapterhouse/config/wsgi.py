"""WSGI entry point: HTTP only (WebSockets need the ASGI app, config/asgi.py)."""

import os

from django.core.wsgi import get_wsgi_application

from chapterhouse.config.malloc import tune_malloc

tune_malloc()  # before any request thread allocates (config/malloc.py says why)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chapterhouse.config.settings")
application = get_wsgi_application()

from chapterhouse.config.secret_key import refuse_a_guessable_key  # noqa: E402

refuse_a_guessable_key()
