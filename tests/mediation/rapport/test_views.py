"""Screens of the annual report: vignette refusal, permission matrix, htmx partial, publication, query counts."""

from __future__ import annotations

from uuid import uuid4

import pytest

from mediation.rapport import services
from mediation.rapport.anonymisation import Identite, identifiants_trouves
from mediation.rapport.models import RapportAnnuel, VersionRapport, Vignette
from pacte.roles import Role

from .conftest import ANNEE

pytestmark = pytest.mark.django_db

IDENTITE = Identite(
    nom="Dupont-Lefèvre",
    prenom="Éloïse",
    email="Eloise.Dupont@example.org",
    telephone="06 12 34 56 78",
    adresse="12 rue des Tanneurs, 69003 Lyon",
)


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("Mme DUPONT s'est plainte du bruit.", "nom"),
        ("Madame lefevre a appelé.", "nom"),
        ("eloise a appelé le service.", "prénom"),
        ("Écrire à eloise.dupont@EXAMPLE.org pour la suite.", "email"),
        ("Joignable au 06.12.34.56.78 le matin.", "téléphone"),
        ("Joignable au +33 6 12 34 56 78.", "téléphone"),
        ("Joignable au 0612345678.", "téléphone"),
        ("Elle habite RUE DES TANNEURS depuis dix ans.", "adresse"),
    ],
)
def test_identifying_items_are_found_whatever_the_formatting(texte, attendu):
    """Name, first name, email, phone (any formatting) and street are found, case and accents aside."""
    assert attendu in identifiants_trouves(texte, IDENTITE)


def test_an_anonymous_text_passes():
    """A text without the requester's identity is accepted."""
    texte = "Une habitante du 3e arrondissement signalait un bruit ; le 06 99 00 00 00 est celui du service."
    assert identifiants_trouves(texte, IDENTITE) == []


@pytest.fixture(autouse=True)
def _fast_pdf(fast_pdf):
    """These tests are about screens: the stand-in PDF of conftest replaces the layout."""


@pytest.fixture
def mediateur(client, make_user):
    user = make_user(Role.MEDIATEUR)
    client.force_login(user)
    return client


