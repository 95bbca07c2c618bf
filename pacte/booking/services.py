"""Writes of the booking engine: book, cancel, move, mark attendance, walk-ins, reminders, retention.

Every service is keyword-only and atomic, records a journal entry in the same transaction and
queues notifications through the outbox (sent after commit). Capacity (G3) is enforced by
PostgreSQL: `_take_place` increments the slot's `CompteurCreneau` with a conditional UPDATE, which
row-locks the counter, so concurrent bookers are serialised and the CHECK constraints are the
last line of defence.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import DurationField, ExpressionWrapper, F, Q, Value
from django.utils import timezone

from pacte.journal import journal_record
from pacte.langues import langue_active, langue_valide
from pacte.retention import erase
from pacte.secret_links import fold, reference_new, token_new
from pacte.verrous import xact_lock
from pacte.workflows import TransitionInterdite, transition

from . import hooks
from .models import Agenda, Besoin, Canal, CompteurCreneau, FluxAgenda, Reservation, Retenue, Statut
from .selectors import (
    ANNULATION_RETENUE,
    Creneau,
    cle_retenue_annulation,
    creneau_at,
    prochains_creneaux,
    retenue_of,
)
from .workflows import TABLE

logger = logging.getLogger(__name__)


class CreneauIndisponible(Exception):
    """The slot is full, closed or outside the booking window; `prochains` lists the next free slots."""

    def __init__(self, message: str = "Ce créneau n'est plus disponible.", *, prochains: list[Creneau] = ()):
        super().__init__(message)
        self.prochains = list(prochains)


class PlafondAtteint(ValidationError):
    """The person already holds the most active future bookings allowed (`hooks.Plafond`): a
    form-level error (shown at the top of the form, what was typed kept). `pour_agent` picks the
    wording: an agent may book anyway with a reason (`plafond_motif`), a citizen is pointed to
    their existing booking without being told anything about it."""

    def __init__(self, *, plafond: hooks.Plafond, nombre: int, pour_agent: bool):
        if pour_agent:
            message = (
                f"Cette personne a déjà {nombre} rendez-vous à venir pour « {plafond.libelle} » : "
                f"c'est le maximum ({plafond.maximum}) par personne. Vérifiez avec elle ; pour réserver "
                "quand même, cochez « Réserver au-delà du maximum » et indiquez pourquoi."
            )
        else:
            message = (
                "Vous avez déjà un rendez-vous pour cette démarche. Retrouvez-le avec le lien reçu "
                f"par SMS ou par courriel, ou appelez Lyon en direct au {settings.LYON_EN_DIRECT_PHONE}."
            )
        super().__init__(message, code="plafond")
        self.plafond = plafond
        self.nombre = nombre
        self.pour_agent = pour_agent


@dataclass(frozen=True)
class Identite:
    """How the per-person cap recognises a person: E.164 phone, casefolded email, and « prénom nom »
    folded like the secret links' identity check (`pacte.secret_links.fold`: accents, case,
    spaces and hyphens do not count). The name counts only when both prénom and nom are given."""

    telephone: str
    email: str
    nom: str

    def condition(self) -> Q:
        """Bookings of the same person: any one of the three matches (empty ones never do)."""
        condition = Q(pk__in=[])
        if self.telephone:
            condition |= Q(telephone=self.telephone)
        if self.email:
            condition |= Q(email_replie=self.email)
        if self.nom:
            condition |= Q(nom_replie=self.nom)
        return condition

    def lock(self) -> None:
        """Serialise, until the transaction ends, every booking of this person (PostgreSQL advisory
        locks keyed on each identity, taken in one order so two bookers never deadlock). Two tabs
        racing cannot both pass the cap: the second counts after the first has committed."""
        xact_lock(
            *(
                f"booking.personne:{k}:{v}"
                for k, v in (("t", self.telephone), ("e", self.email), ("n", self.nom))
                if v
            )
        )


def identite_of(*, nom: str = "", prenom: str = "", telephone: str = "", email: str = "") -> Identite:
    """The identity of a booker (`telephone` already E.164, see `pacte.phones.phone_normalize`)."""
    nom_plie, prenom_plie = fold(nom), fold(prenom)
    return Identite(
        telephone=telephone or "",
        email=(email or "").strip().casefold()[:254],
        nom=(prenom_plie + nom_plie)[:300] if nom_plie and prenom_plie else "",
    )


def _plafond_check(*, agenda: Agenda, reservation: Reservation, agent, motif: str) -> None:
    """Inside the booking's transaction, after the reservation row is inserted: refuse
    (`PlafondAtteint`) when the person already holds `maximum` confirmed future bookings under one
    of the agenda's caps. An agent with a reason (`motif`) books anyway, journaled."""
    plafonds = hooks.booking_caps(agenda)
    identite = Identite(
        telephone=reservation.telephone, email=reservation.email_replie, nom=reservation.nom_replie
    )
    if not plafonds or not (identite.telephone or identite.email or identite.nom):
        return
    identite.lock()
    actives = Reservation.objects.filter(
        identite.condition(), statut=Statut.CONFIRMEE, debut__gt=timezone.now()
    ).exclude(pk=reservation.pk)
    for plafond in plafonds:
        nombre = actives.filter(agenda_id__in=plafond.agendas).count()
        if nombre < plafond.maximum:
            continue
        if agent is None or not motif:
            raise PlafondAtteint(plafond=plafond, nombre=nombre, pour_agent=agent is not None)
        journal_record(
            action="booking.plafond_depasse",
            actor=agent,
            obj=reservation,
            message=(
                f"Rendez-vous {reservation.reference} au-delà du maximum par personne pour "
                f"« {plafond.libelle} » ({nombre} à venir, maximum {plafond.maximum}) : {motif}"
            ),
            # The reason stays in the message only: retention erases messages, never `data`.
            data={"plafond": plafond.maximum, "a_venir": nombre, "libelle": plafond.libelle},
        )


