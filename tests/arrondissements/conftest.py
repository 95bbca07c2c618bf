"""Fixtures for the demandes d'appui: the people of the 6e, the 2e, DEV and DE, and a request maker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from arrondissements.delais import echeance_for
from arrondissements.models import DemandeAppui
from pacte.models import Arrondissement, Direction
from pacte.roles import Role
from pacte.secret_links import reference_new

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


def close_response(response):
    """Close a streamed response (its file) without closing the test's DB connection, as the client does."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lieux(db):
    return {
        "a6": Arrondissement.objects.get(numero=6),
        "a2": Arrondissement.objects.get(numero=2),
        "dev": Direction.objects.get(sigle="DEV"),
        "de": Direction.objects.get(sigle="DE"),
    }


@pytest.fixture
def people(make_user, lieux):
    dev = lieux["dev"]
    manager = make_user(Role.REFERENT, username="responsable-dev", direction=dev)
    dev.responsable = manager
    dev.save()
    return {
        "elu6": make_user(Role.ELU, username="maire6", arrondissement=lieux["a6"], fonction_elu="maire"),
        "elu6b": make_user(
            Role.ELU, username="conseiller6", arrondissement=lieux["a6"], fonction_elu="conseiller"
        ),
        "elu2": make_user(Role.ELU, username="maire2", arrondissement=lieux["a2"], fonction_elu="maire"),
        "ref_dev": make_user(Role.REFERENT, username="ref-dev", direction=dev),
        "ref_dev2": make_user(Role.REFERENT, username="ref-dev-2", direction=dev),
        "ref_de": make_user(Role.REFERENT, username="ref-de", direction=lieux["de"]),
        "manager": manager,
        "coord": make_user(Role.COORDINATION, username="coord"),
        "agent": make_user(Role.AGENT, username="agent"),
    }


@pytest.fixture
def make_demande(people, lieux):
    """Create a request directly (no notification), with chosen timestamps and status."""

    def factory(
        *,
        arrondissement="a6",
        direction="dev",
        urgence="normale",
        created_at=None,
        auteur=None,
        **fields,
    ) -> DemandeAppui:
        created_at = created_at or timezone.now()
        if isinstance(created_at, dt.date) and not isinstance(created_at, dt.datetime):
            created_at = timezone.make_aware(dt.datetime.combine(created_at, dt.time(10)))
        fields.setdefault("echeance", echeance_for(urgence, timezone.localdate(created_at)))
        return DemandeAppui.objects.create(
            reference=reference_new("DA"),
            arrondissement=lieux[arrondissement],
            direction=lieux[direction],
            auteur=auteur or (people["elu6"] if arrondissement == "a6" else people["elu2"]),
            objet=fields.pop("objet", "Arrosage du square"),
            categorie=fields.pop("categorie", "espaces_verts"),
            description="Description",
            urgence=urgence,
            created_at=created_at,
            **fields,
        )

    return factory
