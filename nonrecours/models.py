"""The non-recours observatory: the rights catalogue and anonymous observations.

An observation stores NO identity, ever: no name, no contact, no date of birth, no free text. Each
field is a code from a closed list (`enums.py`), an arrondissement, a date, or a démarche reference
(slug and public title of the démarches catalogue). Only the staff member who recorded it is kept,
so that they can add the follow-up (« droit ouvert ? ») later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pacte.models import Arrondissement

from .enums import AgeTranche, DroitOuvert, Menage, Orientation, Situation, Source, TypeOdenore


class DispositifQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(is_active=True)


class Dispositif(models.Model):
    """A right or aid (RSA, CSS, chèque énergie…), seeded from data/reference/dispositifs.csv."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    nom = models.CharField(_("nom"), max_length=200)
    porteur = models.CharField(_("organisme qui le gère"), max_length=120, blank=True)
    lien = models.URLField(_("lien vers l'information officielle"), max_length=500, blank=True)
    source = models.URLField(_("source"), max_length=500, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)

    objects = DispositifQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]
        verbose_name = _("dispositif")

    def __str__(self) -> str:
        return self.nom


class Observation(models.Model):
    """One situation of non-recours (or a citizen's difficulty), without any identity."""

    observed_on = models.DateField(_("date"), default=timezone.localdate)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    type_odenore = models.CharField(
        _("type de non-recours"), max_length=20, choices=TypeOdenore.choices, blank=True
    )
    raisons = models.JSONField(_("raisons"), default=list, blank=True)
    arrondissement = models.ForeignKey(
        Arrondissement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dispositifs = models.ManyToManyField(
        Dispositif, through="ObservationDispositif", related_name="observations", blank=True
    )
    age_tranche = models.CharField(_("âge"), max_length=10, choices=AgeTranche.choices, blank=True)
    menage = models.CharField(_("ménage"), max_length=20, choices=Menage.choices, blank=True)
    situation = models.CharField(_("situation"), max_length=20, choices=Situation.choices, blank=True)
    demarche_slug = models.SlugField(_("démarche (slug)"), max_length=100, blank=True)
    demarche_titre = models.CharField(_("démarche"), max_length=200, blank=True)
    orientation = models.CharField(_("orientation"), max_length=20, choices=Orientation.choices, blank=True)
    droit_ouvert = models.CharField(
        _("droit ouvert ?"), max_length=10, choices=DroitOuvert.choices, blank=True
    )
    suivi_le = models.DateTimeField(_("suivi renseigné le"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        ordering = ["-observed_on", "-id"]
        verbose_name = _("observation")
        indexes = [
            # Covering index for the statistics (filter by period, group by type × arrondissement).
            models.Index(
                fields=["observed_on", "type_odenore", "arrondissement"],
                name="nr_obs_stats_idx",
                include=["demarche_slug"],
            ),
            models.Index(fields=["recorded_by", "-created_at"], name="nr_obs_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"Observation n° {self.pk} du {self.observed_on:%d/%m/%Y}"

    @property
    def has_demarche(self) -> bool:
        return bool(self.demarche_slug)


class ObservationDispositif(models.Model):
    """The right(s) concerned by an observation, with the observation's statistical keys copied in.

    The copy (date, type, arrondissement, démarche linked) lets the statistics by right read one
    table with a covering index instead of joining a million observations.
    """

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="liens_dispositifs")
    dispositif = models.ForeignKey(Dispositif, on_delete=models.PROTECT, related_name="+")
    observed_on = models.DateField()
    type_odenore = models.CharField(max_length=20, choices=TypeOdenore.choices, blank=True)
    arrondissement = models.ForeignKey(
        Arrondissement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    has_demarche = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["observation", "dispositif"], name="nr_obs_dispositif_unique")
        ]
        indexes = [
            models.Index(
                fields=["observed_on", "dispositif", "type_odenore", "arrondissement"],
                name="nr_od_stats_idx",
                include=["has_demarche"],
            ),
            models.Index(
                fields=["dispositif", "observed_on"], name="nr_od_disp_idx", include=["type_odenore"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispositif_id} / observation {self.observation_id}"


class StatMensuelle(models.Model):
    """Monthly roll-up of the observations, kept in step by `observation_record` (same transaction).

    `dispositif_code = ""` rows count each observation once; other rows count the observations
    mentioning that right. The public statistics read only this table (a few thousand rows at
    most), so the page and the export stay fast with millions of observations. Rebuilt from the
    observations by `rollup_rebuild()` (`manage.py nonrecours_recalcul`) after bulk loads.
    """

    mois = models.DateField()
    dispositif_code = models.CharField(max_length=40, blank=True)
    type_odenore = models.CharField(max_length=20, choices=TypeOdenore.choices, blank=True)
    arrondissement = models.PositiveSmallIntegerField(default=0, help_text="Numéro, 0 = non précisé.")
    has_demarche = models.BooleanField(default=False)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mois", "dispositif_code", "type_odenore", "arrondissement", "has_demarche"],
                name="nr_stat_cle_unique",
            )
        ]
        indexes = [models.Index(fields=["dispositif_code", "mois"], name="nr_stat_disp_idx")]

    def __str__(self) -> str:
        return f"{self.mois:%Y-%m} {self.dispositif_code or '*'} {self.type_odenore} {self.arrondissement}: {self.n}"