def new_idempotency_key() -> str:
    """A random key for the hidden field of a booking form (a resubmission reuses it)."""
    return secrets.token_urlsafe(24)


def _compteur_ensure(agenda: Agenda, debut: dt.datetime) -> None:
    """Create the slot's counter row if it does not exist yet (concurrent creators are fine)."""
    CompteurCreneau.objects.bulk_create(
        [
            CompteurCreneau(
                agenda=agenda,
                debut=debut,
                capacite=agenda.capacite,
                capacite_en_ligne=agenda.capacite_en_ligne,
            )
        ],
        ignore_conflicts=True,
    )


def _compteur_lock(agenda_id: int, debut: dt.datetime) -> CompteurCreneau | None:
    """Lock the slot's counter row (the one lock every hold and place change of the slot takes
    first, so they never deadlock), or None when the slot has no counter."""
    return (
        CompteurCreneau.objects.select_for_update(no_key=True)
        .filter(agenda_id=agenda_id, debut=debut)
        .first()
    )


def _compteur_add(compteur_id: int, *, places: int, en_ligne: int) -> None:
    if places or en_ligne:
        CompteurCreneau.objects.filter(pk=compteur_id).update(
            places_prises=F("places_prises") + places,
            places_prises_en_ligne=F("places_prises_en_ligne") + en_ligne,
        )


def _reclaim_expired(compteur: CompteurCreneau, *, now: dt.datetime) -> int:
    """Under the counter's lock: delete the slot's expired holds and give their places back.
    Returns how many places were freed."""
    expirees = list(Retenue.objects.filter(compteur=compteur).expirees(now).values_list("pk", "en_ligne"))
    if not expirees:
        return 0
    Retenue.objects.filter(pk__in=[pk for pk, _en_ligne in expirees]).delete()
    _compteur_add(
        compteur.pk,
        places=-len(expirees),
        en_ligne=-sum(1 for _pk, en_ligne in expirees if en_ligne),
    )
    return len(expirees)


def _take_place(*, agenda: Agenda, debut: dt.datetime, en_ligne: bool) -> bool:
    """Take one place on the slot, creating its counter if needed. False when the slot is full.

    One conditional UPDATE (it row-locks the counter; the CHECK constraints are the last line of
    defence). When the slot looks full, its expired holds are reclaimed under the counter's lock
    and the UPDATE is tried once more: an expired hold never stops a booking, and no job has to
    run first.
    """
    _compteur_ensure(agenda, debut)
    condition = Q(places_prises__lt=F("capacite"))
    changes = {"places_prises": F("places_prises") + 1}
    if en_ligne:
        condition &= Q(places_prises_en_ligne__lt=F("capacite_en_ligne"))
        changes["places_prises_en_ligne"] = F("places_prises_en_ligne") + 1
    slot = CompteurCreneau.objects.filter(agenda=agenda, debut=debut)
    if slot.filter(condition).update(**changes) == 1:
        return True
    compteur = _compteur_lock(agenda.pk, debut)
    if compteur is None or not _reclaim_expired(compteur, now=timezone.now()):
        return False
    return slot.filter(condition).update(**changes) == 1


def _release_place(*, reservation: Reservation) -> None:
    changes = {"places_prises": F("places_prises") - 1}
    if reservation.compte_en_ligne:
        changes["places_prises_en_ligne"] = F("places_prises_en_ligne") - 1
    CompteurCreneau.objects.filter(
        agenda_id=reservation.agenda_id, debut=reservation.debut, places_prises__gt=0
    ).update(**changes)


def _convert_hold(*, agenda: Agenda, debut: dt.datetime, cle: str, en_ligne: bool) -> bool:
    """Under the counter's lock, turn the holder's hold on the slot into a taken place (the place
    stays counted; the hold row goes). True when there was a hold of that kind (even expired but
    not yet reclaimed: its place is still free for its holder); False when there is none."""
    # One statement (#18.1): its sub-select locks the counter row before the hold is deleted.
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM booking_retenue WHERE cle = %s AND en_ligne = %s AND compteur_id = ("
            "SELECT id FROM booking_compteurcreneau WHERE agenda_id = %s AND debut = %s FOR NO KEY UPDATE)",
            [cle, en_ligne, agenda.pk, debut],
        )
        return cursor.rowcount > 0


def _clean_contact(*, telephone: str, email: str, exiger: bool) -> tuple[str, str]:
    from django.core.validators import validate_email

    from pacte.phones import phone_normalize

    telephone = phone_normalize(telephone) if telephone else ""
    email = (email or "").strip()
    if email:
        validate_email(email)
    if exiger and not (telephone or email):
        raise ValidationError("Indiquez un numéro de téléphone ou une adresse de courriel.", code="contact")
    return telephone, email


def _suivants(agenda: Agenda, *, debut: dt.datetime, pour_agent: bool) -> list[Creneau]:
    """The next free slots after the one asked for (or from now when there is none after it)."""
    return prochains_creneaux(agenda, pour_agent=pour_agent, apres=debut) or prochains_creneaux(
        agenda, pour_agent=pour_agent
    )


