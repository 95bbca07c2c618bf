"""Small builders for médiation tests."""

from __future__ import annotations

import io

from mediation import services
from mediation.enums import CanalSaisine, Theme

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def saisine_new(**overrides):
    data = {
        "nom": "Martin",
        "prenom": "Alice",
        "email": "alice@example.org",
        "theme": Theme.SALUBRITE_TRANQUILLITE,
        "recit": "Bruit toutes les nuits.",
        "demarche_prealable": True,
    }
    data.update(overrides)
    saisine, token = services.saisine_create(data=data, canal=CanalSaisine.TELEPHONE)
    saisine.token = token
    return saisine


def upload(name="piece.pdf", content=PDF, content_type="application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def fileobj(content=PDF):
    return io.BytesIO(content)


def saisine_form_data(**extra) -> dict:
    """The public saisine form, filled in as a citizen would (override or add fields with `extra`)."""
    return {
        "requerant_type": "particulier",
        "nom": "Lefèvre",
        "email": "l@example.org",
        "theme": "autre",
        "recit": "Texte",
        "demarche_prealable": "oui",
        "decision_justice": "non",
        "consentement": "on",
        **extra,
    }
