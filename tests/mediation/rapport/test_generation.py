"""Generating the PDF: idempotent requests, failure and retry, and the PDF read back with pypdf."""

from __future__ import annotations

import hashlib
import io
import re
from html.parser import HTMLParser
from uuid import uuid4

import pytest
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from pypdf import PdfReader

from mediation.rapport import services
from mediation.rapport.enums import StatutVersion
from mediation.rapport.models import RapportAnnuel, VersionRapport
from mediation.rapport.statistiques import statistiques_annee
from pacte.roles import Role

from .conftest import ANNEE

pytestmark = pytest.mark.django_db


def _generate(client, annee=ANNEE, cle=None, capture=None):
    cle = cle or uuid4().hex
    with capture(execute=True):
        response = client.post(f"/mediateur/rapports/{annee}/generer/", {"cle": cle})
    assert response.status_code == 302
    return cle


@pytest.fixture
def mediateur_client(client, make_user):
    user = make_user(Role.MEDIATEUR)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def rapport(annee_seedee, make_user):
    rapport = RapportAnnuel.objects.create(
        annee=ANNEE, editorial="Un éditorial <b>échappé</b>.\n\nDeuxième paragraphe."
    )
    saisine = annee_seedee.saisines[0]
    services.vignette_save(
        rapport=rapport,
        saisine=saisine,
        titre="Un bruit la nuit",
        texte="Une habitante gênée la nuit.",
        actor=None,
    )
    return rapport


def _read(version) -> bytes:
    with version.fichier.open("rb") as handle:
        return handle.read()


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_two_posts_with_the_same_key_make_one_version(
    mediateur_client, rapport, django_capture_on_commit_callbacks
):
    """Two clicks (same idempotency key) produce one generation; the version is ready, with its checksum."""
    cle = _generate(mediateur_client, capture=django_capture_on_commit_callbacks)
    _generate(mediateur_client, cle=cle, capture=django_capture_on_commit_callbacks)
    version = VersionRapport.objects.get()
    assert version.statut == StatutVersion.PRET and version.numero == 1
    data = _read(version)
    assert version.sha256 == hashlib.sha256(data).hexdigest() and version.taille == len(data)


def test_a_pending_generation_blocks_another(mediateur_client, rapport, django_capture_on_commit_callbacks):
    """While a generation waits, a second click (new key) returns the same version, not a new one."""
    with django_capture_on_commit_callbacks(execute=False):
        mediateur_client.post(f"/mediateur/rapports/{ANNEE}/generer/", {"cle": uuid4().hex})
        mediateur_client.post(f"/mediateur/rapports/{ANNEE}/generer/", {"cle": uuid4().hex})
    assert VersionRapport.objects.count() == 1
    assert VersionRapport.objects.get().statut == StatutVersion.EN_ATTENTE


def test_database_refuses_two_running_generations(rapport):
    """The conditional unique constraint refuses a second pending version for the same report."""
    VersionRapport.objects.create(rapport=rapport, numero=1, demande_cle="a" * 32)
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionRapport.objects.create(
            rapport=rapport, numero=2, demande_cle="b" * 32, statut=StatutVersion.EN_COURS
        )


def test_failure_is_recorded_with_its_reason_and_retry_works(
    mediateur_client, rapport, monkeypatch, django_capture_on_commit_callbacks
):
    """When the layout raises, the version is « échec » with the reason shown; « Réessayer » regenerates it."""

    def broken(**kwargs):
        raise RuntimeError("mise en page impossible")

    monkeypatch.setattr(services, "render_pdf", broken)
    _generate(mediateur_client, capture=django_capture_on_commit_callbacks)
    version = VersionRapport.objects.get()
    assert version.statut == StatutVersion.ECHEC and "mise en page impossible" in version.erreur
    page = mediateur_client.get(f"/mediateur/rapports/{ANNEE}/").content.decode()
    assert "mise en page impossible" in page and "Réessayer" in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = mediateur_client.post(f"/mediateur/rapports/{ANNEE}/versions/{version.uuid}/reessayer/")
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.statut == StatutVersion.PRET and version.erreur == "" and version.numero == 1
    assert version.tentatives == 2


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.titles: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._current = []

    def handle_endtag(self, tag):
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"} and self._current is not None:
            self.titles.append(re.sub(r"\s+", " ", "".join(self._current)).strip())
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles += _outline_titles(item)
        else:
            titles.append(item.title)
    return titles


def test_pdf_is_tagged_french_with_metadata_bookmarks_and_the_database_figures(
    mediateur_client, rapport, annee_seedee, django_capture_on_commit_callbacks
):
    """The PDF: structure tree, /Lang fr, title and author, bookmarks = headings, figures = database."""
    _generate(mediateur_client, capture=django_capture_on_commit_callbacks)
    version = VersionRapport.objects.get()
    pdf = _read(version)
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).lower().startswith("fr")
    assert reader.metadata.title == f"Rapport annuel {ANNEE} du médiateur de la Ville de Lyon"
    assert reader.metadata.author == "Médiateur de la Ville de Lyon"

    html = render_to_string(
        services.PDF_TEMPLATE,
        services.pdf_context(rapport=rapport, stats=version.statistiques, version_numero=1),
    )
    parser = _Headings()
    parser.feed(html)
    assert _outline_titles(reader.outline) == parser.titles
    assert "Cas illustratifs" in parser.titles and "Un bruit la nuit" in parser.titles

    text = _text(pdf)
    stats = statistiques_annee(ANNEE)
    assert stats == version.statistiques
    cles = stats["cles"]["annee"]
    assert f"Saisines reçues {cles['total']} {stats['cles']['precedente']['total']}" in text
    assert f"Taux de recevabilité {cles['taux_recevabilite']:.1f} %".replace(".", ",") in text
    for key in ("par_canal", "par_type", "par_theme", "par_mois", "issues", "motifs_irrecevabilite"):
        for row in stats[key]:
            assert f"{row['libelle']} {row['n']} ({row['n_prec']})" in text, (key, row)
    for row in stats["par_canal"]:
        expected = annee_seedee.attendu(ANNEE, 2)[row["cle"]]
        assert row["n"] == expected
    assert "Un éditorial <b>échappé</b>." in text  # user text escaped, printed as typed
    assert "Page 2 sur" in text


@pytest.mark.lent(8)
def test_generating_twice_gives_the_same_figures_and_text(
    mediateur_client, rapport, django_capture_on_commit_callbacks
):
    """Same data, two versions: identical statistics and identical text (apart from the version number)."""
    _generate(mediateur_client, capture=django_capture_on_commit_callbacks)
    _generate(mediateur_client, capture=django_capture_on_commit_callbacks)
    first, second = VersionRapport.objects.order_by("numero")
    assert (first.numero, second.numero) == (1, 2)
    assert first.statistiques == second.statistiques
    assert _text(_read(first)).replace("Version 1", "Version N") == _text(_read(second)).replace(
        "Version 2", "Version N"
    )


def test_url_fetcher_refuses_external_resources(rapport):
    """An external URL in the document is refused by the PDF fetcher (only our static files)."""
    from pacte.pdf import StaticOnlyURLFetcher

    with pytest.raises(ValueError):
        StaticOnlyURLFetcher().fetch("https://example.org/x.css")
    with pytest.raises(ValueError):
        StaticOnlyURLFetcher().fetch("file:///etc/passwd")
