"""The waiting list of every agenda: registrations, offers of freed places, their hold, answers,
expiry and retention — one implementation for the démarches' counters and the écrivains publics'
permanences (and any future kind of agenda).

When no slot is free, a person (online, or an agent for a caller) joins the agenda's list. When a
place is freed (a cancellation, a move, a released or expired hold: the engine's place-freed
hook), `offres_attribuer` offers it to the first people waiting: each offer **holds its place** in
the slot's counter (a `Retenue`, the G3 mechanism), so while it is open public and agent views
count the place as taken, and accepting in time converts the hold into the booking atomically,
never refused. Offers go by email and SMS (mobiles only); a person reachable by a landline only
gets an « appel à passer » task in the agents' « offres à appeler » list. A declined or expired
offer passes the slot to the next person (`offres_expire`, a beat task).

Wording and pages per kind of agenda come from `hooks.register_attente` (the écrivains keep their
words and URLs); the engine's defaults serve the démarches' counters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pacte.journal import journal_record
from pacte.langues import dans_la_langue, langue_active, langue_valide
from pacte.models import Canal, Notification
from pacte.notifications import Personne, notification_cancel, notify_person, tache_faite, tache_sans_reponse
from pacte.phones import phone_normalize
from pacte.retention import erase
from pacte.secret_links import lookup, token_new
from pacte.site import absolute_url
from pacte.workflows import TransitionInterdite, transition

from .hooks import attente_of, attentes
from .models import (
    Agenda,
    CanalInscription,
    InscriptionAttente,
    OffreCreneau,
    Reservation,
    StatutInscription,
    StatutOffre,
)
from .models import Canal as CanalReservation
from .selectors import creneau_at, creneaux_disponibles, local_tz, retenue_of
from .services import CreneauIndisponible, reservation_create, retenue_release, retenue_take
from .workflows import INSCRIPTION_TABLE, OFFRE_TABLE

SYSTEM_USERNAME = "systeme-liste-attente"


# --- Reaching the person ------------------------------------------------------------------------


def personne(inscription: InscriptionAttente) -> Personne:
    """The person waiting, as the kernel's reaching policy reads them."""
    return Personne(
        nom=inscription.nom,
        email=inscription.email,
        telephone=inscription.telephone,
        langue=inscription.langue,
    )


def inscription_notify(
    inscription: InscriptionAttente,
    *,
    name: str,
    context: dict,
    cle: str,
    sujet: str | None = None,
    obj=None,
    repli: str | None = None,
) -> list:
    """Send the waiting-list message `name` to the person, in the words of the agenda's kind
    (`hooks.register_attente`); `sujet` defaults to the kind's subject for `name`."""
    agenda = inscription.agenda
    attente = attente_of(agenda.kind)
    context = {
        "inscription": inscription,
        "agenda": agenda,
        **(attente.contexte(agenda) if attente.contexte else {}),
        **context,
    }
    # The subject is a lazy translation: `notify_person` writes it in the person's language.
    return notify_person(
        personne=personne(inscription),
        message=attente.message(name),
        context=context,
        sujet=sujet or attente.sujets[name],
        obj=obj or inscription,
        cle=cle,
        repli=repli,
    )


def offre_url(offre_or_agenda, token: str) -> str:
    """The path of the page an offer's secret link opens (the kind's own page, if registered)."""
    agenda = getattr(offre_or_agenda, "agenda", offre_or_agenda)
    attente = attente_of(agenda.kind)
    if attente.offre_url:
        return attente.offre_url(token)
    return reverse("booking:attente_offre", args=[token])


# --- Registration -------------------------------------------------------------------------------


def _inscription_set(inscription: InscriptionAttente, statut: str, actor=None, **options) -> None:
    transition(inscription, statut, INSCRIPTION_TABLE, actor, **options)


