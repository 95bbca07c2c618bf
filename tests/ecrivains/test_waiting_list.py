"""The waiting list: first come first served, never more offers than free places, expiry, agents' callers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ecrivains import services
from ecrivains.enums import CanalInscription, StatutInscription, StatutOffre
from pacte.booking.models import InscriptionAttente, OffreCreneau, Reservation, Statut
from pacte.booking.services import CreneauIndisponible, reservation_cancel, reservation_create
from pacte.roles import Role
from tests.concurrency import run_concurrently

from .conftest import slot_of

pytestmark = pytest.mark.django_db


def _book(permanence, index=0, nom="Occupant", agent=None):
    reservation, _token = reservation_create(
        agenda=permanence.agenda,
        debut=slot_of(permanence, index),
        nom=nom,
        prenom="",
        telephone="0612345678",
        agent=agent,
    )
    return reservation


def _inscrire(permanence, nom, **kwargs):
    kwargs.setdefault("telephone", "0612345670")
    return services.inscription_create(permanence=permanence, nom=nom, **kwargs)


def test_freed_place_goes_to_first_person_by_sms_with_link(
    make_permanence, sms_outbox, django_capture_on_commit_callbacks
):
    """A cancellation offers the freed slot to the first person on the list, by SMS with a secret link."""
    permanence = make_permanence()
    reservation = _book(permanence)
    premier = _inscrire(permanence, "Premier", telephone="0611111111")
    _inscrire(permanence, "Second", telephone="0622222222")
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(reservation=reservation, motif="test")
    offres = list(OffreCreneau.objects.all())
    assert [o.inscription_id for o in offres] == [premier.pk]
    assert offres[0].statut == StatutOffre.OUVERTE
    premier.refresh_from_db()
    assert premier.statut == StatutInscription.OFFRE_EN_COURS
    texts = [m for m in sms_outbox if "+33611111111" in str(m)]
    assert texts and "/ecrivains-publics/offre/" in str(texts[-1])
    assert not [m for m in sms_outbox if "+33622222222" in str(m) and "offre" in str(m)]


def test_never_more_open_offers_than_free_places(make_permanence):
    """With 2 free places and 5 people waiting, exactly 2 offers are open, even if asked again."""
    permanence = make_permanence(capacite=2)
    for i in range(5):
        _inscrire(permanence, f"Personne {i}")
    debut = slot_of(permanence)
    services.offres_attribuer(permanence=permanence, debut=debut)
    services.offres_attribuer(permanence=permanence, debut=debut)
    assert OffreCreneau.objects.filter(statut=StatutOffre.OUVERTE).count() == 2
    # The open offers hold both places: nobody can book them meanwhile (#15.1).
    with pytest.raises(CreneauIndisponible):
        _book(permanence)
    services.offres_attribuer(permanence=permanence, debut=debut)
    assert OffreCreneau.objects.filter(statut=StatutOffre.OUVERTE).count() == 2


def test_fifo_and_date_wanted(make_permanence):
    """Offers follow the order of registration; someone waiting for another date is skipped."""
    permanence = make_permanence()
    debut = slot_of(permanence)
    autre_jour = _inscrire(permanence, "Autre jour", date_souhaitee=debut.date() + dt.timedelta(days=1))
    a = _inscrire(permanence, "A")
    _inscrire(permanence, "B")
    offres = services.offres_attribuer(permanence=permanence, debut=debut)
    assert [o.inscription for o in offres] == [a]
    autre_jour.refresh_from_db()
    assert autre_jour.statut == StatutInscription.EN_ATTENTE


def test_expired_offer_passes_to_next(make_permanence, settings):
    """An offer not answered in time expires and the slot is offered to the next person."""
    settings.BOOKING_ATTENTE_OFFRE_HEURES = 2
    permanence = make_permanence()
    a = _inscrire(permanence, "A")
    b = _inscrire(permanence, "B")
    debut = slot_of(permanence)
    [offre] = services.offres_attribuer(permanence=permanence, debut=debut)
    assert offre.expire_at <= timezone.now() + dt.timedelta(hours=2, seconds=5)
    assert services.offres_expire() == 0
    assert services.offres_expire(now=timezone.now() + dt.timedelta(hours=3)) == 1
    offre.refresh_from_db()
    a.refresh_from_db()
    assert offre.statut == StatutOffre.EXPIREE and a.statut == StatutInscription.SANS_REPONSE
    nouvelle = OffreCreneau.objects.get(statut=StatutOffre.OUVERTE)
    assert nouvelle.inscription == b


def test_accept_through_link_books_and_decline_passes(
    make_permanence, client, django_capture_on_commit_callbacks
):
    """Accepting through the link books the slot (engine reservation); declining passes it on."""
    permanence = make_permanence(capacite=2)
    a = _inscrire(permanence, "Alice Test")
    b = _inscrire(permanence, "Bob Test")
    c = _inscrire(permanence, "Chloé Test")
    offres = services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))
    page = client.get(reverse("ecrivains:offre", args=[offres[0].token]))
    assert page.status_code == 200 and "J'accepte ce rendez-vous" in page.text
    response = client.post(
        reverse("ecrivains:offre", args=[offres[0].token]), {"action": "accepter"}, follow=True
    )
    assert "Votre rendez-vous est confirmé" in response.text
    reservation = Reservation.objects.get(nom="Alice Test")
    assert reservation.statut == Statut.CONFIRMEE and reservation.canal == "en_ligne"
    a.refresh_from_db()
    assert a.statut == StatutInscription.SERVIE
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ecrivains:offre", args=[offres[1].token]), {"action": "refuser"})
    b.refresh_from_db()
    assert b.statut == StatutInscription.EN_ATTENTE
    assert OffreCreneau.objects.get(statut=StatutOffre.OUVERTE).inscription == c


def test_unknown_offer_link_is_404(client):
    """A wrong secret link gives a 404, not an error."""
    assert client.get(reverse("ecrivains:offre", args=["nimportequoi"])).status_code == 404


def test_agent_registers_caller_and_records_acceptance(make_permanence, make_user, client):
    """A caller registered by an agent gets the offer on the agent's list to phone; the agent books it."""
    agent = make_user(Role.AGENT)
    permanence = make_permanence()
    client.force_login(agent)
    response = client.post(
        reverse("ecrivains:inscription_agent", args=[permanence.uuid]),
        {
            "nom": "Appelant Test",
            "telephone": "04 78 00 00 01",
            "email": "",
            "date_souhaitee": "",
            "canal": "telephone",
        },
    )
    assert response.status_code == 302
    inscription = InscriptionAttente.objects.get()
    assert inscription.canal == CanalInscription.TELEPHONE and inscription.cree_par == agent
    [offre] = services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))
    page = client.get(reverse("ecrivains:liste_attente"))
    assert "Appelant Test" in page.text and "Accepte" in page.text
    client.post(reverse("ecrivains:offre_agent", args=[offre.uuid]), {"action": "accepter"})
    reservation = Reservation.objects.get(nom="Appelant Test")
    assert reservation.cree_par == agent and reservation.canal == "telephone"


