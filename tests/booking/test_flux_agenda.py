"""Staff calendar feeds (#19.4): the secret ICS link of the agendas a staff member works, its
content (first name + initial + reference, nothing else of the person), its scope (the engine's
`agendas_visible_to`), revocation and rotation, its limits and headers, and the staff page that
creates, shows once and revokes it."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import icalendar
import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pacte.booking.models import Agenda, FluxAgenda, Reservation, Statut
from pacte.booking.services import flux_agenda_create, flux_agenda_revoke
from pacte.models import JournalEntry, Lieu
from pacte.roles import ROLE_LABELS, Role
from tests.a11y import assert_valid_html
from tests.conftest import ecrivain_with_appointment

from .conftest import at

pytestmark = pytest.mark.django_db

PAGE = "/reservation/agent/mon-calendrier/"
TELEPHONE = "+33612345678"


def _reservation(agenda: Agenda, debut: dt.datetime, *, n: int = 0, **fields) -> Reservation:
    values = dict(
        reference=f"RDV-T{n:05d}",
        agenda=agenda,
        debut=debut,
        fin=debut + dt.timedelta(minutes=30),
        canal="telephone",
        prenom="Zoë",
        nom="Œdipe-Dupont",
        telephone=TELEPHONE,
        email="zoe.oedipe@example.org",
        adresse_postale="12 rue Secrète, 69006 Lyon",
        besoins=["interprete_lsf"],
        besoins_precision="Note confidentielle de l'agent",
    )
    values.update(fields)
    return Reservation.objects.create(**values)


def _feed_url(token: str) -> str:
    return reverse("booking:flux_agenda", args=[token])


def _events(response) -> list:
    cal = icalendar.Calendar.from_ical(response.content)
    return [c for c in cal.walk("VEVENT")]


@pytest.fixture
def demain():
    return timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def agent_et_agenda(make_user, make_agenda):
    agenda = make_agenda(titre="Carte d'identité et passeport")
    return make_user(Role.AGENT, lieu=agenda.lieu), agenda


# --- content -----------------------------------------------------------------------------------------


def test_feed_names_the_person_by_first_name_and_initial_only(client, agent_et_agenda, demain):
    """Each appointment is a VEVENT « démarche — Prénom I. (référence) » at the lieu, in Europe/Paris
    with its VTIMEZONE; phone, email, surname, address, needs and notes are nowhere in the feed."""
    agent, agenda = agent_et_agenda
    reservation = _reservation(agenda, at(demain, "09:00"))
    _flux, token = flux_agenda_create(user=agent)
    response = client.get(_feed_url(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    for secret in [
        "Œdipe",
        "Dupont",
        "zoe.oedipe",
        "example.org",
        "12 rue Secrète",
        "Note confidentielle",
        "langue des signes",
        TELEPHONE,
        "0612345678",
        "06 12 34 56 78",
        "612345678",
    ]:
        assert secret not in body, secret
    (event,) = _events(response)
    assert str(event["summary"]) == f"Carte d'identité et passeport — Zoë Œ. ({reservation.reference})"
    assert str(event["uid"]) == f"{reservation.uuid}@pacte.lyon.fr"
    assert str(event["location"]).startswith(agenda.lieu.nom)
    assert str(event["status"]) == "CONFIRMED"
    assert event.decoded("dtstart") == at(demain, "09:00")
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event.decoded("dtend") == at(demain, "09:30")
    assert reverse("booking:agent_reservation", args=[reservation.uuid]) in str(event["url"])
    cal = icalendar.Calendar.from_ical(response.content)
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_non_ascii_names_are_escaped_folded_and_read_back(client, make_user, make_agenda, demain):
    """« Œdipe », « Zoë », Arabic names and iCalendar's special characters (, ; \\) survive the trip:
    lines folded at 75 octets without splitting a character, text read back as written."""
    agenda = make_agenda(
        titre="Écrivain public — courriers administratifs, dossiers de retraite ; logement\\social à Lyon"
    )
    agent = make_user(Role.AGENT, lieu=agenda.lieu)
    cas = [
        ("Œdipe", "Zoë", "Zoë Œ."),
        ("بن علي", "ليلى", "ليلى ب."),
        ("Zoë", "Anne, Marie; Sophie", "Anne, Marie; Sophie Z."),
        ("", "Œdipe", "Œdipe"),
        ("Ørsted", "", "Ø."),
    ]
    reservations = [
        _reservation(agenda, at(demain, f"{9 + n:02d}:00"), n=n, nom=nom, prenom=prenom)
        for n, (nom, prenom, _) in enumerate(cas)
    ]
    _flux, token = flux_agenda_create(user=agent)
    response = client.get(_feed_url(token))
    lines = response.content.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # no line ends in the middle of a character
    assert any(line.startswith(b" ") for line in lines)  # long SUMMARY/DESCRIPTION lines were folded
    assert b"Anne\\, Marie\\; Sophie" in response.content.replace(b"\r\n ", b"")
    summaries = {str(e["uid"]): str(e["summary"]) for e in _events(response)}
    for reservation, (_nom, _prenom, attendu) in zip(reservations, cas, strict=True):
        assert (
            summaries[f"{reservation.uuid}@pacte.lyon.fr"]
            == f"{agenda.titre} — {attendu} ({reservation.reference})"
        )
    assert "بن علي" not in response.content.decode()


def test_cancelled_appointments_stay_as_cancelled_and_uids_are_stable(client, agent_et_agenda, demain):
    """A cancelled appointment is STATUS:CANCELLED (« Annulé : » in its title); a moved one keeps its UID."""
    agent, agenda = agent_et_agenda
    annule = _reservation(agenda, at(demain, "09:00"), n=1, statut=Statut.ANNULEE)
    deplace = _reservation(agenda, at(demain, "10:00"), n=2)
    _flux, token = flux_agenda_create(user=agent)
    avant = {str(e["uid"]): e for e in _events(client.get(_feed_url(token)))}
    assert str(avant[f"{annule.uuid}@pacte.lyon.fr"]["status"]) == "CANCELLED"
    assert str(avant[f"{annule.uuid}@pacte.lyon.fr"]["summary"]).startswith("Annulé : ")
    Reservation.objects.filter(pk=deplace.pk).update(debut=at(demain, "11:00"), fin=at(demain, "11:30"))
    apres = {str(e["uid"]): e for e in _events(client.get(_feed_url(token)))}
    assert set(apres) == set(avant)
    assert apres[f"{deplace.uuid}@pacte.lyon.fr"].decoded("dtstart") == at(demain, "11:00")


def test_each_event_is_serialised_once_per_content(client, agent_et_agenda, demain, monkeypatch):
    """A poll rebuilds only the appointments made or changed since the last one (the serialised
    events are kept under a hash of their content): the feed stays fast for a mairie's thousands of
    events, and an edit — here a cancellation written without a save signal — still shows at once."""
    from pacte.booking import ics

    agent, agenda = agent_et_agenda
    reservations = [_reservation(agenda, at(demain, f"{9 + n:02d}:00"), n=n) for n in range(4)]
    _flux, token = flux_agenda_create(user=agent)
    construits = []
    original = ics._flux_event_bytes
    monkeypatch.setattr(ics, "_flux_event_bytes", lambda v: construits.append(v["uuid"]) or original(v))

    premier = client.get(_feed_url(token)).content
    assert sorted(construits) == sorted(str(r.uuid) for r in reservations)
    construits.clear()
    assert client.get(_feed_url(token)).content == premier
    assert construits == []

    Reservation.objects.filter(pk=reservations[2].pk).update(statut=Statut.ANNULEE)
    evenements = {str(e["uid"]): e for e in _events(client.get(_feed_url(token)))}
    assert construits == [str(reservations[2].uuid)]
    assert str(evenements[f"{reservations[2].uuid}@pacte.lyon.fr"]["status"]) == "CANCELLED"
    assert len(evenements) == 4


def test_feed_runs_from_30_days_back_to_the_agenda_horizon(client, agent_et_agenda):
    """Appointments older than BOOKING_FLUX_JOURS_PASSES days or beyond the agenda's horizon are left out."""
    agent, agenda = agent_et_agenda
    today = timezone.localdate()
    dedans = [
        _reservation(agenda, at(today - dt.timedelta(days=29), "09:00"), n=1),
        _reservation(agenda, at(today + dt.timedelta(days=agenda.horizon_jours - 1), "09:00"), n=2),
    ]
    _reservation(agenda, at(today - dt.timedelta(days=31), "09:00"), n=3)
    _reservation(agenda, at(today + dt.timedelta(days=agenda.horizon_jours + 1), "09:00"), n=4)
    _flux, token = flux_agenda_create(user=agent)
    uids = {str(e["uid"]) for e in _events(client.get(_feed_url(token)))}
    assert uids == {f"{r.uuid}@pacte.lyon.fr" for r in dedans}


