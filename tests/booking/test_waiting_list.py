"""The one waiting list of the booking engine on a démarche's counter (#15.12): joining from the
agenda page when no slot is free, the offer of a freed place that holds it, acceptance converting
the hold atomically, expiry passing to the next person, the agents' lists and their scope, and
races on one slot on real PostgreSQL connections."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
import time_machine
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pacte.booking import attente
from pacte.booking.models import (
    CompteurCreneau,
    InscriptionAttente,
    OffreCreneau,
    Reservation,
    Retenue,
    Statut,
    StatutInscription,
    StatutOffre,
)
from pacte.booking.selectors import creneau_at
from pacte.booking.services import CreneauIndisponible, reservation_cancel, reservation_create
from pacte.models import Canal, Notification
from pacte.roles import Role
from tests.concurrency import run_concurrently

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def guichet(make_agenda, slot_day):
    """A démarche's counter with one slot of `capacite` places in its whole horizon."""

    def factory(capacite=1, places_agents=0):
        return make_agenda(
            capacite=capacite,
            places_agents=places_agents,
            regles=[
                dict(type="date_unique", date=slot_day, heure_debut=dt.time(9), heure_fin=dt.time(9, 30))
            ],
        )

    return factory


def _slot(agenda):
    return at(agenda.regles.get().date, "09:00")


def _book(agenda, nom="Occupant", agent=None):
    return reservation_create(
        agenda=agenda, debut=_slot(agenda), nom=nom, prenom="", telephone="0611223344", agent=agent
    )[0]


def _inscrire(agenda, nom, telephone="0612345670", **kwargs):
    return attente.inscription_create(agenda=agenda, nom=nom, telephone=telephone, **kwargs)


def _counter(agenda):
    return CompteurCreneau.objects.get(agenda=agenda, debut=_slot(agenda))


def test_the_agenda_page_offers_the_waiting_list_only_when_nothing_is_free(guichet, client):
    """Free slots: no waiting list on the page. Full over the whole horizon: « M'inscrire sur la
    liste d'attente » leads to the form."""
    agenda = guichet()
    url = reverse("booking:agenda", args=[agenda.uuid])
    assert "M'inscrire sur la liste d'attente" not in client.get(url).text
    _book(agenda)
    page = client.get(url).text
    assert "Toutes les places sont prises" in page
    assert reverse("booking:attente_inscription", args=[agenda.uuid]) in page


def test_joining_says_how_the_person_will_be_reached(
    guichet, client, sms_outbox, django_capture_on_commit_callbacks
):
    """A mobile: told « par SMS au … » and gets an SMS; a landline: « Nous vous appellerons », no
    SMS; bad input: French messages next to the fields, nothing registered, never a 500."""
    agenda = guichet()
    _book(agenda)
    url = reverse("booking:attente_inscription", args=[agenda.uuid])
    form = client.get(url).text
    assert "à un fixe, un agent vous appelle" in form
    with django_capture_on_commit_callbacks(execute=True):
        mobile = client.post(url, {"nom": "Léa Mobile", "telephone": "06 12 34 56 78", "email": ""})
    assert mobile.status_code == 302
    assert "par SMS au 06 12 34 56 78" in client.get(mobile["Location"]).text
    assert [m for m in sms_outbox if m["to"] == "+33612345678" and "liste d'attente" in m["body"]]
    with django_capture_on_commit_callbacks(execute=True):
        fixe = client.post(url, {"nom": "Jeanne Fixe", "telephone": "04 72 10 30 30", "email": ""})
    merci = client.get(fixe["Location"]).text
    assert 'Nous vous appellerons au <strong><bdi dir="ltr">04 72 10 30 30</bdi></strong>' in merci
    assert not [m for m in sms_outbox if m["to"] == "+33472103030"]
    mauvais = client.post(url, {"nom": "X", "telephone": "12", "email": "pas-une-adresse"})
    assert mauvais.status_code == 200
    assert 'aria-invalid="true"' in mauvais.text and "Exemple : nom@exemple.fr" in mauvais.text
    vide = client.post(url, {"nom": "Sans Contact", "telephone": "", "email": ""})
    assert vide.status_code == 200 and "téléphone ou une adresse de courriel" in vide.text
    assert list(InscriptionAttente.objects.order_by("created_at").values_list("nom", flat=True)) == [
        "Léa Mobile",
        "Jeanne Fixe",
    ]


