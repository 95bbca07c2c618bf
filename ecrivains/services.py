"""Writes of the écrivains publics module: permanences on the booking engine, session cancellations,
the waiting list and its offers, anonymous session records.

Bookings always go through `pacte.booking.services` (one engine): this module never touches
capacity counters itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pacte.booking.models import Agenda, Fermeture, RegleOuverture, Reservation, Statut, TypeRegle
from pacte.booking.models import Canal as CanalReservation
from pacte.booking.selectors import creneau_at, local_tz, retenue_of
from pacte.booking.services import (
    CreneauIndisponible,
    reservation_cancel,
    reservation_create,
    retenue_release,
    retenue_take,
)
from pacte.journal import journal_record
from pacte.models import Canal, Notification
from pacte.notifications import Personne, notification_cancel, notify_person, tache_faite, tache_sans_reponse
from pacte.phones import phone_normalize
from pacte.secret_links import lookup, token_new
from pacte.site import absolute_url
from pacte.workflows import TransitionInterdite, transition

from .enums import ORIENTATIONS_OBSERVATOIRE, CanalInscription, Issue, StatutInscription, StatutOffre
from .models import AGENDA_KIND, FicheSeance, InscriptionAttente, OffreCreneau, Permanence, SeanceAnnulee
from .workflows import INSCRIPTION_TABLE, OFFRE_TABLE

SYSTEM_USERNAME = "systeme-liste-attente"


# --- Permanences -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Regle:
    """An opening rule to create: hebdomadaire (jour), nieme_jour_du_mois (jour + nieme) or date_unique."""

    heure_debut: dt.time
    heure_fin: dt.time
    jour: int | None = None
    nieme: int | None = None
    date: dt.date | None = None
    valide_du: dt.date | None = None
    valide_au: dt.date | None = None


@transaction.atomic
def permanence_create(
    *,
    lieu,
    titre: str,
    regles: Iterable[Regle],
    ecrivains: Iterable = (),
    themes: Iterable = (),
    langues: Iterable = (),
    capacite: int = 1,
    places_agents: int = 0,
    duree_creneau: int = 30,
    description: str = "",
    a_apporter: str = "",
    is_aller_vers: bool = False,
    horaires_indicatifs: bool = False,
    is_verified: bool = False,
    source: str = "",
    horizon_jours: int = 60,
    delai_min_heures: int = 2,
    actor=None,
) -> Permanence:
    """Create a permanence: one engine agenda (kind "ecrivains") with its opening rules, plus the
    écrivains, themes and languages. `places_agents` is the part of each slot kept for walk-ins
    and agent bookings."""
    agenda = Agenda(
        lieu=lieu,
        titre=titre,
        description=description,
        a_apporter=a_apporter or A_APPORTER_DEFAUT,
        kind=AGENDA_KIND,
        duree_creneau=duree_creneau,
        capacite=capacite,
        places_agents=places_agents,
        horizon_jours=horizon_jours,
        delai_min_heures=delai_min_heures,
    )
    agenda.full_clean()
    agenda.save()
    for regle in regles:
        if regle.date:
            kind = TypeRegle.DATE_UNIQUE
        elif regle.nieme:
            kind = TypeRegle.NIEME
        else:
            kind = TypeRegle.HEBDOMADAIRE
        RegleOuverture.objects.create(
            agenda=agenda,
            type=kind,
            jour_semaine=regle.jour,
            nieme=regle.nieme,
            date=regle.date,
            heure_debut=regle.heure_debut,
            heure_fin=regle.heure_fin,
            valide_du=regle.valide_du,
            valide_au=regle.valide_au,
        )
    permanence = Permanence.objects.create(
        agenda=agenda,
        is_aller_vers=is_aller_vers,
        horaires_indicatifs=horaires_indicatifs,
        is_verified=is_verified,
        source=source,
    )
    permanence.ecrivains.set(ecrivains)
    permanence.themes.set(themes)
    permanence.langues.set(langues)
    journal_record(action="ecrivains.permanence_create", actor=actor, obj=permanence, message=titre)
    return permanence


A_APPORTER_DEFAUT = "\n".join(
    [
        "Les courriers que vous avez reçus (lettres, avis, factures)",
        "Une pièce d'identité ou un titre de séjour",
        "Votre numéro d'allocataire CAF ou de sécurité sociale, si vous l'avez",
        "Vos identifiants (adresse de courriel, mot de passe) si la démarche se fait en ligne",
        "Vos lunettes, si vous en portez",
    ]
)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def seance_cancel(*, permanence: Permanence, date: dt.date, motif: str, actor=None) -> SeanceAnnulee:
    """Cancel one session (a date) of a permanence.

    Adds a closure on the agenda for that day (so nobody can book it any more), cancels every
    confirmed reservation of the day through the engine (which tells each person through the
    outbox), and tells the people waiting for that date that they stay on the list for any date.
    Cancelling the same date twice returns the first record.
    """
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError(
            {"motif": "Indiquez le motif de l'annulation (il est communiqué aux personnes)."}
        )
    existing = SeanceAnnulee.objects.filter(permanence=permanence, date=date).first()
    if existing:
        return existing
    start, end = _day_bounds(date)
    with transaction.atomic():
        Permanence.objects.select_for_update().get(pk=permanence.pk)
        fermeture = Fermeture.objects.create(
            agenda=permanence.agenda, debut=start, fin=end, motif=f"Séance annulée : {motif}"[:200]
        )
        reservations = list(
            Reservation.objects.filter(
                agenda=permanence.agenda, debut__gte=start, debut__lt=end, statut=Statut.CONFIRMEE
            )
        )
        for reservation in reservations:
            reservation_cancel(reservation=reservation, actor=actor, motif=f"Séance annulée : {motif}")
        seance = SeanceAnnulee.objects.create(
            permanence=permanence,
            date=date,
            motif=motif,
            fermeture=fermeture,
            reservations_annulees=len(reservations),
            annulee_par=actor,
        )
        # Open offers on that day lapse; their holders go back to the list.
        for offre in OffreCreneau.objects.select_related("inscription").filter(
            permanence=permanence, statut=StatutOffre.OUVERTE, debut__gte=start, debut__lt=end
        ):
            transition(offre, StatutOffre.CADUQUE, OFFRE_TABLE, actor, message="Séance annulée")
            _offre_closed(offre)
            _inscription_set(offre.inscription, StatutInscription.EN_ATTENTE, actor)
        waiting = list(permanence.inscriptions.en_attente().filter(date_souhaitee=date))
        for inscription in waiting:
            inscription.date_souhaitee = None
            inscription.save(update_fields=["date_souhaitee", "updated_at"])
            _notify(
                inscription,
                kind="seance_annulee",
                sujet="Séance d'écrivain public annulée",
                context={"date": date, "motif": motif},
                cle=f"ecrivains:annulation:{seance.pk}:{inscription.pk}",
            )
        journal_record(
            action="ecrivains.seance_cancel",
            actor=actor,
            obj=permanence,
            message=f"Séance du {date:%d/%m/%Y} annulée : {motif}",
            data={"date": date.isoformat(), "reservations": len(reservations), "attente": len(waiting)},
        )
    return seance


# --- Waiting list -------------------------------------------------------------------------------


def personne(inscription: InscriptionAttente) -> Personne:
    """The person waiting, as the kernel's reaching policy reads them."""
    return Personne(nom=inscription.nom, email=inscription.email, telephone=inscription.telephone)


