"""The catalogue of e-services, their guaranteed alternatives (G1) and the callback queue."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pacte.langues import LangueField
from pacte.models import Direction, Lieu
from pacte.traductions import Traduisible

from .enums import CanalRappel, Repli, ResultatAppel, StatutRappel, TypeAlternative


class DemarcheQuerySet(models.QuerySet):
    def publiees(self):
        return self.filter(is_published=True)

    def with_active_alternative(self):
        return self.annotate(
            has_active_alternative=Exists(Alternative.objects.filter(demarche=OuterRef("pk"), is_active=True))
        )

    def sans_alternative(self):
        """Published e-services violating G1 (no active alternative)."""
        return self.publiees().with_active_alternative().filter(has_active_alternative=False)


class Demarche(Traduisible):
    """An e-service of the City, with what it is for, who can do it and what to bring."""

    slug = models.SlugField(unique=True, max_length=80)
    code = models.CharField(_("code"), max_length=60, unique=True)
    titre = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("à quoi ça sert"), blank=True)
    qui_peut = models.TextField(_("qui peut faire cette démarche"), blank=True)
    pieces = models.TextField(_("pièces à apporter"), blank=True, help_text=_("Une pièce par ligne."))
    cout = models.CharField(_("coût"), max_length=200, blank=True)
    delai = models.CharField(_("délai"), max_length=200, blank=True)
    url_en_ligne = models.URLField(_("adresse de la démarche en ligne"), max_length=500, blank=True)
    categorie = models.CharField(_("catégorie"), max_length=80, blank=True, db_index=True)
    direction = models.ForeignKey(
        Direction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demarches",
        verbose_name=_("direction responsable"),
    )
    rendez_vous_guichet = models.BooleanField(_("rendez-vous obligatoire au guichet"), default=False)
    is_published = models.BooleanField(_("publiée"), default=False)
    is_indicative = models.BooleanField(_("informations indicatives, à confirmer par la Ville"), default=True)
    # Fair access when slots are scarce (#19.3): enforced by the booking engine over every agenda of
    # the démarche's alternatives (demarches.selectors.plafonds_of_agenda).
    rdv_max_par_personne = models.PositiveSmallIntegerField(
        _("rendez-vous à venir par personne (maximum)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Vide : pas de limite. Sinon, une même personne (même téléphone, même courriel ou même "
            "prénom et nom) ne peut pas avoir plus de rendez-vous confirmés à venir pour cette "
            "démarche, tous guichets confondus. Un agent peut dépasser ce maximum pour un appelant, "
            "en indiquant pourquoi."
        ),
    )
    # « Français facile » (#17.5, pacte.facile): the easy-to-read page. French only, by nature.
    texte_facile = models.TextField(
        _("texte en français facile"),
        blank=True,
        help_text=_(
            "Une idée par ligne, une phrase courte par idée (15 mots au plus), des mots de tous "
            "les jours, pas d'abréviation, les nombres en chiffres. Un pictogramme est choisi pour "
            "chaque ligne d'après ses mots (téléphone, rendez-vous, guichet, papier…). Vide : la "
            "page facile dit ce qu'est la démarche d'après son titre et donne les aides humaines."
        ),
    )
    texte_facile_relu = models.BooleanField(
        _("texte facile relu par la Ville"),
        default=False,
        help_text=_("Décoché : texte écrit par l'équipe du portail, à relire par la Ville."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = DemarcheQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["titre"]
        verbose_name = _("démarche en ligne")
        verbose_name_plural = _("démarches en ligne")
        constraints = [
            models.CheckConstraint(
                condition=Q(rdv_max_par_personne__isnull=True) | Q(rdv_max_par_personne__gte=1),
                name="demarche_rdv_max_par_personne_min_1",
            ),
        ]

    def __str__(self) -> str:
        return self.titre

    def get_absolute_url(self) -> str:
        return reverse("demarches:detail", args=[self.slug])

    @property
    def texte_facile_phrases(self) -> list:
        """The easy text, one idea a line, each with its pictogram (pacte.facile.idees)."""
        from pacte.facile import idees

        return idees(self.texte_facile)

    @property
    def pieces_liste(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.pieces.splitlines() if line.strip(" -•\t")]

    def clean(self):
        # G1: a published e-service needs at least one active alternative. On creation there are no
        # alternatives yet: publish afterwards (services.demarche_publish) or through the admin,
        # which defers this check to its inline formset and re-checks in save_related.
        deferred = getattr(self, "_g1_deferred", False)
        if (
            self.is_published
            and not deferred
            and (self.pk is None or not self.alternatives.filter(is_active=True).exists())
        ):
            raise ValidationError(
                {
                    "is_published": _(
                        "Une démarche en ligne ne peut pas être publiée sans au moins une alternative "
                        "active (guichet, téléphone, rappel ou courrier)."
                    )
                },
                code="g1_sans_alternative",
            )


class AlternativeQuerySet(models.QuerySet):
    def actives(self):
        return self.filter(is_active=True)


class Alternative(models.Model):
    """A declared, non-digital way to do an e-service: counter, phone, callback or post."""

    demarche = models.ForeignKey(Demarche, on_delete=models.CASCADE, related_name="alternatives")
    type = models.CharField(_("type"), max_length=12, choices=TypeAlternative.choices)
    lieux = models.ManyToManyField(Lieu, blank=True, related_name="alternatives", verbose_name=_("lieux"))
    avec_rendez_vous = models.BooleanField(_("sur rendez-vous"), default=False)
    horaires = models.TextField(_("horaires"), blank=True)
    telephone = models.CharField(
        _("numéro de téléphone"), max_length=20, blank=True, help_text=_("Vide : Lyon en direct.")
    )
    adresse_postale = models.TextField(_("adresse postale"), blank=True)
    # A counter may be bookable at several lieux: one booking agenda per lieu (pacte.booking).
    agendas = models.ManyToManyField(
        "booking.Agenda",
        blank=True,
        related_name="alternatives",
        verbose_name=_("agendas de rendez-vous"),
        help_text=_("Agendas réservables en ligne pour ce guichet (un par lieu)."),
    )
    precisions = models.TextField(_("précisions"), blank=True)
    ordre = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AlternativeQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[lieux, agendas])

    class Meta:
        ordering = ["ordre", "id"]
        verbose_name = _("alternative garantie")
        verbose_name_plural = _("alternatives garanties")

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.demarche}"

    @property
    def telephone_affiche(self) -> str:
        return self.telephone or settings.LYON_EN_DIRECT_PHONE

    def clean(self):
        if self.type == TypeAlternative.COURRIER and not self.adresse_postale.strip():
            raise ValidationError({"adresse_postale": _("Indiquez l'adresse où écrire.")})


class DemandeRappelQuerySet(models.QuerySet):
    def ouvertes(self):
        return self.filter(statut__in=[StatutRappel.EN_ATTENTE, StatutRappel.EN_COURS])

    def with_tentatives(self):
        return self.annotate(
            nb_tentatives=Count("tentatives"),
            nb_echecs=Count("tentatives", filter=~Q(tentatives__resultat=ResultatAppel.JOINT)),
        )

    def file(self, moment: str | None = None):
        """The queue: open requests; those who asked to be called at `moment` (« mar_matin ») first,
        then those without a preference, then the others; each group by deadline then age."""
        if not moment:
            return self.ouvertes().order_by("promesse_at", "created_at", "id")
        rang = Case(
            When(creneaux_preferes__icontains=f'"{moment}"', then=Value(0)),
            When(creneaux_preferes=[], then=Value(1)),
            default=Value(2),
        )
        return (
            self.ouvertes()
            .annotate(rang_moment=rang)
            .order_by("rang_moment", "promesse_at", "created_at", "id")
        )


class DemandeRappel(models.Model):
    """A callback request (the phone alternative), with the promise shown to the citizen."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    demarche = models.ForeignKey(
        Demarche,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demandes_rappel",
        verbose_name=_("démarche"),
    )
    nom = models.CharField(_("nom"), max_length=150)
    telephone = models.CharField(_("téléphone"), max_length=20)
    email = models.EmailField(_("adresse électronique"), blank=True)
    # The language the person was served in: their messages are written in it (pacte.langues).
    langue = LangueField()
    # Only for a person without email or mobile: the fallback then goes as a letter (pacte.courriers).
    adresse_postale = models.TextField(_("adresse postale"), blank=True, db_default="")
    objet = models.TextField(_("objet"), max_length=1000)
    creneaux_preferes = models.JSONField(_("moments préférés"), default=list, blank=True)
    canal = models.CharField(_("canal"), max_length=10, choices=CanalRappel.choices)
    statut = models.CharField(
        _("statut"),
        max_length=12,
        choices=StatutRappel.choices,
        default=StatutRappel.EN_ATTENTE,
        db_index=True,
    )
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    promesse_at = models.DateTimeField(_("rappel promis avant le"), db_index=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rappels_pris",
        verbose_name=_("pris en charge par"),
    )
    pris_at = models.DateTimeField(null=True, blank=True)
    clos_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    repli = models.CharField(_("solution de repli"), max_length=10, choices=Repli.choices, blank=True)
    repli_at = models.DateTimeField(null=True, blank=True)

    objects = DemandeRappelQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["promesse_at", "created_at"]
        verbose_name = _("demande de rappel")
        verbose_name_plural = _("demandes de rappel")
        constraints = [
            models.CheckConstraint(
                condition=Q(statut__in=["joint", "abandonnee"], clos_at__isnull=False)
                | Q(statut__in=["en_attente", "en_cours"], clos_at__isnull=True),
                name="demande_rappel_clos_at_coherent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.nom}"

    @property
    def is_en_retard(self) -> bool:
        return (
            self.statut in (StatutRappel.EN_ATTENTE, StatutRappel.EN_COURS)
            and self.promesse_at < timezone.now()
        )

    @property
    def promesse_tenue(self) -> bool | None:
        if self.statut == StatutRappel.JOINT:
            return self.clos_at <= self.promesse_at
        if self.statut == StatutRappel.ABANDONNEE or self.promesse_at < timezone.now():
            return False
        return None

    @property
    def promesse_texte(self) -> str:
        """The promise as a day and a half-day: « jeudi 3 décembre, dans la matinée »."""
        from .ligne import promesse_texte

        return promesse_texte(self.promesse_at)

    @property
    def creneaux_libelles(self) -> list[str]:
        from .enums import CRENEAUX_LABELS

        return [CRENEAUX_LABELS.get(code, code) for code in self.creneaux_preferes]


class TentativeAppel(models.Model):
    """One call attempt on a callback request, with its outcome."""

    demande = models.ForeignKey(DemandeRappel, on_delete=models.CASCADE, related_name="tentatives")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    resultat = models.CharField(_("résultat"), max_length=16, choices=ResultatAppel.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("tentative d'appel")
        verbose_name_plural = _("tentatives d'appel")

    def __str__(self) -> str:
        return f"{self.demande.reference} {self.at:%d/%m %H:%M} {self.get_resultat_display()}"
