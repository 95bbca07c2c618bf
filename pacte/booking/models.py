"""The booking engine: agendas, opening rules, closures, reservations and capacity counters.

Availability is computed (rules − closures − holidays − counters); no slot rows are
pre-generated. A `CompteurCreneau` row is created lazily the first time a slot is booked and
carries the capacity that PostgreSQL enforces with CHECK constraints (G3): the booking service
increments it with a conditional UPDATE, so concurrent bookers can never exceed capacity.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pacte.langues import LangueField
from pacte.traductions import Traduisible


class AgendaQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(is_active=True)


class Agenda(Traduisible):
    """Something bookable at a lieu (a counter for a démarche, an écrivain public permanence…)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lieu = models.ForeignKey("pacte.Lieu", on_delete=models.PROTECT, related_name="agendas")
    titre = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    a_apporter = models.TextField(
        _("à apporter"), blank=True, help_text=_("Un élément par ligne : il devient une liste à cocher.")
    )
    kind = models.CharField(
        _("module propriétaire"),
        max_length=30,
        default="demarches",
        db_index=True,
        help_text=_("Module qui gère cet agenda : demarches, ecrivains…"),
    )
    duree_creneau = models.PositiveSmallIntegerField(
        _("durée d'un créneau (minutes)"), default=30, validators=[MinValueValidator(5)]
    )
    capacite = models.PositiveSmallIntegerField(
        _("guichets par créneau"), default=1, validators=[MinValueValidator(1)]
    )
    places_agents = models.PositiveSmallIntegerField(
        _("places réservées aux agents par créneau"),
        default=0,
        help_text=_("Places que seuls les agents (téléphone, guichet) peuvent réserver."),
    )
    delai_min_heures = models.PositiveSmallIntegerField(_("délai minimal (heures)"), default=2)
    horizon_jours = models.PositiveSmallIntegerField(_("horizon (jours)"), default=60)
    tampon_minutes = models.PositiveSmallIntegerField(_("battement entre créneaux (minutes)"), default=0)
    ferme_jours_feries = models.BooleanField(_("fermé les jours fériés"), default=True)
    is_active = models.BooleanField(_("actif"), default=True)
    rappel_heures_avant = models.PositiveSmallIntegerField(_("rappel (heures avant)"), default=24)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = AgendaQuerySet.as_manager()

    class Meta:
        ordering = ["lieu__nom", "titre"]
        verbose_name = _("agenda")
        constraints = [
            models.CheckConstraint(condition=Q(capacite__gte=1), name="agenda_capacite_min_1"),
            models.CheckConstraint(
                condition=Q(places_agents__gte=0) & Q(places_agents__lte=F("capacite")),
                name="agenda_places_agents_lte_capacite",
            ),
            models.CheckConstraint(condition=Q(duree_creneau__gte=5), name="agenda_duree_min_5"),
        ]

    def __str__(self) -> str:
        return f"{self.titre} — {self.lieu}"

    @property
    def capacite_en_ligne(self) -> int:
        return self.capacite - self.places_agents

    @property
    def a_apporter_liste(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.a_apporter.splitlines() if line.strip(" -•\t")]


class TypeRegle(models.TextChoices):
    HEBDOMADAIRE = "hebdomadaire", _("Chaque semaine")
    NIEME = "nieme_jour_du_mois", _("Le n-ième jour du mois")
    DATE_UNIQUE = "date_unique", _("Une date")


JOURS_SEMAINE = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]
NIEMES = [(1, _("1er")), (2, _("2e")), (3, _("3e")), (4, _("4e")), (5, _("5e")), (-1, _("dernier"))]


