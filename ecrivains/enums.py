"""Choices of the écrivains publics module (French labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pacte.booking import models as booking_models

# The waiting list's vocabulary is the booking engine's (one waiting list for every agenda).
CanalInscription = booking_models.CanalInscription
StatutInscription = booking_models.StatutInscription
StatutOffre = booking_models.StatutOffre


class Issue(models.TextChoices):
    REGLE = "regle", _("Réglé")
    ORIENTE = "oriente_vers", _("Orienté vers un organisme")
    A_REVOIR = "a_revoir", _("À revoir")


class Autonomie(models.TextChoices):
    FAIT_AVEC = "fait_avec", _("Fait avec la personne")
    FAIT_POUR = "fait_pour", _("Fait pour la personne")


class Organisme(models.TextChoices):
    """Where the person was sent; codes shared with the observatory's orientations where they exist."""

    CAF = "caf", _("CAF")
    CPAM = "cpam", _("CPAM (Assurance maladie)")
    CARSAT = "carsat", _("Caisse de retraite (Carsat)")
    CCAS = "ccas", _("CCAS de Lyon")
    MDMS = "mdms", _("Maison de la Métropole pour les solidarités")
    FRANCE_SERVICES = "france_services", _("France services")
    IMPOTS = "impots", _("Centre des finances publiques")
    PREFECTURE = "prefecture", _("Préfecture")
    FRANCE_TRAVAIL = "france_travail", _("France Travail")
    MEDIATION = "mediation", _("Médiateur de la Ville")
    ASSOCIATION = "association", _("Association")
    AUTRE = "autre", _("Autre organisme")


# Organismes the observatory knows as orientations; the others are sent as "autre".
ORIENTATIONS_OBSERVATOIRE = {
    "caf",
    "cpam",
    "carsat",
    "ccas",
    "mdms",
    "france_services",
    "mediation",
    "association",
    "autre",
}