def _notify(
    inscription: InscriptionAttente,
    *,
    kind: str,
    sujet: str,
    context: dict,
    cle: str,
    obj=None,
    repli: str | None = None,
) -> list:
    context = {"inscription": inscription, "permanence": inscription.permanence, **context}
    return notify_person(
        personne=personne(inscription),
        message=f"ecrivains/{kind}",
        context=context,
        sujet=sujet,
        obj=obj or inscription,
        cle=cle,
        repli=repli,
    )


def _inscription_set(inscription: InscriptionAttente, statut: str, actor=None, **options) -> None:
    transition(inscription, statut, INSCRIPTION_TABLE, actor, **options)


def _appel_a_passer(offre: OffreCreneau) -> Notification | None:
    return Notification.objects.taches_a_faire().about(offre).filter(canal=Canal.APPEL).first()


def _retenue_cle(offre: OffreCreneau) -> str:
    """The holder key of the place an offer holds in the slot's counter (`pacte.booking` holds)."""
    return f"ecrivains:offre:{offre.uuid}"


def _offre_closed(offre: OffreCreneau, agent=None) -> None:
    """The offer left « ouverte »: an agent who recorded the answer made the call (task done);
    otherwise what is still pending about it (call task, unsent message) is cancelled. The place
    it held is given back (a no-op once converted into the booking)."""
    tache = _appel_a_passer(offre) if agent is not None else None
    if tache is not None:
        tache_faite(notification=tache, actor=agent)
    notification_cancel(obj=offre)
    retenue_release(agenda=offre.permanence.agenda, debut=offre.debut, cle=_retenue_cle(offre))