class RegleOuverture(models.Model):
    """When an agenda opens: every week, the n-th weekday of the month, or one date."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="regles")
    type = models.CharField(
        _("type"), max_length=20, choices=TypeRegle.choices, default=TypeRegle.HEBDOMADAIRE
    )
    jour_semaine = models.PositiveSmallIntegerField(
        _("jour de la semaine"), choices=JOURS_SEMAINE, null=True, blank=True
    )
    nieme = models.SmallIntegerField(_("n-ième"), choices=NIEMES, null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    heure_debut = models.TimeField(_("heure de début"))
    heure_fin = models.TimeField(_("heure de fin"))
    valide_du = models.DateField(_("valable à partir du"), null=True, blank=True)
    valide_au = models.DateField(_("valable jusqu'au"), null=True, blank=True)

    class Meta:
        ordering = ["agenda", "type", "jour_semaine", "heure_debut"]
        verbose_name = _("règle d'ouverture")
        verbose_name_plural = _("règles d'ouverture")
        constraints = [
            models.CheckConstraint(
                condition=Q(heure_fin__gt=F("heure_debut")), name="regle_heures_ordonnees"
            ),
            models.CheckConstraint(
                condition=Q(type="hebdomadaire", jour_semaine__isnull=False)
                | Q(type="nieme_jour_du_mois", jour_semaine__isnull=False, nieme__isnull=False)
                | Q(type="date_unique", date__isnull=False),
                name="regle_champs_selon_type",
            ),
            models.CheckConstraint(
                condition=Q(nieme__isnull=True) | Q(nieme__in=[1, 2, 3, 4, 5, -1]), name="regle_nieme_valide"
            ),
            models.CheckConstraint(
                condition=Q(jour_semaine__isnull=True) | Q(jour_semaine__lte=6), name="regle_jour_semaine_0_6"
            ),
        ]

    def __str__(self) -> str:
        if self.type == TypeRegle.DATE_UNIQUE:
            quand = f"le {self.date:%d/%m/%Y}"
        elif self.type == TypeRegle.NIEME:
            quand = f"le {self.get_nieme_display()} {self.get_jour_semaine_display()} du mois"
        else:
            quand = f"chaque {self.get_jour_semaine_display()}"
        return f"{quand} de {self.heure_debut:%H:%M} à {self.heure_fin:%H:%M}"


class Fermeture(models.Model):
    """An exception: the agenda (or every agenda of a lieu) is closed between two instants."""

    agenda = models.ForeignKey(
        Agenda, on_delete=models.CASCADE, null=True, blank=True, related_name="fermetures"
    )
    lieu = models.ForeignKey(
        "pacte.Lieu", on_delete=models.CASCADE, null=True, blank=True, related_name="fermetures"
    )
    debut = models.DateTimeField(_("début"))
    fin = models.DateTimeField(_("fin"))
    motif = models.CharField(_("motif"), max_length=200, blank=True)
    uid = models.CharField(_("identifiant ICS"), max_length=255, blank=True, db_index=True)

    class Meta:
        ordering = ["debut"]
        verbose_name = _("fermeture")
        constraints = [
            models.CheckConstraint(condition=Q(fin__gt=F("debut")), name="fermeture_fin_apres_debut"),
            models.CheckConstraint(
                condition=Q(agenda__isnull=False, lieu__isnull=True)
                | Q(agenda__isnull=True, lieu__isnull=False),
                name="fermeture_agenda_xor_lieu",
            ),
        ]

    def __str__(self) -> str:
        return f"Fermeture {self.debut:%d/%m/%Y %H:%M} → {self.fin:%d/%m/%Y %H:%M} {self.motif}".strip()


class Canal(models.TextChoices):
    EN_LIGNE = "en_ligne", _("En ligne")
    TELEPHONE = "telephone", _("Téléphone")
    GUICHET = "guichet", _("Au guichet")
    SUR_PLACE = "sur_place", _("Sur place, sans rendez-vous")


class Statut(models.TextChoices):
    CONFIRMEE = "confirmee", _("Confirmé")
    ANNULEE = "annulee", _("Annulé")
    HONOREE = "honoree", _("Venu")
    ABSENT = "absent", _("Absent")


class Besoin(models.TextChoices):
    ACCES_PLAIN_PIED = "acces_plain_pied", _("Un accès sans marche (fauteuil roulant, poussette…)")
    INTERPRETE_LSF = "interprete_lsf", _("Un interprète en langue des signes (LSF)")
    AUTRE_LANGUE = "autre_langue", _("Parler une autre langue que le français")
    ACCOMPAGNE = "accompagne", _("Je viens accompagné d'une personne")


# The same needs in the agents' words (their booking form and lists speak of the person, not « je »).
BESOINS_AGENT = {
    Besoin.ACCES_PLAIN_PIED: _("Un accès sans marche (fauteuil roulant, poussette…)"),
    Besoin.INTERPRETE_LSF: _("Un interprète en langue des signes (LSF)"),
    Besoin.AUTRE_LANGUE: _("La personne parle une autre langue que le français"),
    Besoin.ACCOMPAGNE: _("La personne vient accompagnée"),
}


class ReservationQuerySet(models.QuerySet):
    def confirmees(self):
        return self.filter(statut=Statut.CONFIRMEE)

    def actives(self):
        """Reservations that hold a place (not cancelled)."""
        return self.exclude(statut=Statut.ANNULEE)


class Reservation(models.Model):
    """One person's appointment on one slot of an agenda."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    agenda = models.ForeignKey(Agenda, on_delete=models.PROTECT, related_name="reservations")
    debut = models.DateTimeField(_("début"), db_index=True)
    fin = models.DateTimeField(_("fin"))
    canal = models.CharField(_("canal"), max_length=12, choices=Canal.choices, default=Canal.EN_LIGNE)
    statut = models.CharField(
        _("statut"), max_length=12, choices=Statut.choices, default=Statut.CONFIRMEE, db_index=True
    )
    nom = models.CharField(_("nom"), max_length=150, blank=True)
    prenom = models.CharField(_("prénom"), max_length=150, blank=True)
    telephone = models.CharField(_("téléphone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("courriel"), blank=True)
    # The language the person was served in: their messages are written in it (pacte.langues).
    langue = LangueField()
    # The person's identity as the per-person booking cap compares it (services.identite_of):
    # « prénom nom » and the email folded by pacte.secret_links.fold / casefold. Derived, erased
    # with the name and contact, kept out of the history.
    nom_replie = models.CharField(max_length=300, blank=True, db_default="", editable=False, db_index=True)
    email_replie = models.CharField(max_length=254, blank=True, db_default="", editable=False, db_index=True)
    # For a person with neither email nor mobile: the confirmation and reminder go by post.
    adresse_postale = models.TextField(_("adresse postale"), blank=True, db_default="")
    besoins = models.JSONField(_("besoins"), default=list, blank=True)
    besoins_precision = models.TextField(_("précisions sur les besoins"), blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_expire_at = models.DateTimeField(null=True, blank=True)
    cle_idempotence = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Whether this reservation uses one of the slot's online places (G2); agent bookings do not.
    compte_en_ligne = models.BooleanField(default=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reservations_creees",
        verbose_name=_("créée par (agent)"),
    )
    # A partner (CCAS, association, France Services) who booked for the person, and their
    # organisation as it was named then: the planning says « réservé par <organisation> ».
    prescripteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réservé par (partenaire)"),
    )
    prescripteur_organisation = models.CharField(
        _("organisation du partenaire"), max_length=150, blank=True, db_default=""
    )
    rappel_envoye_at = models.DateTimeField(null=True, blank=True)
    annulee_at = models.DateTimeField(null=True, blank=True)
    motif_annulation = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    anonymisee_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["token_hash", "cle_idempotence", "nom_replie", "email_replie"]
    )
    objects = ReservationQuerySet.as_manager()

    class Meta:
        ordering = ["debut"]
        verbose_name = _("réservation")
        indexes = [
            models.Index(fields=["agenda", "debut"]),
            models.Index(fields=["statut", "debut"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(fin__gt=F("debut")), name="reservation_fin_apres_debut"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.debut:%d/%m/%Y %H:%M}"

    @property
    def nom_complet(self) -> str:
        return f"{self.prenom} {self.nom}".strip()

    @property
    def telephone_affiche(self) -> str:
        """The phone number in national format (06 12 34 56 78) for screens."""
        from pacte.phones import phone_display

        return phone_display(self.telephone)

    @property
    def is_active(self) -> bool:
        return self.statut == Statut.CONFIRMEE

    @property
    def besoins_labels(self) -> list[str]:
        labels = dict(Besoin.choices)
        return [str(labels.get(b, b)) for b in self.besoins or []]

    @property
    def besoins_labels_agent(self) -> list[str]:
        """The needs in the agents' words (« La personne vient accompagnée »)."""
        return [str(BESOINS_AGENT.get(b, b)) for b in self.besoins or []]


class CompteurCreneau(models.Model):
    """The capacity row of one slot (G3), created lazily when the slot is first booked or held.

    `places_prises` counts the active reservations (not cancelled) AND the holds (`Retenue`) of the
    slot; `places_prises_en_ligne` the online ones among them (G2). PostgreSQL refuses any update
    that would exceed `capacite` (all bookings and holds) or `capacite_en_ligne` (online ones), so
    a hold can never make room for an overbooking: it occupies a place like a booking does.
    """

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="compteurs")
    debut = models.DateTimeField()
    capacite = models.PositiveSmallIntegerField()
    capacite_en_ligne = models.PositiveSmallIntegerField()
    places_prises = models.PositiveSmallIntegerField(default=0)
    places_prises_en_ligne = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de créneau")
        verbose_name_plural = _("compteurs de créneaux")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "debut"], name="compteur_unique_agenda_debut"),
            models.CheckConstraint(
                condition=Q(places_prises__lte=F("capacite")), name="compteur_places_lte_capacite"
            ),
            models.CheckConstraint(
                condition=Q(places_prises_en_ligne__lte=F("capacite_en_ligne")),
                name="compteur_en_ligne_lte_capacite_en_ligne",
            ),
            models.CheckConstraint(
                condition=Q(capacite_en_ligne__lte=F("capacite")), name="compteur_en_ligne_lte_capacite"
            ),
            models.CheckConstraint(
                condition=Q(places_prises_en_ligne__lte=F("places_prises")),
                name="compteur_en_ligne_lte_places_prises",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agenda_id} {self.debut:%Y-%m-%d %H:%M} {self.places_prises}/{self.capacite}"