def _on_commit_place_freed(agenda: Agenda, debut: dt.datetime) -> None:
    transaction.on_commit(lambda: hooks.place_freed(agenda, debut))


def reservation_create(
    *,
    agenda: Agenda,
    debut: dt.datetime,
    nom: str,
    prenom: str,
    telephone: str = "",
    email: str = "",
    adresse_postale: str = "",
    besoins: Iterable[str] = (),
    besoins_precision: str = "",
    canal: str = Canal.EN_LIGNE,
    agent=None,
    cle_idempotence: str | None = None,
    retenue_cle: str | None = None,
    prescripteur=None,
    prescripteur_organisation: str = "",
    plafond_motif: str = "",
    langue: str | None = None,
) -> tuple[Reservation, str]:
    """Book one place on the slot starting at `debut` and return (reservation, secret token).

    Citizens (`agent=None`) book online within the notice and horizon, on the online places only
    (G2), and must give a phone number or an email. Agents book for a caller or a walk-in
    (`canal` téléphone, guichet or sur_place; `en_ligne` becomes téléphone) and may use every place.
    Raises `CreneauIndisponible` (with the next free slots) when the slot is not open or full,
    `ValidationError` on bad contact data. With `cle_idempotence`, a second call with the same key
    returns the first reservation and an empty token (the token is never stored in clear).
    Sends the confirmation (email with an ICS file and/or SMS) on commit.

    `retenue_cle` names the booker's hold on this slot (`retenue_take`): while it exists — live,
    or expired but not yet reclaimed by someone else — the booking converts it atomically (the
    place it occupies becomes the reservation's) and is never refused for lack of room, nor for
    the notice delay that may have passed while the form was filled; the slot must only still be
    open and not started. Without a hold (none taken, or reclaimed after its expiry), the booking
    takes a free place like any other.

    `prescripteur` is a partner booking for the person (`pacte.partenaires`): the booking is a
    citizen's (online places, the person's own contact required, the confirmation and secret link
    sent to it), recorded and journaled with the partner and their organisation.

    Per-person cap (#19.3): when the agenda's kind registered caps (`hooks.register_booking_caps`,
    e.g. a démarche's « rendez-vous à venir par personne »), a booking that would give the same
    person (`identite_of`: phone, email or folded name) more confirmed future bookings than allowed
    raises `PlafondAtteint` — checked under an advisory lock on the identity, in the transaction
    that takes the place, so concurrent bookings of one person cannot both pass. An agent books
    anyway by giving `plafond_motif` (the reason), journaled `booking.plafond_depasse`.

    `langue` is the person's language, their messages' (`pacte.langues`): by default the request's
    (a citizen booking on /ar/…); agents and partners give the one chosen for the caller.
    """
    pour_agent = agent is not None
    plafond_motif = (plafond_motif or "").strip()[:300] if pour_agent else ""
    if pour_agent and canal == Canal.EN_LIGNE:
        canal = Canal.TELEPHONE
    if canal not in Canal.values:
        raise ValidationError("Canal inconnu.", code="canal")
    if cle_idempotence:
        existing = Reservation.objects.filter(cle_idempotence=cle_idempotence).first()
        if existing is not None:
            return existing, ""
    nom = (nom or "").strip()
    prenom = (prenom or "").strip()
    if not pour_agent and not nom:
        raise ValidationError("Indiquez votre nom.", code="nom")
    telephone, email = _clean_contact(telephone=telephone, email=email, exiger=not pour_agent)
    besoins = [b for b in dict.fromkeys(besoins) if b in Besoin.values]

    debut = debut.astimezone(dt.UTC) if debut.tzinfo else timezone.make_aware(debut)
    retenue = retenue_of(agenda=agenda, debut=debut, cle=retenue_cle, en_ligne=not pour_agent)
    if retenue is not None:
        # Held: the place is the booker's; only a closure or the slot's start can still refuse.
        creneau = creneau_at(agenda, debut=debut, pour_agent=True, inclure_complets=True, compter=False)
        if creneau is not None and creneau.debut <= timezone.now():
            creneau = None
    else:
        creneau = creneau_at(agenda, debut=debut, pour_agent=pour_agent)
    if creneau is None:
        raise CreneauIndisponible(prochains=_suivants(agenda, debut=debut, pour_agent=pour_agent))

    token, hashed = token_new()
    identite = identite_of(nom=nom, prenom=prenom, telephone=telephone, email=email)
    reservation = Reservation(
        reference=reference_new("RDV"),
        agenda=agenda,
        debut=creneau.debut,
        fin=creneau.fin,
        canal=canal,
        nom=nom,
        prenom=prenom,
        telephone=telephone,
        email=email,
        nom_replie=identite.nom,
        email_replie=identite.email,
        adresse_postale=(adresse_postale or "").strip(),
        besoins=besoins,
        besoins_precision=(besoins_precision or "").strip(),
        token_hash=hashed,
        token_expire_at=creneau.fin + dt.timedelta(days=settings.BOOKING_TOKEN_DAYS_AFTER),
        cle_idempotence=cle_idempotence or None,
        cree_par=agent,
        compte_en_ligne=not pour_agent,
        prescripteur=prescripteur,
        prescripteur_organisation=prescripteur_organisation[:150] if prescripteur is not None else "",
        langue=langue_valide(langue) if langue else langue_active(),
    )
    try:
        for attempt in range(3):
            try:
                _reservation_write(
                    reservation,
                    retenue=retenue,
                    agent=agent,
                    prescripteur=prescripteur,
                    plafond_motif=plafond_motif,
                    token=token,
                )
                break
            except IntegrityError as exc:
                # A reference drawn twice (rare): the whole transaction again with another one,
                # rather than a savepoint around the insert on every booking (2 round trips).
                if reservation.pk is not None or "reference" not in str(exc) or attempt == 2:
                    raise
                reservation.reference = reference_new("RDV")
    except IntegrityError:
        if cle_idempotence:
            existing = Reservation.objects.filter(cle_idempotence=cle_idempotence).first()
            if existing is not None:
                return existing, ""
        raise
    except CreneauIndisponible as exc:
        if not exc.prochains:
            exc.prochains = _suivants(agenda, debut=debut, pour_agent=pour_agent)
        raise
    return reservation, token


