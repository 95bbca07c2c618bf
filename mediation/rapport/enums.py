"""Choices of the annual report, with French labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatutRapport(models.TextChoices):
    EN_PREPARATION = "en_preparation", _("En préparation")
    PUBLIE = "publie", _("Publié")


class StatutVersion(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente")
    EN_COURS = "en_cours", _("Génération en cours")
    PRET = "pret", _("Prêt")
    ECHEC = "echec", _("Échec")


STATUTS_EN_COURS = [StatutVersion.EN_ATTENTE, StatutVersion.EN_COURS]
