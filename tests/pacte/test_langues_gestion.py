# ruff: noqa: F811
"""Managing a booking and asking for a callback in English and Arabic (#17), with the Django client.

Each page (find my booking, the new link sent, the dead link, the identity check, cancel, move, slot taken, the
waiting list's form, thanks and offer, the difficulty form and its thanks, the Pact's commitment,
the callback request and its confirmation) answers in /en/ and /ar/ with `<html lang dir>` of the
language, its heading translated and no French left in `<main>` but data marked `lang="fr"`. The
journeys go through in each language: find my booking → move → cancel, join the waiting list →
accept the offer, the callback request, the difficulty form; the records keep the language; form
errors are in the language next to the field with what was typed kept; hostile input never 500."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from demarches.models import DemandeRappel, Demarche
from pacte.booking.models import InscriptionAttente, OffreCreneau, Reservation, Statut
from pacte.booking.selectors import prochain_creneau
from pacte.booking.services import reservation_cancel, reservation_create
from pacte.forms import HONEYPOT_FIELD
from pacte.roles import Role
from tests.booking.conftest import agenda, at, lieu, make_agenda, slot_day  # noqa: F401 (fixtures)
from tests.langues import DIRECTIONS

pytestmark = pytest.mark.django_db

# What a page in English or Arabic must not show outside data marked lang="fr": common French words.
FRANCAIS = re.compile(
    r"\b(vous|votre|vos|nous|rendez-vous|créneau|démarches?|d'attente|être|avec|pour|dans|une|les|des"
    r"|est|sont|pas|sur|lien|rappel|Réf[ée]rence|Annuler|Retour)\b",
    re.IGNORECASE,
)
TITRES = {
    "retrouver": {"en": "Find my appointment", "ar": "العثور على موعدي"},
    "nouveau_lien_envoye": {"en": "New link requested", "ar": "تم طلب رابط جديد"},
    "lien_invalide": {"en": "This link no longer works", "ar": "هذا الرابط لم يعد يعمل"},
    "identite": {"en": "Your appointment", "ar": "موعدك"},
    "annuler": {"en": "Cancel your appointment?", "ar": "هل تريد إلغاء موعدك؟"},
    "deplacer": {"en": "Change the date of your appointment", "ar": "تغيير تاريخ موعدك"},
    "indisponible": {"en": "This time slot has just been taken", "ar": "تم حجز هذا الموعد للتو"},
    "attente_inscription": {"en": "Put my name on the waiting list", "ar": "التسجيل في قائمة الانتظار"},
    "attente_merci": {"en": "You are on the waiting list", "ar": "أنت في قائمة الانتظار"},
    "attente_offre": {"en": "A place has become free", "ar": "أصبح مكان شاغرًا"},
    "difficulte": {
        "en": "I cannot do this procedure online",
        "ar": "لا أستطيع القيام بهذا الإجراء عبر الإنترنت",
    },
    "difficulte_merci": {
        "en": "Thank you: here is how to get help",
        "ar": "شكرًا: إليك كيف تحصل على المساعدة",
    },
    "engagement": {
        "en": "Our commitment: an alternative for every online procedure",
        "ar": "التزامنا: بديل لكل إجراء عبر الإنترنت",
    },
    "rappel_demande": {"en": "Ask to be called back", "ar": "طلب أن نتصل بك"},
    "rappel_confirmation": {"en": "Your callback request is saved", "ar": "تم تسجيل طلبك لمعاودة الاتصال"},
}


class _Texte(HTMLParser):
    """The text of `<main>` a reader meets, without the passages marked French (`lang="fr"`)."""

    VIDES = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pile: list[bool] = []  # for each open element: is it (inside) French or a script?
        self.morceaux: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VIDES:
            return
        dehors = bool(self.pile and self.pile[-1])
        self.pile.append(dehors or dict(attrs).get("lang") == "fr" or tag in ("script", "style", "template"))

    def handle_endtag(self, tag):
        if tag not in self.VIDES and self.pile:
            self.pile.pop()

    def handle_data(self, data):
        if not (self.pile and self.pile[-1]):
            self.morceaux.append(data)


def _texte_main(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    lecteur = _Texte()
    lecteur.feed("<main" + main + "</main>")
    return " ".join(" ".join(lecteur.morceaux).split())


def _francais_visible(html: str) -> list[str]:
    texte = _texte_main(html)
    return [texte[max(0, m.start() - 40) : m.end() + 40] for m in FRANCAIS.finditer(texte)]


def _url(code: str, name: str, *args) -> str:
    with translation.override(code):
        return reverse(name, args=args)


def _page(response, code: str, cle: str | None = None, *, status: int = 200) -> str:
    """The answer is in `code`: status, lang and dir, the translated heading, no French in <main>."""
    html = response.content.decode()
    assert response.status_code == status, (response.status_code, cle)
    assert f'<html lang="{code}" dir="{DIRECTIONS[code]}">' in html
    if cle:
        assert f"<h1>{TITRES[cle][code]}</h1>" in html, (cle, re.findall(r"<h1>.*?</h1>", html))
    assert not _francais_visible(html), (cle, _francais_visible(html))
    menu = {"en": '<a href="/en/demarches/"', "ar": '<a href="/ar/demarches/"'}
    assert re.search(menu[code] + r"[^>]*>{}</a>".format({"en": "Procedures", "ar": "الإجراءات"}[code]), html)
    return html


def _suivre(response) -> str:
    assert response.status_code in (302, 303), response.status_code
    return response["Location"]


def _reserver(client, code: str, agenda, *, nom="Dùpont", email="j@example.org") -> Reservation:
    """Book through the form of the page in `code` (the booking records the language)."""
    url = _url(code, "booking:formulaire", agenda.uuid, prochain_creneau(agenda).cle)
    html = client.get(url).content.decode()
    cle = re.search(r'name="cle_idempotence" value="([^"]+)"', html).group(1)
    data = {"nom": nom, "prenom": "Jeanne", "telephone": "", "email": email, "cle_idempotence": cle}
    assert _suivre(client.post(url, data)).startswith(f"/{code}/")
    return Reservation.objects.get(nom=nom)


def _lien_du_courriel(code: str) -> str:
    """The path of the personal link in the last email (in the person's language, with its prefix)."""
    return re.search(rf"https?://[^/\s]+(/{code}/reservation/gerer/[^/\s]+/)", mail.outbox[-1].body).group(1)


@pytest.mark.parametrize("code", ["en", "ar"])
def test_find_my_booking_then_move_and_cancel_it(
    client, code, agenda, mailoutbox, django_capture_on_commit_callbacks
):
    reservation = _reserver(client, code, agenda)
    assert reservation.langue == code
    client.cookies.clear()  # another browser: the person lost the message

    # Find my booking: an error in the language next to the field, what was typed kept.
    url = _url(code, "booking:retrouver")
    _page(client.get(url), code, "retrouver")
    html = _page(client.post(url, {"email": "pas-une-adresse"}), code, "retrouver", status=400)
    attendu = {"en": "This email address is not valid.", "ar": "عنوان البريد الإلكتروني هذا غير صالح."}
    assert attendu[code] in html and 'value="pas-une-adresse"' in html and 'aria-invalid="true"' in html
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _page(client.post(url, {"email": "j@example.org"}), code, "nouveau_lien_envoye")
    lien = _lien_du_courriel(code)

    # The link: the identity check (wrong letters told in the language, typed value kept).
    page = _suivre(client.get(lien))
    assert page.startswith(f"/{code}/")
    html = _page(client.get(page), code, "identite")
    assert "Dùpont" not in html
    html = _page(client.post(page, {"debut_nom": "xyz"}), code, "identite")
    faux = {"en": "These letters do not match", "ar": "هذه الحروف لا تطابق"}
    assert faux[code] in html and 'value="xyz"' in html
    assert _suivre(client.post(page, {"debut_nom": "dup"})) == page

    # Move: the page in the language, the reference and the time kept left to right.
    html = _page(client.get(page, {"action": "deplacer"}), code, "deplacer")
    assert f'(<bdi dir="ltr">{reservation.reference}</bdi>)' in html
    jour = timezone.localtime(reservation.debut).date().isoformat()
    html = client.get(page, {"action": "deplacer", "jour": jour}).content.decode()
    choix = re.findall(r'name="creneau" value="([^"]+)"', html)
    assert choix
    assert _suivre(client.post(page, {"action": "deplacer", "creneau": choix[-1]})) == page
    reservation.refresh_from_db()
    assert timezone.localtime(reservation.debut).strftime("%Y-%m-%dT%H:%M") == choix[-1]
    deplace = {"en": "Your appointment is moved.", "ar": "تم تغيير موعدك."}
    assert deplace[code] in _page(client.get(page), code)

    # Cancel: the confirmation page, then the POST; the message in the language.
    html = _page(client.get(page, {"action": "annuler"}), code, "annuler")
    assert {"en": "Yes, cancel this appointment", "ar": "نعم، ألغِ هذا الموعد"}[code] in html
    assert _suivre(client.post(page, {"action": "annuler"})) == page
    reservation.refresh_from_db()
    assert reservation.statut == Statut.ANNULEE
    annule = {"en": "Your appointment is cancelled. Thank you for letting us know.", "ar": "تم إلغاء موعدك."}
    assert annule[code] in _page(client.get(page), code)
    # Too late to change: told in the language.
    client.post(page, {"action": "annuler"})
    plus = {"en": "This appointment can no longer be changed.", "ar": "لم يعد من الممكن تغيير هذا الموعد."}
    assert plus[code] in client.get(page).content.decode()


@pytest.mark.parametrize("code", ["en", "ar"])
def test_dead_link_new_link_and_slot_taken_pages(client, code, agenda):
    html = _page(client.get(_url(code, "booking:gerer", "inconnu")), code, "lien_invalide", status=404)
    assert '<bdi dir="ltr">RDV-7KQ2MX</bdi>' in html and 'dir="ltr">' in html
    url = _url(code, "booking:nouveau_lien")
    _page(client.get(url), code, "lien_invalide")
    html = _page(
        client.post(url, {"action": "nouveau_lien", "reference": ""}), code, "lien_invalide", status=400
    )
    assert {"en": "Enter your reference.", "ar": "اكتب مرجعك."}[code] in html
    # A slot that is not open (or was just taken): the next free times, in the language.
    html = _page(client.get(f"/{code}/reservation/{agenda.uuid}/2020-01-01T09:00/"), code, "indisponible")
    assert '<bdi dir="ltr">' in html and 'class="telephone" dir="ltr"' in html


@pytest.fixture
def guichet(make_agenda, slot_day):
    """One slot of one place in the agenda's whole horizon: full once booked."""
    return make_agenda(
        regles=[dict(type="date_unique", date=slot_day, heure_debut=dt.time(9), heure_fin=dt.time(9, 30))]
    )


@pytest.mark.parametrize("code", ["en", "ar"])
def test_join_the_waiting_list_then_accept_the_offer(
    client, code, guichet, sms_outbox, django_capture_on_commit_callbacks
):
    debut = at(guichet.regles.get().date, "09:00")
    occupant, _token = reservation_create(
        agenda=guichet, debut=debut, nom="Occupant", prenom="", email="o@example.org"
    )
    url = _url(code, "booking:attente_inscription", guichet.uuid)
    _page(client.get(url), code, "attente_inscription")
    html = _page(
        client.post(url, {"nom": "Ahmed 🌟", "telephone": "12", "email": ""}), code, "attente_inscription"
    )
    assert 'aria-invalid="true"' in html and 'value="Ahmed 🌟"' in html and 'value="12"' in html
    with django_capture_on_commit_callbacks(execute=True):
        merci = _suivre(client.post(url, {"nom": "أحمد بن علي", "telephone": "06 12 34 56 70", "email": ""}))
    inscription = InscriptionAttente.objects.get()
    assert inscription.langue == code and merci.startswith(f"/{code}/")
    html = _page(client.get(merci), code, "attente_merci")
    # The number kept left to right inside an Arabic sentence.
    assert ("\u206606 12 34 56 70\u2069" if code == "ar" else "to 06 12 34 56 70") in html

    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(reservation=occupant, motif="empêchement")
    offre = OffreCreneau.objects.get()
    lien = re.search(
        rf"https?://\S+(/{code}/reservation/liste-attente/offre/\S+/)", sms_outbox[-1]["body"]
    ).group(1)
    html = _page(client.get(lien), code, "attente_offre")
    assert (
        '<bdi dir="ltr">' in html
        and {"en": "I accept this appointment", "ar": "أقبل هذا الموعد"}[code] in html
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _suivre(client.post(lien, {"action": "accepter"})) == lien
    html = _page(client.get(lien), code, "attente_offre")
    offre.refresh_from_db()
    assert offre.reservation.langue == code
    assert f'<bdi dir="ltr">{offre.reservation.reference}</bdi>' in html
    assert {"en": "Your appointment is confirmed", "ar": "تم تأكيد موعدك"}[code] in html


@pytest.mark.parametrize("code", ["en", "ar"])
def test_ask_for_a_callback(client, code):
    demarche = Demarche.objects.publiees().first()
    url = _url(code, "demarches:rappel_demande") + f"?demarche={demarche.slug}"
    html = _page(client.get(url), code, "rappel_demande")
    # Errors in the language next to each field, what was typed kept.
    html = _page(client.post(url, {"nom": "Zoë 👋", "telephone": "abc", "objet": ""}), code, "rappel_demande")
    assert html.count('aria-invalid="true"') == 2 and 'value="Zoë 👋"' in html and 'value="abc"' in html
    assert "Ce champ est obligatoire" not in html
    data = {"nom": "فاطمة الزهراء", "telephone": "06 12 34 56 78", "email": "", "objet": "Help with my form"}
    confirmation = _suivre(client.post(url, data))
    assert confirmation.startswith(f"/{code}/")
    demande = DemandeRappel.objects.get()
    assert demande.langue == code and demande.demarche == demarche
    html = _page(client.get(confirmation), code, "rappel_confirmation")
    assert (
        f'<bdi dir="ltr">{demande.reference}</bdi>' in html and '<bdi dir="ltr">06 12 34 56 78</bdi>' in html
    )
    moment = {"en": ("in the morning", "in the afternoon", "before"), "ar": ("في الصباح", "بعد الظهر", "قبل")}
    assert any(m in html for m in moment[code])


@pytest.mark.parametrize("code", ["en", "ar"])
def test_difficulty_and_commitment_pages(client, code):
    demarche = Demarche.objects.publiees().first()
    url = _url(code, "demarches:difficulte", demarche.slug)
    _page(client.get(url), code, "difficulte")
    html = _page(client.post(url, {}), code, "difficulte")
    assert {"en": "Tick at least one answer.", "ar": "أشّر على إجابة واحدة على الأقل."}[code] in html
    merci = _suivre(client.post(url, {"blocages": ["compte"]}))
    assert merci.startswith(f"/{code}/")
    _page(client.get(merci), code, "difficulte_merci")
    html = _page(client.get(_url(code, "demarches:engagement")), code, "engagement")
    assert "<caption>" in html


@pytest.mark.parametrize("code", ["en", "ar"])
def test_hostile_input_never_500(client, code, agenda):
    """NUL bytes, 5,000 characters, Arabic and emoji: a page in the language, never an error 500."""
    reservation, token = reservation_create(
        agenda=agenda, debut=prochain_creneau(agenda).debut, nom="Dùpont", prenom="J", email="j@example.org"
    )
    page = _suivre(client.get(_url(code, "booking:gerer", token)))
    demarche = Demarche.objects.publiees().first()
    formulaires = [
        (_url(code, "booking:retrouver"), ("telephone", "email")),
        (_url(code, "booking:nouveau_lien"), ("reference",)),
        (page, ("debut_nom",)),
        (_url(code, "booking:attente_inscription", agenda.uuid), ("nom", "telephone", "email")),
        (_url(code, "demarches:rappel_demande"), ("nom", "telephone", "objet", "adresse_postale")),
        (_url(code, "demarches:difficulte", demarche.slug), ("blocages", "dispositif", "arrondissement")),
    ]
    for url, champs in formulaires:
        for valeur in ("x\x00y", "é" * 5000, "سلام 👋🏽 " * 20):
            data = {champ: valeur for champ in champs}
            if "nouveau_lien" in url:
                data["action"] = "nouveau_lien"
            response = client.post(url, data)
            assert response.status_code in (200, 302, 303, 400, 429), (url, valeur[:10], response.status_code)
            if response.status_code in (200, 400):
                assert f'<html lang="{code}"' in response.content.decode(), url
    # A query string of every kind on the managing pages.
    for action in ("deplacer", "annuler", "x\x00", "é" * 5000):
        assert client.get(page, {"action": action, "jour": "2026-13-45"}).status_code in (200, 400, 404)
    reservation.refresh_from_db()
    assert reservation.statut == Statut.CONFIRMEE


@pytest.mark.parametrize("code", ["en", "ar"])
def test_the_agents_waiting_list_form_stays_french_under_a_prefix(client, code, agenda, make_user):
    client.force_login(make_user(Role.AGENT, lieu=agenda.lieu))
    with translation.override(code):
        url = reverse("booking:attente_inscription_agent", args=[agenda.uuid])
    response = client.get(url, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="fr"' in html
    assert (
        "<h1>Inscrire une personne sur la liste d'attente</h1>" in html
        and "Comment joindre la personne ?" in html
    )
    assert "M'inscrire" not in html and HONEYPOT_FIELD not in html