def inscription_create(
    *,
    permanence: Permanence,
    nom: str,
    telephone: str = "",
    email: str = "",
    date_souhaitee: dt.date | None = None,
    canal: str = CanalInscription.EN_LIGNE,
    agent=None,
) -> InscriptionAttente:
    """Put a person on the waiting list of a permanence (online, or by an agent for a caller).

    Needs a name and a phone or an email. The position is the order of arrival. Offers a place
    at once if one is already free for the wanted date.
    """
    nom = (nom or "").strip()
    errors = {}
    if not nom:
        errors["nom"] = "Indiquez votre nom."
    try:
        telephone = phone_normalize(telephone) if telephone else ""
    except ValidationError as exc:
        errors["telephone"] = exc.messages
    email = (email or "").strip()
    if not (telephone or email) and "telephone" not in errors:
        errors["telephone"] = "Indiquez un numéro de téléphone ou une adresse de courriel."
    if canal != CanalInscription.EN_LIGNE and agent is None:
        errors["canal"] = "Seul un agent peut inscrire une personne par téléphone ou au guichet."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inscription = InscriptionAttente.objects.create(
            permanence=permanence,
            nom=nom,
            telephone=telephone,
            email=email,
            date_souhaitee=date_souhaitee,
            canal=canal,
            cree_par=agent,
        )
        journal_record(
            action="ecrivains.inscription_create",
            actor=agent,
            obj=inscription,
            message=f"Inscription sur la liste d'attente ({inscription.get_canal_display()})",
        )
        _notify(
            inscription,
            kind="inscription",
            sujet="Vous êtes sur la liste d'attente",
            context={},
            cle=f"ecrivains:inscription:{inscription.pk}",
        )
    return inscription


def _places_libres(permanence: Permanence, debut: dt.datetime) -> int:
    if debut <= timezone.now():
        return 0
    creneau = creneau_at(permanence.agenda, debut=debut, pour_agent=True)
    return creneau.places_restantes if creneau else 0


