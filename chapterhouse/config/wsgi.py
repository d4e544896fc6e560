import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chapterhouse.config.settings")
application = get_wsgi_application()

from chapterhouse.config.secret_key import refuse_a_guessable_key  # noqa: E402

refuse_a_guessable_key()
