"""The portal's public address, for the links written into emails, SMS and letters."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (from `reverse`) prefixed with SITE_URL, the address citizens reach the portal at
    (never the easy version's prefix: messages are in standard French, pacte.facile)."""
    from .facile import sans_prefixe

    return settings.SITE_URL.rstrip("/") + sans_prefixe(path)


class SiteUrlMiddleware:
    """In development without an explicit SITE_URL, links follow the address the server is reached at.

    `make run PORT=8801`, `runserver 0.0.0.0:9000` opened from another machine, or `localhost`
    instead of 127.0.0.1: the links in the messages then point to the same server, not to a dead
    port 8000. Only when `SITE_URL_FROM_REQUEST` (DEBUG and no SITE_URL in the environment): in
    production SITE_URL is explicit and a request's Host header never changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SITE_URL_FROM_REQUEST:
            settings.SITE_URL = f"{request.scheme}://{request.get_host()}"
        return self.get_response(request)
