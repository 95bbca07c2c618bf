"""HTTP: permission matrix (404 outside scope), public form and follow-up, journaled reads, query counts."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from mediation import services
from mediation.enums import StatutSaisine
from mediation.workflows import saisine_transition
from pacte.models import Direction, JournalEntry
from pacte.roles import Role
from tests.mediation.factories import saisine_form_data, saisine_new, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def monde(make_user):
    dev = Direction.objects.get(sigle="DEV")
    dc = Direction.objects.get(sigle="DC")
    mediateur = make_user(Role.MEDIATEUR)
    saisine = saisine_new()
    saisine_transition(saisine=saisine, vers=StatutSaisine.RECEVABLE, actor=mediateur)
    demande = services.demande_position_send(saisine=saisine, direction=dev, question="Q", actor=mediateur)
    document = services.document_add(saisine=saisine, upload=upload())
    proposition = services.proposition_create(
        titre="T", texte="X", direction=dev, saisines=[saisine], actor=mediateur
    )
    users = {
        "mediateur": mediateur,
        "referent_meme": make_user(Role.REFERENT, direction=dev),
        "referent_autre": make_user(Role.REFERENT, direction=dc),
        "agent": make_user(Role.AGENT),
        "elu": make_user(Role.ELU),
        "anonyme": None,
    }
    return {
        "users": users,
        "saisine": saisine,
        "demande": demande,
        "document": document,
        "proposition": proposition,
    }


# Expected status per page and user (302 = redirected to the login page).
MATRIX = {
    "liste": {
        "mediateur": 200,
        "referent_meme": 404,
        "referent_autre": 404,
        "agent": 404,
        "elu": 404,
        "anonyme": 302,
    },
    "dossier": {
        "mediateur": 200,
        "referent_meme": 404,
        "referent_autre": 404,
        "agent": 404,
        "elu": 404,
        "anonyme": 302,
    },
    "document": {
        "mediateur": 200,
        "referent_meme": 404,
        "referent_autre": 404,
        "agent": 404,
        "elu": 404,
        "anonyme": 302,
    },
    "export": {
        "mediateur": 200,
        "referent_meme": 404,
        "referent_autre": 404,
        "agent": 404,
        "elu": 404,
        "anonyme": 302,
    },
    "demande": {
        "mediateur": 200,
        "referent_meme": 200,
        "referent_autre": 404,
        "agent": 404,
        "elu": 404,
        "anonyme": 302,
    },
    "proposition": {
        "mediateur": 200,
        "referent_meme": 200,
        "referent_autre": 404,
        "agent": 404,
        "elu": 404,
        "anonyme": 302,
    },
    "direction": {
        "mediateur": 200,
        "referent_meme": 200,
        "referent_autre": 200,
        "agent": 404,
        "elu": 404,
        "anonyme": 302,
    },
    "nouvelle": {
        "mediateur": 200,
        "referent_meme": 403,
        "referent_autre": 403,
        "agent": 200,
        "elu": 403,
        "anonyme": 302,
    },
}


def _url(page, m):
    return {
        "liste": reverse("mediation:saisine_list"),
        "dossier": reverse("mediation:saisine_detail", args=[m["saisine"].uuid]),
        "document": reverse("mediation:document", args=[m["document"].uuid]),
        "export": reverse("mediation:saisine_export"),
        "demande": reverse("mediation:demande_detail", args=[m["demande"].uuid]),
        "proposition": reverse("mediation:proposition_detail", args=[m["proposition"].uuid]),
        "direction": reverse("mediation:direction"),
        "nouvelle": reverse("mediation:saisine_nouvelle"),
    }[page]


@pytest.mark.parametrize("page", list(MATRIX))
@pytest.mark.parametrize("who", ["mediateur", "referent_meme", "referent_autre", "agent", "elu", "anonyme"])
def test_permission_matrix(client, monde, page, who):
    """Each role sees only its perimeter: outside it, 404 (403 for a missing role on an entry form)."""
    user = monde["users"][who]
    if user:
        client.force_login(user)
    response = client.get(_url(page, monde))
    assert response.status_code == MATRIX[page][who]


def test_referent_of_another_direction_cannot_answer(client, monde):
    """POSTing an answer to another direction's request is a 404 and records nothing."""
    client.force_login(monde["users"]["referent_autre"])
    response = client.post(_url("demande", monde), {"reponse": "Non"})
    assert response.status_code == 404
    monde["demande"].refresh_from_db()
    assert monde["demande"].repondue_at is None


def test_referent_answers_in_the_portal(client, monde):
    """The référent of the direction answers the request for position."""
    client.force_login(monde["users"]["referent_meme"])
    response = client.post(_url("demande", monde), {"reponse": "Le service accepte."})
    assert response.status_code == 302
    monde["demande"].refresh_from_db()
    assert monde["demande"].reponse == "Le service accepte."


