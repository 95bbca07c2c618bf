"""Screens: filing with a photo, upload checks, actions with canned replies, thread, inbox queries."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrondissements.models import DemandeAppui, Message, ReponseType
from pacte.models import JournalEntry

from .conftest import JPEG, PNG, close_response

pytestmark = pytest.mark.django_db


def _form(lieux, **extra):
    return {
        "objet": "Arbre dangereux",
        "direction": lieux["dev"].pk,
        "categorie": "espaces_verts",
        "urgence": "urgente",
        "localisation": "Place Maréchal-Lyautey",
        "description": "Une branche menace de tomber.",
        "canal_origine": "portail",
        **extra,
    }


def test_elu_files_a_request_with_a_photo(people, lieux, client, django_capture_on_commit_callbacks):
    """The élu files a request with a photo; référents are emailed; the deadline is shown; PRG."""
    client.force_login(people["elu6"])
    photo = SimpleUploadedFile("arbre.jpg", JPEG, content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/arrondissements/nouvelle/", _form(lieux, pieces=[photo]))
    demande = DemandeAppui.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/arrondissements/demandes/{demande.uuid}/"
    )
    assert demande.arrondissement == lieux["a6"] and demande.auteur == people["elu6"]
    piece = demande.pieces_jointes.get()
    with piece.fichier.open("rb") as handle:
        assert piece.mimetype == "image/jpeg" and handle.read() == JPEG
    assert "arrondissements/" in piece.fichier.name and "arbre" not in piece.fichier.name
    assert {m.to[0] for m in mail.outbox} == {
        people["ref_dev"].email,
        people["ref_dev2"].email,
        people["manager"].email,
    }
    assert JournalEntry.objects.filter(action="arrondissements.demande.creation").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert demande.reference in page and demande.echeance.strftime("%Y") in page


def test_a_disguised_file_is_refused_in_french_and_values_are_kept(people, lieux, client):
    """A text file named .png is refused by content; the typed values stay in the form."""
    client.force_login(people["elu6"])
    fake = SimpleUploadedFile("photo.png", b"not an image at all", content_type="image/png")
    response = client.post("/arrondissements/nouvelle/", _form(lieux, pieces=[fake]))
    body = response.content.decode()
    assert response.status_code == 200 and not DemandeAppui.objects.exists()
    assert "n&#x27;est pas un PDF, un JPEG ou un PNG" in body
    assert 'value="Arbre dangereux"' in body


def test_missing_fields_get_french_messages(people, client):
    """An empty form explains what is missing, in French, next to the fields."""
    client.force_login(people["elu6"])
    body = client.post("/arrondissements/nouvelle/", {}).content.decode()
    assert "Ce champ est obligatoire." in body and 'aria-invalid="true"' in body


def test_referent_closes_with_a_canned_reply(
    people, make_demande, client, django_capture_on_commit_callbacks
):
    """An empty text with a canned reply sends the canned text; the élu is emailed."""
    demande = make_demande(statut="prise_en_charge", assignee=people["ref_dev"])
    reponse = ReponseType.objects.create(
        direction=demande.direction, titre="Programmé", texte="Intervention jeudi."
    )
    client.force_login(people["ref_dev"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/arrondissements/demandes/{demande.uuid}/action/cloturer/",
            {"cloturer-texte": "", "cloturer-reponse_type": str(reponse.uuid)},
        )
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.statut == "cloturee" and demande.resolue_at is not None
    assert demande.messages.get().texte == "Intervention jeudi."
    assert [m.to for m in mail.outbox] == [[people["elu6"].email]]
    assert "Intervention jeudi." in mail.outbox[0].body


def test_empty_answer_is_refused_next_to_the_field(people, make_demande, client):
    """Answering with nothing gives a 400 and a French message in the open action form."""
    demande = make_demande(statut="prise_en_charge")
    ReponseType.objects.create(direction=demande.direction, titre="Programmé", texte="Intervention jeudi.")
    client.force_login(people["ref_dev"])
    response = client.post(
        f"/arrondissements/demandes/{demande.uuid}/action/repondre/", {"repondre-texte": ""}
    )
    assert response.status_code == 400
    assert "Écrivez votre réponse ou choisissez une réponse type." in response.content.decode()
    demande.refresh_from_db()
    assert demande.statut == "prise_en_charge"


def test_thread_message_notifies_the_other_side(
    people, make_demande, client, django_capture_on_commit_callbacks
):
    """An élu's message emails the assigned référent; a direction message emails the élu."""
    demande = make_demande(statut="prise_en_charge", assignee=people["ref_dev2"])
    client.force_login(people["elu6b"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/arrondissements/demandes/{demande.uuid}/message/", {"message-texte": "Des nouvelles ?"}
        )
    client.force_login(people["ref_dev2"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/arrondissements/demandes/{demande.uuid}/message/", {"message-texte": "Intervention lundi."}
        )
    assert [m.to[0] for m in mail.outbox] == [people["ref_dev2"].email, people["elu6"].email]
    demande.refresh_from_db()
    assert demande.premiere_reponse_at == Message.objects.get(texte="Intervention lundi.").created_at
    page = client.get(f"/arrondissements/demandes/{demande.uuid}/").content.decode()
    assert "Des nouvelles ?" in page and "Intervention lundi." in page and "Message ajouté" in page


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("elu6", "/arrondissements/"),
        ("ref_dev", "/arrondissements/direction/"),
        ("coord", "/arrondissements/"),
    ],
)
def test_inbox_query_count_does_not_grow(who, path, people, make_demande, client):
    """Inboxes issue the same number of queries with 2 or 30 requests."""
    client.force_login(people[who])
    for _ in range(2):
        make_demande(assignee=people["ref_dev"])
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    for _ in range(28):
        make_demande(assignee=people["ref_dev"])
    with CaptureQueriesContext(connection) as large:
        client.get(path)
    assert len(large) == len(small) <= 12