def test_query_count_does_not_grow_with_the_number_of_appointments(client, agent_et_agenda, demain):
    """The same queries for 1 appointment and for 60 on several days and agendas."""
    agent, agenda = agent_et_agenda
    _reservation(agenda, at(demain, "09:00"))
    _flux, token = flux_agenda_create(user=agent)
    client.get(_feed_url(token))  # the first read writes lu_at; later reads within 5 minutes do not

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_feed_url(token))
        assert response.status_code == 200
        return len(queries), len(_events(response))

    petit = count()
    autre = Agenda.objects.create(lieu=agenda.lieu, titre="État civil", horizon_jours=60)
    for n in range(1, 60):
        _reservation(
            autre if n % 2 else agenda, at(demain + dt.timedelta(days=n % 20), "09:00"), n=n, prenom=f"P{n}"
        )
    grand = count()
    assert petit[1] == 1 and grand[1] == 60
    assert grand[0] == petit[0], (petit, grand)


# --- scope -------------------------------------------------------------------------------------------


def test_an_agent_sees_only_the_agendas_of_their_lieu(client, make_user, make_agenda, demain):
    """The feed is the engine's scope: an agent of the 6th's mairie never sees the 3rd's appointments."""
    mien = make_agenda(titre="Mon guichet")
    autre_lieu = Lieu.objects.get(slug="mairie-du-3e-arrondissement")
    sien = make_agenda(titre="Guichet d'ailleurs", lieu=autre_lieu)
    a_moi = _reservation(mien, at(demain, "09:00"), n=1)
    pas_a_moi = _reservation(sien, at(demain, "09:00"), n=2)
    agent = make_user(Role.AGENT, lieu=mien.lieu)
    collegue = make_user(Role.AGENT, lieu=autre_lieu)
    _f, token = flux_agenda_create(user=agent)
    _f, token_collegue = flux_agenda_create(user=collegue)
    mes_uids = {str(e["uid"]) for e in _events(client.get(_feed_url(token)))}
    ses_uids = {str(e["uid"]) for e in _events(client.get(_feed_url(token_collegue)))}
    assert mes_uids == {f"{a_moi.uuid}@pacte.lyon.fr"}
    assert ses_uids == {f"{pas_a_moi.uuid}@pacte.lyon.fr"}


