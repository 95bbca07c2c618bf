"""Choices of the demandes d'appui: categories, urgency, channel of origin, status, actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Categorie(models.TextChoices):
    EQUIPEMENTS_PROXIMITE = "equipements_proximite", _("Équipements de proximité")
    ECOLES = "ecoles", _("Écoles")
    ESPACES_VERTS = "espaces_verts", _("Espaces verts")
    SPORT = "sport", _("Sport")
    CULTURE = "culture", _("Culture")
    SECURITE_TRANQUILLITE = "securite_tranquillite", _("Sécurité et tranquillité")
    ETAT_CIVIL = "etat_civil", _("État civil")
    EVENEMENTS = "evenements", _("Événements")
    BATIMENTS = "batiments", _("Bâtiments")
    AUTRE = "autre", _("Autre")


class Urgence(models.TextChoices):
    NORMALE = "normale", _("Normale")
    PRIORITAIRE = "prioritaire", _("Prioritaire")
    URGENTE = "urgente", _("Urgente")


class CanalOrigine(models.TextChoices):
    PORTAIL = "portail", _("Portail")
    COURRIEL = "courriel", _("Courriel")
    COURRIER = "courrier", _("Courrier")
    REUNION = "reunion", _("Réunion")


class Statut(models.TextChoices):
    NOUVELLE = "nouvelle", _("Nouvelle")
    PRISE_EN_CHARGE = "prise_en_charge", _("Prise en charge")
    EN_ATTENTE_ELU = "en_attente_elu", _("En attente de précisions de l'élu")
    REPONDUE = "repondue", _("Répondue")
    CLOTUREE = "cloturee", _("Clôturée")


OUVERTS = (Statut.NOUVELLE, Statut.PRISE_EN_CHARGE)  # the clock runs (en_attente_elu pauses it)


class Action(models.TextChoices):
    PRENDRE_EN_CHARGE = "prendre_en_charge", _("Prendre en charge")
    ASSIGNER = "assigner", _("Confier à un ou une collègue")
    DEMANDER_PRECISIONS = "demander_precisions", _("Demander des précisions à l'élu")
    TRANSFERER = "transferer", _("Transférer à une autre direction")
    REPONDRE = "repondre", _("Répondre")
    CLOTURER = "cloturer", _("Clôturer avec une réponse")
    COMPLETER = "completer", _("Apporter les précisions demandées")
    ROUVRIR = "rouvrir", _("Relancer (la réponse ne suffit pas)")
