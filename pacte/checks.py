"""System checks of the upload limits (run by `manage.py check`, and `check --deploy` in CI).

Three settings must agree, or a valid form is refused or an oversize body is read:
REQUEST_MAX_BYTES (the door's cap, pacte.requetes) must hold the largest attachment form the apps
declare (every PiecesJointesField: files × size) plus DATA_UPLOAD_MAX_MEMORY_SIZE for its text
fields; FILE_UPLOAD_MAX_MEMORY_SIZE (kept in memory before spooling to disk) must not exceed it.
"""

from __future__ import annotations

import inspect
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, register


def attachment_fields():
    """(form, field name, max bytes) for every attachments field of every app's forms."""
    from django import forms

    from .uploads import PiecesJointesField

    for config in apps.get_app_configs():
        if not config.name.startswith(
            ("pacte", "demarches", "ecrivains", "mediation", "arrondissements", "nonrecours")
        ):
            continue
        try:
            module = import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for name, field in cls.base_fields.items():
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