class RetenueQuerySet(models.QuerySet):
    def expirees(self, now=None):
        """Holds past their expiry: their place is free again (reads ignore them; the next take on
        the slot reclaims them under the counter's lock)."""
        return self.filter(expire_at__lte=now or timezone.now())


class Retenue(models.Model):
    """A place held on a slot for a while (a citizen filling the booking form, a waiting-list offer).

    The hold occupies one place in its slot's `CompteurCreneau` (counted in `places_prises`, and in
    `places_prises_en_ligne` when `en_ligne`, G2) from the moment it is taken: the CHECK
    constraints of the counter bound reservations + holds. It ends in one of three ways, each
    deleting the row under the counter's row lock: converted into the reservation it preceded
    (the place stays taken), released (the place is freed), or reclaimed once expired by the
    next taker of a full slot. Until it is reclaimed, an expired hold still occupies its counter
    place but every read counts it as free (`selectors`), so no job has to run for it to free
    the place. There is no status: a row is a live (or expired, not yet reclaimed) hold.

    `cle` says who holds it (a browser, an offer): one hold per holder and slot.
    """

    compteur = models.ForeignKey(CompteurCreneau, on_delete=models.CASCADE, related_name="retenues")
    cle = models.CharField(max_length=100)
    en_ligne = models.BooleanField(_("place en ligne"))
    expire_at = models.DateTimeField(_("retenu jusqu'à"), db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RetenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("place retenue")
        verbose_name_plural = _("places retenues")
        constraints = [
            models.UniqueConstraint(fields=["compteur", "cle"], name="retenue_unique_par_detenteur"),
        ]

    def __str__(self) -> str:
        return f"{self.cle} → {self.expire_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.expire_at > timezone.now()


# --- The waiting list (one for every kind of agenda) ---------------------------------------------


class CanalInscription(models.TextChoices):
    EN_LIGNE = "en_ligne", _("En ligne, par la personne")
    TELEPHONE = "telephone", _("Par téléphone, avec un agent")
    GUICHET = "guichet", _("Au guichet, avec un agent")


class StatutInscription(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente")
    OFFRE_EN_COURS = "offre_en_cours", _("Un créneau lui est proposé")
    SERVIE = "servie", _("Rendez-vous obtenu")
    SANS_REPONSE = "sans_reponse", _("Sans réponse à l'offre")
    RETIREE = "retiree", _("Retirée de la liste")


class StatutOffre(models.TextChoices):
    OUVERTE = "ouverte", _("En attente de réponse")
    ACCEPTEE = "acceptee", _("Acceptée")
    REFUSEE = "refusee", _("Refusée")
    EXPIREE = "expiree", _("Expirée")
    CADUQUE = "caduque", _("Créneau déjà pris")


class InscriptionAttenteQuerySet(models.QuerySet):
    def en_attente(self):
        """Active entries in first-come-first-served order."""
        return self.filter(statut=StatutInscription.EN_ATTENTE).order_by("created_at", "id")


class InscriptionAttente(models.Model):
    """A person waiting for a place on a full agenda (position = order of `created_at`).

    Every kind of agenda has the same list (a démarche's counter, an écrivain public permanence):
    `pacte.booking.attente` offers freed places to the first people waiting.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="inscriptions_attente")
    date_souhaitee = models.DateField(
        _("date souhaitée"), null=True, blank=True, help_text=_("Vide : n'importe quelle date.")
    )
    nom = models.CharField(_("nom"), max_length=150)
    telephone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    # The language the person was served in: their messages are written in it (pacte.langues).
    langue = LangueField()
    canal = models.CharField(_("inscrit"), max_length=12, choices=CanalInscription.choices)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    statut = models.CharField(
        max_length=16, choices=StatutInscription.choices, default=StatutInscription.EN_ATTENTE, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InscriptionAttenteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("inscription sur liste d'attente")
        verbose_name_plural = _("liste d'attente")
        constraints = [
            models.CheckConstraint(
                condition=~Q(telephone="") | ~Q(email=""), name="attente_inscription_un_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.get_statut_display()})"

    @property
    def par_agent(self) -> bool:
        return self.canal != CanalInscription.EN_LIGNE

    @property
    def telephone_affiche(self) -> str:
        from pacte.phones import phone_display

        return phone_display(self.telephone)


class OffreCreneau(models.Model):
    """A freed slot offered to the first waiting person, through a secret time-limited link.

    While it is open, it holds its place in the slot's counter (a `Retenue`, G3)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inscription = models.ForeignKey(InscriptionAttente, on_delete=models.CASCADE, related_name="offres")
    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="offres_attente")
    debut = models.DateTimeField(_("créneau proposé"))
    token_hash = models.CharField(max_length=64, db_index=True)
    expire_at = models.DateTimeField(_("valable jusqu'à"))
    statut = models.CharField(
        max_length=12, choices=StatutOffre.choices, default=StatutOffre.OUVERTE, db_index=True
    )
    reservation = models.OneToOneField(
        Reservation, on_delete=models.SET_NULL, null=True, blank=True, related_name="offre_attente"
    )
    repondue_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("offre de créneau")
        verbose_name_plural = _("offres de créneau")
        constraints = [
            # A person holds at most one open offer at a time.
            models.UniqueConstraint(
                fields=["inscription"],
                condition=Q(statut="ouverte"),
                name="attente_une_offre_ouverte_par_inscription",
            )
        ]

    def __str__(self) -> str:
        return f"Offre {self.debut:%d/%m %H:%M} à {self.inscription.nom}"

    @property
    def is_open(self) -> bool:
        return self.statut == StatutOffre.OUVERTE and self.expire_at > timezone.now()


class FluxAgendaQuerySet(models.QuerySet):
    def actifs(self):
        """Links not revoked."""
        return self.filter(revoque_at__isnull=True)


class FluxAgenda(models.Model):
    """A staff member's secret link to the ICS feed of the agendas they work (`pacte.booking.ics`).

    Calendar apps cannot sign in: the feed's URL carries a token (`pacte.secret_links.token_new`),
    shown once when created, stored here as its SHA-256 hash only. At most one live link per
    person (a partial unique constraint): creating another revokes the previous one (rotation).
    A revoked row stays as the trace of the link (who, created, revoked, last read), never its token.
    What the feed shows is read at each request through the engine's scope
    (`selectors.reservations_visible_to`): a person who changes lieu or role sees their feed follow.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="flux_agenda",
        verbose_name=_("personne"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    revoque_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)
    # The last time a calendar app read the feed (at most one write every few minutes).
    lu_at = models.DateTimeField(_("dernière lecture"), null=True, blank=True)

    objects = FluxAgendaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lien d'agenda (ICS)")
        verbose_name_plural = _("liens d'agenda (ICS)")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoque_at__isnull=True), name="flux_agenda_un_lien_actif"
            ),
        ]

    def __str__(self) -> str:
        etat = f"supprimé le {self.revoque_at:%d/%m/%Y}" if self.revoque_at else "actif"
        return f"Lien d'agenda de {self.user} ({etat})"