def inscription_create(
    *,
    agenda: Agenda,
    nom: str,
    telephone: str = "",
    email: str = "",
    date_souhaitee: dt.date | None = None,
    canal: str = CanalInscription.EN_LIGNE,
    agent=None,
    langue: str | None = None,
) -> InscriptionAttente:
    """Put a person on the waiting list of an agenda (online, or by an agent for a caller).

    Needs a name and a phone or an email (`ValidationError` with French messages per field
    otherwise). The position is the order of arrival. The person is told (email, SMS to a mobile).
    `langue`: the person's language (`pacte.langues`; the request's by default), their messages'.
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
            agenda=agenda,
            nom=nom,
            telephone=telephone,
            email=email,
            date_souhaitee=date_souhaitee,
            canal=canal,
            cree_par=agent,
            langue=langue_valide(langue) if langue else langue_active(),
        )
        journal_record(
            action="booking.inscription_create",
            actor=agent,
            obj=inscription,
            message=f"Inscription sur la liste d'attente ({inscription.get_canal_display()})",
        )
        inscription_notify(
            inscription, name="inscription", context={}, cle=f"attente:inscription:{inscription.pk}"
        )
    return inscription


# --- Offers -------------------------------------------------------------------------------------


def _appel_a_passer(offre: OffreCreneau) -> Notification | None:
    return Notification.objects.taches_a_faire().about(offre).filter(canal=Canal.APPEL).first()


def retenue_cle(offre: OffreCreneau) -> str:
    """The holder key of the place an offer holds in the slot's counter (`Retenue.cle`)."""
    return f"attente:offre:{offre.uuid}"


def _offre_closed(offre: OffreCreneau, agent=None) -> None:
    """The offer left « ouverte »: an agent who recorded the answer made the call (task done);
    otherwise what is still pending about it (call task, unsent message) is cancelled. The place
    it held is given back (a no-op once converted into the booking)."""
    tache = _appel_a_passer(offre) if agent is not None else None
    if tache is not None:
        tache_faite(notification=tache, actor=agent)
    notification_cancel(obj=offre)
    retenue_release(agenda=offre.agenda, debut=offre.debut, cle=retenue_cle(offre))


def _places_libres(agenda: Agenda, debut: dt.datetime) -> int:
    if debut <= timezone.now():
        return 0
    creneau = creneau_at(agenda, debut=debut, pour_agent=True)
    return creneau.places_restantes if creneau else 0


def _date_ok(day: dt.date) -> Q:
    return Q(date_souhaitee__isnull=True) | Q(date_souhaitee=day)


