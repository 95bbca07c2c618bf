"""The shared kernel's models: territory and organisation, staff profiles, the business journal and
the notification outbox. The booking engine lives in `pacte.booking`, the tracker in `pacte.tracker`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .traductions import Traduisible


class TypeLieu(models.TextChoices):
    MAIRIE = "mairie", _("Mairie d'arrondissement")
    HOTEL_DE_VILLE = "hotel_de_ville", _("Hôtel de Ville")
    BIBLIOTHEQUE = "bibliotheque", _("Bibliothèque")
    CENTRE_SOCIAL = "centre_social", _("Centre social")
    AUTRE = "autre", _("Autre lieu d'accueil")


class Arrondissement(models.Model):
    """One of Lyon's nine arrondissements, with its mairie."""

    numero = models.PositiveSmallIntegerField(_("numéro"), unique=True)
    nom = models.CharField(_("nom"), max_length=40)
    mairie_adresse = models.CharField(_("adresse de la mairie"), max_length=200)
    code_postal = models.CharField(_("code postal"), max_length=5)
    telephone = models.CharField(_("téléphone"), max_length=20, blank=True)
    is_verified = models.BooleanField(_("information vérifiée"), default=False)
    source = models.URLField(_("source"), max_length=500, blank=True)

    class Meta:
        ordering = ["numero"]
        verbose_name = _("arrondissement")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(numero__gte=1, numero__lte=9), name="arrondissement_numero_1_9"
            )
        ]

    def __str__(self) -> str:
        return self.nom

    @property
    def ordinal(self) -> str:
        return "1er" if self.numero == 1 else f"{self.numero}e"


class LieuQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(is_active=True)


