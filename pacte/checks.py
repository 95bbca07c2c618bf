"""System checks of the request limits and the request hygiene (`manage.py check`, `check --deploy`).

Three settings must agree, or a valid form is refused or an oversize body is read:
REQUEST_MAX_BYTES (the door's cap, pacte.requetes) must hold the largest attachment form the apps
declare (every PiecesJointesField: files × size) plus DATA_UPLOAD_MAX_MEMORY_SIZE for its text
fields; FILE_UPLOAD_MAX_MEMORY_SIZE (kept in memory before spooling to disk) must not exceed it.
"""

from __future__ import annotations

import inspect

from django.conf import settings
from django.core.checks import Error, Tags, register

from .discovery import app_modules


def attachment_fields():
    """(form, field name, max bytes) for every attachments field of every app's forms."""
    from django import forms

    from .uploads import PiecesJointesField

    for module in app_modules("forms"):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for name, field in getattr(cls, "base_fields", {}).items():
                if isinstance(field, PiecesJointesField):
                    yield cls.__qualname__, name, field.max_files * field.max_size


@register()
def upload_limits_check(app_configs=None, **kwargs):
    errors = []
    cap = settings.REQUEST_MAX_BYTES
    if cap < settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        errors.append(
            Error(
                "DATA_UPLOAD_MAX_MEMORY_SIZE exceeds REQUEST_MAX_BYTES.",
                hint="The door would read text bodies larger than it accepts; lower it.",
                id="pacte.E010",
            )
        )
    if cap < settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
        errors.append(Error("FILE_UPLOAD_MAX_MEMORY_SIZE exceeds REQUEST_MAX_BYTES.", id="pacte.E011"))
    for form, name, size in attachment_fields():
        if size + settings.DATA_UPLOAD_MAX_MEMORY_SIZE > cap:
            errors.append(
                Error(
                    f"{form}.{name} accepts {size} bytes of files, more than REQUEST_MAX_BYTES ({cap}) "
                    "leaves after DATA_UPLOAD_MAX_MEMORY_SIZE.",
                    hint="Raise REQUEST_MAX_BYTES or lower the field's max_files/max_size: a valid form "
                    "would be refused with a 413.",
                    id="pacte.E012",
                )
            )
    return errors


HEADERS_MIDDLEWARE = "pacte.requetes.ResponseHeadersMiddleware"
GUARD_MIDDLEWARE = "pacte.requetes.RequestGuardMiddleware"
BODY_READERS = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
)


@register(Tags.security, deploy=True)
def request_hygiene_check(app_configs=None, **kwargs):
    """Deploy check: the response headers wrap every response and the guard runs before anything
    that may read the body or query the database with the request's values (pacte.requetes)."""
    middleware = list(settings.MIDDLEWARE)
    errors = []
    if not middleware or middleware[0] != HEADERS_MIDDLEWARE:
        errors.append(Error(f"{HEADERS_MIDDLEWARE} must be the first middleware.", id="pacte.E020"))
    if not settings.PERMISSIONS_POLICY:
        errors.append(Error("PERMISSIONS_POLICY is empty.", id="pacte.E021"))
    if GUARD_MIDDLEWARE not in middleware or any(
        reader in middleware and middleware.index(reader) < middleware.index(GUARD_MIDDLEWARE)
        for reader in BODY_READERS
    ):
        errors.append(
            Error(f"{GUARD_MIDDLEWARE} must come before the session and CSRF middleware.", id="pacte.E022")
        )
    return errors
