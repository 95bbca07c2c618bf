"""Headers on the way out (pacte.requetes): Permissions-Policy on every response; Cache-Control
no-store on staff pages, sign-in and second-factor pages, exports and médiation documents."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mediation import services as mediation_services
from pacte.roles import Role
from tests.html_checker import validate_html
from tests.mediation.factories import saisine_new, upload

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    "url",
    ["/", "/pacte/actions/", "/page-inexistante/", "/demarches/rappel/?demarche=%00", "/sante/vivant/"],
    ids=["home", "public-list", "404", "400-at-the-door", "health-probe"],
)
def test_permissions_policy_on_every_response(client, settings, url):
    """Public pages, errors, the guard's refusals and health probes all carry Permissions-Policy."""
    client.raise_request_exception = False
    response = client.get(url)
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )


def test_public_pages_stay_cacheable(client):
    """An anonymous visitor's public page is not marked no-store (only private answers are)."""
    assert not _no_store(client.get("/"))
    assert not _no_store(client.get("/pacte/actions/"))


@pytest.mark.parametrize(
    "url",
    ["/espace/connexion/", "/espace/mot-de-passe/oublie/"],
)
def test_sign_in_pages_are_no_store_before_sign_in(client, url):
    """Sign-in and password pages are never kept by a browser or proxy, even for a visitor."""
    response = client.get(url)
    assert response.status_code in (200, 302)
    assert _no_store(response)


def test_second_factor_pages_are_no_store(production_mode, make_user):
    """Signed in with the password only, the 2FA enrolment page (secret shown) is no-store."""
    client = production_mode
    user = make_user(Role.MEDIATEUR)
    client.post("/espace/connexion/", {"username": user.username, "password": "motdepasse-de-test-123"})
    page = client.get("/espace/securite/deux-etapes/")
    assert page.status_code == 200 and _no_store(page)
    assert _no_store(client.get("/espace/verification/"))


@pytest.mark.parametrize("url", ["/espace/", "/mediateur/equipe/saisines/", "/pacte/gestion/"])
def test_staff_pages_are_no_store(client, make_user, url):
    """Every answer to a signed-in staff session is no-store, whatever the view did."""
    user = make_user(Role.ADMIN)
    from django.contrib.auth.models import Group

    user.groups.add(*Group.objects.all())
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert _no_store(response)


def test_exports_and_mediation_documents_are_no_store(client, make_user):
    """A médiation document download and a staff CSV export are no-store."""
    saisine = saisine_new()
    document = mediation_services.document_add(saisine=saisine, upload=upload())
    mediateur = make_user(Role.MEDIATEUR)
    client.force_login(mediateur)
    download = client.get(reverse("mediation:document", args=[document.uuid]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert _no_store(download)
    export = client.get(reverse("mediation:saisine_export"))
    assert export.status_code == 200 and _no_store(export)


class _UnreadStream:
    """A request body that records whether anything tried to read it."""

    def __init__(self):
        self.read_called = False

    def read(self, *args):
        self.read_called = True
        return b""

    readline = read


def test_an_answer_already_private_never_asks_the_database(rf, django_assert_num_queries):
    """The 503 page (database saturated) is already no-store: deciding whether it is private must not
    look the user up, which would wait a whole pool timeout on the saturated database."""
    from django.contrib.auth.models import User
    from django.http import HttpResponse
    from django.utils.functional import SimpleLazyObject

    from pacte.requetes import is_private

    def lookup():
        return User.objects.first()

    request = rf.get("/contact/")
    request.COOKIES["sessionid"] = "x"
    request.user = SimpleLazyObject(lookup)
    response = HttpResponse(status=503)
    response["Cache-Control"] = "no-store"
    with django_assert_num_queries(0):
        assert is_private(request, response)


def test_an_oversize_body_is_refused_on_its_length_without_being_read(client, settings):
    """A 30 MB upload announced by Content-Length: 413 with the French page; the body is never read."""
    stream = _UnreadStream()
    response = client.generic(
        "POST",
        reverse("mediation:saisir"),
        b"x",
        content_type="multipart/form-data; boundary=frontiere",
        CONTENT_LENGTH=str(30 * 1024 * 1024),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.content.decode()
    assert not stream.read_called
    assert settings.REQUEST_MAX_BYTES < 30 * 1024 * 1024


def test_a_real_server_answers_413_before_receiving_the_body(live_server):
    """Over a socket: headers announcing 30 MB, no body sent; the server answers 413 at once."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(live_server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        sock.sendall(
            (
                "POST /mediateur/saisir/ HTTP/1.1\r\n"
                f"Host: {parts.hostname}\r\n"
                "Content-Type: multipart/form-data; boundary=frontiere\r\n"
                f"Content-Length: {30 * 1024 * 1024}\r\n\r\n"
            ).encode()
        )
        answer = sock.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")


def test_upload_limits_are_consistent_and_checked(settings):
    """The door's cap holds every attachment form; a cap too small is a system-check error."""
    from pacte.checks import attachment_fields, upload_limits_check

    fields = list(attachment_fields())
    assert {name for _, name, _ in fields} >= {"pieces_jointes", "pieces"}
    assert upload_limits_check() == []
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.REQUEST_MAX_BYTES
    settings.REQUEST_MAX_BYTES = 10 * 1024 * 1024
    assert {e.id for e in upload_limits_check()} == {"pacte.E012"}
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
    assert "pacte.E010" in {e.id for e in upload_limits_check()}


def test_deploy_check_guards_the_middleware_order(settings):
    """check --deploy fails when the headers middleware is not outermost or the guard runs late."""
    from pacte.checks import GUARD_MIDDLEWARE, HEADERS_MIDDLEWARE, request_hygiene_check

    assert request_hygiene_check() == []
    middleware = [m for m in settings.MIDDLEWARE if m not in (HEADERS_MIDDLEWARE, GUARD_MIDDLEWARE)]
    settings.MIDDLEWARE = [*middleware, HEADERS_MIDDLEWARE, GUARD_MIDDLEWARE]
    assert {e.id for e in request_hygiene_check()} == {"pacte.E020", "pacte.E022"}


@pytest.mark.lent(9)
def test_door_pages_are_valid_html(client):
    """The 400 and 413 pages rendered at the door pass the W3C checker."""
    client.raise_request_exception = False
    pages = {
        "400": client.get("/pacte/actions/%00/").content.decode(),
        "413": client.generic(
            "POST", "/mediateur/saisir/", b"x", content_type="text/plain", CONTENT_LENGTH=str(10**9)
        ).content.decode(),
    }
    assert validate_html(pages) == []
