"""Annual report of the médiateur: the report of a year, its anonymised vignettes, its PDF versions.

QuerySets first, then models. Status fields are changed only by `mediation.rapport.services`.
"""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .enums import STATUTS_EN_COURS, StatutRapport, StatutVersion


class RapportAnnuelQuerySet(models.QuerySet):
    def publies(self):
        return self.filter(versions__is_published=True).distinct()


class RapportAnnuel(models.Model):
    """The médiateur's annual report for one calendar year (editorial, vignettes, PDF versions)."""

    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    annee = models.PositiveSmallIntegerField(_("année"), unique=True)
    editorial = models.TextField(_("éditorial"), blank=True)
    statut = models.CharField(
        _("statut"), max_length=16, choices=StatutRapport.choices, default=StatutRapport.EN_PREPARATION
    )
    public_link_enabled = models.BooleanField(_("lien public de téléchargement activé"), default=False)
    # The public download link is /mediateur/rapports/public/<public_uuid>/ (unguessable, revocable).
    public_uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = RapportAnnuelQuerySet.as_manager()

    class Meta:
        ordering = ["-annee"]
        verbose_name = _("rapport annuel")
        verbose_name_plural = _("rapports annuels")
        constraints = [
            models.CheckConstraint(
                condition=Q(annee__gte=2000, annee__lte=2100), name="rapport_annee_plausible"
            )
        ]

    def __str__(self) -> str:
        return f"Rapport annuel {self.annee}"


class Vignette(models.Model):
    """An illustrative case, rewritten by the médiateur without anything that identifies the requester."""

    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    rapport = models.ForeignKey(RapportAnnuel, on_delete=models.CASCADE, related_name="vignettes")
    # SET_NULL: the retention job may one day delete a case; the anonymised text stays in the report.
    saisine = models.ForeignKey(
        "mediation.Saisine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vignettes_rapport",
        verbose_name=_("dossier illustré"),
    )
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=1)
    titre = models.CharField(_("titre de la vignette"), max_length=200)
    texte = models.TextField(_("texte anonymisé"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["ordre", "id"]
        verbose_name = _("vignette")
        constraints = [
            models.UniqueConstraint(fields=["rapport", "saisine"], name="vignette_une_par_dossier"),
        ]

    def __str__(self) -> str:
        return self.titre


def _version_path(instance, filename):
    return f"rapports/{instance.rapport.annee}/{instance.uuid.hex}.pdf"


class VersionRapport(models.Model):
    """One generation of the report's PDF (draft 1, 2…); at most one is published, one is running."""

    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    rapport = models.ForeignKey(RapportAnnuel, on_delete=models.CASCADE, related_name="versions")
    numero = models.PositiveSmallIntegerField(_("numéro de version"))
    statut = models.CharField(
        _("statut"), max_length=12, choices=StatutVersion.choices, default=StatutVersion.EN_ATTENTE
    )
    progression = models.PositiveSmallIntegerField(_("progression (%)"), default=0)
    etape = models.CharField(_("étape"), max_length=120, blank=True)
    erreur = models.TextField(_("raison de l'échec"), blank=True)
    fichier = models.FileField(upload_to=_version_path, max_length=200, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    taille = models.PositiveIntegerField(_("taille (octets)"), default=0)
    # Snapshot of the figures printed in this version (same data → same figures).
    statistiques = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    tentatives = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField(_("publiée"), default=False)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Idempotency key sent with the « Générer le PDF » form: a repeated POST finds this version.
    demande_cle = models.CharField(max_length=64, unique=True)

    history = HistoricalRecords(excluded_fields=["progression", "etape"])

    class Meta:
        ordering = ["-numero"]
        verbose_name = _("version du rapport")
        verbose_name_plural = _("versions du rapport")
        constraints = [
            models.UniqueConstraint(fields=["rapport", "numero"], name="version_numero_unique"),
            # Two clicks never give two generations: one pending/running version per report.
            models.UniqueConstraint(
                fields=["rapport"],
                condition=Q(statut__in=STATUTS_EN_COURS),
                name="version_une_generation_a_la_fois",
            ),
            models.UniqueConstraint(
                fields=["rapport"], condition=Q(is_published=True), name="version_une_seule_publiee"
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(statut=StatutVersion.PRET),
                name="version_publiee_est_prete",
            ),
            models.CheckConstraint(condition=Q(progression__lte=100), name="version_progression_max_100"),
        ]

    def __str__(self) -> str:
        return f"Rapport {self.rapport.annee}, version {self.numero}"

    @property
    def is_en_cours(self) -> bool:
        return self.statut in STATUTS_EN_COURS

    @property
    def sha256_groupes(self) -> str:
        """The checksum in groups of 8 characters, readable and able to wrap on a phone."""
        return " ".join(self.sha256[i : i + 8] for i in range(0, len(self.sha256), 8))

    @property
    def nom_fichier(self) -> str:
        return f"rapport-mediateur-lyon-{self.rapport.annee}-v{self.numero}.pdf"
