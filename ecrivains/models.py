"""Écrivains publics: who helps, with which themes and languages, where (permanences on the booking
engine) and anonymous session records. The waiting list of a permanence is the engine's
(`pacte.booking.attente`), in the écrivains' words (`apps.py`).

A `Permanence` is one `booking.Agenda` (kind="ecrivains"): opening rules, closures, reservations and
capacity all live in the engine; this module adds what is specific to écrivains publics.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nonrecours.enums import TypeOdenore
from pacte.traductions import Traduisible

from .enums import Autonomie, Issue, Organisme

AGENDA_KIND = "ecrivains"


class Theme(Traduisible):
    """What a person comes for (impôts, CAF, titre de séjour…). Seeded by `reference.load`."""

    code = models.SlugField(unique=True, max_length=40)
    libelle = models.CharField(_("libellé"), max_length=100)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordre", "libelle"]
        verbose_name = _("thème")

    def __str__(self) -> str:
        return self.libelle


class Langue(Traduisible):
    """A language an écrivain public can help in."""

    code = models.SlugField(unique=True, max_length=20)
    libelle = models.CharField(_("libellé"), max_length=60)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordre", "libelle"]
        verbose_name = _("langue")

    def __str__(self) -> str:
        return self.libelle


class EcrivainPublic(models.Model):
    """A person who holds permanences, linked to a staff account with the ECRIVAIN role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ecrivain_public"
    )
    structure = models.CharField(_("association ou service"), max_length=150)
    bio = models.CharField(_("présentation courte"), max_length=300, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="ecrivains", verbose_name=_("thèmes"))
    langues = models.ManyToManyField(Langue, blank=True, related_name="ecrivains", verbose_name=_("langues"))
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("écrivain public")
        verbose_name_plural = _("écrivains publics")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class PermanenceQuerySet(models.QuerySet):
    def publiees(self):
        return self.filter(is_active=True, agenda__is_active=True)

    def of_ecrivain(self, user):
        return self.filter(ecrivains__user=user).distinct()


class Permanence(models.Model):
    """A recurring (or one-off, itinerant) écrivain public session at a lieu = one booking agenda.

    The agenda's `places_agents` is the part of each slot kept for walk-ins and agent bookings.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agenda = models.OneToOneField("booking.Agenda", on_delete=models.PROTECT, related_name="permanence")
    ecrivains = models.ManyToManyField(
        EcrivainPublic, blank=True, related_name="permanences", verbose_name=_("écrivains publics")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="permanences", verbose_name=_("thèmes"))
    langues = models.ManyToManyField(
        Langue, blank=True, related_name="permanences", verbose_name=_("langues")
    )
    is_aller_vers = models.BooleanField(
        _("séance itinérante (aller-vers)"),
        default=False,
        help_text=_("Séance ponctuelle hors des lieux habituels."),
    )
    horaires_indicatifs = models.BooleanField(
        _("horaires indicatifs"), default=False, help_text=_("Horaires non confirmés par la Ville.")
    )
    is_verified = models.BooleanField(_("information vérifiée"), default=False)
    source = models.URLField(_("source"), max_length=500, blank=True)
    is_active = models.BooleanField(_("publiée"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PermanenceQuerySet.as_manager()

    class Meta:
        ordering = ["agenda__lieu__arrondissement__numero", "agenda__lieu__nom", "agenda__titre"]
        verbose_name = _("permanence")

    def __str__(self) -> str:
        return str(self.agenda.titre)


class SeanceAnnulee(models.Model):
    """A session (one date of a permanence) cancelled, with the engine closure that enforces it."""

    permanence = models.ForeignKey(Permanence, on_delete=models.CASCADE, related_name="annulations")
    date = models.DateField(_("date"))
    motif = models.CharField(_("motif"), max_length=200)
    fermeture = models.OneToOneField("booking.Fermeture", on_delete=models.SET_NULL, null=True, blank=True)
    reservations_annulees = models.PositiveIntegerField(default=0)
    annulee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("séance annulée")
        verbose_name_plural = _("séances annulées")
        constraints = [models.UniqueConstraint(fields=["permanence", "date"], name="seance_annulee_unique")]

    def __str__(self) -> str:
        return f"{self.permanence} — {self.date:%d/%m/%Y}"


class FicheSeance(models.Model):
    """The 30-second anonymous record an écrivain fills after helping someone (no identity)."""

    permanence = models.ForeignKey(Permanence, on_delete=models.PROTECT, related_name="fiches")
    date = models.DateField(_("date de la séance"), default=timezone.localdate)
    themes = models.ManyToManyField(Theme, related_name="fiches", verbose_name=_("thèmes abordés"))
    issue = models.CharField(_("issue"), max_length=14, choices=Issue.choices)
    organisme = models.CharField(_("orienté vers"), max_length=20, choices=Organisme.choices, blank=True)
    duree_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    autonomie = models.CharField(_("autonomie"), max_length=10, choices=Autonomie.choices)
    droit_non_reclame = models.BooleanField(_("droit non réclamé repéré"), default=False)
    dispositif = models.CharField(_("dispositif"), max_length=40, blank=True)
    type_odenore = models.CharField(
        _("type de non-recours"), max_length=20, choices=TypeOdenore.choices, blank=True
    )
    observation_id = models.BigIntegerField(null=True, blank=True, editable=False)
    # Who filled it (accountability of the record, not of the person helped); never shown per écrivain.
    saisie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("fiche de séance")
        verbose_name_plural = _("fiches de séance")
        constraints = [
            models.CheckConstraint(
                condition=~Q(issue="oriente_vers") | ~Q(organisme=""), name="fiche_orientation_organisme"
            ),
            models.CheckConstraint(
                condition=Q(droit_non_reclame=False) | ~Q(type_odenore=""), name="fiche_non_recours_type"
            ),
        ]

    def __str__(self) -> str:
        return f"Fiche {self.date:%d/%m/%Y} — {self.permanence}"
