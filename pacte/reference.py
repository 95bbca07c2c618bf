"""Load the territory and organisation from data/reference/*.csv (idempotent)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from .models import Arrondissement, Direction, Lieu
from .roles import ensure_groups
from .traductions import traductions_de

DATA_DIR = Path(settings.BASE_DIR) / "data" / "reference"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _yes(value: str) -> bool:
    return value.strip().lower() in {"oui", "yes", "true", "1", "sourcee"}


@transaction.atomic
def load(stdout=None) -> None:
    """Create or update the 9 arrondissements, the lieux and the directions, and the role groups."""
    ensure_groups()
    for row in read_csv("arrondissements.csv"):
        Arrondissement.objects.update_or_create(
            numero=int(row["numero"]),
            defaults={
                "nom": row["nom"],
                "mairie_adresse": row["mairie_adresse"],
                "code_postal": row["code_postal"],
                "telephone": row["telephone"],
                "is_verified": _yes(row["verifie"]),
                "source": row["source"],
            },
        )
    arrondissements = {a.numero: a for a in Arrondissement.objects.all()}
    for row in read_csv("lieux.csv"):
        arrondissement = arrondissements[int(row["arrondissement"])]
        champs = {
            "nom": row["nom"],
            "type": row["type"],
            "arrondissement": arrondissement,
            "adresse": row["adresse"],
            "code_postal": arrondissement.code_postal,
            "usages": row["usage"],
            "is_verified": _yes(row["verifie"]),
            "source": row["source"],
        }
        # Translations (data/reference/traductions.csv) on creation only: the City's edits stay.
        Lieu.objects.update_or_create(
            slug=slugify(row["nom"])[:80],
            defaults=champs,
            create_defaults={**champs, **traductions_de(Lieu, champs)},
        )
    for row in read_csv("directions-indicatives.csv"):
        Direction.objects.update_or_create(
            sigle=row["sigle"], defaults={"nom": row["nom"], "is_indicative": True}
        )
    if stdout:
        stdout.write(
            f"Référentiel : {len(arrondissements)} arrondissements, {Lieu.objects.count()} lieux, "
            f"{Direction.objects.count()} directions."
        )