def test_reads_and_exports_are_journaled(client, monde):
    """Opening a case file, downloading a document and exporting are journaled."""
    client.force_login(monde["users"]["mediateur"])
    client.get(_url("dossier", monde))
    client.get(_url("document", monde))
    response = client.get(_url("export", monde))
    assert monde["saisine"].reference in b"".join(response.streaming_content).decode()
    actions = list(
        JournalEntry.objects.filter(actor=monde["users"]["mediateur"]).values_list("action", flat=True)
    )
    assert actions.count("mediation.lecture") >= 2 and "mediation.export" in actions


def test_list_query_count_does_not_grow(client, make_user, django_assert_max_num_queries):
    """The case list costs the same number of queries with 3 or 30 cases."""
    mediateur = make_user(Role.MEDIATEUR)
    client.force_login(mediateur)
    for _ in range(3):
        saisine_new()
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("mediation:saisine_list"))
    for _ in range(27):
        saisine_new(arrondissement=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("mediation:saisine_list")).status_code == 200


def test_public_form_then_follow_up_with_identity_check(client, django_capture_on_commit_callbacks):
    """A citizen files online with a PDF, gets the link; the follow-up asks the first letters of the surname."""
    data = saisine_form_data(pieces_jointes=[upload()])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mediation:saisir"), data)
    assert response.status_code == 302
    page = client.get(response["Location"])
    lien = urlsplit(page.context["lien"]).path
    client.cookies.clear()
    opened = client.get(lien)
    assert opened.status_code == 303 and opened["Referrer-Policy"] == "same-origin"
    dossier = opened["Location"]
    assert client.get(dossier).templates[0].name == "mediation/suivi_identite.html"
    wrong = client.post(dossier, {"nom_debut": "Dup"})
    assert "ne correspondent pas" in wrong.content.decode()
    ok = client.post(dossier, {"nom_debut": "lef"})
    assert ok.status_code == 302
    suivi = client.get(dossier)
    assert "Reçue" in suivi.content.decode()
    lien = dossier
    posted = client.post(lien + "message/", {"corps": "Voici un complément"})
    assert posted.status_code == 302


