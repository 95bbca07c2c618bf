"""G8 scope: role × object matrix (404 outside the perimeter, 403 outside the role)."""

import pytest
from django.core.files.base import ContentFile

from arrondissements.models import PieceJointe
from arrondissements.selectors import demande_visible_to

from .conftest import PNG, close_response

pytestmark = pytest.mark.django_db

# who → which requests they may open: d6dev (6e → DEV), d2dev (2e → DEV), d6de (6e → DE)
MATRIX = {
    "elu6": {"d6dev": 200, "d2dev": 404, "d6de": 200},
    "elu6b": {"d6dev": 200, "d2dev": 404, "d6de": 200},
    "elu2": {"d6dev": 404, "d2dev": 200, "d6de": 404},
    "ref_dev": {"d6dev": 200, "d2dev": 200, "d6de": 404},
    "ref_de": {"d6dev": 404, "d2dev": 404, "d6de": 200},
    "coord": {"d6dev": 200, "d2dev": 200, "d6de": 200},
    "agent": {"d6dev": 403, "d2dev": 403, "d6de": 403},
}


@pytest.fixture
def demandes(make_demande):
    found = {
        "d6dev": make_demande(arrondissement="a6", direction="dev"),
        "d2dev": make_demande(arrondissement="a2", direction="dev"),
        "d6de": make_demande(arrondissement="a6", direction="de"),
    }
    for demande in found.values():
        piece = PieceJointe(demande=demande, nom="photo.png", mimetype="image/png", taille=len(PNG))
        piece.fichier.save("photo.png", ContentFile(PNG), save=False)
        piece.save()
    return found


@pytest.mark.parametrize("who", list(MATRIX))
def test_detail_and_attachment_scope_matrix(who, people, demandes, client):
    """Each role sees exactly its perimeter's requests and attachments; others get 404 (403 outside role)."""
    client.force_login(people[who])
    for key, expected in MATRIX[who].items():
        demande = demandes[key]
        assert client.get(f"/arrondissements/demandes/{demande.uuid}/").status_code == expected, (who, key)
        piece = demande.pieces_jointes.get()
        response = client.get(f"/arrondissements/pieces/{piece.uuid}/")
        assert response.status_code == expected, (who, key)
        if expected == 200:
            assert b"".join(response.streaming_content) == PNG
            assert response["Content-Type"] == "image/png"
            assert response["X-Content-Type-Options"] == "nosniff"
            close_response(response)


@pytest.mark.parametrize("who", list(MATRIX))
def test_selector_matches_the_matrix(who, people, demandes):
    """The scoped queryset returns exactly the requests the matrix allows."""
    visible = set(demande_visible_to(people[who]).values_list("pk", flat=True))
    expected = {demandes[k].pk for k, code in MATRIX[who].items() if code == 200}
    assert visible == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("elu2", 404), ("ref_de", 404), ("coord", 403), ("elu6", 403), ("agent", 403)],
)
def test_outsiders_cannot_act_on_a_request(who, expected, people, demandes, client):
    """Posting an action outside perimeter is a 404; inside perimeter but wrong side or role, a 403."""
    client.force_login(people[who])
    demande = demandes["d6dev"]
    response = client.post(f"/arrondissements/demandes/{demande.uuid}/action/prendre_en_charge/")
    assert response.status_code == expected
    demande.refresh_from_db()
    assert demande.statut == "nouvelle"


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        (
            "elu6",
            {"/": 200, "/direction/": 403, "/nouvelle/": 200, "/rapport/": 200, "/reponses-types/": 403},
        ),
        (
            "ref_dev",
            {"/": 302, "/direction/": 200, "/nouvelle/": 403, "/rapport/": 200, "/reponses-types/": 200},
        ),
        (
            "coord",
            {"/": 200, "/direction/": 403, "/nouvelle/": 403, "/rapport/": 200, "/reponses-types/": 403},
        ),
        (
            "agent",
            {"/": 403, "/direction/": 403, "/nouvelle/": 403, "/rapport/": 403, "/reponses-types/": 403},
        ),
    ],
)
def test_pages_by_role(who, codes, people, client):
    """Each screen is open to its roles only (403 otherwise); anonymous visitors go to the sign-in page."""
    client.force_login(people[who])
    for path, code in codes.items():
        assert client.get("/arrondissements" + path).status_code == code, path
    client.logout()
    assert client.get("/arrondissements/").status_code == 302


def test_elu_inbox_lists_only_their_arrondissement(people, demandes, client):
    """The élu of the 2e sees only the 2e's request in their inbox."""
    client.force_login(people["elu2"])
    body = client.get("/arrondissements/").content.decode()
    assert demandes["d2dev"].reference in body
    assert demandes["d6dev"].reference not in body and demandes["d6de"].reference not in body


def test_canned_replies_of_another_direction_are_404(people, client):
    """A référent cannot open another direction's canned reply."""
    from arrondissements.models import ReponseType

    reponse = ReponseType.objects.create(direction=people["ref_de"].profil.direction, titre="T", texte="X")
    client.force_login(people["ref_dev"])
    assert client.get(f"/arrondissements/reponses-types/{reponse.uuid}/").status_code == 404
    client.force_login(people["ref_de"])
    assert client.get(f"/arrondissements/reponses-types/{reponse.uuid}/").status_code == 200