class Lieu(Traduisible):
    """A reception place (mairie, bibliothèque, hôtel de ville, centre social)."""

    slug = models.SlugField(unique=True, max_length=80)
    nom = models.CharField(_("nom"), max_length=150)
    type = models.CharField(_("type"), max_length=20, choices=TypeLieu.choices)
    arrondissement = models.ForeignKey(
        Arrondissement, on_delete=models.PROTECT, related_name="lieux", verbose_name=_("arrondissement")
    )
    adresse = models.CharField(_("adresse"), max_length=200, blank=True)
    code_postal = models.CharField(_("code postal"), max_length=5, blank=True)
    horaires = models.TextField(_("horaires d'ouverture"), blank=True)
    telephone = models.CharField(_("téléphone"), max_length=20, blank=True)
    usages = models.CharField(_("usages"), max_length=300, blank=True)
    has_step_free_access = models.BooleanField(_("accès de plain-pied ou rampe"), null=True)
    has_hearing_loop = models.BooleanField(_("boucle magnétique"), null=True)
    has_lsf = models.BooleanField(_("accueil en langue des signes (LSF)"), null=True)
    accessibilite_notes = models.TextField(_("précisions d'accessibilité"), blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    is_verified = models.BooleanField(_("information vérifiée"), default=False)
    source = models.URLField(_("source"), max_length=500, blank=True)

    objects = LieuQuerySet.as_manager()

    class Meta:
        ordering = ["arrondissement__numero", "nom"]
        verbose_name = _("lieu d'accueil")
        verbose_name_plural = _("lieux d'accueil")

    def __str__(self) -> str:
        return self.nom

    @property
    def adresse_complete(self) -> str:
        if not self.adresse:
            return ""
        return f"{self.adresse}, {self.code_postal or self.arrondissement.code_postal} Lyon"


class Direction(models.Model):
    """A central direction of the City (indicative list until the City confirms it)."""

    sigle = models.CharField(_("sigle"), max_length=12, unique=True)
    nom = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("adresse de contact"), blank=True)
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directions_dirigees",
        verbose_name=_("responsable (escalade)"),
    )
    is_indicative = models.BooleanField(_("liste indicative, à confirmer"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["nom"]
        verbose_name = _("direction")

    def __str__(self) -> str:
        return self.nom


class TypeOrganisation(models.TextChoices):
    CCAS = "ccas", _("CCAS")
    ASSOCIATION = "association", _("Association")
    FRANCE_SERVICES = "france_services", _("France Services")


class Profil(models.Model):
    """What a staff account is attached to: a direction (référent), an arrondissement (élu), a
    lieu (agent) or, for a partner, the organisation they book for people from."""

    class FonctionElu(models.TextChoices):
        MAIRE = "maire", _("Maire d'arrondissement")
        ADJOINT = "adjoint", _("Adjoint ou adjointe")
        CONSEILLER = "conseiller", _("Conseiller ou conseillère d'arrondissement")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profil")
    direction = models.ForeignKey(
        Direction, on_delete=models.PROTECT, null=True, blank=True, related_name="profils"
    )
    arrondissement = models.ForeignKey(
        Arrondissement, on_delete=models.PROTECT, null=True, blank=True, related_name="profils"
    )
    fonction_elu = models.CharField(max_length=20, choices=FonctionElu.choices, blank=True)
    lieu = models.ForeignKey(
        Lieu,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agents",
        help_text=_("Lieu de travail habituel (agents d'accueil)."),
    )
    telephone = models.CharField(max_length=20, blank=True)
    organisation = models.CharField(
        _("organisation"),
        max_length=150,
        blank=True,
        db_default="",
        help_text=_("Partenaires : le nom de la structure (ex. CCAS de Lyon, antenne du 8e)."),
    )
    type_organisation = models.CharField(
        _("type d'organisation"), max_length=20, choices=TypeOrganisation.choices, blank=True, db_default=""
    )

    class Meta:
        verbose_name = _("profil")

    def __str__(self) -> str:
        return f"Profil de {self.user}"


class JournalQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Le journal est en ajout seul : aucune modification.")

    def delete(self):
        raise PermissionError("Le journal est en ajout seul : aucune suppression.")

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class JournalEntry(models.Model):
    """An append-only business journal entry: who did what, to what, when and why.

    Updates and deletes are refused by the model, the queryset and, on PostgreSQL, a trigger.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = JournalQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal métier")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Le journal est en ajout seul : aucune modification.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Le journal est en ajout seul : aucune suppression.")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class Canal(models.TextChoices):
    EMAIL = "email", _("Courriel")
    SMS = "sms", _("SMS")
    # Tasks for agents, when neither email nor SMS reaches the person (see pacte.notifications).
    COURRIER = "courrier", _("Courrier")
    APPEL = "appel", _("Appel téléphonique")


CANAUX_AUTOMATIQUES = (Canal.EMAIL, Canal.SMS)
CANAUX_TACHES = (Canal.COURRIER, Canal.APPEL)


class StatutNotification(models.TextChoices):
    PENDING = "pending", _("En attente d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec définitif")
    CANCELLED = "cancelled", _("Annulé")


class NotificationQuerySet(models.QuerySet):
    def about(self, obj):
        """The messages and tasks about one object (for its delivery log)."""
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def about_any(self, model, ids):
        """The messages and tasks about several objects of `model`."""
        return self.filter(object_type=model._meta.label_lower, object_id__in=[str(i) for i in ids])

    def ids_of(self, model):
        """The primary keys of the `model` objects these rows are about, as a subquery."""
        return (
            self.filter(object_type=model._meta.label_lower)
            .annotate(_object_pk=Cast("object_id", models.BigIntegerField()))
            .values("_object_pk")
        )

    def taches_a_faire(self):
        """Letters to post and calls to make that no agent has done yet, oldest first."""
        return self.filter(canal__in=CANAUX_TACHES, statut=StatutNotification.PENDING).order_by("created_at")


class Notification(models.Model):
    """A row of the outbox: one email or SMS, sent and retried by Celery, never lost.

    A row whose channel is a letter or a phone call is a task for an agent (« courrier à envoyer »,
    « appel à passer »): the worker never sends it, an agent marks it done. The body is encrypted
    at rest (`pacte.encryption`) and blanked once delivered; the metadata and status stay.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    canal = models.CharField(max_length=10, choices=Canal.choices)
    destinataire = models.CharField(max_length=254)
    # The language the message or task is written in (a letter in Arabic prints right to left).
    langue = models.CharField(max_length=8, default="fr", db_default="fr")
    sujet = models.CharField(max_length=250, blank=True)
    corps = models.TextField(help_text="Chiffré ; effacé une fois le message remis.")
    corps_html = models.TextField(blank=True)
    pieces_jointes = models.JSONField(
        default=list, blank=True, help_text="[{filename, mimetype, content_b64}]"
    )
    statut = models.CharField(
        max_length=12, choices=StatutNotification.choices, default=StatutNotification.PENDING, db_index=True
    )
    tentatives = models.PositiveSmallIntegerField(default=0)
    derniere_erreur = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    derniere_tentative_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the message is about, so agents can see its delivery status next to the object.
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Optional idempotency key: the same logical message is queued once.
    cle = models.CharField(max_length=160, null=True, blank=True, unique=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_canal_display()} à {self.destinataire} ({self.get_statut_display()})"

    @property
    def is_tache(self) -> bool:
        return self.canal in CANAUX_TACHES

    @property
    def etat(self) -> str:
        """The delivery status in words, as agents read it (« Courrier envoyé le 3/02 à 10 h 12 »)."""
        from django.utils.formats import date_format

        def quand(moment):
            moment = timezone.localtime(moment)
            return f"le {date_format(moment, 'j/m/Y')} à {moment:%H} h {moment:%M}"

        if self.statut == StatutNotification.SENT and self.sent_at:
            fait = {Canal.COURRIER: "Courrier envoyé", Canal.APPEL: "Appel passé"}.get(self.canal, "Envoyé")
            return f"{fait} {quand(self.sent_at)}"
        if self.statut == StatutNotification.PENDING and self.is_tache:
            a_faire = "Courrier à envoyer" if self.canal == Canal.COURRIER else "Appel à passer"
            if self.derniere_tentative_at:
                a_faire += f" (sans réponse {quand(self.derniere_tentative_at)})"
            return a_faire
        return self.get_statut_display()


class CompteurLimite(models.Model):
    """Database fallback of the rate-limit counters when the cache is unavailable."""

    cle = models.CharField(max_length=64)
    fenetre = models.BigIntegerField()
    nombre = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cle", "fenetre"], name="compteurlimite_unique")]

    def __str__(self) -> str:
        return f"{self.cle}@{self.fenetre}: {self.nombre}"


class EnvoiTemporaire(models.Model):
    """A checked attachment received with a form that came back with errors (#15.5).

    Bound to one filled-in form by `lot` (a random id the form carries signed, `pacte.uploads`), so
    the person never sends it twice; deleted when the form is sent, or after
    `UPLOADS_TEMPORAIRES_HEURES` by the purge (`pacte.retention.envois_temporaires_purge`).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lot = models.CharField(max_length=32, db_index=True)
    fichier = models.FileField(upload_to="temporaires/")
    nom = models.CharField(max_length=200)
    mimetype = models.CharField(max_length=50)
    taille = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.nom


class FormeAccord(models.TextChoices):
    ORAL = "oral", _("À l'oral")
    ECRIT = "ecrit", _("Par écrit (document signé)")


class ConsentementQuerySet(models.QuerySet):
    def visibles_par(self, user, *, now=None):
        """The records `user` made that they still see: their own, for
        PARTENAIRE_VISIBILITE_JOURS after the booking (then nobody's list shows them)."""
        import datetime as dt

        now = now or timezone.now()
        limite = now - dt.timedelta(days=settings.PARTENAIRE_VISIBILITE_JOURS)
        return self.filter(partenaire=user, partenaire__isnull=False, created_at__gt=limite)


class Consentement(models.Model):
    """A partner booked for a person (RDV Service Public « prescripteurs », Aidants Connect): the
    person's agreement — who agreed, when, for what, until when, how — and which partner, from
    which organisation, recorded it.

    One row per booking made on behalf (a counter or écrivain public appointment of the booking
    engine, a callback request): `objet_type`/`objet_id` name it as the journal does, `reference`,
    `libelle` and `rendez_vous_at` describe it for the partner's list, which never holds the
    person's secret link.
    """

    class Nature(models.TextChoices):
        GUICHET = "guichet", _("Rendez-vous au guichet")
        ECRIVAIN = "ecrivain", _("Rendez-vous avec un écrivain public")
        RAPPEL = "rappel", _("Demande de rappel")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partenaire = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="consentements_recueillis",
        verbose_name=_("partenaire"),
    )
    organisation = models.CharField(_("organisation"), max_length=150)
    personne_nom = models.CharField(_("personne qui donne son accord"), max_length=150)
    accord_on = models.DateField(_("date de l'accord"))
    expire_on = models.DateField(_("accord valable jusqu'au"))
    forme = models.CharField(_("forme de l'accord"), max_length=10, choices=FormeAccord.choices)
    nature = models.CharField(_("réservation"), max_length=10, choices=Nature.choices)
    objet_type = models.CharField(max_length=80)
    objet_id = models.CharField(max_length=64)
    reference = models.CharField(_("référence"), max_length=20)
    libelle = models.CharField(_("objet"), max_length=300)
    rendez_vous_at = models.DateTimeField(_("date du rendez-vous"), null=True, blank=True)
    created_at = models.DateTimeField(_("réservé le"), default=timezone.now, db_index=True)

    objects = ConsentementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("accord d'une personne (réservation par un partenaire)")
        verbose_name_plural = _("accords des personnes (réservations par un partenaire)")
        constraints = [
            models.UniqueConstraint(fields=["objet_type", "objet_id"], name="consentement_un_par_objet"),
            models.CheckConstraint(
                condition=models.Q(expire_on__gte=models.F("accord_on")),
                name="consentement_expire_apres_accord",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — accord de {self.personne_nom}"
