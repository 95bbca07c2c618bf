"""Partners book for a person (#19.5): a counter, an écrivain public or a callback through the
citizen's forms and services, with the person's agreement; the messages go to the person's own
contact; the partner sees only what they booked, for PARTENAIRE_VISIBILITE_JOURS, never the link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from pacte.booking.models import Reservation
from pacte.booking.selectors import local_tz
from pacte.journal import JournalEntry
from pacte.models import Consentement, Notification
from pacte.roles import Role
from tests.booking.conftest import next_weekday

pytestmark = pytest.mark.django_db

ORGANISATION = "CCAS de Lyon — antenne du 8e"


@pytest.fixture
def partenaire(make_user):
    return make_user(
        Role.PARTENAIRE,
        username="julie-ccas",
        organisation=ORGANISATION,
        type_organisation="ccas",
        telephone="+33611111111",
    )


@pytest.fixture
def partenaire_client(client, partenaire):
    client.force_login(partenaire)
    return client


@pytest.fixture
def guichet():
    """A counter open every day 9:00–12:00, one place (online) per 30-minute slot."""
    from tests.test_landline_no_sms import _agenda

    return _agenda()


@pytest.fixture
def permanence():
    from ecrivains.services import Regle, permanence_create
    from pacte.models import Lieu

    return permanence_create(
        lieu=Lieu.objects.get(slug="mairie-du-3e-arrondissement"),
        titre="Écrivain public du mardi",
        regles=[Regle(dt.time(14), dt.time(16), date=next_weekday(1))],
        capacite=1,
        places_agents=0,
        delai_min_heures=0,
        langues=[],
        themes=[],
        ecrivains=[],
    )


def slot(day: dt.date, hhmm: str = "10:00") -> str:
    return f"{day.isoformat()}T{hhmm}"


def accord(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "accord-accord": "on",
        "accord-personne_nom": "Fatou Diallo",
        "accord-forme": "oral",
        "accord-accord_on": today.isoformat(),
        "accord-expire_on": (today + dt.timedelta(days=60)).isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def personne(**overrides) -> dict:
    data = {"nom": "Diallo", "prenom": "Fatou", "telephone": "06 98 76 54 32", "email": "fatou@example.org"}
    data.update(overrides)
    return data


def book_counter(client, agenda, day, **extra):
    url = f"/reservation/partenaire/{agenda.uuid}/?creneau={slot(day)}"
    return client.post(url, {**personne(), **accord(), **extra})


def test_partner_books_a_counter_for_the_person(
    partenaire_client, partenaire, guichet, django_capture_on_commit_callbacks, sms_outbox
):
    """The engine's booking, on the online places, with the partner as prescripteur; the
    confirmation and the secret link go to the person's email and mobile, never to the partner."""
    day = next_weekday(1)
    assert (
        partenaire_client.get(f"/reservation/partenaire/{guichet.uuid}/?creneau={slot(day)}").status_code
        == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = book_counter(partenaire_client, guichet, day)
    assert response.status_code == 302
    reservation = Reservation.objects.get(agenda=guichet)
    consentement = Consentement.objects.get()
    assert response["Location"] == f"/espace/partenaire/{consentement.uuid}/"
    assert reservation.prescripteur == partenaire and reservation.prescripteur_organisation == ORGANISATION
    assert reservation.compte_en_ligne and reservation.cree_par is None
    assert consentement.nature == "guichet" and consentement.objet_id == str(reservation.pk)
    assert consentement.personne_nom == "Fatou Diallo" and consentement.forme == "oral"
    assert consentement.partenaire == partenaire and consentement.organisation == ORGANISATION
    # The person's own contacts, and only them.
    destinataires = set(Notification.objects.about(reservation).values_list("destinataire", flat=True))
    assert destinataires == {"fatou@example.org", "+33698765432"}
    (email,) = [m for m in mail.outbox if reservation.reference in m.body]
    assert email.to == ["fatou@example.org"]
    assert re.search(r"/reservation/gerer/[A-Za-z0-9_-]+/", email.body)
    assert f"{ORGANISATION} l'a pris pour vous, avec votre accord." in email.body
    assert [s for s in sms_outbox if "/reservation/gerer/" in str(s)], sms_outbox
    assert not [m for m in mail.outbox if partenaire.email in m.to]
    # The partner's page shows the booking, never the secret link.
    page = partenaire_client.get(response["Location"]).content.decode()
    assert reservation.reference in page and "Fatou Diallo" in page and "/reservation/gerer/" not in page
    assert "/reservation/mon-rendez-vous/" not in page
    # Journaled with the partner as actor, twice: the booking and the agreement.
    actions = set(JournalEntry.objects.filter(actor=partenaire).values_list("action", flat=True))
    assert actions == {"booking.reservation_create", "partenaire.reservation_pour"}
    assert ORGANISATION in JournalEntry.objects.get(action="booking.reservation_create").message
    # The browser of the partner holds no link to the person's case.
    assert partenaire_client.get(f"/reservation/mon-rendez-vous/{reservation.uuid}/").status_code == 404


def test_partner_books_an_ecrivain_public(
    client, partenaire_client, make_user, permanence, django_capture_on_commit_callbacks
):
    """An écrivain public permanence is booked the same way (the engine's service), as « écrivain »."""
    day = next_weekday(1)
    url = f"/reservation/partenaire/{permanence.agenda.uuid}/?creneau={slot(day, '14:00')}"
    with django_capture_on_commit_callbacks(execute=True):
        response = partenaire_client.post(
            url, {**personne(telephone="", email="ali@example.org"), **accord()}
        )
    assert response.status_code == 302
    reservation = Reservation.objects.get(agenda=permanence.agenda)
    consentement = Consentement.objects.get()
    assert consentement.nature == "ecrivain" and "Écrivain public du mardi" in consentement.libelle
    assert list(Notification.objects.about(reservation).values_list("destinataire", flat=True)) == [
        "ali@example.org"
    ]
    liste = partenaire_client.get("/espace/partenaire/").content.decode()
    assert reservation.reference in liste and "Rendez-vous avec un écrivain public" in liste
    # The écrivain of the permanence sees who booked it in their space.
    from ecrivains.models import EcrivainPublic

    ecrivain = make_user(Role.ECRIVAIN)
    permanence.ecrivains.add(EcrivainPublic.objects.create(user=ecrivain, structure="Association"))
    client.force_login(ecrivain)
    assert f"réservé par {ORGANISATION}" in client.get("/ecrivains-publics/mon-espace/").content.decode()


def test_partner_asks_a_callback_for_the_person(partenaire_client, partenaire, sms_outbox):
    """The démarches callback service, canal « partenaire »; the SMS goes to the person's mobile."""
    from demarches.models import DemandeRappel

    data = {
        "nom": "Marcel Petit",
        "telephone": "06 55 44 33 22",
        "objet": "Renouveler sa carte d'identité",
        "demarche": "",
        **accord(**{"accord-personne_nom": "Marcel Petit", "accord-forme": "ecrit"}),
    }
    response = partenaire_client.post("/demarches/rappels/pour-une-personne/", data)
    assert response.status_code == 302, re.findall(
        r'class="errorlist[^>]*>(.*?)</ul>', response.content.decode()
    )
    demande = DemandeRappel.objects.get()
    assert demande.canal == "partenaire" and demande.created_by == partenaire
    consentement = Consentement.objects.get()
    assert consentement.nature == "rappel" and consentement.objet_id == str(demande.pk)
    assert consentement.forme == "ecrit" and consentement.reference == demande.reference
    destinataires = list(Notification.objects.about(demande).values_list("destinataire", flat=True))
    assert destinataires == ["+33655443322"]
    assert JournalEntry.objects.filter(actor=partenaire, action="rappel.demande").exists()
    assert JournalEntry.objects.filter(actor=partenaire, action="partenaire.reservation_pour").exists()
    liste = partenaire_client.get("/espace/partenaire/").content.decode()
    assert demande.reference in liste and "En attente" in liste


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("accord-accord", None, "Cochez cette case seulement si la personne est d&#x27;accord."),
        ("accord-personne_nom", "", "Indiquez le nom de la personne qui donne son accord."),
        ("accord-forme", None, "Indiquez si l&#x27;accord a été donné à l&#x27;oral ou par écrit."),
        ("accord-expire_on", "", "Indiquez jusqu&#x27;à quand l&#x27;accord est valable."),
        ("accord-expire_on", "2020-01-01", "Cette date est déjà passée."),
    ],
)
def test_agreement_is_required(partenaire_client, guichet, champ, valeur, message):
    """Without the agreement (box, name, form, dates) nothing is booked: the French message is
    next to the field, the typed details are kept."""
    day = next_weekday(1)
    url = f"/reservation/partenaire/{guichet.uuid}/?creneau={slot(day)}"
    response = partenaire_client.post(url, {**personne(), **accord(**{champ: valeur})})
    html = response.content.decode()
    assert response.status_code == 200
    assert not Reservation.objects.exists() and not Consentement.objects.exists()
    field_id = "id_" + champ
    assert message in html
    # The message sits in the field's own block, and the summary links to the field.
    bloc = html[html.rindex('<div class="champ', 0, html.index(f'id="{field_id}')) :]
    assert message in bloc[: bloc.index(f'id="{field_id}')] or message in bloc[: bloc.index("</fieldset>")]
    assert f'href="#{field_id}' in html  # radio buttons: their first one
    assert 'value="Diallo"' in html