def offres_attribuer(
    *, agenda: Agenda, debut: dt.datetime, now: dt.datetime | None = None
) -> list[OffreCreneau]:
    """Offer the free places of the slot `debut` to the first people waiting (first come, first served).

    Each offer holds its place in the slot's counter (a hold, agent side, until the offer's
    deadline): while it is open, public and agent views count the place as taken, and accepting
    in time converts the hold into the booking, never refused. So there are never more open
    offers on a slot than places: an offer is made only once its hold is taken (the agenda row is
    locked FOR NO KEY UPDATE meanwhile — bookers only key-share it — so concurrent calls hand out
    places one by one). A person is offered a given slot only once (after a refusal or an expiry,
    the next person gets it). Returns the offers created; each is sent by SMS and/or email with a
    secret link valid `BOOKING_ATTENTE_OFFRE_HEURES` hours (never beyond the start of the slot),
    or becomes an « appel à passer » task for a person with a landline only.
    """
    now = now or timezone.now()
    created = []
    with transaction.atomic():
        agenda = Agenda.objects.select_for_update(no_key=True).get(pk=agenda.pk)
        a_offrir = _places_libres(agenda, debut)  # open offers' places are held: not free
        # Offers made before offers held their place (deployment) hold nothing: count them here.
        a_offrir -= sum(
            1
            for offre in OffreCreneau.objects.filter(
                agenda=agenda, debut=debut, statut=StatutOffre.OUVERTE, expire_at__gt=now
            )
            if retenue_of(agenda=agenda, debut=debut, cle=retenue_cle(offre)) is None
        )
        if a_offrir <= 0:
            return []
        day = timezone.localtime(debut, local_tz()).date()
        deja = OffreCreneau.objects.filter(agenda=agenda, debut=debut).values("inscription_id")
        candidats = (
            agenda.inscriptions_attente.en_attente()
            .filter(_date_ok(day))
            .exclude(pk__in=deja)
            .select_for_update(skip_locked=True)[:a_offrir]
        )
        validite = dt.timedelta(hours=settings.BOOKING_ATTENTE_OFFRE_HEURES)
        for inscription in candidats:
            token, hashed = token_new()
            offre = OffreCreneau(
                inscription=inscription,
                agenda=agenda,
                debut=debut,
                token_hash=hashed,
                expire_at=min(now + validite, debut),
            )
            try:
                # Held at least until the offer's deadline (the hold's clock starts a bit later).
                retenue_take(
                    agenda=agenda,
                    debut=debut,
                    cle=retenue_cle(offre),
                    en_ligne=False,
                    duree=offre.expire_at - now,
                )
            except CreneauIndisponible:
                break  # a booker took the last place meanwhile: nothing more to offer
            offre.save(force_insert=True)
            _inscription_set(inscription, StatutInscription.OFFRE_EN_COURS)
            journal_record(
                action="booking.offre_create",
                obj=offre,
                message=f"Créneau du {timezone.localtime(debut):%d/%m/%Y %H:%M} proposé",
                data={"inscription": str(inscription.uuid)},
            )
            inscription.agenda = agenda
            with dans_la_langue(inscription.langue):  # the link carries the person's language
                lien = absolute_url(offre_url(agenda, token))
            inscription_notify(
                inscription,
                name="offre",
                context={
                    "offre": offre,
                    "debut": timezone.localtime(debut),
                    "expire_at": timezone.localtime(offre.expire_at),
                    "lien": lien,
                },
                cle=f"attente:offre:{offre.pk}",
                # Without email or mobile, the offer goes to the agents' « offres à appeler ».
                obj=offre,
                repli=Canal.APPEL,
            )
            offre.token = token  # only in memory, for the caller (tests, agent screen)
            created.append(offre)
    return created


def on_place_freed(agenda, debut) -> None:
    """Listener of the booking engine: a place was freed on an agenda → offer it to the list."""
    attente = attente_of(agenda.kind)
    if not agenda.is_active or (attente.ouvert is not None and not attente.ouvert(agenda)):
        return
    if agenda.inscriptions_attente.en_attente().exists():
        offres_attribuer(agenda=agenda, debut=debut)


def offre_by_token(token: str) -> OffreCreneau | None:
    """The offer of a secret link (any status), or None."""
    return lookup(
        OffreCreneau.objects.select_related("inscription", "agenda__lieu__arrondissement", "reservation"),
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
            .select_related("inscription", "agenda")
            .get(pk=offre.pk)
        )
        if offre.statut == StatutOffre.ACCEPTEE:
            return Resultat(True, offre, offre.reservation, message=_("Vous avez déjà accepté ce créneau."))
        if offre.statut != StatutOffre.OUVERTE or offre.expire_at <= now:
            return Resultat(False, offre, message=_("Cette proposition n'est plus valable."))
        inscription = offre.inscription
        try:
            with transaction.atomic():
                reservation, token = reservation_create(
                    agenda=offre.agenda,
                    debut=offre.debut,
                    nom=inscription.nom,
                    prenom="",
                    telephone=inscription.telephone,
                    email=inscription.email,
                    canal=CanalReservation.TELEPHONE,
                    agent=agent or _system_user(),
                    retenue_cle=retenue_cle(offre),  # the held place becomes the booking
                    langue=inscription.langue,
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
                journal="booking.offre_caduque",
                message="Créneau déjà pris",
            )
            _offre_closed(offre, agent)
            _inscription_set(inscription, StatutInscription.EN_ATTENTE, agent)
            return Resultat(
                False,
                offre,
                message=_(
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
            journal="booking.offre_accept",
            message=f"Offre acceptée : rendez-vous {reservation.reference}",
        )
        _offre_closed(offre, agent)
        _inscription_set(inscription, StatutInscription.SERVIE, agent)
    return Resultat(True, offre, reservation, token, message=_("Votre rendez-vous est confirmé."))


def offre_decline(*, offre: OffreCreneau, agent=None) -> OffreCreneau:
    """Decline an open offer: the person stays on the list; the slot goes to the next person."""
    with transaction.atomic():
        try:
            transition(
                offre,
                StatutOffre.REFUSEE,
                OFFRE_TABLE,
                agent,
                queryset=OffreCreneau.objects.select_related("inscription", "agenda"),
                fields={"repondue_at": timezone.now()},
                journal="booking.offre_decline",
                message="Offre refusée",
            )
        except TransitionInterdite:
            return offre  # no longer open (answered, expired, lapsed): nothing to decline
        _offre_closed(offre, agent)
        _inscription_set(offre.inscription, StatutInscription.EN_ATTENTE, agent)
        agenda, debut = offre.agenda, offre.debut
        transaction.on_commit(lambda: offres_attribuer(agenda=agenda, debut=debut))
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
            .select_related("inscription", "agenda")
            .filter(statut=StatutOffre.OUVERTE, expire_at__lte=now)
        ):
            transition(
                offre,
                StatutOffre.EXPIREE,
                OFFRE_TABLE,
                journal="booking.offre_expire",
                message="Offre expirée sans réponse",
                now=now,
            )
            _offre_closed(offre)
            _inscription_set(offre.inscription, StatutInscription.SANS_REPONSE)
            slots.add((offre.agenda, offre.debut))
            expired += 1
    for agenda, debut in slots:
        offres_attribuer(agenda=agenda, debut=debut, now=now)
    return expired