def test_direction_inbox_puts_overdue_then_new_first(people, make_demande, client):
    """The référent sees overdue requests first, then new ones, then the rest."""
    import datetime as dt

    answered = make_demande(statut="repondue", objet="Zz répondue")
    new = make_demande(objet="Bb nouvelle")
    late = make_demande(statut="prise_en_charge", echeance=dt.date(2020, 1, 1), objet="Aa en retard")
    client.force_login(people["ref_dev"])
    body = client.get("/arrondissements/direction/").content.decode()
    assert body.index(late.objet) < body.index(new.objet) < body.index(answered.objet)
    assert "En retard" in body


def test_filters_and_htmx_fragment_agree(people, make_demande, client):
    """Filtering by status works; the htmx fragment has the same rows as the full page."""
    make_demande(objet="Premier", statut="nouvelle")
    make_demande(objet="Second", statut="cloturee")
    client.force_login(people["elu6"])
    full = client.get("/arrondissements/?statut=cloturee").content.decode()
    fragment = client.get(
        "/arrondissements/?statut=cloturee", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Second" in full and "Premier" not in full.split('id="resultats"')[1]
    assert "<html" not in fragment and "Second" in fragment and "Premier" not in fragment


def test_canned_replies_are_managed_by_the_direction(people, client):
    """A référent adds, edits and deletes a canned reply of their direction."""
    client.force_login(people["ref_dev"])
    client.post("/arrondissements/reponses-types/", {"titre": "Élagage", "texte": "Élagage prévu."})
    reponse = ReponseType.objects.get()
    assert reponse.direction == people["ref_dev"].profil.direction
    client.post(
        f"/arrondissements/reponses-types/{reponse.uuid}/", {"titre": "Élagage", "texte": "Prévu lundi."}
    )
    reponse.refresh_from_db()
    assert reponse.texte == "Prévu lundi."
    client.post(f"/arrondissements/reponses-types/{reponse.uuid}/", {"supprimer": "1"})
    assert not ReponseType.objects.exists()


def test_png_attachment_in_a_question(people, make_demande, client):
    """The référent's question may carry a PNG; it is listed in the thread and served to the élu."""
    demande = make_demande()
    client.force_login(people["ref_dev"])
    client.post(
        f"/arrondissements/demandes/{demande.uuid}/action/demander_precisions/",
        {
            "demander_precisions-texte": "Est-ce cet arbre ?",
            "demander_precisions-pieces": [SimpleUploadedFile("plan.png", PNG, content_type="image/png")],
        },
    )
    piece = demande.pieces_jointes.get()
    assert piece.message.texte == "Est-ce cet arbre ?"
    client.force_login(people["elu6b"])
    response = client.get(f"/arrondissements/pieces/{piece.uuid}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    close_response(response)


def test_staff_tiles_per_role(people):
    """Mon espace shows the élu's, the référent's and coordination's tiles; nothing for others."""
    from arrondissements.espace import NAV, liens

    assert NAV == []
    assert {lien.titre for lien in liens(people["elu6"])} == {
        "Mes demandes d'appui",
        "Nouvelle demande",
        "Engagements tenus (rapport)",
    }
    assert "Demandes adressées à ma direction" in {lien.titre for lien in liens(people["ref_dev"])}
    assert "Toutes les demandes d'appui" in {lien.titre for lien in liens(people["coord"])}
    assert liens(people["agent"]) == []