def test_public_form_errors_keep_values(client):
    """Bad input: French messages next to the fields, typed values kept, no 500."""
    response = client.post(reverse("mediation:saisir"), {"nom": "Garcia", "recit": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Garcia"' in html and "Cochez cette case" in html


def test_agent_phone_entry(client, make_user):
    """An agent records a phone saisine; the channel is kept."""
    client.force_login(make_user(Role.AGENT))
    response = client.post(
        reverse("mediation:saisine_nouvelle"),
        {
            "canal": "telephone",
            "requerant_type": "particulier",
            "nom": "Roux",
            "telephone": "06 12 34 56 78",
            "theme": "stationnement_transports",
            "recit": "PV contesté",
        },
    )
    assert response.status_code == 302
    from mediation.models import Saisine

    saisine = Saisine.objects.get(nom="Roux")
    assert saisine.canal == "telephone" and saisine.telephone == "+33612345678"


def test_public_pages(client, monde):
    """The landing page and the public proposals page need no account and show no personal data."""
    assert client.get(reverse("mediation:accueil")).status_code == 200
    html = client.get(reverse("mediation:propositions")).content.decode()
    assert monde["proposition"].titre in html and monde["saisine"].reference in html
    assert monde["saisine"].nom not in html and monde["saisine"].email not in html


def test_nonrecours_observation_from_the_case_file(client, monde):
    """The médiateur records a right not claimed from a case: an anonymous observation with source 'mediation'."""
    from nonrecours.models import Observation

    client.force_login(monde["users"]["mediateur"])
    url = reverse("mediation:saisine_nonrecours", args=[monde["saisine"].uuid])
    response = client.post(
        url, {"nr-dispositifs": ["rsa"], "nr-type_odenore": "non_connaissance", "nr-raisons": ["complexite"]}
    )
    assert response.status_code == 302
    observation = Observation.objects.get()
    assert observation.source == "mediation"
    assert JournalEntry.objects.filter(
        action="mediation.nonrecours", object_id=str(monde["saisine"].pk)
    ).exists()


def test_letters_to_a_requester_without_email_or_mobile_are_posted_by_the_team(client, make_user):
    """No email, a landline: the acknowledgement is a « courrier à envoyer » on the case file (text
    to print with the follow-up link, plain text), marked posted by the team; others get a 404."""
    from pacte.models import Notification

    mediateur = make_user(Role.MEDIATEUR)
    saisine = saisine_new(email="", telephone="04 72 10 30 30", nom="d'Arc & <Fils>", adresse="1 rue X, Lyon")
    tache = Notification.objects.about(saisine).get()
    assert tache.canal == "courrier" and tache.destinataire == "Alice d'Arc & <Fils>\n1 rue X, Lyon"
    client.force_login(mediateur)
    url = reverse("mediation:saisine_detail", args=[saisine.uuid])
    page = client.get(url).text
    assert "Courrier à envoyer" in page and f"/mediateur/suivi/{saisine.token}/" in page
    assert "d&amp;#x27;" not in page  # the letter text was not escaped twice
    client.force_login(make_user(Role.AGENT))
    courrier = reverse("mediation:saisine_courrier", args=[saisine.uuid])
    assert client.post(courrier, {"tache": str(tache.uuid), "tache_action": "fait"}).status_code == 404
    client.force_login(mediateur)
    client.post(courrier, {"tache": str(tache.uuid), "tache_action": "fait"})
    assert "Courrier envoyé le " in client.get(url).text


def test_closing_explanation_on_the_follow_up_page_and_in_the_letter_task(client, make_user):
    """Issue 15.7: the médiateur's closing explanation shows on the requester's follow-up page (not
    only « Résultat : Accord ») and in the letter to post for a requester without email."""
    from pacte.models import Notification
    from pacte.notifications import notification_text

    mediateur = make_user(Role.MEDIATEUR)
    saisine = saisine_new(email="", telephone="04 72 10 30 30", nom="Lefèvre", adresse="1 rue X, Lyon")
    explication = "La direction rembourse la redevance.\nLe virement part lundi."
    for vers, data in [
        (StatutSaisine.RECEVABLE, {}),
        (StatutSaisine.EN_INSTRUCTION, {"niveau": "premier_niveau"}),
    ]:
        saisine_transition(saisine=saisine, vers=vers, actor=mediateur, **data)
    saisine_transition(
        saisine=saisine, vers=StatutSaisine.CLOTUREE, actor=mediateur, motif=explication, issue="accord"
    )
    lettre = Notification.objects.about(saisine).filter(canal="courrier").order_by("-pk").first()
    assert "Le virement part lundi." in notification_text(lettre)
    opened = client.get(reverse("mediation:suivi", args=[saisine.token]))
    dossier = opened["Location"]
    client.post(dossier, {"nom_debut": "lef"})
    page = client.get(dossier).text
    assert "Résultat : Accord" in page
    assert "La direction rembourse la redevance.<br>Le virement part lundi." in page


def test_agent_entry_in_the_persons_language_and_a_letter_in_arabic(client, make_user, sms_outbox):
    """« Langue de la personne : العربية » on the agent's entry: the acknowledgement SMS is Arabic
    (its follow-up link in Arabic), and the decision letter to post is the Arabic one;
    the entry form offers the languages, French by default."""
    from django.utils import translation

    from mediation.models import Saisine
    from mediation.notifications import lettre_requerant_queue
    from pacte.encryption import decrypt
    from pacte.models import Canal, Notification
    from pacte.notifications import notification_text

    client.force_login(make_user(Role.AGENT))
    form = client.get(reverse("mediation:saisine_nouvelle")).text
    assert "Langue de la personne" in form and '<option value="fr" selected>' in form
    data = {
        "canal": "telephone",
        "requerant_type": "particulier",
        "nom": "Haddad",
        "telephone": "06 12 34 56 78",
        "theme": "stationnement_transports",
        "recit": "PV contesté",
        "langue": "ar",
    }
    assert client.post(reverse("mediation:saisine_nouvelle"), data).status_code == 302
    saisine = Saisine.objects.get(nom="Haddad")
    [accuse] = Notification.objects.about(saisine)
    with translation.override("ar"):
        prefixe = reverse("mediation:suivi", args=["JETON"]).split("JETON")[0]
    texte = notification_text(accuse)
    assert saisine.langue == "ar" and accuse.langue == "ar"
    assert texte.startswith("وسيط بلدية ليون: طلبك إلى وسيط بلدية ليون") and prefixe in texte

    Saisine.objects.filter(pk=saisine.pk).update(telephone="", adresse="5 rue Mercière, 69002 Lyon")
    saisine.refresh_from_db()
    lettre_requerant_queue(saisine=saisine, vers=StatutSaisine.IRRECEVABLE, motif="")
    lettre = Notification.objects.about(saisine).get(canal=Canal.COURRIER)
    assert lettre.langue == "ar" and lettre.sujet.startswith("لا يمكن النظر في طلبك إلى الوسيط")
    assert "لا يستطيع الوسيط النظر في طلبك، للسبب التالي" in notification_text(lettre)
    assert "<h2>طرق الطعن المتاحة لك</h2>" in decrypt(lettre.corps_html)  # the printable letter