def offres_lapse(*, agenda: Agenda, debut: dt.datetime, fin: dt.datetime, actor=None, message: str) -> int:
    """The open offers on `agenda` between two instants lapse (the session was cancelled): their
    holders go back to the list at the same place. Returns how many lapsed."""
    count = 0
    with transaction.atomic():
        for offre in OffreCreneau.objects.select_related("inscription", "agenda").filter(
            agenda=agenda, statut=StatutOffre.OUVERTE, debut__gte=debut, debut__lt=fin
        ):
            transition(offre, StatutOffre.CADUQUE, OFFRE_TABLE, actor, message=message)
            _offre_closed(offre)
            _inscription_set(offre.inscription, StatutInscription.EN_ATTENTE, actor)
            count += 1
    return count


def inscription_withdraw(*, inscription: InscriptionAttente, agent=None) -> InscriptionAttente:
    """Take a person off the waiting list; their open offer, if any, counts as declined.

    Refused (`TransitionInterdite`) once the person was served or already withdrawn.
    """
    with transaction.atomic():
        _inscription_set(
            inscription,
            StatutInscription.RETIREE,
            agent,
            journal="booking.inscription_withdraw",
            message="Retrait de la liste",
        )
        for offre in OffreCreneau.objects.select_related("agenda").filter(
            inscription=inscription, statut=StatutOffre.OUVERTE
        ):
            transition(offre, StatutOffre.REFUSEE, OFFRE_TABLE, agent, message="Retrait de la liste")
            _offre_closed(offre, agent)
            transaction.on_commit(lambda a=offre.agenda, d=offre.debut: offres_attribuer(agenda=a, debut=d))
    return inscription


# --- Reads for the pages ---------------------------------------------------------------------------


def dates_proposees(agenda: Agenda, *, jours: int = 60) -> list[dt.date]:
    """The next open days of `agenda` (full or not, at most 12), for « Quel jour ? » on the form."""
    today = timezone.localdate()
    days = creneaux_disponibles(
        agenda, debut=today, fin=today + dt.timedelta(days=jours), pour_agent=True, inclure_complets=True
    )
    return sorted(days)[:12]


def inscriptions_actives(agendas):
    """The people still waiting (or with an offer) on `agendas`, by agenda and order of arrival."""
    return (
        InscriptionAttente.objects.filter(
            agenda__in=agendas, statut__in=[StatutInscription.EN_ATTENTE, StatutInscription.OFFRE_EN_COURS]
        )
        .select_related("agenda__lieu")
        .order_by("agenda_id", "created_at", "id")
    )


