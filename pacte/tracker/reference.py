"""Load the Pacte's orientations, axes and sourced actions from data/reference/actions-pacte.csv.

Idempotent: the structure and the provenance (title, source, certainty) are refreshed from the CSV;
what the City maintains afterwards (status, progress, dates, pilot, publication) is never overwritten.
"""

from __future__ import annotations

import re

from django.db import transaction

from pacte.reference import read_csv
from pacte.traductions import traductions_de

from .enums import StatutSource
from .models import Action, Axe, Orientation

ORIENTATIONS = [
    (
        "accessibilite",
        "Accessibilité",
        "Que chaque habitante et chaque habitant puisse s'adresser à son service public sans difficulté : "
        "au guichet, par téléphone ou en ligne, avec de l'aide si besoin.",
    ),
    (
        "proximite",
        "Proximité",
        "Un service public proche de chez vous, dans les mairies d'arrondissement, avec des élus "
        "et des agents mieux épaulés par les directions de la Ville.",
    ),
    (
        "adaptabilite",
        "Adaptabilité",
        "Un service public qui écoute les usagers et se corrige : un médiateur pour dénouer les "
        "blocages, des enquêtes auprès des usagers et des agents.",
    ),
]


def numero_of(code: str) -> int:
    match = re.search(r"(\d+)$", code)
    return int(match.group(1)) if match else 0


def orientations_load() -> dict[str, Orientation]:
    """Create or update the three orientations; return them by code."""
    found = {}
    for ordre, (code, titre, description) in enumerate(ORIENTATIONS, start=1):
        champs = {"titre": titre, "description": description, "ordre": ordre}
        found[code], _ = Orientation.objects.update_or_create(
            code=code, defaults=champs, create_defaults={**champs, **traductions_de(Orientation, champs)}
        )
    return found


def axe_get(orientation: Orientation, titre: str) -> Axe | None:
    if not titre:
        return None
    axe, _ = Axe.objects.get_or_create(
        orientation=orientation,
        titre=titre,
        defaults={"ordre": orientation.axes.count() + 1, **traductions_de(Axe, {"titre": titre})},
    )
    return axe


def action_refresh(*, code: str, values: dict) -> tuple[Action, bool]:
    """Create the action or update the given fields, saving (and historising) only real changes."""
    action = Action.objects.filter(code=code).first()
    if action is None:
        return Action.objects.create(code=code, **values, **traductions_de(Action, values)), True
    changed = [name for name, value in values.items() if getattr(action, name) != value]
    if changed:
        for name in changed:
            setattr(action, name, values[name])
        action.save()
    return action, False


@transaction.atomic
def load(stdout=None) -> None:
    """Create or update the orientations, the axes and the ~18 sourced actions."""
    orientations = orientations_load()
    rows = read_csv("actions-pacte.csv")
    for row in rows:
        orientation = orientations[row["orientation"]]
        statut_source = row["statut_source"] or StatutSource.SOURCEE
        action_refresh(
            code=row["code"],
            values={
                "numero": numero_of(row["code"]),
                "orientation": orientation,
                "axe": axe_get(orientation, row["axe"]),
                "titre": row["titre"],
                "source": row["source"],
                "statut_source": statut_source,
                "certitude": StatutSource.certitude(statut_source),
            },
        )
    if stdout:
        stdout.write(f"Pacte : {len(rows)} actions sourcées chargées.")
