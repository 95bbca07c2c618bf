"""A small deterministic year of saisines (and the previous one) for the annual report's tests."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from uuid import uuid4

import pytest
from django.utils import timezone

from mediation.enums import StatutSaisine
from mediation.models import Proposition, Saisine
from mediation.rapport import services
from mediation.rapport.models import RapportAnnuel
from pacte.models import Arrondissement, Direction

ANNEE = 2025

# (year, month, canal, requerant_type, theme, arrondissement, direction, statut, detail, niveau, elu,
#  days to acknowledgement, days to closure)
LIGNES = [
    (
        2025,
        1,
        "telephone",
        "particulier",
        "salubrite_tranquillite",
        1,
        "DEV",
        "cloturee",
        "accord",
        "premier_niveau",
        False,
        1,
        10,
    ),
    (
        2025,
        1,
        "telephone",
        "particulier",
        "salubrite_tranquillite",
        3,
        "DEV",
        "cloturee",
        "accord_partiel",
        "mediation_formelle",
        True,
        2,
        40,
    ),
    (
        2025,
        2,
        "courriel",
        "association",
        "stationnement_transports",
        3,
        "DRU",
        "cloturee",
        "desaccord",
        "mediation_formelle",
        False,
        3,
        31,
    ),
    (
        2025,
        3,
        "en_ligne",
        "particulier",
        "logement",
        6,
        "DS",
        "irrecevable",
        "sans_demarche_prealable",
        "",
        False,
        1,
        None,
    ),
    (
        2025,
        3,
        "telephone",
        "entreprise",
        "commerce",
        2,
        "DEU",
        "irrecevable",
        "decision_justice",
        "",
        False,
        2,
        None,
    ),
    (
        2025,
        5,
        "permanence",
        "particulier",
        "enfance",
        8,
        "DEnf",
        "reorientee",
        "defenseur_des_droits",
        "",
        False,
        1,
        None,
    ),
    (
        2025,
        6,
        "telephone",
        "particulier",
        "salubrite_tranquillite",
        7,
        "DEV",
        "reorientee",
        "metropole",
        "",
        True,
        4,
        None,
    ),
    (
        2025,
        7,
        "courrier",
        "particulier",
        "cimetieres",
        5,
        "DCim",
        "en_instruction",
        "",
        "mediation_formelle",
        False,
        2,
        None,
    ),
    (
        2025,
        9,
        "telephone",
        "particulier",
        "demandes_pecuniaires",
        9,
        "DPC",
        "cloturee",
        "accord",
        "premier_niveau",
        True,
        1,
        8,
    ),
    (
        2025,
        11,
        "telephone",
        "particulier",
        "urbanisme_travaux",
        4,
        "DRU",
        "recevable",
        "",
        "",
        False,
        None,
        None,
    ),
    (2025, 12, "courriel", "particulier", "action_sociale", None, None, "recue", "", "", False, None, None),
    (
        2024,
        4,
        "telephone",
        "particulier",
        "salubrite_tranquillite",
        1,
        "DEV",
        "cloturee",
        "accord",
        "premier_niveau",
        False,
        2,
        20,
    ),
    (
        2024,
        8,
        "courrier",
        "association",
        "culture",
        2,
        "DC",
        "irrecevable",
        "hors_competence",
        "",
        False,
        3,
        None,
    ),
    (
        2024,
        10,
        "telephone",
        "particulier",
        "stationnement_transports",
        3,
        "DRU",
        "cloturee",
        "desistement",
        "premier_niveau",
        False,
        5,
        12,
    ),
]


@dataclass
class AnneeSeedee:
    annee: int
    saisines: list
    lignes: list

    def attendu(self, annee: int, index: int) -> Counter:
        return Counter(ligne[index] for ligne in self.lignes if ligne[0] == annee)


def create_saisine(numero: int, ligne, **identity) -> Saisine:
    (year, month, canal, rtype, theme, arr, direction, statut, detail, niveau, elu, accuse, cloture) = ligne
    tz = timezone.get_current_timezone()
    recue = dt.datetime(year, month, 10, 9, 30, tzinfo=tz)
    fields = dict(
        reference=f"MED-TEST-{numero:04d}",
        canal=canal,
        requerant_type=rtype,
        theme=theme,
        arrondissement=Arrondissement.objects.get(numero=arr) if arr else None,
        direction=Direction.objects.get(sigle=direction) if direction else None,
        statut=statut,
        niveau=niveau,
        elu_implique=elu,
        recue_at=recue,
        accuse_at=recue + dt.timedelta(days=accuse) if accuse is not None else None,
        cloturee_at=recue + dt.timedelta(days=cloture) if cloture is not None else None,
        nom=identity.get("nom", f"Testnom{numero}"),
        prenom=identity.get("prenom", "Camille"),
        email=identity.get("email", f"personne{numero}@example.org"),
        telephone=identity.get("telephone", "0612345678"),
        adresse=identity.get("adresse", "12 rue des Tanneurs, 69003 Lyon"),
        recit="Récit du dossier.",
    )
    if statut == StatutSaisine.IRRECEVABLE:
        fields["motif_irrecevabilite"] = detail
    elif statut == StatutSaisine.REORIENTEE:
        fields["organisme_reorientation"] = detail
    elif statut == StatutSaisine.CLOTUREE:
        fields["issue"] = detail
    return Saisine.objects.create(**fields)


def seed_propositions() -> None:
    rows = [
        ("P-2025-01", 2025, "DEV", "formulee"),
        ("P-2025-02", 2025, "DEV", "acceptee"),
        ("P-2025-03", 2025, "DRU", "refusee"),
        ("P-2024-01", 2024, "DEV", "mise_en_oeuvre"),
        ("P-2024-02", 2024, "DPC", "acceptee"),
    ]
    for numero, annee, sigle, statut in rows:
        Proposition.objects.create(
            numero=numero,
            titre=f"Proposition {numero}",
            texte="Mieux expliquer les décisions.",
            direction=Direction.objects.get(sigle=sigle),
            annee=annee,
            statut=statut,
            formulee_on=dt.date(annee, 6, 1),
        )


@pytest.fixture
def annee_seedee(db) -> AnneeSeedee:
    saisines = [create_saisine(i, ligne) for i, ligne in enumerate(LIGNES, start=1)]
    seed_propositions()
    return AnneeSeedee(annee=ANNEE, saisines=saisines, lignes=LIGNES)


STAND_IN_PDF = b"%PDF-1.7\n% stand-in\n%%EOF\n"


@pytest.fixture
def fast_pdf(monkeypatch):
    """A tiny stand-in PDF replaces the layout (the layout is tested in test_generation.py)."""
    monkeypatch.setattr(services, "rapport_render", lambda **kwargs: STAND_IN_PDF)


@pytest.fixture
def publie(annee_seedee, fast_pdf, django_capture_on_commit_callbacks):
    """The report of ANNEE with a draft (version 1) and a published version (version 2), link off."""
    rapport = RapportAnnuel.objects.create(annee=ANNEE, editorial="Édito.")
    with django_capture_on_commit_callbacks(execute=True):
        brouillon, _ = services.version_request(rapport=rapport, actor=None, cle=uuid4().hex)
    with django_capture_on_commit_callbacks(execute=True):
        publiee, _ = services.version_request(rapport=rapport, actor=None, cle=uuid4().hex)
    publiee.refresh_from_db()
    services.version_publish(version=publiee, actor=None)
    brouillon.refresh_from_db()
    return rapport, brouillon, publiee


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Generated PDFs go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