def test_agreement_longer_than_a_year_is_refused(partenaire_client, guichet):
    """An agreement lasts at most a year after it was given."""
    far = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    response = book_counter(partenaire_client, guichet, next_weekday(1), **{"accord-expire_on": far})
    assert response.status_code == 200 and "Un accord vaut au plus un an" in response.content.decode()
    assert not Reservation.objects.exists()


def test_the_partners_own_contact_is_refused(partenaire_client, partenaire, guichet):
    """The confirmation must reach the person: the partner's own email or phone is refused."""
    response = book_counter(partenaire_client, guichet, next_weekday(1), email=partenaire.email.upper())
    assert "C&#x27;est votre adresse de courriel" in response.content.decode()
    response = book_counter(partenaire_client, guichet, next_weekday(1), telephone="06 11 11 11 11")
    assert "C&#x27;est votre numéro" in response.content.decode()
    assert not Reservation.objects.exists()


def test_the_partner_sees_a_booking_for_30_days_then_404(partenaire_client, partenaire, guichet):
    """Visible in the list and on its page until PARTENAIRE_VISIBILITE_JOURS after booking, then 404."""
    book_counter(partenaire_client, guichet, next_weekday(1))
    consentement = Consentement.objects.get()
    detail = f"/espace/partenaire/{consentement.uuid}/"
    with time_machine.travel(consentement.created_at + dt.timedelta(days=29, hours=23)):
        partenaire_client.force_login(partenaire)  # a new session: the first one has expired
        assert partenaire_client.get(detail).status_code == 200
        assert consentement.reference in partenaire_client.get("/espace/partenaire/").content.decode()
    with time_machine.travel(consentement.created_at + dt.timedelta(days=30, minutes=1)):
        partenaire_client.force_login(partenaire)
        assert partenaire_client.get(detail).status_code == 404
        assert consentement.reference not in partenaire_client.get("/espace/partenaire/").content.decode()