def _reservation_write(
    reservation: Reservation, *, retenue, agent, prescripteur, plafond_motif: str, token: str
) -> None:
    """`reservation_create`'s transaction: the row, the cap, the journal, the messages, the place."""
    agenda, canal = reservation.agenda, reservation.canal
    pour_agent = agent is not None
    with transaction.atomic():
        # The reservation row first: a concurrent duplicate (same idempotency key) waits here for
        # the first transaction and then fails on the unique key, without touching capacity.
        reservation.save(force_insert=True)
        _plafond_check(agenda=agenda, reservation=reservation, agent=agent, motif=plafond_motif)
        journal_data = {"agenda": str(agenda.uuid), "debut": reservation.debut.isoformat(), "canal": canal}
        message = f"Rendez-vous {reservation.reference} ({reservation.get_canal_display()})"
        if prescripteur is not None:
            journal_data["prescripteur"] = reservation.prescripteur_organisation
            message += f", réservé par {reservation.prescripteur_organisation}"
        journal_record(
            action="booking.reservation_create",
            actor=agent or prescripteur,
            obj=reservation,
            message=message,
            data=journal_data,
        )
        from .messages import notify_confirmation

        notify_confirmation(reservation=reservation, token=token)
        # The place last: the slot's counter row stays locked from here to the commit only, not
        # while the messages are written (#18.1: the slot-release burst queues on that lock). A
        # full slot rolls everything above back (G3 unchanged: same transaction).
        converted = retenue is not None and _convert_hold(
            agenda=agenda, debut=reservation.debut, cle=retenue.cle, en_ligne=not pour_agent
        )
        if not converted and not _take_place(agenda=agenda, debut=reservation.debut, en_ligne=not pour_agent):
            raise CreneauIndisponible("Ce créneau vient d'être pris.", prochains=[])


def reservation_walk_in(
    *,
    agenda: Agenda,
    debut: dt.datetime,
    agent,
    nom: str = "",
    prenom: str = "",
    telephone: str = "",
    email: str = "",
    besoins: Iterable[str] = (),
    besoins_precision: str = "",
    cle_idempotence: str | None = None,
) -> tuple[Reservation, str]:
    """Record a walk-in (canal sur_place) on a slot that has not ended: may use the places reserved
    for agents beyond the online capacity, never beyond the total capacity."""
    return reservation_create(
        agenda=agenda,
        debut=debut,
        nom=nom,
        prenom=prenom,
        telephone=telephone,
        email=email,
        besoins=besoins,
        besoins_precision=besoins_precision,
        canal=Canal.SUR_PLACE,
        agent=agent,
        cle_idempotence=cle_idempotence,
    )