def test_citizen_form_requires_contact_and_keeps_values(make_permanence, client):
    """Online registration without phone nor email gets a French message and keeps the name."""
    permanence = make_permanence()
    response = client.post(
        reverse("ecrivains:inscription", args=[permanence.uuid]), {"nom": "Zoé", "telephone": "", "email": ""}
    )
    assert response.status_code == 200
    assert "Indiquez un numéro de téléphone" in response.text and 'value="Zoé"' in response.text
    response = client.post(
        reverse("ecrivains:inscription", args=[permanence.uuid]),
        {"nom": "Zoé", "telephone": "06 12 34 56 78"},
    )
    assert response.status_code == 302 and InscriptionAttente.objects.filter(nom="Zoé").exists()


@pytest.mark.django_db(transaction=True)
def test_race_two_people_accept_their_held_places(make_permanence):
    """Two people accepting their offers at once (separate connections), while a booker at the
    counter tries the same slot: both offers were holding their places, so both are booked and
    the counter's booking is refused (#15.1: never « quelqu'un a pris ce créneau » in time)."""
    permanence = make_permanence(capacite=2)
    _inscrire(permanence, "A")
    _inscrire(permanence, "B")
    offres = services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))
    assert len(offres) == 2
    actions = [(o.pk, lambda o=o: services.offre_accept(offre=o)) for o in offres]
    actions.append(("guichet", lambda: _book(permanence, nom="Au guichet")))
    results = run_concurrently(actions, refused=[CreneauIndisponible])
    assert all(results[o.pk].ok for o in offres), results
    assert results["guichet"] == "pris"
    assert set(Reservation.objects.filter(statut=Statut.CONFIRMEE).values_list("nom", flat=True)) == {
        "A",
        "B",
    }


