"""Médiation: saisines (cases) from intake to closure, their timeline, and proposals.

QuerySets first, then models. Status fields are changed only by `mediation.workflows`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pacte.langues import LangueField
from pacte.models import Arrondissement, Direction
from pacte.uploads import EXTENSIONS

from .enums import (
    STATUTS_OUVERTS,
    CanalSaisine,
    Issue,
    MotifIrrecevabilite,
    Niveau,
    OrganismeReorientation,
    RequerantType,
    StatutProposition,
    StatutSaisine,
    Theme,
)


class SaisineQuerySet(models.QuerySet):
    def ouvertes(self):
        return self.filter(statut__in=STATUTS_OUVERTS)

    def en_retard(self, today=None):
        """Open cases whose answer deadline has passed."""
        today = today or timezone.localdate()
        return self.ouvertes().filter(echeance_reponse__lt=today)

    def non_anonymisees(self):
        return self.filter(is_anonymised=False)


class Saisine(models.Model):
    """A request to the médiateur, from any channel, followed until closure."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    requerant_type = models.CharField(
        _("vous êtes"), max_length=12, choices=RequerantType.choices, default=RequerantType.PARTICULIER
    )
    canal = models.CharField(_("canal"), max_length=12, choices=CanalSaisine.choices, db_index=True)
    # Identity and contact (erased by the retention job).
    nom = models.CharField(_("nom"), max_length=150, blank=True)
    prenom = models.CharField(_("prénom"), max_length=150, blank=True)
    organisme_nom = models.CharField(_("nom de l'association ou de l'entreprise"), max_length=200, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    telephone = models.CharField(_("téléphone"), max_length=20, blank=True)
    adresse = models.CharField(_("adresse postale"), max_length=300, blank=True)
    # The language the person was served in: their messages are written in it (pacte.langues).
    langue = LangueField()
    # What it is about (kept for statistics).
    arrondissement = models.ForeignKey(
        Arrondissement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="saisines",
        verbose_name=_("arrondissement"),
    )
    direction = models.ForeignKey(
        Direction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="saisines",
        verbose_name=_("direction concernée"),
    )
    service_concerne = models.CharField(_("service concerné"), max_length=200, blank=True)
    theme = models.CharField(
        _("thème"), max_length=30, choices=Theme.choices, default=Theme.AUTRE, db_index=True
    )
    recit = models.TextField(_("ce qui s'est passé"), blank=True)
    demarche_prealable = models.BooleanField(_("démarche préalable auprès du service"), default=False)
    demarche_prealable_detail = models.TextField(_("démarche déjà faite"), blank=True)
    demarche_prealable_on = models.DateField(_("date de la démarche préalable"), null=True, blank=True)
    decision_justice = models.BooleanField(_("un tribunal a déjà jugé l'affaire"), default=False)
    # Workflow (assigned only by mediation.workflows.saisine_transition).
    statut = models.CharField(
        _("statut"), max_length=16, choices=StatutSaisine.choices, default=StatutSaisine.RECUE, db_index=True
    )
    motif_irrecevabilite = models.CharField(
        _("motif d'irrecevabilité"), max_length=30, choices=MotifIrrecevabilite.choices, blank=True
    )
    organisme_reorientation = models.CharField(
        _("organisme compétent"), max_length=30, choices=OrganismeReorientation.choices, blank=True
    )
    niveau = models.CharField(_("niveau de traitement"), max_length=20, choices=Niveau.choices, blank=True)
    issue = models.CharField(_("issue"), max_length=16, choices=Issue.choices, blank=True)
    elu_implique = models.BooleanField(_("élu impliqué"), default=False)
    elu_detail = models.CharField(_("élu impliqué (précision)"), max_length=200, blank=True)
    # Dates.
    recue_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    accuse_at = models.DateTimeField(_("accusé de réception envoyé le"), null=True, blank=True)
    echeance_accuse = models.DateField(_("accusé de réception attendu le"), null=True, blank=True)
    echeance_reponse = models.DateField(_("réponse attendue le"), null=True, blank=True, db_index=True)
    cloturee_at = models.DateTimeField(_("clôturée le"), null=True, blank=True, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="saisines_suivies",
        verbose_name=_("suivie par"),
    )
    saisie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="saisines_saisies",
        verbose_name=_("saisie par"),
    )
    # Requester's secret follow-up link (G4): only the hash is stored.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_expire_at = models.DateTimeField(null=True, blank=True)
    consentement_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    is_anonymised = models.BooleanField(_("anonymisée"), default=False, db_index=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["token_hash", "token_expire_at", "updated_at"])
    objects = SaisineQuerySet.as_manager()

    class Meta:
        ordering = ["-recue_at", "-id"]
        verbose_name = _("saisine")
        constraints = [
            models.CheckConstraint(
                condition=~Q(statut=StatutSaisine.IRRECEVABLE) | ~Q(motif_irrecevabilite=""),
                name="saisine_irrecevable_a_un_motif",
            ),
            models.CheckConstraint(
                condition=~Q(statut=StatutSaisine.REORIENTEE) | ~Q(organisme_reorientation=""),
                name="saisine_reorientee_a_un_organisme",
            ),
            models.CheckConstraint(
                condition=~Q(statut=StatutSaisine.CLOTUREE) | (~Q(issue="") & Q(cloturee_at__isnull=False)),
                name="saisine_cloturee_a_une_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def requerant_label(self) -> str:
        if self.is_anonymised:
            return "(anonymisé)"
        name = " ".join(filter(None, [self.prenom, self.nom]))
        if self.organisme_nom:
            return f"{self.organisme_nom} ({name})" if name else self.organisme_nom
        return name or "(sans nom)"

    @property
    def is_en_retard(self) -> bool:
        return (
            self.statut in STATUTS_OUVERTS
            and self.echeance_reponse is not None
            and self.echeance_reponse < timezone.localdate()
        )


class Transition(models.Model):
    """One status change of a saisine: from, to, who, when, why."""

    saisine = models.ForeignKey(Saisine, on_delete=models.CASCADE, related_name="transitions")
    de = models.CharField(max_length=16, choices=StatutSaisine.choices)
    vers = models.CharField(max_length=16, choices=StatutSaisine.choices)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    motif = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.saisine_id}: {self.de} → {self.vers}"


class Message(models.Model):
    """A message to or from the requester, or an internal note of the team (`is_interne`)."""

    saisine = models.ForeignKey(Saisine, on_delete=models.CASCADE, related_name="messages")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_from_requerant = models.BooleanField(default=False)
    is_interne = models.BooleanField(_("note interne"), default=False)
    corps = models.TextField(_("message"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(is_from_requerant=True) & Q(is_interne=True)),
                name="message_requerant_pas_interne",
            )
        ]

    def __str__(self) -> str:
        return f"Message du {self.at:%d/%m/%Y}"