def test_a_cancellation_offers_the_place_which_is_held_until_accepted(
    guichet, client, sms_outbox, django_capture_on_commit_callbacks
):
    """Slot freed by a cancellation → offered to the first person by SMS with a link to the
    engine's offer page; while open the place is taken for citizens and agents; the person
    accepts in time through the link and is booked, the hold converted (no extra place)."""
    agenda = guichet()
    occupant = _book(agenda)
    premiere = _inscrire(agenda, "Première", telephone="0611111111")
    _inscrire(agenda, "Seconde", telephone="0622222222")
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(reservation=occupant, motif="empêchement")
    offre = OffreCreneau.objects.get()
    assert offre.inscription_id == premiere.pk and offre.statut == StatutOffre.OUVERTE
    (sms,) = [m for m in sms_outbox if m["to"] == "+33611111111" and "/offre/" in m["body"]]
    assert not [m for m in sms_outbox if m["to"] == "+33622222222" and "/offre/" in m["body"]]
    lien = re.search(r"https?://\S+(/reservation/liste-attente/offre/\S+/)", sms["body"]).group(1)
    assert creneau_at(agenda, debut=_slot(agenda)) is None
    assert creneau_at(agenda, debut=_slot(agenda), pour_agent=True) is None
    assert (
        "M'inscrire sur la liste d'attente" in client.get(reverse("booking:agenda", args=[agenda.uuid])).text
    )
    with pytest.raises(CreneauIndisponible):
        _book(agenda, nom="Intrus")
    page = client.get(lien).text
    assert "J'accepte ce rendez-vous" in page and escape(agenda.titre) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(lien, {"action": "accepter"})
    assert response.status_code == 302
    assert "Votre rendez-vous est confirmé" in client.get(lien).text
    reservation = Reservation.objects.get(nom="Première")
    assert reservation.statut == Statut.CONFIRMEE and reservation.canal == "en_ligne"
    assert not Retenue.objects.exists() and _counter(agenda).places_prises == 1
    premiere.refresh_from_db()
    assert premiere.statut == StatutInscription.SERVIE


def test_an_unanswered_offer_expires_and_goes_to_the_next_person(guichet, settings):
    """No answer within BOOKING_ATTENTE_OFFRE_HEURES: the beat task expires the offer (the person
    leaves the active list) and offers the slot to the next one, with a new hold."""
    settings.BOOKING_ATTENTE_OFFRE_HEURES = 2
    agenda = guichet()
    a = _inscrire(agenda, "A")
    b = _inscrire(agenda, "B")
    [offre] = attente.offres_attribuer(agenda=agenda, debut=_slot(agenda))
    assert attente.offres_expire() == 0  # not yet
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2, minutes=1), tick=False):
        assert attente.offres_expire() == 1
        assert not attente.offre_accept(offre=offre).ok
    a.refresh_from_db()
    assert a.statut == StatutInscription.SANS_REPONSE
    suivante = OffreCreneau.objects.get(statut=StatutOffre.OUVERTE)
    assert suivante.inscription_id == b.pk
    assert Retenue.objects.get().cle == attente.retenue_cle(suivante)
    assert _counter(agenda).places_prises == 1