def offres_attribuer(
    *, permanence: Permanence, debut: dt.datetime, now: dt.datetime | None = None
) -> list[OffreCreneau]:
    """Offer the free places of the slot `debut` to the first people waiting (first come, first served).

    Each offer holds its place in the slot's counter (a `pacte.booking` hold, agent side, until
    the offer's deadline): while it is open, public and agent views count the place as taken,
    and accepting in time converts the hold into the booking, never refused. So there are never
    more open offers on a slot than places: an offer is made only once its hold is taken (the
    permanence row is locked meanwhile, so concurrent calls hand out places one by one). A
    person is offered a given slot only once (after a refusal or an expiry, the next person gets
    it). Returns the offers created; each is sent by SMS and/or email with a secret link valid
    `ECRIVAINS_OFFRE_VALIDITE_HEURES` hours (never beyond the start of the slot).
    """
    now = now or timezone.now()
    created = []
    with transaction.atomic():
        Permanence.objects.select_for_update().get(pk=permanence.pk)
        a_offrir = _places_libres(permanence, debut)  # open offers' places are held: not free
        # Offers made before offers held their place (deployment) hold nothing: count them here.
        a_offrir -= sum(
            1
            for offre in OffreCreneau.objects.filter(
                permanence=permanence, debut=debut, statut=StatutOffre.OUVERTE, expire_at__gt=now
            )
            if retenue_of(agenda=permanence.agenda, debut=debut, cle=_retenue_cle(offre)) is None
        )
        if a_offrir <= 0:
            return []
        day = timezone.localtime(debut, local_tz()).date()
        deja = OffreCreneau.objects.filter(permanence=permanence, debut=debut).values("inscription_id")
        candidats = (
            permanence.inscriptions.en_attente()
            .filter(models_q_date(day))
            .exclude(pk__in=deja)
            .select_for_update(skip_locked=True)[:a_offrir]
        )
        validite = dt.timedelta(hours=settings.ECRIVAINS_OFFRE_VALIDITE_HEURES)
        for inscription in candidats:
            token, hashed = token_new()
            offre = OffreCreneau(
                inscription=inscription,
                permanence=permanence,
                debut=debut,
                token_hash=hashed,
                expire_at=min(now + validite, debut),
            )
            try:
                # Held at least until the offer's deadline (the hold's clock starts a bit later).
                retenue_take(
                    agenda=permanence.agenda,
                    debut=debut,
                    cle=_retenue_cle(offre),
                    en_ligne=False,
                    duree=offre.expire_at - now,
                )
            except CreneauIndisponible:
                break  # a booker took the last place meanwhile: nothing more to offer
            offre.save(force_insert=True)
            _inscription_set(inscription, StatutInscription.OFFRE_EN_COURS)
            journal_record(
                action="ecrivains.offre_create",
                obj=offre,
                message=f"Créneau du {timezone.localtime(debut):%d/%m/%Y %H:%M} proposé",
                data={"inscription": str(inscription.uuid)},
            )
            _notify(
                inscription,
                kind="offre",
                sujet="Une place s'est libérée chez l'écrivain public",
                context={
                    "offre": offre,
                    "debut": timezone.localtime(debut),
                    "expire_at": timezone.localtime(offre.expire_at),
                    "lien": absolute_url(reverse("ecrivains:offre", args=[token])),
                },
                cle=f"ecrivains:offre:{offre.pk}",
                # Without email or mobile, the offer goes to the agents' « offres à appeler ».
                obj=offre,
                repli=Canal.APPEL,
            )
            offre.token = token  # only in memory, for the caller (tests, agent screen)
            created.append(offre)
    return created


def models_q_date(day: dt.date):
    from django.db.models import Q

    return Q(date_souhaitee__isnull=True) | Q(date_souhaitee=day)


def on_place_freed(agenda, debut) -> None:
    """Listener of the booking engine: a place was freed on an écrivains agenda → offer it."""
    if agenda.kind != AGENDA_KIND:
        return
    permanence = Permanence.objects.filter(agenda_id=agenda.pk).first()
    if permanence is not None and permanence.is_active:
        offres_attribuer(permanence=permanence, debut=debut)


def offre_by_token(token: str) -> OffreCreneau | None:
    """The offer of a secret link (any status), or None."""
    return lookup(
        OffreCreneau.objects.select_related(
            "inscription", "permanence__agenda__lieu__arrondissement", "reservation"
        ),
        token,
    )


def _system_user():
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Liste d'attente", "last_name": "(automatique)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@dataclass
class Resultat:
    ok: bool
    offre: OffreCreneau
    reservation: Reservation | None = None
    token: str = ""
    message: str = ""


