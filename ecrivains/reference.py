"""Reference lists of the module: themes and languages (idempotent)."""

from __future__ import annotations

from django.db import transaction

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
    for ordre, (code, libelle) in enumerate(THEMES):
        Theme.objects.update_or_create(code=code, defaults={"libelle": libelle, "ordre": ordre})
    for ordre, (code, libelle) in enumerate(LANGUES):
        Langue.objects.update_or_create(code=code, defaults={"libelle": libelle, "ordre": ordre})
    if stdout:
        stdout.write(f"Écrivains publics : {len(THEMES)} thèmes, {len(LANGUES)} langues.")