def _document_path(instance, filename):
    # The extension comes from the sniffed type, never from the client's file name (pacte.uploads).
    ext = EXTENSIONS.get(instance.mimetype, "bin")
    return f"mediation/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Document(models.Model):
    """A file of the case, stored under MEDIA_ROOT and served only by a permission-checking view."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    saisine = models.ForeignKey(Saisine, on_delete=models.CASCADE, related_name="documents")
    fichier = models.FileField(upload_to=_document_path, max_length=200)
    nom = models.CharField(max_length=200)
    mimetype = models.CharField(max_length=60)
    taille = models.PositiveIntegerField(default=0)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_from_requerant = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.nom


class DemandePositionQuerySet(models.QuerySet):
    def en_attente(self):
        return self.filter(repondue_at__isnull=True)

    def en_retard(self, today=None):
        today = today or timezone.localdate()
        return self.en_attente().filter(echeance__lt=today)


class DemandePosition(models.Model):
    """A request for position sent by the médiateur to a direction (formal mediation)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    saisine = models.ForeignKey(Saisine, on_delete=models.CASCADE, related_name="demandes_position")
    direction = models.ForeignKey(
        Direction, on_delete=models.PROTECT, related_name="demandes_position", verbose_name=_("direction")
    )
    question = models.TextField(_("question posée au service"))
    echeance = models.DateField(_("réponse attendue le"))
    envoyee_at = models.DateTimeField(default=timezone.now)
    envoyee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reponse = models.TextField(_("réponse de la direction"), blank=True)
    repondue_at = models.DateTimeField(null=True, blank=True)
    repondue_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    relances = models.PositiveSmallIntegerField(default=0)
    derniere_relance_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()
    objects = DemandePositionQuerySet.as_manager()

    class Meta:
        ordering = ["envoyee_at", "id"]
        verbose_name = _("demande de position")
        verbose_name_plural = _("demandes de position")

    def __str__(self) -> str:
        return f"Demande de position {self.saisine.reference} → {self.direction.sigle}"

    @property
    def is_en_retard(self) -> bool:
        return self.repondue_at is None and self.echeance < timezone.localdate()


class Proposition(models.Model):
    """A proposal to improve the City's services, followed to its outcome (public accountability)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    numero = models.CharField(_("numéro"), max_length=20, unique=True)
    titre = models.CharField(_("titre"), max_length=200)
    texte = models.TextField(_("proposition"))
    direction = models.ForeignKey(
        Direction,
        on_delete=models.PROTECT,
        related_name="propositions_mediation",
        verbose_name=_("direction destinataire"),
    )
    annee = models.PositiveSmallIntegerField(_("année"), db_index=True)
    statut = models.CharField(
        _("statut"),
        max_length=16,
        choices=StatutProposition.choices,
        default=StatutProposition.FORMULEE,
        db_index=True,
    )
    formulee_on = models.DateField(_("formulée le"), default=timezone.localdate)
    reponse_direction = models.TextField(_("réponse de la direction"), blank=True)
    repondue_on = models.DateField(_("réponse reçue le"), null=True, blank=True)
    mise_en_oeuvre_on = models.DateField(_("mise en œuvre le"), null=True, blank=True)
    preuve = models.TextField(_("preuve de la mise en œuvre (texte ou lien)"), blank=True)
    saisines = models.ManyToManyField(Saisine, blank=True, related_name="propositions")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-annee", "numero"]
        verbose_name = _("proposition d'amélioration")
        verbose_name_plural = _("propositions d'amélioration")

    def __str__(self) -> str:
        return f"{self.numero} — {self.titre}"
