"""The 503 « réessayez dans un instant » page: what it keeps, what it never echoes, and that the 500
handler gives it for database availability errors only. Under load: tests/test_pool.py."""

import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import RequestFactory

from pacte.indisponible import unavailable_response
from pacte.views import erreur_500
from tests.html_checker import validate_html

RECIT = "Ma facture de cantine — Cœur, Иванов, 50 % « urgent »\nDeuxième ligne <b>pas du HTML</b>"


def _posted(**extra):
    data = {
        "csrfmiddlewaretoken": "jeton-csrf",
        "cle_idempotence": "cle-123",
        "nom": "Иванов",
        "recit": RECIT,
        "raisons": ["delai", "cout"],
        "password": "secret-ne-pas-renvoyer",
        "otp_token": "123456",
        **extra,
    }
    return RequestFactory().post("/mediateur/saisir/?source=accueil", data)


def _hidden(html: str) -> list[tuple[str, str]]:
    return [
        (unescape(n), unescape(v))
        for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', html)
    ]


def test_post_gives_503_with_every_field_to_send_again():
    """Every posted field comes back as it was (multi-valued too), in a form to the same address."""
    response = unavailable_response(_posted())
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Cache-Control"] == "no-store"
    assert "réessayez dans un instant" in html
    assert '<form method="post" action="/mediateur/saisir/?source=accueil"' in html
    assert _hidden(html) == [
        ("csrfmiddlewaretoken", "jeton-csrf"),
        ("cle_idempotence", "cle-123"),
        ("nom", "Иванов"),
        ("recit", RECIT),
        ("raisons", "delai"),
        ("raisons", "cout"),
    ]


def test_the_text_is_shown_escaped_and_secrets_never_echoed():
    """The person sees what they typed (escaped); passwords and one-time codes are not in the page."""
    html = unavailable_response(_posted()).content.decode()
    assert (
        "Ma facture de cantine — Cœur, Иванов, 50 % « urgent »<br>Deuxième ligne &lt;b&gt;pas du HTML&lt;/b&gt;"
        in html
    )
    assert "secret-ne-pas-renvoyer" not in html and "123456" not in html
    assert "<dt>Cle idempotence</dt>" not in html  # technical fields are resent, not shown


def test_files_are_announced_as_lost():
    """Uploaded files cannot be kept: the page says to add them again."""
    request = _posted(piece=SimpleUploadedFile("avis.pdf", b"%PDF-1.4", content_type="application/pdf"))
    assert "pièces jointes n'ont pas pu être gardées" in unavailable_response(request).content.decode()


def test_get_offers_to_try_again():
    """A page read gets the 503 with a link to try again, no form."""
    html = unavailable_response(RequestFactory().get("/demarches/?q=carte")).content.decode()
    assert (
        '<a href="/demarches/?q=carte">Réessayer</a>' in html
        and '<form method="post" action="/demarches' not in html
    )


@pytest.mark.parametrize(
    ("exc", "status"), [(OperationalError("too many clients already"), 503), (ValueError("bug"), 500)]
)
def test_the_500_handler_turns_database_unavailability_into_503(exc, status):
    """The handler sees the exception being handled: the database's unavailability → 503, a bug → 500."""
    request = RequestFactory().get("/")
    try:
        raise exc
    except Exception:
        response = erreur_500(request)
    assert response.status_code == status


@pytest.mark.lent(10)
def test_503_pages_are_valid_html():
    """Both variants pass the W3C checker."""
    pages = {
        "post": unavailable_response(_posted()).content.decode(),
        "get": unavailable_response(RequestFactory().get("/")).content.decode(),
    }
    assert validate_html(pages) == []
