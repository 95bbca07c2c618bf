"""Choices of the écrivains publics module (French labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CanalInscription(models.TextChoices):
    EN_LIGNE = "en_ligne", _("En ligne, par la personne")
    TELEPHONE = "telephone", _("Par téléphone, avec un agent")
    GUICHET = "guichet", _("Au guichet, avec un agent")


class StatutInscription(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente")
    OFFRE_EN_COURS = "offre_en_cours", _("Un créneau lui est proposé")
    SERVIE = "servie", _("Rendez-vous obtenu")
    SANS_REPONSE = "sans_reponse", _("Sans réponse à l'offre")
    RETIREE = "retiree", _("Retirée de la liste")


class StatutOffre(models.TextChoices):
    OUVERTE = "ouverte", _("En attente de réponse")
    ACCEPTEE = "acceptee", _("Acceptée")
    REFUSEE = "refusee", _("Refusée")
    EXPIREE = "expiree", _("Expirée")
    CADUQUE = "caduque", _("Créneau déjà pris")


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
