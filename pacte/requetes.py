"""Request hygiene at the door, before any view, form or database query sees the request, and the
headers every answer leaves with.

- A request announcing a body larger than settings.REQUEST_MAX_BYTES (its Content-Length) is
  refused with a 413 and a French page before a byte of the body is read: a 30 MB upload is not
  received, then refused. Nothing before this middleware reads the body, and Django reads it
  lazily; without a Content-Length (chunked), Django reads no body at all.
- A NUL byte anywhere a view could read it (the path, a query parameter, a posted field, a
  cookie) is refused with a 400 and the portal's French page. No person types one; PostgreSQL
  refuses it in text columns, so letting it through meant a 500 deep in whichever view queried it.
  Other malformed values (non-UTF-8 bytes, overlong strings, dates out of range) are handled where
  they are parsed: Django decodes bytes with replacement characters, forms bound their fields,
  and `pacte.parsing` bounds dates and numbers.
- The bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) are
  taken out of every posted field. Nobody types one; pasted into a name, U+202E turns what follows
  it around (« \u202enitraM » shows « Martin », and the reference printed after it on a staff line
  reads backwards). The pages isolate what people wrote with `dir`/`<bdi>` where they must; the
  text itself needs none of these (#17).

`ResponseHeadersMiddleware`, outermost, gives every response (probes, refusals and errors
included) the `Permissions-Policy` of settings.PERMISSIONS_POLICY, and `Cache-Control: no-store`
(with Django's never-cache headers) by one rule on who and what, not per view (`is_private`):
every answer to a signed-in staff session, every page under /espace/ (sign-in, second factor,
password pages, even before sign-in), and every download (`Content-Disposition: attachment`:
exports, médiation documents, attachments).

The pages rendered here come before the session and authentication middleware: they are rendered
as for an anonymous visitor, without the database, like the 503 page (pacte.indisponible).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

NUL = "\x00"
PRIVATE_PREFIXES = ("/espace/",)
FALLBACK_HTML = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{titre} — Ville de Lyon</title>'
    "</head><body><main><h1>{titre}</h1></main></body></html>"
)


def door_page(request, template: str, *, status: int, titre: str) -> HttpResponse:
    """A French error page rendered before the session exists (anonymous, no messages, no database)."""
    try:
        html = render_to_string(template, {"user": AnonymousUser(), "messages": []}, request=request)
    except Exception:  # the page must come out whatever else is broken
        logger.exception("Rendering %s at the door failed", template)
        html = FALLBACK_HTML.format(titre=titre)
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _announced_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


BIDI_CONTROLES = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def _sans_controles_bidi(request) -> None:
    """The posted fields without bidirectional controls (see the module doc); untouched (no copy)
    when there is none, as nearly always."""
    if request.method != "POST":
        return
    post = request.POST
    if not any(value.translate(BIDI_CONTROLES) != value for _key, values in post.lists() for value in values):
        return
    propre = post.copy()
    for key, values in post.lists():
        propre.setlist(key, [value.translate(BIDI_CONTROLES) for value in values])
    propre._mutable = False
    request.POST = propre


def _has_nul(request) -> bool:
    if NUL in request.path_info:
        return True
    if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
        return True
    sources = [request.GET]
    if request.method == "POST":
        sources.append(request.POST)
    for data in sources:
        for key, values in data.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    return False


class RequestGuardMiddleware:
    """Refuse, before anything else reads them, requests no honest client sends (see module doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _announced_length(request) > settings.REQUEST_MAX_BYTES:
            logger.warning("Request body refused at the door: %s bytes", _announced_length(request))
            return door_page(request, "413.html", status=413, titre="Envoi trop volumineux")
        if _has_nul(request):
            return door_page(request, "400.html", status=400, titre="Adresse ou données invalides")
        _sans_controles_bidi(request)
        return self.get_response(request)


def is_private(request, response) -> bool:
    """True when the answer must not be kept by a browser or a proxy (see the module doc)."""
    if request.path_info.startswith(PRIVATE_PREFIXES):
        return True
    if response.get("Content-Disposition", "").lower().startswith("attachment"):
        return True
    if "no-store" in response.get("Cache-Control", ""):
        # Already private (the 503 page among others): never ask the database, which may be the
        # very thing that is saturated — a user lookup there would wait a whole pool timeout.
        return True
    if settings.SESSION_COOKIE_NAME not in request.COOKIES or not hasattr(request, "user"):
        return False  # no session, or refused before the session was read: an anonymous visitor
    try:
        return request.user.is_authenticated
    except DatabaseError:  # cannot tell: keep it private
        return True


class ResponseHeadersMiddleware:
    """Permissions-Policy on every response; no-store on private ones (see `is_private`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if is_private(request, response) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
