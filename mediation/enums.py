"""Choices of the médiation domain, with French labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequerantType(models.TextChoices):
    PARTICULIER = "particulier", _("Particulier")
    ASSOCIATION = "association", _("Association")
    ENTREPRISE = "entreprise", _("Entreprise")


class CanalSaisine(models.TextChoices):
    EN_LIGNE = "en_ligne", _("Formulaire en ligne")
    TELEPHONE = "telephone", _("Téléphone")
    COURRIER = "courrier", _("Courrier")
    COURRIEL = "courriel", _("Courriel")
    PERMANENCE = "permanence", _("Permanence en mairie")


CANAUX_AGENT = [c for c in CanalSaisine.choices if c[0] != CanalSaisine.EN_LIGNE]


class Theme(models.TextChoices):
    SALUBRITE_TRANQUILLITE = "salubrite_tranquillite", _("Salubrité et tranquillité")
    STATIONNEMENT_TRANSPORTS = "stationnement_transports", _("Stationnement et transports")
    DEMANDES_PECUNIAIRES = "demandes_pecuniaires", _("Demandes pécuniaires")
    URBANISME_TRAVAUX = "urbanisme_travaux", _("Urbanisme et travaux")
    ACTION_SOCIALE = "action_sociale", _("Action sociale")
    ENFANCE = "enfance", _("Enfance")
    LOGEMENT = "logement", _("Logement")
    COMMERCE = "commerce", _("Commerce")
    CIMETIERES = "cimetieres", _("Cimetières")
    CULTURE = "culture", _("Culture")
    ESPACES_VERTS = "espaces_verts", _("Espaces verts")
    ETAT_CIVIL = "etat_civil", _("État civil")
    AUTRE = "autre", _("Autre")


class StatutSaisine(models.TextChoices):
    RECUE = "recue", _("Reçue")
    IRRECEVABLE = "irrecevable", _("Irrecevable")
    REORIENTEE = "reorientee", _("Réorientée")
    RECEVABLE = "recevable", _("Recevable")
    EN_INSTRUCTION = "en_instruction", _("En instruction")
    PROPOSITION = "proposition", _("Proposition de solution")
    CLOTUREE = "cloturee", _("Clôturée")


STATUTS_OUVERTS = [
    StatutSaisine.RECUE,
    StatutSaisine.RECEVABLE,
    StatutSaisine.EN_INSTRUCTION,
    StatutSaisine.PROPOSITION,
]
STATUTS_FINAUX = [StatutSaisine.IRRECEVABLE, StatutSaisine.REORIENTEE, StatutSaisine.CLOTUREE]

# What the requester reads on the follow-up page (plain words, in the page's language).
STATUT_POUR_REQUERANT = {
    StatutSaisine.RECUE: _(
        "Votre demande est bien arrivée. Le médiateur va vérifier s'il peut s'en occuper."
    ),
    StatutSaisine.IRRECEVABLE: _(
        "Le médiateur ne peut pas s'occuper de votre demande. Un courrier vous explique pourquoi."
    ),
    StatutSaisine.REORIENTEE: _(
        "Votre demande relève d'un autre organisme. Un courrier vous dit à qui vous adresser."
    ),
    StatutSaisine.RECEVABLE: _("Le médiateur va s'occuper de votre demande."),
    StatutSaisine.EN_INSTRUCTION: _("Le médiateur étudie votre demande avec le service concerné."),
    StatutSaisine.PROPOSITION: _(
        "Le médiateur vous propose une solution. Vous pouvez lui répondre ci-dessous."
    ),
    StatutSaisine.CLOTUREE: _("Votre dossier est terminé."),
}


class MotifIrrecevabilite(models.TextChoices):
    SANS_DEMARCHE_PREALABLE = "sans_demarche_prealable", _("Pas de démarche préalable auprès du service")
    DECISION_JUSTICE = "decision_justice", _("Une décision de justice a été rendue")
    HORS_COMPETENCE = "hors_competence", _("Hors de la compétence de la Ville")
    AUTRE = "autre", _("Autre motif")


class OrganismeReorientation(models.TextChoices):
    DEFENSEUR_DES_DROITS = "defenseur_des_droits", _("Défenseur des droits")
    METROPOLE = "metropole", _("Métropole de Lyon")
    CONCILIATEUR_JUSTICE = "conciliateur_justice", _("Conciliateur de justice")
    AUTRE = "autre", _("Autre organisme")


class Niveau(models.TextChoices):
    PREMIER_NIVEAU = "premier_niveau", _("Premier niveau de réponse")
    MEDIATION_FORMELLE = "mediation_formelle", _("Médiation formelle avec le service")


class Issue(models.TextChoices):
    ACCORD = "accord", _("Accord")
    ACCORD_PARTIEL = "accord_partiel", _("Accord partiel")
    DESACCORD = "desaccord", _("Désaccord")
    DESISTEMENT = "desistement", _("Désistement")


class StatutProposition(models.TextChoices):
    FORMULEE = "formulee", _("Formulée")
    ACCEPTEE = "acceptee", _("Acceptée")
    REFUSEE = "refusee", _("Refusée")
    MISE_EN_OEUVRE = "mise_en_oeuvre", _("Mise en œuvre")
