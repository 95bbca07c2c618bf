"""Choices of the Pacte tracker, with their French labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Statut(models.TextChoices):
    A_ENGAGER = "a_engager", _("À engager")
    EN_COURS = "en_cours", _("En cours")
    REALISEE = "realisee", _("Réalisée")
    ABANDONNEE = "abandonnee", _("Abandonnée")


class Certitude(models.TextChoices):
    """How sure we are that the action is in the City's Pacte (from `statut_source` in the CSV)."""

    SOURCEE = "sourcee", _("Sourcée")
    A_CONFIRMER = "a_confirmer", _("À confirmer")


class StatutSource(models.TextChoices):
    """The raw provenance kept from the reference CSV."""

    SOURCEE = "sourcee", _("Texte officiel ou presse citant le Pacte")
    PARTIELLE = "partielle", _("Source partielle (intitulé à compléter)")
    DISCOURS = "discours", _("Citée dans un discours, à confirmer")

    @classmethod
    def certitude(cls, value: str) -> str:
        return Certitude.SOURCEE if value == cls.SOURCEE else Certitude.A_CONFIRMER