def offre_accept(*, offre: OffreCreneau, agent=None) -> Resultat:
    """Accept an open offer: book the slot through the engine's `reservation_create`.

    The booking uses agent semantics (the waiting list is a service-managed queue: it may use the
    places kept for agents), on behalf of `agent` when an agent records the caller's answer,
    otherwise of the system account; the channel says how the person answered. The place the
    offer held converts into the booking atomically: an acceptance before the deadline is never
    refused. Past the deadline (or when the session was cancelled) the person keeps their place
    on the list and gets a friendly message; nothing is booked.
    """
    now = timezone.now()
    with transaction.atomic():
        offre = (
            # Only the offer's row: locking its agenda too would deadlock with a booker who holds
            # the slot's counter and inserts a reservation (a key-share lock on the agenda).
            OffreCreneau.objects.select_for_update(of=("self",))
            .select_related("inscription", "permanence__agenda")
            .get(pk=offre.pk)
        )
        if offre.statut == StatutOffre.ACCEPTEE:
            return Resultat(True, offre, offre.reservation, message="Vous avez déjà accepté ce créneau.")
        if offre.statut != StatutOffre.OUVERTE or offre.expire_at <= now:
            return Resultat(False, offre, message="Cette proposition n'est plus valable.")
        inscription = offre.inscription
        try:
            with transaction.atomic():
                reservation, token = reservation_create(
                    agenda=offre.permanence.agenda,
                    debut=offre.debut,
                    nom=inscription.nom,
                    prenom="",
                    telephone=inscription.telephone,
                    email=inscription.email,
                    canal=CanalReservation.TELEPHONE,
                    agent=agent or _system_user(),
                    retenue_cle=_retenue_cle(offre),  # the held place becomes the booking
                )
                if agent is None:
                    # The engine records agent bookings as phone ones: the person answered online.
                    Reservation.objects.filter(pk=reservation.pk).update(canal=CanalReservation.EN_LIGNE)
                    reservation.canal = CanalReservation.EN_LIGNE
        except CreneauIndisponible:
            transition(
                offre,
                StatutOffre.CADUQUE,
                OFFRE_TABLE,
                agent,
                fields={"repondue_at": now},
                journal="ecrivains.offre_caduque",
                message="Créneau déjà pris",
            )
            _offre_closed(offre, agent)
            _inscription_set(inscription, StatutInscription.EN_ATTENTE, agent)
            return Resultat(
                False,
                offre,
                message=(
                    "Désolé, quelqu'un a pris ce créneau juste avant vous. Vous restez sur la liste "
                    "d'attente, à la même place : nous vous proposerons la prochaine place libre."
                ),
            )
        transition(
            offre,
            StatutOffre.ACCEPTEE,
            OFFRE_TABLE,
            agent,
            fields={"reservation": reservation, "repondue_at": now},
            journal="ecrivains.offre_accept",
            message=f"Offre acceptée : rendez-vous {reservation.reference}",
        )
        _offre_closed(offre, agent)
        _inscription_set(inscription, StatutInscription.SERVIE, agent)
    return Resultat(True, offre, reservation, token, message="Votre rendez-vous est confirmé.")


def offre_decline(*, offre: OffreCreneau, agent=None) -> OffreCreneau:
    """Decline an open offer: the person stays on the list; the slot goes to the next person."""
    with transaction.atomic():
        try:
            transition(
                offre,
                StatutOffre.REFUSEE,
                OFFRE_TABLE,
                agent,
                queryset=OffreCreneau.objects.select_related("inscription", "permanence"),
                fields={"repondue_at": timezone.now()},
                journal="ecrivains.offre_decline",
                message="Offre refusée",
            )
        except TransitionInterdite:
            return offre  # no longer open (answered, expired, lapsed): nothing to decline
        _offre_closed(offre, agent)
        _inscription_set(offre.inscription, StatutInscription.EN_ATTENTE, agent)
        permanence, debut = offre.permanence, offre.debut
        transaction.on_commit(lambda: offres_attribuer(permanence=permanence, debut=debut))
    return offre


