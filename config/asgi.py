"""The ASGI application: HTTP through Django (Hearth's own /graphql/ view and every other page),
WebSocket on /graphql/ through Django Channels for live subscriptions (schema/live/)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()  # sets Django up before the consumer is imported

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

from schema.live.consumer import LiveConsumer  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_application,
    "websocket": AuthMiddlewareStack(URLRouter([re_path(r"^graphql/?$", LiveConsumer.as_asgi())])),
})