def test_an_ecrivain_sees_only_their_permanences(client, make_user, autre_ecrivain_objects):
    """An écrivain public's feed has their permanences' appointments, never another écrivain's."""
    permanence_autre, reservation_autre = autre_ecrivain_objects
    ma_permanence, mienne = ecrivain_with_appointment(
        make_user,
        structure="Mon association",
        lieu="mairie-du-6e-arrondissement",
        titre="Ma permanence",
        heure=14,
        nom="Haddad",
        prenom="Yasmine",
    )
    ecrivain = ma_permanence.ecrivains.get().user
    _f, token = flux_agenda_create(user=ecrivain)
    response = client.get(_feed_url(token))
    uids = {str(e["uid"]) for e in _events(response)}
    assert uids == {f"{mienne.uuid}@pacte.lyon.fr"}
    assert reservation_autre.reference not in response.content.decode()
    (event,) = _events(response)
    assert str(event["summary"]) == f"Ma permanence — Yasmine H. ({mienne.reference})"
    _f, token_autre = flux_agenda_create(user=permanence_autre.ecrivains.get().user)
    assert {str(e["uid"]) for e in _events(client.get(_feed_url(token_autre)))} == {
        f"{reservation_autre.uuid}@pacte.lyon.fr"
    }


@pytest.mark.parametrize("role", [r for r in ROLE_LABELS if r not in (Role.AGENT, Role.ECRIVAIN, Role.ADMIN)])
def test_a_token_of_another_role_gives_nothing(client, make_user, agent_et_agenda, demain, role):
    """A link held by someone outside the engine's scope (a role changed since) shows no appointment."""
    _agent, agenda = agent_et_agenda
    _reservation(agenda, at(demain, "09:00"))
    _f, token = flux_agenda_create(user=make_user(role, lieu=agenda.lieu))
    response = client.get(_feed_url(token))
    assert response.status_code == 200 and _events(response) == []
    assert b"Z\xc3\xabo" not in response.content and "Zoë" not in response.content.decode()


# --- the link: revoked, rotated, unknown, closed account, limits, headers ----------------------------


