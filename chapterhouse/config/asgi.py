"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from chapterhouse.config.handler import sync_stack_asgi_application
from chapterhouse.config.malloc import tune_malloc

tune_malloc()  # before any request thread allocates (config/malloc.py says why)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chapterhouse.config.settings")
django_asgi_app = sync_stack_asgi_application()  # config/handler.py says why

from chapterhouse.config.secret_key import refuse_a_guessable_key  # noqa: E402

refuse_a_guessable_key()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import URLPattern, URLResolver  # noqa: E402

from chapterhouse.chat import routing as chat_routing  # noqa: E402
from chapterhouse.notifications import routing as notifications_routing  # noqa: E402

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    *chat_routing.websocket_urlpatterns,
    *notifications_routing.websocket_urlpatterns,
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