def _hold_in_one_statement(
    *, agenda: Agenda, debut: dt.datetime, cle: str, en_ligne: bool, expire_at: dt.datetime, now: dt.datetime
) -> Retenue | None:
    """A hold in one round trip (PostgreSQL, #18.2): `_compteur_ensure` and `_take_place`'s
    conditional UPDATE as one upsert of the slot's counter (same condition: a place left, an online
    one for an online hold; the row locked as by the UPDATE), and the hold's INSERT, in one
    statement: both happen or neither. None when the slot looks full: `_take_place` then reclaims
    the expired holds under the counter's lock, as for a booking."""
    if (
        connection.vendor != "postgresql"
        or agenda.capacite < 1
        or (en_ligne and agenda.capacite_en_ligne < 1)
    ):
        return None  # (a new counter with no room: the CHECK constraints would refuse the INSERT)
    compteur_table, retenue_table = CompteurCreneau._meta.db_table, Retenue._meta.db_table
    en_ligne_libre = "AND c.places_prises_en_ligne < c.capacite_en_ligne" if en_ligne else ""
    sql = f"""
        WITH pris AS (
            INSERT INTO {compteur_table} AS c
                (agenda_id, debut, capacite, capacite_en_ligne, places_prises, places_prises_en_ligne)
            VALUES (%(agenda)s, %(debut)s, %(capacite)s, %(capacite_en_ligne)s, 1, %(en_ligne_pris)s)
            ON CONFLICT (agenda_id, debut) DO UPDATE
            SET places_prises = c.places_prises + 1,
                places_prises_en_ligne = c.places_prises_en_ligne + %(en_ligne_pris)s
            WHERE c.places_prises < c.capacite {en_ligne_libre}
            RETURNING c.id
        )
        INSERT INTO {retenue_table} (compteur_id, cle, en_ligne, expire_at, created_at)
        SELECT id, %(cle)s, %(en_ligne)s, %(expire_at)s, %(now)s FROM pris
        RETURNING id, compteur_id
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "agenda": agenda.pk,
                "debut": debut,
                "capacite": agenda.capacite,
                "capacite_en_ligne": agenda.capacite_en_ligne,
                "en_ligne_pris": 1 if en_ligne else 0,
                "cle": cle,
                "en_ligne": en_ligne,
                "expire_at": expire_at,
                "now": now,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Retenue(
        id=row[0], compteur_id=row[1], cle=cle, en_ligne=en_ligne, expire_at=expire_at, created_at=now
    )


A_CHERCHER = object()  # `retenue_take(existante=…)` not given: the hold is looked up


def retenue_take(
    *,
    agenda: Agenda,
    debut: dt.datetime,
    cle: str,
    en_ligne: bool,
    duree: dt.timedelta,
    existante: Retenue | None | object = A_CHERCHER,
) -> Retenue:
    """Hold one place of the slot starting at `debut` for `duree`, for the holder `cle`, and return
    the hold. The place is taken in the slot's counter at once (G3: the CHECK constraints bound
    reservations + holds; G2: an online hold takes an online place, `en_ligne=False` any place),
    so every availability read counts it as taken until it is converted (`reservation_create`
    with `retenue_cle`), released (`retenue_release`) or expired.

    One hold per holder and slot: while the holder's hold is live it is returned unchanged (two
    tabs, a reload: no second place, and no extension); an expired one not yet reclaimed is
    renewed for `duree` (its place was free again, the holder takes it back). Raises
    `CreneauIndisponible` (with the next free slots) when the slot is not open to the asker
    (notice, horizon, closure) or has no free place.

    `existante`: the holder's hold on this slot (or None) when the caller has just looked it up
    (`retenue_of`, same `en_ligne`): not looked up twice (#18.2).
    """
    debut = debut.astimezone(dt.UTC) if debut.tzinfo else timezone.make_aware(debut)
    pour_agent = not en_ligne
    existing = (
        retenue_of(agenda=agenda, debut=debut, cle=cle, en_ligne=en_ligne)
        if existante is A_CHERCHER
        else existante
    )
    if existing is not None and existing.is_live:
        return existing
    # Open to the asker? The counters are not read here: `_take_place` below decides on places.
    creneau = creneau_at(agenda, debut=debut, pour_agent=pour_agent, inclure_complets=True, compter=False)
    if creneau is None:
        raise CreneauIndisponible(prochains=_suivants(agenda, debut=debut, pour_agent=pour_agent))
    now = timezone.now()
    try:
        with transaction.atomic():
            if existing is not None:
                compteur = _compteur_lock(agenda.pk, creneau.debut)
                renewed = Retenue.objects.filter(pk=existing.pk, compteur=compteur).update(
                    expire_at=now + duree
                )
                if renewed:
                    existing.expire_at = now + duree
                    return existing
            # A second hold of the same holder (two tabs at once) breaks the unique constraint: the
            # block (a transaction, or a savepoint inside the caller's) rolls back, place too.
            retenue = _hold_in_one_statement(
                agenda=agenda, debut=creneau.debut, cle=cle, en_ligne=en_ligne, expire_at=now + duree, now=now
            )
            if retenue is not None:
                return retenue
            if not _take_place(agenda=agenda, debut=creneau.debut, en_ligne=en_ligne):
                raise CreneauIndisponible(
                    "Ce créneau vient d'être pris.",
                    prochains=_suivants(agenda, debut=debut, pour_agent=pour_agent),
                )
            compteur = CompteurCreneau.objects.get(agenda=agenda, debut=creneau.debut)
            return Retenue.objects.create(
                compteur=compteur, cle=cle, en_ligne=en_ligne, expire_at=now + duree, created_at=now
            )
    except IntegrityError:
        # The same holder took it at the same instant (two tabs): theirs, not a second place.
        existing = retenue_of(agenda=agenda, debut=debut, cle=cle, en_ligne=en_ligne)
        if existing is None:
            raise
        return existing


def retenue_release(*, agenda: Agenda, debut: dt.datetime, cle: str) -> bool:
    """End the holder's hold on the slot and free its place (an offer declined or expired, a form
    left); the place-freed listeners (a waiting list) hear of it on commit. True when there was a
    hold to release; releasing twice is a no-op."""
    with transaction.atomic():
        compteur = _compteur_lock(agenda.pk, debut)
        if compteur is None:
            return False
        retenue = Retenue.objects.filter(compteur=compteur, cle=cle).first()
        if retenue is None:
            return False
        retenue.delete()
        _compteur_add(compteur.pk, places=-1, en_ligne=-1 if retenue.en_ligne else 0)
        _on_commit_place_freed(agenda, compteur.debut)
    return True


def retenues_purge(*, now: dt.datetime | None = None) -> int:
    """Reclaim every expired hold (hygiene only: reads already count them as free and the next
    taker of a full slot reclaims them), and tell the place-freed listeners (a waiting list waits
    for a slot that looked full). Returns how many were reclaimed."""
    now = now or timezone.now()
    count = 0
    for compteur_id in (
        Retenue.objects.expirees(now).values_list("compteur_id", flat=True).distinct().iterator()
    ):
        with transaction.atomic():
            compteur = (
                CompteurCreneau.objects.select_for_update(no_key=True, of=("self",))
                .select_related("agenda")
                .filter(pk=compteur_id)
                .first()
            )
            if compteur is not None:
                reclaimed = _reclaim_expired(compteur, now=now)
                if reclaimed:
                    _on_commit_place_freed(compteur.agenda, compteur.debut)
                count += reclaimed
    return count


def _lock(reservation: Reservation) -> Reservation:
    return Reservation.objects.select_for_update().select_related("agenda__lieu").get(pk=reservation.pk)


def reservation_cancel(
    *, reservation: Reservation, actor=None, motif: str = "", reversible: bool = False
) -> Reservation:
    """Cancel a confirmed reservation: frees its place, cancels pending messages, tells the person,
    and calls the place-freed listeners on commit. Cancelling twice is a no-op (two tabs, a double
    submit); cancelling an attended or missed appointment raises `TransitionInterdite`.

    `reversible=True` (an agent cancelling on someone's behalf) opens an undo window of
    BOOKING_ANNULATION_DELAI_SECONDES: the place stays in the slot's counter as a hold
    (`annulation:<pk>`) until the window ends, the email/SMS to the person is queued to leave at
    its end, and `reservation_restore` can undo everything until then. After it, the beat task
    `annulations_finalise` frees the place and calls the listeners (the hold already reads as free
    and is reclaimed by the next taker even if the task is late).
    """
    motif = (motif or "").strip()[:300]
    now = timezone.now()
    fin_delai = now + dt.timedelta(seconds=settings.BOOKING_ANNULATION_DELAI_SECONDES) if reversible else None
    journal_data: dict = {}  # filled under the lock, read by the kernel when it journals

    def apply(locked: Reservation, de: str) -> list[str]:
        if fin_delai is None:
            _release_place(reservation=locked)
        else:
            # The place becomes a hold of the undo window: still counted, never offered meanwhile.
            compteur = _compteur_lock(locked.agenda_id, locked.debut)
            if compteur is not None:
                Retenue.objects.update_or_create(
                    compteur=compteur,
                    cle=cle_retenue_annulation(locked),
                    defaults={"en_ligne": locked.compte_en_ligne, "expire_at": fin_delai, "created_at": now},
                )
            journal_data["reversible_jusqua"] = fin_delai.isoformat()
        journal_data["debut"] = locked.debut.isoformat()
        return []

    with transaction.atomic():
        transition(
            reservation,
            Statut.ANNULEE,
            TABLE,
            actor,
            idempotent=True,
            queryset=Reservation.objects.select_related("agenda__lieu"),
            fields={"annulee_at": now, "motif_annulation": motif},
            apply=apply,
            journal="booking.reservation_cancel",
            message=f"Rendez-vous {reservation.reference} annulé" + (f" : {motif}" if motif else ""),
            data=journal_data,
            refus="Impossible d'annuler un rendez-vous « {de} ».",
            now=now,
        )
        if not journal_data:  # it was already cancelled
            return reservation
        from pacte.notifications import notification_cancel

        from .messages import notify_cancellation

        notification_cancel(cle_prefix=f"booking:rappel:{reservation.pk}:")
        if reservation.debut > now:
            notify_cancellation(reservation=reservation, send_at=fin_delai)
            if fin_delai is None:
                _on_commit_place_freed(reservation.agenda, reservation.debut)
    return reservation


def reservation_restore(*, reservation: Reservation, actor) -> Reservation:
    """Undo a cancellation made on someone's behalf, within its undo window.

    Through the workflow (annulée → confirmée, guarded by the window, journaled
    `booking.reservation_restore`): the hold kept since the cancellation becomes the reservation's
    place again (the counter does not move), and the cancellation messages not sent yet are
    cancelled (their rows are locked first, so the outbox sender skips them). Raises
    `TransitionInterdite` when the window has passed, the place is no longer held, or a message of
    the cancellation has already left (the person knows: they must be called back instead).
    """
    from pacte.models import Notification, StatutNotification
    from pacte.notifications import notification_cancel

    from .messages import cle_annulation

    def apply(locked: Reservation, de: str) -> list[str]:
        prefix = cle_annulation(locked)
        messages = list(Notification.objects.select_for_update().filter(cle__startswith=prefix))
        if any(m.statut == StatutNotification.SENT for m in messages):
            raise TransitionInterdite("La personne a déjà été prévenue de l'annulation : rappelez-la.")
        if not _convert_hold(
            agenda=locked.agenda,
            debut=locked.debut,
            cle=cle_retenue_annulation(locked),
            en_ligne=locked.compte_en_ligne,
        ):
            raise TransitionInterdite("Le délai pour rétablir ce rendez-vous est passé.")
        notification_cancel(cle_prefix=prefix)
        locked.annulee_at = None
        locked.motif_annulation = ""
        return ["annulee_at", "motif_annulation"]

    return transition(
        reservation,
        {Statut.ANNULEE: Statut.CONFIRMEE},
        TABLE,
        actor,
        queryset=Reservation.objects.select_related("agenda__lieu"),
        apply=apply,
        journal="booking.reservation_restore",
        message=f"Rendez-vous {reservation.reference} rétabli (annulation défaite)",
        refus="Le délai pour rétablir ce rendez-vous est passé.",
    )


def annulations_finalise(*, now: dt.datetime | None = None) -> int:
    """End the undo windows that are over: free each held place and call the place-freed listeners
    on commit (a waiting list may offer it). Idempotent; returns how many places were freed."""
    now = now or timezone.now()
    count = 0
    expirees = Retenue.objects.expirees(now).filter(cle__startswith=ANNULATION_RETENUE)
    for retenue in expirees.select_related("compteur__agenda"):
        compteur = retenue.compteur
        with transaction.atomic():
            locked = _compteur_lock(compteur.agenda_id, compteur.debut)
            if locked is None or not Retenue.objects.filter(pk=retenue.pk, compteur=locked).delete()[0]:
                continue
            _compteur_add(locked.pk, places=-1, en_ligne=-1 if retenue.en_ligne else 0)
            if compteur.debut > now:
                _on_commit_place_freed(compteur.agenda, compteur.debut)
            count += 1
    return count


def reservation_move(*, reservation: Reservation, nouveau_debut: dt.datetime, actor=None) -> Reservation:
    """Move a confirmed, future reservation to another free slot of the same agenda.

    A citizen (no actor, or an actor who is not staff) moves within the online places; an agent may
    use the reserved places. Frees the old place (listeners on commit) and sends a message.
    Raises `CreneauIndisponible` when the new slot is not free.
    """
    from pacte.roles import Role, has_role

    pour_agent = actor is not None and has_role(actor, Role.AGENT, Role.ECRIVAIN, Role.ADMIN)
    with transaction.atomic():
        locked = _lock(reservation)
        if locked.statut != Statut.CONFIRMEE:
            raise TransitionInterdite("Seul un rendez-vous confirmé peut être déplacé.")
        agenda = locked.agenda
        creneau = creneau_at(agenda, debut=nouveau_debut, pour_agent=pour_agent)
        if creneau is None or creneau.debut == locked.debut:
            raise CreneauIndisponible(prochains=prochains_creneaux(agenda, pour_agent=pour_agent))
        if not _take_place(agenda=agenda, debut=creneau.debut, en_ligne=not pour_agent):
            raise CreneauIndisponible(
                "Ce créneau vient d'être pris.", prochains=prochains_creneaux(agenda, pour_agent=pour_agent)
            )
        _release_place(reservation=locked)
        ancien_debut = locked.debut
        locked.debut = creneau.debut
        locked.fin = creneau.fin
        locked.compte_en_ligne = not pour_agent
        locked.rappel_envoye_at = None
        locked.token_expire_at = creneau.fin + dt.timedelta(days=settings.BOOKING_TOKEN_DAYS_AFTER)
        locked.save(
            update_fields=[
                "debut",
                "fin",
                "compte_en_ligne",
                "rappel_envoye_at",
                "token_expire_at",
                "updated_at",
            ]
        )
        journal_record(
            action="booking.reservation_move",
            actor=actor,
            obj=locked,
            message=f"Rendez-vous {locked.reference} déplacé",
            data={"de": ancien_debut.isoformat(), "vers": creneau.debut.isoformat()},
        )
        from pacte.notifications import notification_cancel

        from .messages import notify_move

        notification_cancel(cle_prefix=f"booking:rappel:{locked.pk}:")
        notify_move(reservation=locked, ancien_debut=ancien_debut)
        if ancien_debut > timezone.now():
            _on_commit_place_freed(agenda, ancien_debut)
    return locked


def reservation_mark(*, reservation: Reservation, statut: str, actor) -> Reservation:
    """Record attendance (honoree = arrivé, absent) or undo a mark (confirmee).

    Follows `workflows.TABLE` through `pacte.workflows.transition`: attendance from the
    appointment's day on, a mark undone (back to « Confirmé ») that day only; raises
    `TransitionInterdite` otherwise (with the reason in French). Marking the status the
    reservation already has is a no-op (double submit). Marks keep the place taken (the slot is
    consumed). Cancelling is `reservation_cancel`, undoing a cancellation `reservation_restore`.
    """
    from .workflows import correction_ouverte, presence_ouverte

    if statut in (Statut.HONOREE, Statut.ABSENT):
        cible: str | dict = statut
    elif statut == Statut.CONFIRMEE:
        # Only a mark goes back to « Confirmé » here (a cancellation is undone by reservation_restore).
        cible = {s: Statut.CONFIRMEE for s in (Statut.CONFIRMEE, Statut.HONOREE, Statut.ABSENT)}
    else:
        raise TransitionInterdite("Action inconnue.", vers=statut)

    def check(locked: Reservation) -> None:
        # The table's guards refuse these moves; say why in the agent's words.
        if statut != Statut.CONFIRMEE and locked.statut == Statut.CONFIRMEE and not presence_ouverte(locked):
            raise TransitionInterdite(
                "La présence se note à partir du jour du rendez-vous.", de=locked.statut, vers=statut
            )
        if (
            statut == Statut.CONFIRMEE
            and locked.statut in (Statut.HONOREE, Statut.ABSENT)
            and not correction_ouverte(locked)
        ):
            raise TransitionInterdite(
                "Un pointage se corrige le jour du rendez-vous seulement.", de=locked.statut, vers=statut
            )

    return transition(
        reservation,
        cible,
        TABLE,
        actor,
        idempotent=True,
        check=check,
        message=lambda de, vers: (
            f"Rendez-vous {reservation.reference} : {TABLE.label(de)} → {TABLE.label(vers)}"
        ),
    )


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Queue the reminder of every confirmed reservation starting within its agenda's reminder
    window, not yet reminded and not started. Idempotent (outbox key per reservation and start).
    Returns how many reservations were reminded."""
    from .messages import notify_reminder

    now = now or timezone.now()
    candidates = (
        Reservation.objects.filter(
            statut=Statut.CONFIRMEE, rappel_envoye_at__isnull=True, debut__gt=now, anonymisee_at__isnull=True
        )
        .annotate(
            _fenetre=ExpressionWrapper(
                F("agenda__rappel_heures_avant") * Value(dt.timedelta(hours=1)), output_field=DurationField()
            )
        )
        .filter(debut__lte=Value(now) + F("_fenetre"))
        .select_related("agenda__lieu")
    )
    count = 0
    for reservation in candidates.iterator():
        with transaction.atomic():
            locked = (
                Reservation.objects.select_for_update(skip_locked=True)
                .filter(
                    pk=reservation.pk, statut=Statut.CONFIRMEE, rappel_envoye_at__isnull=True, debut__gt=now
                )
                .first()
            )
            if locked is None:
                continue
            locked.agenda = reservation.agenda
            notify_reminder(reservation=locked)
            locked.rappel_envoye_at = now
            locked.save(update_fields=["rappel_envoye_at", "updated_at"])
            count += 1
    return count


def reservations_anonymise(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Erase names, contacts, needs and the secret link of reservations whose appointment ended
    more than `days` (default BOOKING_RETENTION_DAYS, 90) ago, in their history and their messages
    too (`pacte.retention.erase`: history rows and their change reasons, outbox bodies, and the
    journal's messages, which hold the cancellation reason an agent typed). Keeps agenda, dates,
    channel and status for statistics. Returns the count.
    """
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.BOOKING_RETENTION_DAYS if days is None else days)
    ids = list(
        Reservation.objects.filter(fin__lt=limit, anonymisee_at__isnull=True).values_list("pk", flat=True)[
            :5000
        ]
    )
    if not ids:
        return 0
    erased = dict(
        nom="",
        prenom="",
        telephone="",
        email="",
        nom_replie="",
        email_replie="",
        adresse_postale="",
        besoins=[],
        besoins_precision="",
        motif_annulation="",
    )
    with transaction.atomic():
        erase(
            Reservation,
            ids,
            erased,
            live={"token_hash": "", "token_expire_at": None, "anonymisee_at": now, "updated_at": now},
        )
        journal_record(
            action="booking.reservations_anonymise",
            message=f"{len(ids)} rendez-vous anonymisés",
            data={"count": len(ids), "avant": limit.isoformat()},
            actor_label="tâche de conservation",
        )
    return len(ids)


# --- staff calendar feeds (ICS) ------------------------------------------------------------------

FLUX_LU_PAS = dt.timedelta(minutes=5)
"""`FluxAgenda.lu_at` is written at most this often (a calendar app may poll every minute)."""


def flux_agenda_create(*, user) -> tuple[FluxAgenda, str]:
    """Give `user` a new secret link to their calendar feed; return the link's row and its token,
    to show once (only its hash is kept). A live link is revoked in the same transaction (rotation:
    one live link per person). Journaled (`booking.flux_agenda_cree` or `…_renouvele`) and told to
    the person by email (a link they did not create does not go unnoticed); the email never
    carries the token."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from pacte.notifications import Personne, notify_person
    from pacte.site import absolute_url

    with transaction.atomic():
        # One live link per person: concurrent creations for the same account are serialised here
        # (the partial unique constraint is the last line of defence).
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        now = timezone.now()
        remplace = FluxAgenda.objects.actifs().filter(user=user).update(revoque_at=now)
        token, hashed = token_new()
        flux = FluxAgenda.objects.create(user=user, token_hash=hashed, created_at=now)
        journal_record(
            action="booking.flux_agenda_renouvele" if remplace else "booking.flux_agenda_cree",
            actor=user,
            obj=flux,
            message="nouveau lien d'agenda, l'ancien ne fonctionne plus"
            if remplace
            else "lien d'agenda créé",
        )
        notify_person(
            personne=Personne(nom=user.get_full_name(), email=user.email),
            message="booking/flux_agenda_cree",
            sujet="Un lien vers votre agenda a été créé",
            context={
                "quand": timezone.localtime(now),
                "remplace": bool(remplace),
                "page": absolute_url(reverse("booking:agent_calendrier")),
            },
            obj=flux,
        )
    return flux, token


def flux_agenda_revoke(*, user) -> bool:
    """Revoke `user`'s live calendar-feed link (the feed answers 404 from now on). Journaled
    (`booking.flux_agenda_revoque`). False when there was none (nothing recorded)."""
    with transaction.atomic():
        flux = FluxAgenda.objects.actifs().select_for_update().filter(user=user).first()
        if flux is None:
            return False
        flux.revoque_at = timezone.now()
        flux.save(update_fields=["revoque_at"])
        journal_record(
            action="booking.flux_agenda_revoque", actor=user, obj=flux, message="lien d'agenda supprimé"
        )
    return True


def flux_agenda_read(*, flux: FluxAgenda) -> None:
    """Note that a calendar app has just read the feed of `flux` (one UPDATE, a write every
    `FLUX_LU_PAS` at most), so its owner sees on their page that the subscription works."""
    now = timezone.now()
    FluxAgenda.objects.filter(pk=flux.pk).filter(
        Q(lu_at__isnull=True) | Q(lu_at__lt=now - FLUX_LU_PAS)
    ).update(lu_at=now)