def test_the_portal_refuses_a_vignette_with_the_requesters_phone(mediateur, annee_seedee):
    """The form shows a French error next to the text, keeps what was typed, and saves nothing."""
    saisine = annee_seedee.saisines[0]
    texte = "Le requérant, joignable au 06 12 34 56 78, se plaignait du bruit."
    response = mediateur.post(
        f"/mediateur/rapports/{ANNEE}/vignettes/",
        {"saisine": saisine.pk, "titre": "Le bruit", "texte": texte},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "le numéro de téléphone du requérant" in page and "id_texte_error" in page
    assert "joignable au 06 12 34 56 78" in page
    assert not Vignette.objects.exists()


def test_the_portal_refuses_the_name_in_the_title_and_accepts_an_anonymous_vignette(mediateur, annee_seedee):
    """The surname in the title is refused; once removed, the vignette is saved (PRG)."""
    saisine = annee_seedee.saisines[0]
    data = {"saisine": saisine.pk, "titre": f"Le cas {saisine.nom.upper()}", "texte": "Une habitante gênée."}
    response = mediateur.post(f"/mediateur/rapports/{ANNEE}/vignettes/", data)
    assert "le nom du requérant" in response.content.decode()
    data["titre"] = "Le cas du bruit"
    response = mediateur.post(f"/mediateur/rapports/{ANNEE}/vignettes/", data)
    assert response.status_code == 302
    assert Vignette.objects.get().titre == "Le cas du bruit"


@pytest.mark.parametrize(
    ("role", "attendus"),
    [
        (Role.MEDIATEUR, {"liste": 200, "preparer": 200, "conseil": 200, "brouillon": 200, "publiee": 200}),
        (Role.CONSEILLER, {"liste": 403, "preparer": 403, "conseil": 200, "brouillon": 404, "publiee": 200}),
        (Role.AGENT, {"liste": 403, "preparer": 403, "conseil": 403, "brouillon": 403, "publiee": 403}),
        (Role.REFERENT, {"liste": 403, "preparer": 403, "conseil": 403, "brouillon": 403, "publiee": 403}),
        (None, {"liste": 302, "preparer": 302, "conseil": 302, "brouillon": 302, "publiee": 302}),
    ],
)
def test_permission_matrix(client, make_user, publie, role, attendus):
    """Médiateur: everything; conseiller: the council page and the published version only; others: 403."""
    rapport, brouillon, publiee = publie
    if role:
        client.force_login(make_user(role))
    urls = {
        "liste": "/mediateur/rapports/",
        "preparer": f"/mediateur/rapports/{ANNEE}/",
        "conseil": "/mediateur/rapports/conseil/",
        "brouillon": f"/mediateur/rapports/versions/{brouillon.uuid}/pdf/",
        "publiee": f"/mediateur/rapports/versions/{publiee.uuid}/pdf/",
    }
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == attendus[name], (role, name)
        if response.status_code == 200 and name in ("brouillon", "publiee"):
            assert response["Content-Type"] == "application/pdf"
            assert b"".join(response.streaming_content).startswith(b"%PDF")
    if role is Role.CONSEILLER:
        assert f"Rapport annuel {ANNEE}" in client.get(urls["conseil"]).content.decode()


def test_public_link_on_and_off(client, mediateur, publie):
    """The public link serves the published PDF only while enabled (404 otherwise), without account."""
    rapport, _, publiee = publie
    url = f"/mediateur/rapports/public/{rapport.public_uuid}/"
    client.logout()
    assert client.get(url).status_code == 404
    rapport.public_link_enabled = True
    rapport.save()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with publiee.fichier.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()
    assert client.get(f"/mediateur/rapports/public/{uuid4()}/").status_code == 404


def test_mediateur_toggles_the_public_link(mediateur, publie):
    """The « Activer le lien public » form enables it; « Désactiver » disables it."""
    rapport = publie[0]
    mediateur.post(f"/mediateur/rapports/{ANNEE}/lien-public/", {"actif": "on"})
    rapport.refresh_from_db()
    assert rapport.public_link_enabled
    mediateur.post(f"/mediateur/rapports/{ANNEE}/lien-public/", {})
    rapport.refresh_from_db()
    assert not rapport.public_link_enabled


def test_publishing_replaces_the_previous_published_version(mediateur, publie):
    """Publishing the draft unpublishes the other one; date and checksum are shown."""
    rapport, brouillon, publiee = publie
    response = mediateur.post(f"/mediateur/rapports/{ANNEE}/versions/{brouillon.uuid}/publier/")
    assert response.status_code == 302
    brouillon.refresh_from_db()
    publiee.refresh_from_db()
    assert brouillon.is_published and not publiee.is_published
    page = mediateur.get("/mediateur/rapports/conseil/").content.decode()
    assert brouillon.sha256[:8] in page and "publiée le" in page


def test_htmx_partial_equals_the_section_of_the_full_page(
    mediateur, annee_seedee, django_capture_on_commit_callbacks
):
    """The #statut partial (htmx polling) is the same markup as in the full page; it polls only while pending."""
    rapport = RapportAnnuel.objects.create(annee=ANNEE)
    with django_capture_on_commit_callbacks(execute=False):
        services.version_request(rapport=rapport, actor=None, cle=uuid4().hex)
    full = mediateur.get(f"/mediateur/rapports/{ANNEE}/").content.decode()
    partial = mediateur.get(f"/mediateur/rapports/{ANNEE}/", headers={"HX-Request": "true"}).content.decode()
    assert partial.strip().startswith('<section id="generation"')
    assert 'hx-trigger="every 2s"' in partial and "<progress" in partial
    assert partial.strip() in full
    assert "<html" not in partial
    VersionRapport.objects.update(statut="echec", erreur="x")
    partial = mediateur.get(f"/mediateur/rapports/{ANNEE}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial and "Réessayer" in partial


def test_list_and_council_pages_use_a_constant_number_of_queries(
    mediateur, make_user, client, django_assert_max_num_queries
):
    """The list page does not issue more queries with more reports."""
    for annee in range(2010, 2030):
        RapportAnnuel.objects.create(annee=annee)
    with django_assert_max_num_queries(8):
        assert mediateur.get("/mediateur/rapports/").status_code == 200
    with django_assert_max_num_queries(8):
        assert mediateur.get("/mediateur/rapports/conseil/").status_code == 200


def test_unknown_year_is_404(mediateur):
    """A year far from today without a report is not found."""
    assert mediateur.get("/mediateur/rapports/1990/").status_code == 404


def test_espace_links_by_role(make_user):
    """Mon espace: « Rapports annuels » for the médiateur, « Rapports au conseil » for a conseiller."""
    from mediation.rapport.espace import liens

    assert [lien.titre for lien in liens(make_user(Role.MEDIATEUR))] == ["Rapports annuels"]
    assert [lien.titre for lien in liens(make_user(Role.CONSEILLER))] == ["Rapports au conseil"]
    assert liens(make_user(Role.AGENT)) == []