def test_landline_registration_is_told_a_call_not_an_sms(make_permanence, client, sms_outbox):
    """The field does not say « portable »; a landline-only person is told « Nous vous appellerons au 04 … »."""
    permanence = make_permanence()
    _book(permanence)  # full: registering does not get an offer at once
    url = reverse("ecrivains:inscription", args=[permanence.uuid])
    form = client.get(url).text
    assert "Téléphone portable" not in form and "à un fixe, un agent vous appelle" in form
    response = client.post(url, {"nom": "Jeanne Fixe", "telephone": "04 72 10 30 30", "email": ""})
    merci = client.get(response["Location"]).text
    assert 'Nous vous appellerons au <strong><bdi dir="ltr">04 72 10 30 30</bdi></strong>' in merci
    assert "SMS au" not in merci
    mobile = client.post(url, {"nom": "Jeanne Mobile", "telephone": "06 12 34 56 78", "email": ""})
    assert "par SMS au 06 12 34 56 78" in client.get(mobile["Location"]).text
    assert not [m for m in sms_outbox if m["to"] == "+33472103030"]


def _a_appeler(page: str) -> str:
    """The « offres à appeler » table of the agents' waiting-list page."""
    start = page.index("appelez-les</caption>")
    return page[start : page.index("</table>", start)]


def test_offer_to_a_landline_is_a_call_task_for_the_agents(
    make_permanence, make_user, client, sms_outbox, django_capture_on_commit_callbacks
):
    """No SMS to a landline: the offer lands in « Offres à appeler », the no-answer call is logged,
    the agent's recorded answer closes the call task; a mobile's offer never enters that list."""
    from pacte.models import Notification

    agent = make_user(Role.AGENT)
    permanence = make_permanence(slots=2)
    premier, second = _book(permanence, 0), _book(permanence, 1, nom="Autre")
    fixe = _inscrire(permanence, "Jeanne Fixe", telephone="04 72 10 30 30")
    _inscrire(permanence, "Paul Mobile", telephone="06 11 11 11 11")
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(reservation=premier, motif="test")
        reservation_cancel(reservation=second, motif="test")
    assert not [m for m in sms_outbox if m["to"] == "+33472103030"]
    assert [m["to"] for m in sms_outbox if "/offre/" in m["body"]] == ["+33611111111"]
    client.force_login(agent)
    a_appeler = _a_appeler(client.get(reverse("ecrivains:liste_attente")).text)
    assert "Jeanne Fixe" in a_appeler and "Paul Mobile" not in a_appeler
    offre = OffreCreneau.objects.get(inscription=fixe)
    client.post(reverse("ecrivains:offre_agent", args=[offre.uuid]), {"action": "appele"})
    assert "sans réponse à" in _a_appeler(client.get(reverse("ecrivains:liste_attente")).text)
    tache = Notification.objects.get(canal="appel")
    assert tache.tentatives == 1 and tache.statut == "pending"
    client.post(reverse("ecrivains:offre_agent", args=[offre.uuid]), {"action": "accepter"})
    tache.refresh_from_db()
    assert tache.statut == "sent" and tache.etat.startswith("Appel passé le ")
    assert "Aucune offre en attente d'appel." in client.get(reverse("ecrivains:liste_attente")).text


def test_expired_offer_cancels_its_call_task(make_permanence, sms_outbox):
    """An offer nobody answered in time leaves the call list: its task is cancelled, not left to do."""
    from pacte.models import Notification

    permanence = make_permanence()
    fixe = _inscrire(permanence, "Jeanne Fixe", telephone="04 72 10 30 30")
    [offre] = services.offres_attribuer(permanence=permanence, debut=slot_of(permanence))
    assert offre.inscription == fixe and Notification.objects.taches_a_faire().count() == 1
    services.offres_expire(now=offre.expire_at + dt.timedelta(seconds=1))
    assert Notification.objects.taches_a_faire().count() == 0
    assert Notification.objects.get(canal="appel").statut == "cancelled"
