"""A landline never gets an SMS, on any message path of the portal (#14.2, #15.2).

Every path goes through `pacte.notifications.notify_person`; each one is driven here with a
person whose only contact is a landline, or a landline and an email. Where the message matters
(a cancelled appointment, an offer, a fallback, a médiation letter) the agents get a task instead.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pacte.models import Canal, Notification
from pacte.notifications import outbox_flush

pytestmark = pytest.mark.django_db

FIXE = "04 72 10 30 30"


def _agenda():
    from pacte.booking.models import Agenda, RegleOuverture
    from pacte.models import Lieu

    agenda = Agenda.objects.create(
        lieu=Lieu.objects.get(slug="mairie-du-6e-arrondissement"),
        titre="Carte d'identité",
        kind="demarches",
        duree_creneau=30,
        capacite=1,
        places_agents=0,
        delai_min_heures=0,
        horizon_jours=60,
        rappel_heures_avant=24 * 60,
    )
    for jour in range(7):
        RegleOuverture.objects.create(
            agenda=agenda, jour_semaine=jour, heure_debut=dt.time(9), heure_fin=dt.time(12)
        )
    return agenda


def _reservation(email=""):
    from pacte.booking.selectors import prochain_creneau
    from pacte.booking.services import reservation_create

    agenda = _agenda()
    reservation, _token = reservation_create(
        agenda=agenda,
        debut=prochain_creneau(agenda).debut,
        nom="Fixe",
        prenom="Jeanne",
        telephone=FIXE,
        email=email,
    )
    return reservation


def booking_confirmation(email):
    return _reservation(email), None


def booking_reminder(email):
    from pacte.booking.services import reminders_send

    reservation = _reservation(email)
    assert reminders_send(now=timezone.now()) == 1
    return reservation, None


def booking_cancellation(email):
    from pacte.booking.services import reservation_cancel

    reservation = _reservation(email)
    reservation_cancel(reservation=reservation, motif="test")
    return reservation, Canal.APPEL


def booking_move(email):
    from pacte.booking.selectors import prochains_creneaux
    from pacte.booking.services import reservation_move

    reservation = _reservation(email)
    suivant = [c for c in prochains_creneaux(reservation.agenda) if c.debut != reservation.debut][0]
    reservation_move(reservation=reservation, nouveau_debut=suivant.debut)
    return reservation, Canal.APPEL


def _demande(email):
    from demarches.services import demande_rappel_create

    return demande_rappel_create(nom="Jeanne Fixe", telephone=FIXE, email=email, objet="Passeport")


def callback_confirmation(email):
    return _demande(email), None


def callback_fallback(email):
    from django.conf import settings

    from demarches.enums import ResultatAppel
    from demarches.services import tentative_record

    demande = _demande(email)
    from django.contrib.auth import get_user_model

    agent = get_user_model().objects.create_user(username="agent-fixe", password="x" * 20)
    from tests.demarches.horaires import appels

    for at in appels(settings.RAPPEL_TENTATIVES_MAX):
        tentative_record(demande=demande, agent=agent, resultat=ResultatAppel.INJOIGNABLE, at=at)
    return demande, Canal.COURRIER


def _permanence():
    """A one-slot permanence whose slot is booked (by someone reached by email only)."""
    from ecrivains.services import Regle, permanence_create
    from pacte.booking.services import reservation_create
    from pacte.calendrier import is_holiday
    from pacte.models import Lieu

    day = timezone.localdate() + dt.timedelta(days=7)
    while is_holiday(day):  # no session on a public holiday (a run on 25 October aims at 1 November)
        day += dt.timedelta(days=1)
    permanence = permanence_create(
        lieu=Lieu.objects.get(slug="mairie-du-5e-arrondissement"),
        titre="Écrivain public",
        regles=[Regle(dt.time(10), dt.time(10, 30), date=day)],
        capacite=1,
        places_agents=0,
        delai_min_heures=0,
        langues=[],
        themes=[],
        ecrivains=[],
    )
    debut = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    permanence.occupant, _ = reservation_create(
        agenda=permanence.agenda, debut=debut, nom="Occupant", prenom="", email="occupant@example.org"
    )
    return permanence


def _inscription(email, permanence=None):
    from ecrivains.services import inscription_create

    return inscription_create(
        permanence=permanence or _permanence(), nom="Jeanne Fixe", telephone=FIXE, email=email
    )


def waiting_list_registration(email):
    return _inscription(email), None


def waiting_list_offer(email):
    from pacte.booking.services import reservation_cancel

    permanence = _permanence()
    _inscription(email, permanence)
    reservation_cancel(reservation=permanence.occupant, motif="test")  # the offer follows on commit
    return permanence, Canal.APPEL


def waiting_list_session_cancelled(email):
    from ecrivains.services import seance_cancel

    permanence = _permanence()
    inscription = _inscription(email, permanence)
    InscriptionAttente = type(inscription)
    InscriptionAttente.objects.filter(pk=inscription.pk).update(
        date_souhaitee=permanence.agenda.regles.get().date
    )
    seance_cancel(permanence=permanence, date=permanence.agenda.regles.get().date, motif="Absence")
    return inscription, None


def _saisine(email):
    from tests.mediation.factories import saisine_new

    return saisine_new(email=email, telephone=FIXE, adresse="1 rue Test, 69001 Lyon")


def mediation_acknowledgement(email):
    return _saisine(email), Canal.COURRIER


def mediation_decision_letter(email):
    from mediation.workflows import saisine_transition

    saisine = _saisine(email)
    saisine_transition(
        saisine=saisine, vers="irrecevable", actor=None, motif_irrecevabilite="sans_demarche_prealable"
    )
    return saisine, Canal.COURRIER


def mediation_message(email):
    from mediation.services import message_add

    saisine = _saisine(email)
    message_add(saisine=saisine, corps="Bonjour, pouvez-vous nous envoyer la facture ?")
    return saisine, Canal.COURRIER


def tracker_subscription(email):
    from pacte.tracker.models import Action
    from pacte.tracker.services import abonnement_request

    action = Action.objects.filter(is_published=True).first()
    return abonnement_request(action=action, email=email or "suivi@example.org"), None


PATHS = [
    booking_confirmation,
    booking_reminder,
    booking_cancellation,
    booking_move,
    callback_confirmation,
    callback_fallback,
    waiting_list_registration,
    waiting_list_offer,
    waiting_list_session_cancelled,
    mediation_acknowledgement,
    mediation_decision_letter,
    mediation_message,
    tracker_subscription,
]


@pytest.mark.parametrize("email", ["", "jeanne@example.org"], ids=["landline-only", "landline-and-email"])
@pytest.mark.parametrize("path", PATHS, ids=[p.__name__ for p in PATHS])
def test_a_landline_gets_no_sms(path, email, sms_outbox, django_capture_on_commit_callbacks):
    """No SMS is queued or sent to a landline; without email the agents get the path's task."""
    with django_capture_on_commit_callbacks(execute=True):
        _obj, tache = path(email)
    outbox_flush()
    if path is waiting_list_offer:
        from pacte.booking.models import OffreCreneau

        assert OffreCreneau.objects.filter(inscription__nom="Jeanne Fixe").count() == 1
    assert not Notification.objects.filter(canal=Canal.SMS).exists()
    assert not Notification.objects.filter(
        destinataire__in=["+33472103030", FIXE], canal=Canal.EMAIL
    ).exists()
    assert sms_outbox == []
    taches = set(Notification.objects.taches_a_faire().values_list("canal", flat=True))
    if email:
        assert Notification.objects.filter(canal=Canal.EMAIL).exists()
        assert taches == set()
    else:
        assert taches == ({tache} if tache else set())