def test_a_partner_never_sees_another_partners_bookings(client, make_user, partenaire, guichet):
    """Another partner (even of the same organisation) gets 404 on the page and nothing in the list."""
    client.force_login(partenaire)
    book_counter(client, guichet, next_weekday(1))
    consentement = Consentement.objects.get()
    autre = make_user(Role.PARTENAIRE, organisation=ORGANISATION, type_organisation="ccas")
    client.force_login(autre)
    assert client.get(f"/espace/partenaire/{consentement.uuid}/").status_code == 404
    assert consentement.reference not in client.get("/espace/partenaire/").content.decode()
    reservation = Reservation.objects.get()
    # Nor through the booking's own id on the partner's page.
    assert client.get(f"/espace/partenaire/{reservation.uuid}/").status_code == 404


@pytest.mark.parametrize("role", [Role.AGENT, Role.ECRIVAIN, Role.ELU, Role.MEDIATEUR])
def test_other_roles_cannot_book_as_a_partner(client, make_user, guichet, role):
    """The partner pages are for partners: other staff get 403, never a page."""
    client.force_login(make_user(role))
    for url in (
        "/espace/partenaire/",
        "/reservation/partenaire/",
        f"/reservation/partenaire/{guichet.uuid}/",
        "/demarches/rappels/pour-une-personne/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_partner_sees_only_partner_pages_and_no_agent_data(partenaire_client, guichet):
    """A partner cannot open agents' screens (planning, booking search, callback queue)."""
    for url in ("/reservation/agent/", "/reservation/agent/planning/", "/demarches/rappels/"):
        assert partenaire_client.get(url).status_code == 403, url


def test_the_planning_says_who_booked(client, partenaire_client, make_user, guichet):
    """The agent's planning and booking page say « réservé par <organisation> »."""
    day = next_weekday(1)
    book_counter(partenaire_client, guichet, day)
    reservation = Reservation.objects.get()
    client.force_login(make_user(Role.AGENT))
    planning = client.get(f"/reservation/agent/planning/?agenda={guichet.uuid}&jour={day.isoformat()}")
    assert f"réservé par {ORGANISATION}" in planning.content.decode()
    page = client.get(f"/reservation/agent/rendez-vous/{reservation.uuid}/")
    assert f"réservé par {ORGANISATION}" in page.content.decode()


def test_a_form_sent_twice_books_once(partenaire_client, guichet):
    """The same form (same idempotency key) posted twice: one booking, one agreement record."""
    day = next_weekday(1)
    data = {**personne(), **accord(), "cle_idempotence": "cle-partenaire-unique"}
    url = f"/reservation/partenaire/{guichet.uuid}/?creneau={slot(day)}"
    first = partenaire_client.post(url, data)
    second = partenaire_client.post(url, data)
    assert first["Location"] == second["Location"]
    assert Reservation.objects.count() == 1 and Consentement.objects.count() == 1


def test_a_taken_slot_offers_the_next_ones(partenaire_client, guichet):
    """The online place already taken: the partner sees the next free slots, nothing recorded."""
    from pacte.booking.services import reservation_create

    day = next_weekday(1)
    debut = dt.datetime.combine(day, dt.time(10), tzinfo=local_tz())
    reservation_create(agenda=guichet, debut=debut, nom="Autre", prenom="", telephone="0612345678")
    response = book_counter(partenaire_client, guichet, day)
    assert response.status_code == 409
    html = response.content.decode()
    assert (
        "Ce créneau vient d'être pris" in html and f"/reservation/partenaire/{guichet.uuid}/?creneau=" in html
    )
    assert not Consentement.objects.exists()


def test_the_partner_list_has_a_constant_number_of_queries(
    partenaire_client, guichet, django_assert_max_num_queries
):
    """The list's queries do not grow with the bookings."""
    for hhmm in ("09:00", "09:30", "10:00", "10:30"):
        url = f"/reservation/partenaire/{guichet.uuid}/?creneau={slot(next_weekday(1), hhmm)}"
        assert partenaire_client.post(url, {**personne(), **accord()}).status_code == 302
    with django_assert_max_num_queries(12):
        assert partenaire_client.get("/espace/partenaire/").status_code == 200


def test_the_partners_agenda_choice_and_week(partenaire_client, guichet, permanence):
    """The partner chooses among counters and écrivains publics, then a day and a slot (online places)."""
    html = partenaire_client.get("/reservation/partenaire/").content.decode()
    assert f"/reservation/partenaire/{guichet.uuid}/" in html
    assert f"/reservation/partenaire/{permanence.agenda.uuid}/" in html
    semaine = partenaire_client.get(
        f"/reservation/partenaire/{guichet.uuid}/?jour={next_weekday(1).isoformat()}"
    )
    assert semaine.status_code == 200
    assert f"/reservation/partenaire/{guichet.uuid}/?creneau=" in semaine.content.decode()
    espace = partenaire_client.get("/espace/").content.decode()
    assert "Mes réservations pour des personnes" in espace


def test_the_agreements_name_is_erased_with_the_booking(partenaire_client, guichet):
    """Once the booking's retention has passed and the agreement is over, the kernel purge blanks
    who agreed (the rest stays as a record of the booking on behalf)."""
    from pacte.retention import kernel_purge

    book_counter(partenaire_client, guichet, next_weekday(1))
    consentement = Consentement.objects.get()
    kernel_purge(now=consentement.created_at + dt.timedelta(days=30))
    consentement.refresh_from_db()
    assert consentement.personne_nom == "Fatou Diallo"
    assert kernel_purge(now=consentement.created_at + dt.timedelta(days=91))["consentements"] == 1
    consentement.refresh_from_db()
    assert consentement.personne_nom == "" and consentement.reference


def test_the_demo_partner_has_bookings_for_people(guichet):
    """The demo account « partenaire » (README) belongs to a CCAS and finds bookings in its list,
    each with its agreement, shown « réservé par » on the planning."""
    from django.contrib.auth import get_user_model

    from pacte import demo
    from pacte.booking.demo import reservations_demo
    from pacte.partenaires import consentements_for

    demo.seed()
    partenaire = get_user_model().objects.get(username="partenaire")
    assert partenaire.profil.organisation == ORGANISATION and partenaire.profil.type_organisation == "ccas"
    reservations_demo(guichet, n=40)
    reservees = Reservation.objects.filter(prescripteur=partenaire)
    assert reservees.exists() and all(r.prescripteur_organisation == ORGANISATION for r in reservees)
    assert {c.objet_id for c in consentements_for(partenaire)} == {str(r.pk) for r in reservees}


def test_an_admin_makes_a_partner(admin_client, make_user):
    """In the admin: the organisation and its type on the account's profile; the agreements are
    listed read-only (they are evidence)."""
    from django.urls import reverse

    from pacte.models import Profil

    user = make_user(Role.PARTENAIRE)
    profil = Profil.objects.get(user=user)
    url = reverse("admin:pacte_profil_change", args=[profil.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="organisation"' in page and 'name="type_organisation"' in page
    data = {"user": user.pk, "organisation": "Association Le Mas", "type_organisation": "association"}
    assert admin_client.post(url, data).status_code == 302
    profil.refresh_from_db()
    assert (profil.organisation, profil.type_organisation) == ("Association Le Mas", "association")
    assert admin_client.get(reverse("admin:pacte_consentement_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:pacte_consentement_add")).status_code == 403


# --- attacks (review of #19.5) ------------------------------------------------------------------


def test_an_agreement_ending_before_the_appointment_books_nothing(partenaire_client, guichet):
    """A crafted POST whose agreement ends before the appointment's day: refused next to « Accord
    valable jusqu'au », no booking, no record, no message (the agreement must cover the booking)."""
    day = next_weekday(1)  # at least 3 days ahead
    veille = (day - dt.timedelta(days=1)).isoformat()
    response = book_counter(partenaire_client, guichet, day, **{"accord-expire_on": veille})
    html = response.content.decode()
    assert response.status_code == 200
    assert "L&#x27;accord doit valoir au moins jusqu&#x27;au jour du rendez-vous" in html
    bloc = html[html.rindex('<div class="champ', 0, html.index('id="id_accord-expire_on"')) :]
    assert "jusqu&#x27;au jour du rendez-vous" in bloc[: bloc.index('id="id_accord-expire_on"')]
    assert not Reservation.objects.exists() and not Consentement.objects.exists()
    assert not Notification.objects.exists()
    # The day of the appointment itself is enough.
    assert (
        book_counter(partenaire_client, guichet, day, **{"accord-expire_on": day.isoformat()}).status_code
        == 302
    )


def test_a_partner_cannot_take_over_a_booking_by_its_idempotency_key(partenaire_client, partenaire, guichet):
    """A crafted POST reusing the idempotency key of a citizen's own booking must not attach that
    booking to the partner (no record, nothing in the list, the booking unchanged)."""
    from pacte.booking.models import Canal
    from pacte.booking.services import reservation_create

    day = next_weekday(1)
    debut = dt.datetime.combine(day, dt.time(11), tzinfo=local_tz())
    citoyenne, _token = reservation_create(
        agenda=guichet,
        debut=debut,
        nom="Martin",
        prenom="Jeanne",
        telephone="06 55 44 33 22",
        email="jeanne@example.org",
        besoins=[],
        besoins_precision="",
        canal=Canal.EN_LIGNE,
        cle_idempotence="cle-de-la-citoyenne",
    )
    response = book_counter(partenaire_client, guichet, day, cle_idempotence="cle-de-la-citoyenne")
    assert response.status_code == 200
    assert "Ce formulaire a déjà servi" in response.content.decode()
    assert not Consentement.objects.exists()
    citoyenne.refresh_from_db()
    assert citoyenne.prescripteur is None and Reservation.objects.count() == 1
    assert citoyenne.reference not in partenaire_client.get("/espace/partenaire/").content.decode()


def test_a_callback_form_sent_twice_asks_once(partenaire_client, sms_outbox):
    """A double click or a second tab on the partner's callback form: one callback, one record,
    one SMS to the person (the callback form has no idempotency key)."""
    from demarches.models import DemandeRappel

    data = {
        "nom": "Marcel Petit",
        "telephone": "06 55 44 33 22",
        "objet": "Renouveler sa carte d'identité",
        "demarche": "",
        **accord(**{"accord-personne_nom": "Marcel Petit"}),
    }
    first = partenaire_client.post("/demarches/rappels/pour-une-personne/", data)
    second = partenaire_client.post("/demarches/rappels/pour-une-personne/", data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert DemandeRappel.objects.count() == 1 and Consentement.objects.count() == 1
    assert len([s for s in sms_outbox if "+33655443322" in str(s)]) <= 1
    # Another subject is another callback.
    partenaire_client.post("/demarches/rappels/pour-une-personne/", {**data, "objet": "Demander le RSA"})
    assert DemandeRappel.objects.count() == 2


def test_a_landline_alone_is_refused_for_a_booking(partenaire_client, guichet):
    """A partner booking for a person reachable only by a landline: the person would get neither the
    confirmation nor their link (no SMS to a landline) — refused next to the phone, nothing booked."""
    response = book_counter(partenaire_client, guichet, next_weekday(1), telephone="04 78 00 00 00", email="")
    html = response.content.decode()
    assert response.status_code == 200
    bloc = html[html.rindex('<div class="champ', 0, html.index('id="id_telephone"')) :]
    assert "Un téléphone fixe ne reçoit pas de SMS" in bloc[: bloc.index('id="id_telephone"')]
    assert not Reservation.objects.exists() and not Consentement.objects.exists()
    # A landline with the person's email is fine: the email carries the link.
    assert (
        book_counter(partenaire_client, guichet, next_weekday(1), telephone="04 78 00 00 00").status_code
        == 302
    )


def test_a_callback_never_promises_the_partner_a_personal_link(partenaire_client):
    """A callback has no personal link: neither the message nor the partner's page says there is one."""
    data = {
        "nom": "Marcel Petit",
        "telephone": "04 78 00 00 00",
        "objet": "Renouveler sa carte d'identité",
        "demarche": "",
        **accord(**{"accord-personne_nom": "Marcel Petit"}),
    }
    response = partenaire_client.post("/demarches/rappels/pour-une-personne/", data, follow=True)
    page = response.content.decode()
    assert "Lyon en direct rappelle la personne" in page
    assert "lien personnel" not in page


def test_a_partner_says_the_persons_language(
    partenaire_client, guichet, django_capture_on_commit_callbacks, sms_outbox
):
    """« Langue de la personne » on the partner's booking and callback forms: the person's
    confirmation is written in it (English here, Arabic for the callback's SMS)."""
    from demarches.models import DemandeRappel

    day = next_weekday(1)
    page = partenaire_client.get(f"/reservation/partenaire/{guichet.uuid}/?creneau={slot(day)}")
    assert "Langue de la personne" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert book_counter(partenaire_client, guichet, day, langue="en").status_code == 302
    reservation = Reservation.objects.get(agenda=guichet)
    (email,) = [m for m in mail.outbox if reservation.reference in m.body]
    assert reservation.langue == "en" and email.body.startswith("Hello Fatou Diallo,")
    assert f"{ORGANISATION} booked it for you, with your agreement." in email.body

    data = {
        "nom": "Marcel Petit",
        "telephone": "06 55 44 33 22",
        "objet": "Renouveler sa carte d'identité",
        "demarche": "",
        "langue": "ar",
        **accord(**{"accord-personne_nom": "Marcel Petit", "accord-forme": "ecrit"}),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert partenaire_client.post("/demarches/rappels/pour-une-personne/", data).status_code == 302
    assert DemandeRappel.objects.get().langue == "ar"
    assert sms_outbox[-1]["body"].startswith("بلدية ليون: تم تسجيل طلب معاودة الاتصال")