def test_revoked_rotated_unknown_and_closed_account_answer_404(client, agent_et_agenda, demain):
    """Revoked → 404; a new link kills the previous one; unknown or malformed tokens and a closed
    account → 404, with the feed's headers and no appointment."""
    agent, agenda = agent_et_agenda
    _reservation(agenda, at(demain, "09:00"))
    _f, ancien = flux_agenda_create(user=agent)
    assert client.get(_feed_url(ancien)).status_code == 200
    _f, nouveau = flux_agenda_create(user=agent)
    assert FluxAgenda.objects.filter(user=agent).count() == 2
    assert FluxAgenda.objects.actifs().filter(user=agent).count() == 1
    for token, statut in [
        (ancien, 404),
        (nouveau, 200),
        ("inconnu" * 6, 404),
        ("é" * 10, 404),
        ("x" * 300, 404),
    ]:
        response = client.get(_feed_url(token))
        assert response.status_code == statut, token
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        if statut == 404:
            assert "Zoë" not in response.content.decode()
    assert flux_agenda_revoke(user=agent) is True
    assert client.get(_feed_url(nouveau)).status_code == 404
    assert flux_agenda_revoke(user=agent) is False
    _f, token = flux_agenda_create(user=agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert client.get(_feed_url(token)).status_code == 404


def test_only_the_hash_is_stored(agent_et_agenda):
    """The token itself is kept nowhere: the row holds its SHA-256, the journal neither."""
    from pacte.secret_links import token_hash

    agent, _agenda = agent_et_agenda
    flux, token = flux_agenda_create(user=agent)
    assert len(token) >= 43 and flux.token_hash == token_hash(token) and token not in flux.token_hash
    assert not JournalEntry.objects.filter(message__contains=token).exists()


def test_feed_headers_and_the_read_mark(client, agent_et_agenda):
    """text/calendar UTF-8, private no-store, noindex, no Referer; the owner's page learns the read."""
    agent, _agenda = agent_et_agenda
    flux, token = flux_agenda_create(user=agent)
    assert flux.lu_at is None
    response = client.get(_feed_url(token))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert client.head(_feed_url(token)).status_code == 200
    assert client.post(_feed_url(token)).status_code == 405
    flux.refresh_from_db()
    assert flux.lu_at is not None
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["x-wr-calname"]).startswith("Mes rendez-vous")


def test_each_link_is_rate_limited_whatever_the_ip(client, agent_et_agenda, make_user, settings):
    """Over RATELIMITS["flux_agenda"] reads of one link (from any IPs): 429 with Retry-After; another
    link is not affected."""
    agent, agenda = agent_et_agenda
    settings.RATELIMITS = {**settings.RATELIMITS, "flux_agenda": "3/h"}
    with time_machine.travel(timezone.now().replace(minute=0, second=1), tick=True):
        _f, token = flux_agenda_create(user=agent)
        for n in range(3):
            assert client.get(_feed_url(token), REMOTE_ADDR=f"10.0.0.{n}").status_code == 200
        refused = client.get(_feed_url(token), REMOTE_ADDR="10.0.0.9")
        assert refused.status_code == 429 and refused["Retry-After"] == "3600"
        assert refused["Cache-Control"] == "private, no-store"
        _f, token_autre = flux_agenda_create(user=make_user(Role.AGENT, lieu=agenda.lieu))
        assert client.get(_feed_url(token_autre)).status_code == 200


# --- the staff page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_LABELS))
def test_page_by_role(client, make_user, role):
    """Agents, écrivains publics and admins (the engine's staff) reach the page and may create a link;
    every other role gets 403 on GET and POST, and no link is created."""
    user = make_user(role)
    client.force_login(user)
    allowed = role in (Role.AGENT, Role.ECRIVAIN, Role.ADMIN)
    assert client.get(PAGE).status_code == (200 if allowed else 403)
    assert client.get(PAGE, {"action": "supprimer"}).status_code == (200 if allowed else 403)
    assert client.post(PAGE, {"action": "creer"}).status_code == (200 if allowed else 403)
    assert FluxAgenda.objects.filter(user=user).exists() == allowed
    assert client.post(PAGE, {"action": "supprimer"}).status_code == (302 if allowed else 403)
    assert FluxAgenda.objects.actifs().filter(user=user).exists() is False


def test_anonymous_is_sent_to_sign_in(client):
    """The page needs an account."""
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/espace/connexion/")


