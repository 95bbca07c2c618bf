"""Role × URL matrix: every back-office URL, for every role, answers as the scope rules say.

Each app's own tests check the precise perimeter rules (404 outside an arrondissement, a direction,
a case). This matrix walks the whole URLconf so that nothing new slips through: anonymous visitors
are sent to the login page on every non-public URL, a session signed in with the password only is
held at the second step everywhere, no role ever gets a 500, URLs with an unknown object id answer
404 for every role, and an écrivain public reaches no other écrivain's appointment by any URL.
The staff tests run in production mode (`production_mode`: DEBUG off, 2FA on, HTTPS, lockout and
rate limits as in production) with sessions verified through the real login and TOTP pages, and
check that every staff answer is no-store and carries Permissions-Policy.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from pacte.roles import ROLE_LABELS, Role
from tests.test_project import public_allow_list

pytestmark = pytest.mark.django_db
PASSWORD = "motdepasse-de-test-123"

SAMPLE = {
    "uuid": str(uuid.UUID(int=0x1234)),
    "slug": "inexistant",
    "int": "987654",
    "str": "inexistant",
    "path": "inexistant",
}


def _urls(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from _urls(pattern.url_patterns, prefix + route, ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}", prefix + route, pattern.callback


def _concrete(route: str) -> tuple[str, bool]:
    """Fill converters with sample values; True when the URL names an object."""
    has_object = False

    def fill(match):
        nonlocal has_object
        has_object = True
        converter = match.group(1) or "str"
        return SAMPLE.get(converter, "inexistant")

    url = re.sub(r"<(?:(\w+):)?\w+>", fill, route)
    if "^" in url or "(?P" in url:  # regex routes (admin): skip, the admin has its own checks
        return "", has_object
    return "/" + url, has_object


def back_office_urls():
    public = public_allow_list()
    for name, route, view in _urls(get_resolver().url_patterns):
        if name.startswith("admin:") or name in public or not getattr(view, "login_required", True):
            continue
        url, has_object = _concrete(route)
        if url:
            yield name, url, has_object


def test_anonymous_is_sent_to_login_everywhere(production_mode):
    """Every non-public URL redirects an anonymous visitor to the sign-in page."""
    client = production_mode
    for name, url, _ in back_office_urls():
        response = client.get(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response["Location"].startswith("/espace/connexion/"), (name, url)


@pytest.mark.parametrize("role", list(ROLE_LABELS))
def test_every_role_gets_an_answer_never_an_error(production_mode, make_user, verified_login, role):
    """For each role: no 500 anywhere; unknown objects are 404 (never 200); others 200/302/403/404/405."""
    client = production_mode
    verified_login(client, make_user(role))
    for name, url, has_object in back_office_urls():
        response = client.get(url)
        # Staff answers are never stored by a browser or proxy; every answer has Permissions-Policy.
        assert "no-store" in response.get("Cache-Control", ""), (role, name, url)
        assert response.get("Permissions-Policy"), (role, name, url)
        if has_object:
            assert response.status_code in (403, 404, 405), (role, name, url, response.status_code)
        else:
            assert response.status_code in (200, 302, 403, 404, 405), (role, name, url, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith(("/espace/verification/", "/espace/connexion/")), (
                role,
                name,
                url,
            )


SECOND_STEP = {"otp_verification", "deconnexion"}


@pytest.mark.parametrize("enrolled", [True, False], ids=["with-device", "without-device"])
def test_password_alone_is_held_at_the_second_step_everywhere(production_mode, make_user, enrolled):
    """Signed in with the password only: every back-office URL leads to the second step, never a page."""
    client = production_mode
    user = make_user(Role.MEDIATEUR)
    if enrolled:
        TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    response = client.post("/espace/connexion/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    target = "/espace/verification/" if enrolled else "/espace/securite/deux-etapes/"
    for name, url, _ in back_office_urls():
        if name.lstrip(":") in SECOND_STEP or (not enrolled and url == target):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (name, method, url, response.status_code)
            assert response["Location"].startswith(target), (name, method, url, response["Location"])
    assert not client.session.get("otp_device_id")


def _never_reached_by_id(client, ids) -> int:
    """GET and POST every back-office URL taking a UUID with each of `ids`: never a page, never a
    change (403, 404 or 405). Returns how many requests were tried."""
    tried = 0
    for name, route, _view in _urls(get_resolver().url_patterns):
        if name.startswith("admin:") or name in public_allow_list() or "<uuid:" not in route:
            continue
        for value in ids:
            url = "/" + re.sub(r"<uuid:\w+>", value, route)
            url = re.sub(r"<(?:\w+:)?\w+>", "inexistant", url)
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"action": "annuler", "statut": "annulee"})
                tried += 1
                assert response.status_code in (403, 404, 405), (name, method, url, response.status_code)
    return tried


def test_an_ecrivain_reaches_no_other_ecrivains_appointment_by_any_url(
    production_mode, make_user, verified_login, autre_ecrivain_objects
):
    """Every back-office URL taking an id, given another écrivain's appointment, agenda or permanence
    (GET and POST, search included): never a page, never a change."""
    from ecrivains.models import EcrivainPublic
    from pacte.booking.models import Statut

    permanence, reservation = autre_ecrivain_objects
    client = production_mode
    ecrivain = make_user(Role.ECRIVAIN)
    EcrivainPublic.objects.create(user=ecrivain, structure="Mon association")
    verified_login(client, ecrivain)
    ids = [str(reservation.uuid), str(permanence.agenda.uuid), str(permanence.uuid)]
    assert _never_reached_by_id(client, ids) > 20
    for query in (reservation.reference, "Иванов", "Cœur"):
        page = client.get("/reservation/agent/", {"q": query})
        assert str(reservation.uuid) not in page.content.decode(), query
    reservation.refresh_from_db()
    assert reservation.statut == Statut.CONFIRMEE


def test_a_partner_reaches_no_other_partners_booking_by_any_url(production_mode, make_user, verified_login):
    """Every back-office URL taking an id, given another partner's booking, callback request or
    agreement record (GET and POST): never a page, never a change (#19.5)."""
    import datetime as dt

    from django.utils import timezone

    from demarches.services import demande_rappel_create
    from pacte.booking.models import Statut
    from pacte.booking.services import reservation_create
    from pacte.models import Consentement
    from pacte.partenaires import Reserve, consentement_record
    from tests.test_landline_no_sms import _agenda

    autre = make_user(Role.PARTENAIRE, organisation="Association Voisins")
    agenda = _agenda()
    debut = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(days=9)
    reservation, _token = reservation_create(
        agenda=agenda, debut=debut, nom="Autre", prenom="Personne", email="p@example.org", prescripteur=autre
    )
    demande = demande_rappel_create(nom="Autre Personne", telephone="0612345678", objet="Aide", actor=autre)
    accord = dict(
        personne_nom="Autre Personne",
        accord_on=timezone.localdate(),
        expire_on=timezone.localdate(),
        forme="oral",
    )
    records = [
        consentement_record(
            partenaire=autre, reserve=Reserve(reservation, "guichet", reservation.reference, "RDV"), **accord
        ),
        consentement_record(
            partenaire=autre, reserve=Reserve(demande, "rappel", demande.reference, "Rappel"), **accord
        ),
    ]
    client = production_mode
    verified_login(client, make_user(Role.PARTENAIRE, organisation="Association Voisins"))
    ids = [str(reservation.uuid), str(demande.uuid), *(str(c.uuid) for c in records)]
    assert _never_reached_by_id(client, ids) > 40
    page = client.get("/espace/partenaire/").content.decode()
    assert reservation.reference not in page and demande.reference not in page
    reservation.refresh_from_db()
    assert reservation.statut == Statut.CONFIRMEE and Consentement.objects.count() == 2
