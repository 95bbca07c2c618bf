"""Published annual reports on the public médiateur page: only published reports with their link on."""

from __future__ import annotations

import hashlib
import re
from uuid import uuid4

import pytest
from django.conf import settings

from mediation.rapport import services
from mediation.rapport.models import RapportAnnuel
from pacte.francais import date_texte

from .conftest import ANNEE

pytestmark = pytest.mark.django_db

# 150 000 bytes: shown as « 150 Ko » (French units, never « Kio »).
PDF_150_KO = b"%PDF-1.7\n" + b"%" * (150_000 - 9)


@pytest.fixture
def fast_pdf(monkeypatch):
    """Overrides conftest's stand-in: a 150 000-byte one (used by the `publie` fixture)."""
    monkeypatch.setattr(services, "rapport_render", lambda **kwargs: PDF_150_KO)


def _page(client) -> str:
    response = client.get("/mediateur/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_published_report_with_its_link_on_is_listed_for_citizens(client, publie):
    """Title, public link, size in Ko, date, SHA-256 and the key figures of its own snapshot."""
    rapport, _, publiee = publie
    rapport.public_link_enabled = True
    rapport.save()
    page = _page(client)
    assert "Les rapports annuels du médiateur" in page
    assert f"Rapport annuel {ANNEE}" in page
    assert f'href="/mediateur/rapports/public/{rapport.public_uuid}/"' in page
    assert "150\u00a0Ko" in page and "Kio" not in page
    publiee.refresh_from_db()
    assert f"Publié le {date_texte(publiee.published_at)}." in page  # « 1er décembre 2026 »
    sha = hashlib.sha256(PDF_150_KO).hexdigest()
    assert publiee.sha256 == sha and sha[:8] + " " + sha[8:16] in page
    assert f"Les chiffres clés du rapport {ANNEE}</caption>" in page
    total = publiee.statistiques["cles"]["annee"]["total"]
    assert total > 0
    assert f'<th scope="row">Saisines reçues</th><td class="nombre"><bdi dir="ltr">{total}</bdi></td>' in page
    # The public link serves exactly the file whose checksum is shown.
    response = client.get(f"/mediateur/rapports/public/{rapport.public_uuid}/")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == sha


@pytest.mark.parametrize(
    ("code", "dans_la_langue", "en_francais", "libelle"),
    [
        ("en", "Annual report", "(in French)", "Requests received"),
        ("ar", "التقرير السنوي", "(بالفرنسية)", "الطلبات المستلمة"),
    ],
)
def test_the_report_stays_in_french_and_the_translated_page_says_so(
    client, publie, code, dans_la_langue, en_francais, libelle
):
    """The report is the médiateur's official document to the council: one French PDF. The page in
    English or Arabic lists it in its language, links it with hreflang="fr" and says it is in French."""
    rapport, _, publiee = publie
    rapport.public_link_enabled = True
    rapport.save()
    response = client.get(f"/{code}/mediateur/")
    page = response.content.decode()
    assert response.status_code == 200 and f'<html lang="{code}"' in page
    assert f"{dans_la_langue} {ANNEE}" in page
    lien = re.search(
        rf'<a class="bouton" href="/{code}/mediateur/rapports/public/{rapport.public_uuid}/"[^>]*>(.*?)</a>',
        page,
        re.S,
    )
    assert lien and 'hreflang="fr"' in lien.group(0) and en_francais in lien.group(1)
    total = publiee.statistiques["cles"]["annee"]["total"]
    assert f'<th scope="row">{libelle}</th><td class="nombre"><bdi dir="ltr">{total}</bdi></td>' in page
    # The French page does not say the obvious (to a French visitor: the cookie would lead to /{code}/).
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    assert "(en français)" not in _page(client)


def test_link_off_or_unpublished_report_never_appears(client, publie):
    """Link off → absent; a report with only a draft and its link on → absent too."""
    rapport, _, _ = publie
    assert f"Rapport annuel {ANNEE}" not in _page(client)
    assert "Aucun rapport annuel n'est encore publié en ligne." in _page(client)
    brouillon = RapportAnnuel.objects.create(annee=ANNEE - 1, public_link_enabled=True)
    services.version_request(rapport=brouillon, actor=None, cle=uuid4().hex)
    page = _page(client)
    assert f"Rapport annuel {ANNEE - 1}" not in page
    assert str(brouillon.public_uuid) not in page and str(rapport.public_uuid) not in page


def test_public_page_queries_do_not_grow_with_reports(
    client, publie, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Three published reports cost the same number of queries as one."""
    rapport, _, _ = publie
    rapport.public_link_enabled = True
    rapport.save()
    with django_assert_max_num_queries(100) as one:
        _page(client)
    for annee in (ANNEE - 2, ANNEE - 3):
        autre = RapportAnnuel.objects.create(annee=annee, public_link_enabled=True)
        with django_capture_on_commit_callbacks(execute=True):
            version, _ = services.version_request(rapport=autre, actor=None, cle=uuid4().hex)
        version.refresh_from_db()
        services.version_publish(version=version, actor=None)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = _page(client)
    assert page.count("<caption>Les chiffres clés du rapport") == 3