@pytest.mark.lent(11)
def test_page_creates_shows_once_rotates_and_revokes(
    client, agent_et_agenda, demain, django_capture_on_commit_callbacks
):
    """Create: the link is shown on that answer only, journaled, an email tells the agent (without the
    link); a new link replaces it; delete asks first, then the feed is 404. Every state is valid HTML."""
    agent, agenda = agent_et_agenda
    _reservation(agenda, at(demain, "09:00"))
    client.force_login(agent)
    sources = {}
    page = client.get(PAGE)
    sources["sans-lien"] = page.text
    assert "Créer mon lien" in page.text and "Comment s'abonner" in page.text
    assert "Outlook" in page.text and "Google Agenda" in page.text and "Thunderbird" in page.text
    assert "no-store" in page["Cache-Control"]
    with django_capture_on_commit_callbacks(execute=True):
        cree = client.post(PAGE, {"action": "creer"})
    assert cree.status_code == 200
    sources["lien-cree"] = cree.text
    (lien,) = re.findall(r'value="(http[^"]+\.ics)"', cree.text)
    token = lien.rsplit("/", 1)[1].removesuffix(".ics")
    assert f'href="webcal://{lien.split("://", 1)[1]}"' in cree.text
    assert "il ne sera plus affiché" in cree.text
    assert client.get(urlsplit(lien).path).status_code == 200
    flux = FluxAgenda.objects.actifs().get(user=agent)
    assert (
        JournalEntry.objects.for_object(flux).filter(action="booking.flux_agenda_cree", actor=agent).exists()
    )
    (email,) = mail.outbox
    assert email.to == [agent.email] and "lien vers votre agenda a été créé" in email.body
    assert token not in email.body and PAGE in email.body
    revu = client.get(PAGE)
    sources["lien-existant"] = revu.text
    assert token not in revu.text and "Vous avez un lien depuis le" in revu.text
    assert "Aucune application ne l'a encore lu." not in revu.text  # it was read just above

    with django_capture_on_commit_callbacks(execute=True):
        nouveau = client.post(PAGE, {"action": "creer"})
    (lien2,) = re.findall(r'value="(http[^"]+\.ics)"', nouveau.text)
    assert lien2 != lien
    assert client.get(_feed_url(token)).status_code == 404
    nouveau_flux = FluxAgenda.objects.actifs().get(user=agent)
    assert (
        JournalEntry.objects.for_object(nouveau_flux).filter(action="booking.flux_agenda_renouvele").exists()
    )
    assert "L'ancien lien ne fonctionne plus" in mail.outbox[-1].body

    confirmation = client.get(PAGE, {"action": "supprimer"})
    sources["confirmation"] = confirmation.text
    assert (
        "Supprimer votre lien d'agenda ?" in confirmation.text
        and "Oui, supprimer le lien" in confirmation.text
    )
    assert FluxAgenda.objects.actifs().filter(user=agent).exists()  # asking is not deleting
    supprime = client.post(PAGE, {"action": "supprimer"}, follow=True)
    assert (
        "est supprimé : aucune application ne peut plus le lire" in supprime.text
        and "Créer mon lien" in supprime.text
    )
    assert not FluxAgenda.objects.actifs().filter(user=agent).exists()
    assert JournalEntry.objects.for_object(nouveau_flux).filter(action="booking.flux_agenda_revoque").exists()
    assert client.get(urlsplit(lien2).path).status_code == 404
    # Without a link, the confirmation step is not offered.
    assert "Oui, supprimer le lien" not in client.get(PAGE, {"action": "supprimer"}).text
    assert_valid_html(sources)


def test_the_staff_space_offers_the_page(client, make_user):
    """« Mon espace » has the tile for the engine's staff."""
    client.force_login(make_user(Role.ECRIVAIN))
    assert PAGE in client.get("/espace/").text


def test_citizen_ics_is_the_same_mechanism(client, agent_et_agenda, demain):
    """The citizen's own .ics and the staff feed give the same UID, start and VTIMEZONE for an appointment."""
    from pacte.booking.ics import ics_bytes

    agent, agenda = agent_et_agenda
    reservation = _reservation(agenda, at(demain, "09:00"))
    _f, token = flux_agenda_create(user=agent)
    (agent_event,) = _events(client.get(_feed_url(token)))
    cal = icalendar.Calendar.from_ical(ics_bytes(reservation))
    (citizen_event,) = cal.walk("VEVENT")
    assert str(citizen_event["uid"]) == str(agent_event["uid"])
    assert citizen_event.decoded("dtstart") == agent_event.decoded("dtstart")
    assert citizen_event["dtstart"].params["TZID"] == "Europe/Paris"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