def test_a_landline_offer_is_a_call_in_the_agents_list_of_their_scope(guichet, client, make_user, lieu):
    """A landline-only person: no SMS, an « appel à passer » task listed in « Offres à appeler » for
    the agents of the agenda's lieu; they record the answer and the booking is made. An agent of
    another lieu sees neither the list nor the offer (404)."""
    from pacte.models import Lieu

    agenda = guichet()
    inscription = _inscrire(agenda, "Jeanne Fixe", telephone="0472103030")
    [offre] = attente.offres_attribuer(agenda=agenda, debut=_slot(agenda))
    tache = Notification.objects.about(offre).get()
    assert tache.canal == Canal.APPEL
    assert "Appeler Jeanne Fixe au 04 72 10 30 30" in attente_text(tache)
    ailleurs = Lieu.objects.exclude(pk=lieu.pk).first()
    autre = make_user(Role.AGENT, lieu=ailleurs)
    client.force_login(autre)
    assert "Jeanne Fixe" not in client.get(reverse("booking:attente_agent")).text
    url = reverse("booking:attente_offre_agent", args=[offre.uuid])
    assert client.post(url, {"action": "accepter"}).status_code == 404
    assert client.get(reverse("booking:attente_inscription_agent", args=[agenda.uuid])).status_code == 404
    agent = make_user(Role.AGENT, lieu=lieu)
    client.force_login(agent)
    liste = client.get(reverse("booking:attente_agent")).text
    assert "Offres à appeler" in liste and "Jeanne Fixe" in liste and "04 72 10 30 30" in liste
    assert client.post(url, {"action": "accepter"}).status_code == 302
    reservation = Reservation.objects.get(nom="Jeanne Fixe")
    assert reservation.cree_par == agent
    inscription.refresh_from_db()
    assert inscription.statut == StatutInscription.SERVIE
    assert not Notification.objects.taches_a_faire().about(offre).exists()


def attente_text(notification):
    from pacte.notifications import notification_text

    return notification_text(notification)


def test_an_agent_registers_a_caller_on_a_counter(guichet, client, make_user, lieu):
    """Agents register a caller (phone, counter) from their waiting-list page."""
    agenda = guichet()
    client.force_login(make_user(Role.AGENT, lieu=lieu))
    url = reverse("booking:attente_inscription_agent", args=[agenda.uuid])
    assert "Inscrire une personne sur la liste d'attente" in client.get(url).text
    response = client.post(url, {"nom": "Appelant", "telephone": "0472103030", "canal": "telephone"})
    assert response.status_code == 302 and response["Location"] == reverse("booking:attente_agent")
    inscription = InscriptionAttente.objects.get()
    assert inscription.canal == "telephone" and inscription.agenda == agenda


def test_an_offer_letter_prints_through_the_letters_to_post(guichet):
    """A waiting-list offer that can only go by post is a printable letter (pacte.courriers)
    stating the slot, the deadline and how to accept."""
    from pacte.notifications import Personne, render_lettre

    agenda = guichet()
    inscription = _inscrire(agenda, "Paul Papier")
    debut = timezone.localtime(_slot(agenda))
    lettre = render_lettre(
        "booking/attente_offre",
        {
            "inscription": inscription,
            "agenda": agenda,
            "debut": debut,
            "expire_at": debut - dt.timedelta(hours=1),
            "lyon_en_direct": "04 72 10 30 30",
            "personne": Personne(nom="Paul Papier"),
        },
    )
    assert "Bonjour Paul Papier" in lettre and escape(agenda.titre) in lettre
    assert "appelez Lyon en direct au 04 72 10 30 30" in lettre


