"""When the database is saturated or away: 503 « réessayez dans un instant », never a 500, and
never a lost form.

Any request that meets a database availability error (no connection left in the pool within its
timeout, PostgreSQL refusing clients, the server gone) ends in Django's 500 handler, wherever it
was raised (a view, the session or authentication middleware…). `pacte.views.erreur_500` asks
`is_database_unavailable()` about the exception being handled and answers with
`unavailable_response()` instead: a 503 with `Retry-After`, rendered without touching the
database, that shows what the person typed and holds every posted field in a form they can send
again as it was (same CSRF token, same idempotency key, so a double send stays one booking).
Passwords and one-time codes are never echoed back; files cannot be kept and the page says so.
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 5
# Never written back into a page: passwords, one-time codes.
SECRET_FIELD = re.compile(r"pass|otp", re.IGNORECASE)
# Technical fields resent as they were but not shown to the person.
TECHNICAL_FIELDS = {"csrfmiddlewaretoken", "cle_idempotence"}
SHOWN_MAX_CHARS = 5000
FALLBACK_HTML = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Service momentanément '
    "indisponible — Ville de Lyon</title></head><body><main><h1>Service momentanément indisponible</h1>"
    "<p>Réessayez dans un instant.</p></main></body></html>"
)


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True for the errors that mean "the database cannot serve us now" (pool timeout included)."""
    return isinstance(exc, OperationalError | InterfaceError)


def _posted_fields(request) -> tuple[list[tuple[str, str]], bool]:
    try:
        posted = [
            (name, value)
            for name, values in request.POST.lists()
            for value in values
            if not SECRET_FIELD.search(name)
        ]
        had_files = bool(request.FILES)
    except Exception:  # an unreadable body (too large, interrupted): nothing to give back
        return [], False
    return posted, had_files


def unavailable_response(request) -> HttpResponse:
    """The 503 page; for a POST, the posted fields in a form to send again."""
    fields, had_files = _posted_fields(request) if request.method == "POST" else ([], False)
    shown = [
        (name.replace("_", " ").capitalize(), value[:SHOWN_MAX_CHARS])
        for name, value in fields
        if name not in TECHNICAL_FIELDS and value.strip()
    ]
    context = {
        "is_post": request.method == "POST",
        "action": request.get_full_path(),
        "fields": fields,
        "shown": shown,
        "had_files": had_files,
        "retry_after": RETRY_AFTER_SECONDS,
        # Rendered without the database: no session, no user, no messages.
        "user": AnonymousUser(),
        "messages": [],
    }
    try:
        html = render_to_string("503.html", context, request=request)
    except Exception:  # the page must come out whatever else is broken
        html = FALLBACK_HTML
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
