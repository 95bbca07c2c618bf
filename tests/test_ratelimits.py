"""Every public form is rate-limited per client IP, with a plain-French 429 page (never a 500)."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

UNKNOWN = "00000000-0000-0000-0000-000000000000"
PUBLIC_FORMS = [
    (f"/reservation/{UNKNOWN}/2030-01-07T09:00/", "reservation"),
    ("/reservation/gerer/jeton-inconnu/", "identite"),
    ("/demarches/rappel/", "rappel"),
    ("/mediateur/saisir/", "saisine"),
    ("/mediateur/suivi/jeton-inconnu/", "identite"),
    (f"/ecrivains-publics/{UNKNOWN}/liste-attente/", "reservation"),
    ("/ecrivains-publics/offre/jeton-inconnu/", "identite"),
]


@pytest.mark.parametrize(("url", "scope"), PUBLIC_FORMS)
def test_public_form_is_rate_limited(client, settings, url, scope):
    """Past the limit the next POST gets 429 with a way to reach a person; GET stays free."""
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMITS = {**settings.RATELIMITS, scope: "2/h"}
    cache.clear()
    for _ in range(2):
        assert client.post(url, {}).status_code != 429
    response = client.post(url, {})
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert "Lyon en direct" in response.content.decode()
    assert client.get(url).status_code != 429


def test_rate_limit_is_per_client_ip(client, settings):
    """Another address is not affected by one address's limit."""
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMITS = {**settings.RATELIMITS, "saisine": "1/h"}
    cache.clear()
    client.post("/mediateur/saisir/", {}, REMOTE_ADDR="10.0.0.1")
    assert client.post("/mediateur/saisir/", {}, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post("/mediateur/saisir/", {}, REMOTE_ADDR="10.0.0.2").status_code == 200