# --- Races on one counter slot, on separate connections --------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("seed", [1, 2])
def test_offers_bookers_and_expiries_racing_on_a_counter_never_overbook(guichet, make_user, seed):
    """On a démarche's slot of 3 places (1 kept for agents): 2 live offers accepting, 1 expired
    offer accepting late, the expiry job, a new offer round, citizens and an agent race. Every
    in-time acceptance books; the counter equals bookings + holds and never exceeds capacity."""
    agenda = guichet(capacite=3, places_agents=1)
    agent = make_user(Role.AGENT)
    for i in range(6):
        _inscrire(agenda, f"Attente {i}")
    offres = attente.offres_attribuer(agenda=agenda, debut=_slot(agenda))
    assert len(offres) == 3
    perimee, *vivantes = offres
    passe = dt.timedelta(hours=3)
    OffreCreneau.objects.filter(pk=perimee.pk).update(expire_at=F("expire_at") - passe)
    Retenue.objects.filter(cle=attente.retenue_cle(perimee)).update(expire_at=F("expire_at") - passe)

    actions = [(f"vivante{i}", lambda o=o: attente.offre_accept(offre=o)) for i, o in enumerate(vivantes)]
    actions += [
        ("perimee", lambda: attente.offre_accept(offre=perimee)),
        ("expiry", attente.offres_expire),
        ("attribuer", lambda: attente.offres_attribuer(agenda=agenda, debut=_slot(agenda))),
        ("agent", lambda: _book(agenda, nom="Appelant", agent=agent)),
    ]
    actions += [(f"citoyen{i}", lambda i=i: _book(agenda, nom=f"Citoyen {i}")) for i in range(4)]
    random.Random(seed).shuffle(actions)
    results = run_concurrently(actions, refused=[CreneauIndisponible])

    for i in range(len(vivantes)):
        assert getattr(results[f"vivante{i}"], "ok", False), results
    assert not results["perimee"].ok
    errors = {k: v for k, v in results.items() if isinstance(v, str) and v != "pris"}
    assert not errors, errors
    compteur = _counter(agenda)
    actives = Reservation.objects.filter(agenda=agenda).exclude(statut=Statut.ANNULEE)
    retenues = Retenue.objects.filter(compteur=compteur)
    assert compteur.places_prises == actives.count() + retenues.count() <= 3
    en_ligne = actives.filter(compte_en_ligne=True).count() + retenues.filter(en_ligne=True).count()
    assert compteur.places_prises_en_ligne == en_ligne <= 2
    assert {o.inscription.nom for o in vivantes} <= set(actives.values_list("nom", flat=True))


def test_the_waiting_list_speaks_the_persons_language(
    guichet, client, make_user, lieu, sms_outbox, django_capture_on_commit_callbacks
):
    """An agent registers an Arabic speaker (« Langue de la personne »): the agents' call script is
    French with the words to say in Arabic, their lists say « parle arabe »; the place declined goes
    to an English speaker by an SMS in English with an /en/ link, and accepting it books in English."""
    from django.utils import translation

    from pacte.booking.models import OffreCreneau

    agenda = guichet()
    agent = make_user(Role.AGENT, lieu=lieu)
    client.force_login(agent)
    url = reverse("booking:attente_inscription_agent", args=[agenda.uuid])
    assert "Langue de la personne" in client.get(url).text
    data = {"nom": "Amina Fixe", "telephone": "0472103030", "canal": "telephone", "langue": "ar"}
    assert client.post(url, data).status_code == 302
    assert InscriptionAttente.objects.get(nom="Amina Fixe").langue == "ar"
    anglais = _inscrire(agenda, "John Mobile", telephone="0612345670", langue="en")
    [offre] = attente.offres_attribuer(agenda=agenda, debut=_slot(agenda))
    tache = Notification.objects.about(offre).get()
    texte = attente_text(tache)
    assert (
        tache.langue == "ar"
        and "Appeler Amina Fixe au 04 72 10 30 30 (liste d'attente) — parle arabe." in texte
    )
    assert "À dire, en arabe :" in texte and "أصبح مكان متاحًا لموعدك" in texte and "Notez la réponse" in texte
    liste = client.get(reverse("booking:attente_agent")).text
    assert 'Amina Fixe <span class="etiquette">parle arabe</span>' in liste

    with django_capture_on_commit_callbacks(execute=True):
        attente.offre_decline(offre=offre, agent=agent)  # the place goes to the next person
    offre = OffreCreneau.objects.get(inscription=anglais)
    [sms] = Notification.objects.about(offre)
    with translation.override("en"):
        prefixe = reverse("booking:attente_offre", args=["JETON"]).split("JETON")[0]
    assert sms.langue == "en" and sms_outbox[-1]["body"].startswith("City of Lyon: a place on ")
    assert prefixe in sms_outbox[-1]["body"]
    assert attente.offre_accept(offre=offre).ok
    assert Reservation.objects.get(nom="John Mobile").langue == "en"
