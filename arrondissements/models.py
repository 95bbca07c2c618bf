"""Demandes d'appui from élus d'arrondissement to the central directions, and their commitments."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pacte.models import Arrondissement, Direction
from pacte.uploads import EXTENSIONS

from .enums import OUVERTS, CanalOrigine, Categorie, Statut, Urgence


class Engagement(models.Model):
    """The response commitment for one urgency level, in business days (editable in the admin)."""

    urgence = models.CharField(_("urgence"), max_length=12, choices=Urgence.choices, unique=True)
    jours_ouvres = models.PositiveSmallIntegerField(_("délai de réponse (jours ouvrés)"))
    rappel_jours_avant = models.PositiveSmallIntegerField(
        _("rappel aux référents (jours ouvrés avant l'échéance)"), default=2
    )

    class Meta:
        verbose_name = _("engagement de délai")
        verbose_name_plural = _("engagements de délai")
        constraints = [
            models.CheckConstraint(condition=Q(jours_ouvres__gte=1), name="engagement_delai_positif")
        ]

    def __str__(self) -> str:
        return f"{self.get_urgence_display()} : {self.jours_ouvres} jours ouvrés"


class ReponseType(models.Model):
    """A canned reply of one direction, editable by its référents."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.ForeignKey(Direction, on_delete=models.CASCADE, related_name="reponses_types")
    titre = models.CharField(_("titre"), max_length=120)
    texte = models.TextField(_("texte"))

    class Meta:
        ordering = ["direction", "titre"]
        verbose_name = _("réponse type")
        verbose_name_plural = _("réponses types")
        constraints = [
            models.UniqueConstraint(fields=["direction", "titre"], name="reponse_type_titre_unique")
        ]

    def __str__(self) -> str:
        return self.titre


class DemandeAppuiQuerySet(models.QuerySet):
    def ouvertes(self):
        return self.filter(statut__in=OUVERTS)

    def en_retard(self, today=None):
        """Open requests past their deadline (the clock is paused while waiting for the élu)."""
        today = today or timezone.localdate()
        return self.ouvertes().filter(echeance__lt=today)


class DemandeAppui(models.Model):
    """A support request filed by an élu (or on their behalf) to one central direction."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    arrondissement = models.ForeignKey(
        Arrondissement, on_delete=models.PROTECT, related_name="demandes_appui"
    )
    auteur = models.ForeignKey(  # emptied by the retention job (mandate + 1 year)
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="demandes_appui",
        verbose_name=_("élu"),
    )
    objet = models.CharField(_("objet"), max_length=200)
    categorie = models.CharField(_("catégorie"), max_length=30, choices=Categorie.choices)
    direction = models.ForeignKey(
        Direction,
        on_delete=models.PROTECT,
        related_name="demandes_appui",
        verbose_name=_("direction sollicitée"),
    )
    localisation = models.CharField(_("lieu concerné (adresse ou équipement)"), max_length=250, blank=True)
    urgence = models.CharField(_("urgence"), max_length=12, choices=Urgence.choices, default=Urgence.NORMALE)
    description = models.TextField(_("description"))
    canal_origine = models.CharField(
        _("canal d'origine"), max_length=12, choices=CanalOrigine.choices, default=CanalOrigine.PORTAIL
    )
    # The élu asked for paper: the direction's answers also go as a letter to the mairie (pacte.courriers).
    reponse_par_courrier = models.BooleanField(
        _("réponse aussi par courrier"), default=False, db_default=False
    )
    statut = models.CharField(_("statut"), max_length=20, choices=Statut.choices, default=Statut.NOUVELLE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demandes_appui_assignees",
        verbose_name=_("référent chargé"),
    )
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    echeance = models.DateField(_("réponse attendue au plus tard le"))
    attente_depuis = models.DateTimeField(null=True, blank=True)  # when the élu was asked for details
    premiere_reponse_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    resolue_at = models.DateTimeField(_("réponse apportée le"), null=True, blank=True)
    is_dans_delai = models.BooleanField(_("réponse dans le délai"), null=True, blank=True)
    relance_envoyee_at = models.DateTimeField(null=True, blank=True)
    escalade_at = models.DateTimeField(null=True, blank=True)
    cloturee_at = models.DateTimeField(null=True, blank=True)
    anonymisee_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = DemandeAppuiQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande d'appui")
        verbose_name_plural = _("demandes d'appui")
        indexes = [
            models.Index(fields=["direction", "statut"]),
            models.Index(fields=["arrondissement", "statut"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolue_at__isnull=True) | Q(is_dans_delai__isnull=False),
                name="demande_appui_resolue_a_un_verdict",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.objet}"

    @property
    def is_en_retard(self) -> bool:
        return self.statut in OUVERTS and self.echeance < timezone.localdate()


class Message(models.Model):
    """One message of the conversation between the élu and the direction."""

    demande = models.ForeignKey(DemandeAppui, on_delete=models.CASCADE, related_name="messages")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_direction = models.BooleanField(_("écrit par la direction"))
    nature = models.CharField(max_length=24, blank=True)  # the workflow action it came with, if any
    texte = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")

    def __str__(self) -> str:
        return f"Message du {self.created_at:%d/%m/%Y}"


def _upload_to(instance, filename):
    return f"arrondissements/{instance.demande.uuid}/{uuid.uuid4().hex}.{instance.extension}"


class PieceJointe(models.Model):
    """An attachment (PDF, JPEG or PNG, checked by content), served only through a permission view."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    demande = models.ForeignKey(DemandeAppui, on_delete=models.CASCADE, related_name="pieces_jointes")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="pieces"
    )
    fichier = models.FileField(upload_to=_upload_to)
    nom = models.CharField(max_length=200)
    mimetype = models.CharField(max_length=40)
    taille = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pièce jointe")

    def __str__(self) -> str:
        return self.nom

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.mimetype, "bin")