def offres_a_appeler(agendas):
    """Open offers on `agendas` to people neither email nor SMS reaches (a landline only): the
    agents phone them. Each carries its kernel task (`tache_uuid`, `appel_tente_at`: last
    unanswered call). Soonest deadline first."""
    taches = Notification.objects.taches_a_faire().filter(
        canal=Canal.APPEL,
        object_type=OffreCreneau._meta.label_lower,
        object_id=Cast(OuterRef("pk"), CharField()),
    )
    return (
        OffreCreneau.objects.filter(
            agenda__in=agendas,
            statut=StatutOffre.OUVERTE,
            expire_at__gt=timezone.now(),
            pk__in=Notification.objects.taches_a_faire().filter(canal=Canal.APPEL).ids_of(OffreCreneau),
        )
        .annotate(
            tache_uuid=Subquery(taches.values("uuid")[:1]),
            appel_tente_at=Subquery(taches.values("derniere_tentative_at")[:1]),
        )
        .select_related("inscription", "agenda__lieu")
        .order_by("expire_at")
    )


# --- Retention ---------------------------------------------------------------------------------

PARTIES = [StatutInscription.SERVIE, StatutInscription.SANS_REPONSE, StatutInscription.RETIREE]


def inscriptions_attente_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the waiting-list entries past their retention period, offers and messages included
    (`pacte.retention.erase`, history and journal messages too). Idempotent; returns the count.

    « Fin de la permanence + 30 jours » (docs/registre-traitements.md): an entry only serves to
    offer a freed slot of one agenda, so it goes N days (`BOOKING_ATTENTE_RETENTION_JOURS`)
    after the end of what it waited for — the date it asked for, once N days past; otherwise the
    day it left the list (served, no answer, withdrawn); or the agenda, once closed (inactive, or
    closed as its kind says through `Attente.fermes`), N days after the entry's last change. An
    entry still waiting for any date of a running agenda stays.
    """
    now = now or timezone.now()
    days = settings.BOOKING_ATTENTE_RETENTION_JOURS
    cutoff_at = now - dt.timedelta(days=days)
    cutoff_on = timezone.localdate(now) - dt.timedelta(days=days)
    fermes = Q(agenda__is_active=False)
    for kind, attente in attentes().items():
        if attente.fermes is not None:
            fermes |= Q(agenda__in=Agenda.objects.filter(Q(kind=kind) & attente.fermes()))
    expired = (
        Q(date_souhaitee__lt=cutoff_on)
        | Q(statut__in=PARTIES, updated_at__lt=cutoff_at)
        | (fermes & Q(updated_at__lt=cutoff_at))
    )
    ids = list(
        InscriptionAttente.objects.filter(expired)
        .exclude(statut=StatutInscription.OFFRE_EN_COURS)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    with transaction.atomic():
        offres = OffreCreneau.objects.filter(inscription_id__in=ids).values_list("pk", flat=True)
        erase(OffreCreneau, list(offres), [], delete=True)
        count = erase(InscriptionAttente, ids, ["nom", "telephone", "email"], delete=True)
        journal_record(
            action="booking.attente_purge",
            message=f"{count} inscriptions sur liste d'attente effacées",
            data={"nombre": count, "jours": days},
            actor_label="tâche de conservation",
        )
    return count


def offre_agent_answer(*, offre: OffreCreneau, action: str, agent) -> tuple[str, str]:
    """An agent records a caller's answer to an offer: « accepter », « refuser », or « appele »
    (called, no answer). Returns the message level (`success`, `warning`, `info`, `error`) and
    the French message for the agent's page."""
    if offre.statut != StatutOffre.OUVERTE:
        return "warning", "Cette offre n'est plus ouverte."
    if action == "accepter":
        resultat = offre_accept(offre=offre, agent=agent)
        if resultat.ok:
            return "success", f"Rendez-vous {resultat.reservation.reference} réservé."
        return "warning", resultat.message
    if action == "refuser":
        offre_decline(offre=offre, agent=agent)
        return "info", "Offre refusée : le créneau passe à la personne suivante."
    if action == "appele":
        offre_mark_called(offre=offre, agent=agent)
        return "info", "Appel noté."
    return "error", "Action inconnue."