def offre_mark_called(*, offre: OffreCreneau, agent) -> OffreCreneau:
    """An agent phoned the person about the offer and nobody answered: the call stays to do
    (the kernel task logs the attempt and its time, journaled)."""
    tache = _appel_a_passer(offre)
    if tache is not None:
        tache_sans_reponse(notification=tache, actor=agent)
    return offre


def offres_expire(*, now: dt.datetime | None = None) -> int:
    """Close the open offers past their deadline and pass each slot to the next person waiting.

    The person who did not answer leaves the active list (status "sans réponse"; an agent or the
    person can register again). Idempotent. Returns how many offers expired.
    """
    now = now or timezone.now()
    expired = 0
    slots = set()
    with transaction.atomic():
        for offre in (
            OffreCreneau.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("inscription", "permanence__agenda")
            .filter(statut=StatutOffre.OUVERTE, expire_at__lte=now)
        ):
            transition(
                offre,
                StatutOffre.EXPIREE,
                OFFRE_TABLE,
                journal="ecrivains.offre_expire",
                message="Offre expirée sans réponse",
                now=now,
            )
            _offre_closed(offre)
            _inscription_set(offre.inscription, StatutInscription.SANS_REPONSE)
            slots.add((offre.permanence, offre.debut))
            expired += 1
    for permanence, debut in slots:
        offres_attribuer(permanence=permanence, debut=debut, now=now)
    return expired


def inscription_withdraw(*, inscription: InscriptionAttente, agent=None) -> InscriptionAttente:
    """Take a person off the waiting list; their open offer, if any, counts as declined.

    Refused (`TransitionInterdite`) once the person was served or already withdrawn.
    """
    with transaction.atomic():
        _inscription_set(
            inscription,
            StatutInscription.RETIREE,
            agent,
            journal="ecrivains.inscription_withdraw",
            message="Retrait de la liste",
        )
        for offre in OffreCreneau.objects.select_related("permanence__agenda").filter(
            inscription=inscription, statut=StatutOffre.OUVERTE
        ):
            transition(offre, StatutOffre.REFUSEE, OFFRE_TABLE, agent, message="Retrait de la liste")
            _offre_closed(offre, agent)
            transaction.on_commit(
                lambda p=offre.permanence, d=offre.debut: offres_attribuer(permanence=p, debut=d)
            )
    return inscription


# --- Session records -----------------------------------------------------------------------------


def fiche_create(
    *,
    permanence: Permanence,
    date: dt.date,
    themes: Iterable,
    issue: str,
    duree_minutes: int,
    autonomie: str,
    organisme: str = "",
    droit_non_reclame: bool = False,
    dispositif: str = "",
    type_odenore: str = "",
    actor=None,
) -> FicheSeance:
    """Record one anonymous session (no identity). When a right not claimed was spotted, also record
    an observation in the non-recours observatory (source "ecrivain_public")."""
    themes = list(themes)
    if issue != Issue.ORIENTE:
        organisme = ""
    if not droit_non_reclame:
        dispositif, type_odenore = "", ""
    with transaction.atomic():
        fiche = FicheSeance(
            permanence=permanence,
            date=date,
            issue=issue,
            organisme=organisme,
            duree_minutes=duree_minutes,
            autonomie=autonomie,
            droit_non_reclame=droit_non_reclame,
            dispositif=dispositif,
            type_odenore=type_odenore,
            saisie_par=actor,
        )
        fiche.full_clean()
        fiche.save()
        fiche.themes.set(themes)
        if droit_non_reclame:
            from nonrecours.services import observation_record

            observation = observation_record(
                source="ecrivain_public",
                type_odenore=type_odenore,
                dispositifs=[dispositif] if dispositif else [],
                arrondissement=permanence.agenda.lieu.arrondissement,
                orientation=(
                    organisme if organisme in ORIENTATIONS_OBSERVATOIRE else ("autre" if organisme else "")
                ),
                observed_on=date,
                actor=actor,
            )
            fiche.observation_id = observation.pk
            fiche.save(update_fields=["observation_id"])
        journal_record(action="ecrivains.fiche_create", actor=actor, obj=fiche, message="Fiche de séance")
    return fiche
