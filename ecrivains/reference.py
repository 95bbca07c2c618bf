"""Reference lists of the module: themes and languages (idempotent)."""

from __future__ import annotations

from django.db import transaction

from pacte.traductions import traductions_de

from .models import Langue, Theme

THEMES = [
    ("impots", "Impôts"),
    ("caf", "CAF (allocations, prime d'activité, RSA)"),
    ("titre_sejour", "Titre de séjour"),
    ("logement", "Logement"),
    ("retraite", "Retraite"),
    ("sante", "Santé (Assurance maladie, CSS)"),
    ("emploi", "Emploi (France Travail)"),
    ("carte_grise", "Carte grise, permis de conduire"),
    ("courrier_administratif", "Courrier administratif, lettre à écrire"),
    ("autre", "Autre démarche"),
]

LANGUES = [
    ("francais", "Français"),
    ("arabe", "Arabe"),
    ("anglais", "Anglais"),
    ("espagnol", "Espagnol"),
    ("portugais", "Portugais"),
    ("turc", "Turc"),
    ("russe", "Russe"),
    ("tamazight", "Tamazight (berbère)"),
    ("italien", "Italien"),
    ("roumain", "Roumain"),
]


@transaction.atomic
def load(stdout=None) -> None:
    for model, liste in ((Theme, THEMES), (Langue, LANGUES)):
        for ordre, (code, libelle) in enumerate(liste):
            champs = {"libelle": libelle, "ordre": ordre}
            model.objects.update_or_create(
                code=code, defaults=champs, create_defaults={**champs, **traductions_de(model, champs)}
            )
    if stdout:
        stdout.write(f"Écrivains publics : {len(THEMES)} thèmes, {len(LANGUES)} langues.")
