"""The Pacte's structure (orientations → axes → actions), milestones, indicators and followers."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pacte.langues import LangueField
from pacte.models import Direction
from pacte.traductions import Traduisible

from .enums import Certitude, Statut, StatutSource


class Orientation(Traduisible):
    """One of the Pacte's three orientations: accessibilité, proximité, adaptabilité."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    titre = models.CharField(_("titre"), max_length=120)
    description = models.TextField(_("description en langage clair"), blank=True)
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["ordre", "code"]
        verbose_name = _("orientation")

    def __str__(self) -> str:
        return self.titre


class Axe(Traduisible):
    """A sub-axis of an orientation (only those of the accessibility orientation are sourced)."""

    orientation = models.ForeignKey(Orientation, on_delete=models.PROTECT, related_name="axes")
    titre = models.CharField(_("titre"), max_length=200)
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["orientation__ordre", "ordre", "titre"]
        verbose_name = _("axe")
        constraints = [
            models.UniqueConstraint(fields=["orientation", "titre"], name="axe_unique_par_orientation")
        ]

    def __str__(self) -> str:
        return self.titre


class ActionQuerySet(models.QuerySet):
    def publiees(self):
        return self.filter(is_published=True)

    def par_statut(self) -> dict[str, int]:
        counts = dict(self.order_by().values_list("statut").annotate(n=Count("id")))
        return {value: counts.get(value, 0) for value in Statut.values}

    def with_counts(self):
        return self.annotate(nb_jalons=Count("jalons", filter=Q(jalons__is_published=True), distinct=True))


class Action(Traduisible):
    """An action of the Pacte, with its pilot direction, status and progress."""

    code = models.CharField(_("code"), max_length=10, unique=True, help_text=_("Par exemple A1, P2, D1."))
    numero = models.PositiveSmallIntegerField(_("numéro"), default=0)
    orientation = models.ForeignKey(Orientation, on_delete=models.PROTECT, related_name="actions")
    axe = models.ForeignKey(Axe, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    titre = models.CharField(_("titre"), max_length=300)
    description = models.TextField(_("description en langage clair"), blank=True)
    direction = models.ForeignKey(
        Direction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions_pacte",
        verbose_name=_("direction pilote"),
    )
    partenaires = models.CharField(_("partenaires"), max_length=300, blank=True)
    statut = models.CharField(_("statut"), max_length=12, choices=Statut.choices, default=Statut.A_ENGAGER)
    avancement = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    debut_on = models.DateField(_("date de début"), null=True, blank=True)
    cible_on = models.DateField(_("date cible"), null=True, blank=True)
    source = models.URLField(_("source"), max_length=500, blank=True)
    statut_source = models.CharField(
        _("provenance"), max_length=12, choices=StatutSource.choices, default=StatutSource.SOURCEE
    )
    certitude = models.CharField(
        _("certitude"), max_length=12, choices=Certitude.choices, default=Certitude.A_CONFIRMER
    )
    is_published = models.BooleanField(_("publiée"), default=True)
    updated_at = models.DateTimeField(_("mise à jour"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["orientation__ordre", "numero", "code"]
        verbose_name = _("action du Pacte")
        verbose_name_plural = _("actions du Pacte")
        constraints = [
            models.CheckConstraint(
                condition=Q(avancement__gte=0, avancement__lte=100), name="action_avancement_0_100"
            ),
            models.CheckConstraint(condition=Q(statut__in=Statut.values), name="action_statut_valide"),
            models.CheckConstraint(
                condition=Q(debut_on__isnull=True)
                | Q(cible_on__isnull=True)
                | Q(cible_on__gte=models.F("debut_on")),
                name="action_cible_apres_debut",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.titre}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("tracker:action", args=[self.code])


class Jalon(models.Model):
    """A dated milestone of an action, with a public note and an optional evidence link."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="jalons")
    date_on = models.DateField(_("date"))
    titre = models.CharField(_("titre"), max_length=200)
    note = models.TextField(_("note publique"), blank=True)
    preuve_url = models.URLField(_("lien vers une preuve"), max_length=500, blank=True)
    is_published = models.BooleanField(_("publié"), default=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date_on", "pk"]
        verbose_name = _("jalon")

    def __str__(self) -> str:
        return f"{self.action.code} — {self.date_on:%d/%m/%Y} — {self.titre}"


class IndicateurSaisi(models.Model):
    """An indicator whose values the pilot direction enters by hand (target against actual)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicateurs_saisis")
    titre = models.CharField(_("titre"), max_length=200)
    unite = models.CharField(_("unité"), max_length=40, default="", blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["action", "titre"]
        verbose_name = _("indicateur saisi")
        verbose_name_plural = _("indicateurs saisis")

    def __str__(self) -> str:
        return self.titre


class MesureIndicateur(models.Model):
    """A measure of a manual indicator at a date: target and actual."""

    indicateur = models.ForeignKey(IndicateurSaisi, on_delete=models.CASCADE, related_name="mesures")
    periode_on = models.DateField(_("date de la mesure"))
    cible = models.DecimalField(_("cible"), max_digits=12, decimal_places=2, null=True, blank=True)
    realise = models.DecimalField(_("réalisé"), max_digits=12, decimal_places=2, null=True, blank=True)
    commentaire = models.CharField(_("commentaire public"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicateur", "periode_on"]
        verbose_name = _("mesure d'indicateur")
        constraints = [
            models.UniqueConstraint(fields=["indicateur", "periode_on"], name="mesure_unique_par_date"),
        ]

    def __str__(self) -> str:
        return f"{self.indicateur} — {self.periode_on}"


class Abonnement(models.Model):
    """A citizen following an action by email (double opt-in; only token hashes are stored)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="abonnements")
    email = models.EmailField(_("adresse électronique"))
    # The language the person was served in: their messages are written in it (pacte.langues).
    langue = LangueField()
    # The unsubscribe token is derived from `uid` with the secret key (so every email can carry it)
    # and looked up by its hash; the confirmation token is random and given once.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    confirmation_hash = models.CharField(max_length=64, unique=True)
    desabonnement_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("abonnement")
        constraints = [models.UniqueConstraint(fields=["action", "email"], name="abonnement_unique")]

    def __str__(self) -> str:
        return f"{self.email} → {self.action.code}"
