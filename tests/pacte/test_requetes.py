"""Headers on the way out (pacte.requetes): Permissions-Policy on every response; Cache-Control
no-store on staff pages, sign-in and second-factor pages, exports and médiation documents."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mediation import services as mediation_services
from pacte.roles import Role
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
