"""Demo data: a draft report for last year with a demonstration editorial and 3 vignettes.

Needs the médiation demo data (closed saisines of last year); without it, does nothing. The PDF is
not generated here: the médiateur clicks « Générer le PDF ».
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .anonymisation import Identite, identifiants_trouves
from .models import RapportAnnuel, Vignette
from .selectors import saisines_illustrables

EDITORIAL = (
    "Texte de démonstration — cet éditorial est fictif et ne reflète aucune position réelle.\n\n"
    "Cette année encore, les habitantes et les habitants de Lyon se sont tournés vers la médiation "
    "quand un courrier restait sans réponse ou qu'une décision leur paraissait injuste. La plupart des "
    "situations se sont dénouées dès le premier échange avec le service concerné ; d'autres ont demandé "
    "une médiation formelle, toujours dans un esprit de dialogue.\n\n"
    "Les propositions de ce rapport visent à rendre les décisions plus compréhensibles et les délais plus "
    "prévisibles. Je remercie les directions de la Ville pour leur écoute. (Texte de démonstration.)"
)
VIGNETTES = [
    (
        "Un bruit nocturne enfin pris en compte",
        "Une habitante du quartier signalait depuis des mois un bruit de ventilation la nuit. Après un "
        "échange avec le service, une mesure a été faite et un réglage a été obtenu. (Cas fictif de "
        "démonstration.)",
    ),
    (
        "Une amende contestée, une explication obtenue",
        "Un requérant contestait un avis de paiement de stationnement. La médiation a permis d'expliquer "
        "la règle et d'accorder un délai de paiement. (Cas fictif de démonstration.)",
    ),
    (
        "Une inscription en crèche clarifiée",
        "Une famille ne comprenait pas le refus d'une place en crèche. Le service a détaillé les critères "
        "et proposé un nouvel examen du dossier. (Cas fictif de démonstration.)",
    ),
]


def seed(*, scale: int = 1, stdout=None) -> None:
    """Create the draft report of last year (idempotent: existing reports are left alone)."""
    annee = timezone.localdate().year - 1
    if RapportAnnuel.objects.filter(annee=annee).exists():
        return
    saisines = list(saisines_illustrables(annee)[:20])
    if not saisines:
        return
    with transaction.atomic():
        rapport = RapportAnnuel.objects.create(annee=annee, editorial=EDITORIAL)
        ordre = 0
        for saisine in saisines:
            if ordre == len(VIGNETTES):
                break
            titre, texte = VIGNETTES[ordre]
            if identifiants_trouves(titre + " " + texte, Identite.of(saisine)):
                continue  # the fictional text happens to contain this person's name: take another case
            ordre += 1
            Vignette.objects.create(rapport=rapport, saisine=saisine, ordre=ordre, titre=titre, texte=texte)
    if stdout:
        stdout.write(f"Rapport annuel {annee} du médiateur : brouillon avec {ordre} vignettes.")
