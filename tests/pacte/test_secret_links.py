"""Secret links (pacte.secret_links): tokens, the Unicode-safe identity check, one per-link limit for
every link type, the exchange for a session, the recovery path, and Redis down never a 500."""

# ruff: noqa: F811

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ecrivains.services import inscription_create
from mediation.models import Saisine
from pacte import secret_links
from pacte.booking.models import OffreCreneau, Reservation
from pacte.booking.selectors import prochain_creneau
from pacte.booking.services import reservation_create
from pacte.models import Notification
from pacte.secret_links import fold, identity_matches, token_hash, token_new
from pacte.tracker.models import Abonnement, Action
from tests.booking.conftest import agenda, lieu, make_agenda  # noqa: F401 (fixtures)
from tests.ecrivains.conftest import make_permanence, slot_of  # noqa: F401 (fixtures)
from tests.mediation.factories import saisine_new

pytestmark = pytest.mark.django_db

# Any Unicode text a browser can send (no lone surrogates: they cannot be encoded in a request).
TEXTE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
# A stored name: what the forms accept (PostgreSQL text holds no NUL).
NOM = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.RATELIMIT_ENABLED = False  # the per-IP load limit; the per-link limit is always on
    cache.clear()


# --- tokens and the identity check --------------------------------------------------------------


def test_tokens_are_long_random_and_stored_hashed():
    """A token has ≥ 128 bits (here 256, URL-safe); only its SHA-256 hash is stored."""
    token, hashed = token_new()
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert hashed == token_hash(token) and len(hashed) == 64 and token not in hashed
    assert token_new()[0] != token


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("Cœur", "coe"),
        ("Cœur", "COE"),
        ("Cœur", "cœu"),
        ("Cœur", "Cœ"),
        ("Østergaard", "ost"),
        ("Østergaard", "ØST"),
        ("Łopez", "lop"),
        ("Đặng", "dan"),
        ("Иванов", "ива"),
        ("Straße", "str"),
        ("Éléonore Dupré", "ele"),
        ("Dupré", "DUP"),
        ("Æsir", "aes"),
        ("Li", "li"),
    ],
)
def test_identity_check_passes_on_folded_forms(name, answer):
    """Accents, case, ligatures and stroked letters do not matter (œ=oe, ø=o, ł=l, đ=d, ß=ss)."""
    assert identity_matches(expected_name=name, given=answer)


@pytest.mark.parametrize(
    ("name", "answer"),
    [("Dupré", "dur"), ("Dupré", ""), ("Иванов", "iva"), ("Martin", "Мар"), ("Cœur", "co"), ("", "abc")],
)
def test_identity_check_refuses_wrong_or_short_answers(name, answer):
    """Wrong letters, an empty or too short answer, another script: refused, never an exception."""
    assert not identity_matches(expected_name=name, given=answer)


def test_fold_spells_out_what_nfkd_leaves_whole():
    """NFKD does not decompose œ, ø, ł, đ: they are spelled out before comparing."""
    assert fold("Cœur-Østergaard Łopez Đặng ß") == "coeurostergaardlopezdangss"


@given(name=TEXTE, answer=TEXTE)
def test_identity_check_never_raises(name, answer):
    """Any name, any answer (any script, symbols, NUL): a boolean, never an exception."""
    assert identity_matches(expected_name=name, given=answer) in (True, False)


@given(name=TEXTE)
def test_a_name_always_matches_its_own_beginning(name):
    """Whatever the script, typing the start of one's own name as registered passes."""
    assert identity_matches(expected_name=name, given=name) == bool(fold(name))


@given(token=TEXTE)
def test_lookup_never_raises_on_any_token(token):
    """A malformed token (long, non-ASCII, NUL) finds nothing and raises nothing."""
    assert secret_links.lookup(Reservation.objects.all(), token) is None


# --- helpers: one live link per type ------------------------------------------------------------


@pytest.fixture
def booked(agenda):  # noqa: F811
    reservation, token = reservation_create(
        agenda=agenda, debut=prochain_creneau(agenda).debut, nom="Cœur", prenom="Anne", email="a@example.org"
    )
    return reservation, token


def _open(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 303, response.status_code
    return response["Location"]


def _booking_page(client, token) -> str:
    return _open(client, reverse("booking:gerer", args=[token]))


def _saisine_page(client, token) -> str:
    return _open(client, reverse("mediation:suivi", args=[token]))


def _new_link_in_outbox(path_prefix: str) -> str:
    for body in reversed([m.body for m in mail.outbox]):
        found = re.search(rf"https?://[^\s]*{re.escape(path_prefix)}([A-Za-z0-9_-]+)/", body)
        if found:
            return found.group(1)
    raise AssertionError("no new link sent")


# --- one per-link limit for every link type -----------------------------------------------------


def _link_booking(client, agenda, make_permanence, n):  # noqa: F811
    reservation, token = reservation_create(
        agenda=agenda,
        debut=prochain_creneau(agenda).debut,
        nom=f"Durand{n}",
        prenom="Paul",
        email="p@example.org",
        cle_idempotence=f"lien-{n}",
    )
    page = _booking_page(client, token)
    return lambda: client.post(page, {"debut_nom": "zzz"})


def _link_saisine(client, agenda, make_permanence, n):  # noqa: F811
    saisine = saisine_new(nom=f"Martin{n}")
    page = _saisine_page(client, saisine.token)
    return lambda: client.post(page, {"nom_debut": "zzz"})


def _link_offre(client, agenda, make_permanence, n):  # noqa: F811
    permanence = make_permanence()
    inscription = inscription_create(permanence=permanence, nom=f"Zoé{n}", telephone="0612345670")
    token, hashed = token_new()
    OffreCreneau.objects.create(
        inscription=inscription,
        agenda=permanence.agenda,
        debut=slot_of(permanence),
        token_hash=hashed,
        expire_at=timezone.now() + timezone.timedelta(hours=2),
    )
    url = reverse("ecrivains:offre", args=[token])
    return lambda: client.post(url, {"action": "inconnue"})


def _link_abonnement(client, agenda, make_permanence, n):  # noqa: F811
    token, hashed = token_new()
    Abonnement.objects.create(
        action=Action.objects.get(code="A1"),
        email=f"s{n}@example.org",
        confirmation_hash=hashed,
        desabonnement_hash=token_hash(f"d{n}"),
    )
    url = reverse("tracker:confirmer", args=[token])
    return lambda: client.post(url)


LINK_TYPES = {
    "reservation": _link_booking,
    "saisine": _link_saisine,
    "offre": _link_offre,
    "abonnement": _link_abonnement,
}


@pytest.mark.parametrize("kind", list(LINK_TYPES))
def test_every_link_type_locks_per_link(kind, client, agenda, make_permanence, settings):  # noqa: F811
    """Past RATELIMITS["lien"] attempts one link answers 429; another link of the same type is not locked."""
    settings.RATELIMITS = {**settings.RATELIMITS, "lien": "3/h"}
    post = LINK_TYPES[kind](client, agenda, make_permanence, 1)
    other = LINK_TYPES[kind](client, agenda, make_permanence, 2)
    assert [post().status_code == 429 for _ in range(3)] == [False, False, False]
    assert post().status_code == 429
    assert other().status_code != 429


# --- through the views: never a 500 -------------------------------------------------------------


SANS_500 = hsettings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _reset_verified(client, kind, obj):
    session = client.session
    entries = session[secret_links.SESSION_KEY]
    entries[f"{kind}:{obj.uuid}"]["ok"] = False
    session[secret_links.SESSION_KEY] = entries
    session.save()


@SANS_500
@given(name=NOM, answer=TEXTE)
def test_booking_identity_page_never_500(client, booked, settings, name, answer):
    """Any name on the booking and any answer: the gerer page answers 200/302, never 500."""
    settings.RATELIMITS = {**settings.RATELIMITS, "lien": "100000/h"}
    reservation, token = booked
    if secret_links.SESSION_KEY not in client.session:
        booked_page = _booking_page(client, token)
    else:
        booked_page = reverse("booking:rendez_vous", args=[reservation.uuid])
    Reservation.objects.filter(pk=reservation.pk).update(nom=name)
    response = client.post(booked_page, {"debut_nom": answer})
    assert response.status_code in (200, 302, 400)  # 400: the kernel refuses a NUL byte
    if response.status_code == 302:
        assert client.get(booked_page).status_code == 200
        _reset_verified(client, "reservation", reservation)


@SANS_500
@given(name=NOM, answer=TEXTE)
def test_mediation_follow_up_page_never_500(client, settings, name, answer):
    """Any requester name and any answer on the médiation follow-up: 200/302, never 500."""
    settings.RATELIMITS = {**settings.RATELIMITS, "lien": "100000/h"}
    saisine = Saisine.objects.filter(nom="Hypothèse").first()
    if saisine is None:
        saisine = saisine_new(nom="Hypothèse")
        page = _saisine_page(client, saisine.token)
    else:
        page = reverse("mediation:suivi_dossier", args=[saisine.uuid])
    Saisine.objects.filter(pk=saisine.pk).update(nom=name or "x")
    response = client.post(page, {"nom_debut": answer})
    assert response.status_code in (200, 302, 400)  # 400: the kernel refuses a NUL byte
    if response.status_code == 302:
        assert client.get(page).status_code == 200
        _reset_verified(client, "saisine", saisine)


def test_unicode_names_open_their_links(client, agenda):  # noqa: F811
    """Cœur, Østergaard, Łopez, Đặng, Иванов book, then open their own link (was a 500)."""
    for index, (nom, debut_nom) in enumerate(
        [("Cœur", "coe"), ("Østergaard", "ost"), ("Łopez", "lop"), ("Đặng", "dan"), ("Иванов", "ива")]
    ):
        reservation, token = reservation_create(
            agenda=agenda,
            debut=prochain_creneau(agenda).debut,
            nom=nom,
            prenom="A",
            email="a@example.org",
            cle_idempotence=f"unicode-{index}",
        )
        page = _booking_page(client, token)
        assert client.post(page, {"debut_nom": "Мар"}).status_code == 200  # Cyrillic for a Latin name
        assert client.post(page, {"debut_nom": debut_nom}).status_code == 302
        assert nom in client.get(page).text


# --- the exchange ---------------------------------------------------------------------------------


def test_the_link_is_exchanged_once_for_a_token_less_page(client, booked):
    """GET token URL → 303 to a URL without the token, no Referer; the token is dead afterwards."""
    reservation, token = booked
    response = client.get(reverse("booking:gerer", args=[token]))
    assert response.status_code == 303 and token not in response["Location"]
    assert response["Referrer-Policy"] == "same-origin"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    assert token not in page.text
    reservation.refresh_from_db()
    assert reservation.token_hash != token_hash(token)
    # The same browser opening the mail again goes back to its page.
    again = client.get(reverse("booking:gerer", args=[token]))
    assert again.status_code == 303 and again["Location"] == response["Location"]


def test_a_used_link_shows_the_recovery_page_not_the_case(client, booked):
    """Another browser with the used token (an access log, a Referer) gets the recovery page."""
    reservation, token = booked
    _booking_page(client, token)
    client.cookies.clear()
    page = client.get(reverse("booking:gerer", args=[token]))
    assert page.status_code == 404 and "Recevoir un nouveau lien" in page.text
    assert reservation.reference not in page.text and "Cœur" not in page.text
    assert client.get(reverse("booking:rendez_vous", args=[reservation.uuid])).status_code == 404


@pytest.mark.parametrize("kind", ["reservation", "saisine"])
def test_the_locked_out_owner_gets_a_fresh_link(
    kind, client, agenda, settings, django_capture_on_commit_callbacks
):  # noqa: F811
    """Locked after wrong answers, « Recevoir un nouveau lien » sends a new link to the contact on
    file; it works at once (new counter) and the old link's session loses access."""
    settings.RATELIMITS = {**settings.RATELIMITS, "lien": "2/h"}
    if kind == "reservation":
        obj, token = reservation_create(
            agenda=agenda, debut=prochain_creneau(agenda).debut, nom="Cœur", prenom="A", email="a@example.org"
        )
        page, champ, bonne, prefix = _booking_page(client, token), "debut_nom", "coe", "/reservation/gerer/"
    else:
        obj = saisine_new(nom="Cœur")
        page, champ, bonne, prefix = _saisine_page(client, obj.token), "nom_debut", "coe", "/mediateur/suivi/"
    for _ in range(2):
        client.post(page, {champ: "zzz"})
    bloque = client.post(page, {champ: bonne})
    assert bloque.status_code == 429 and "Recevoir un nouveau lien" in bloque.text
    assert client.get(page).status_code == 429  # said at once on the next visit too
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(page, {"action": "nouveau_lien"})
    assert sent.status_code == 200 and "Si nous avons votre adresse" in sent.text
    assert client.get(page).status_code == 404  # the old session is out
    nouveau = _new_link_in_outbox(prefix)
    assert obj.reference in mail.outbox[-1].body
    other = client.__class__()
    page2 = _open(other, prefix + nouveau + "/")
    assert other.post(page2, {champ: bonne}).status_code == 302


def test_recovery_by_reference_answers_the_same_whether_or_not_it_exists(client, booked):
    """The used-link form says the same for a real and an unknown reference; only the real one is sent."""
    reservation, _token = booked
    before = Notification.objects.about(reservation).count()
    url = reverse("booking:nouveau_lien")
    real = client.post(url, {"reference": reservation.reference.lower()})
    fake = client.post(url, {"reference": "RDV-ZZZZZZ"})
    assert real.status_code == fake.status_code == 200
    assert _sans_csrf(real.text) == _sans_csrf(fake.text)
    assert Notification.objects.about(reservation).count() > before
    empty = client.post(url, {"reference": ""})
    assert empty.status_code == 400 and "Indiquez votre référence" in empty.text


def _sans_csrf(html: str) -> str:
    return re.sub(r'(value|nonce)="[^"]*"', "", html)


# --- Redis down ---------------------------------------------------------------------------------


def test_redis_down_never_breaks_a_link_and_still_locks(client, booked, redis_down, settings, caplog):
    """Cache on a dead port: GET and POST work, the per-link limit is counted in the database."""
    settings.RATELIMITS = {**settings.RATELIMITS, "lien": "3/h"}
    reservation, token = booked
    page = _booking_page(client, token)
    assert client.get(page).status_code == 200
    assert [client.post(page, {"debut_nom": "zzz"}).status_code for _ in range(3)] == [200, 200, 200]
    assert client.post(page, {"debut_nom": "coe"}).status_code == 429
    saisine = saisine_new(nom="Lefèvre")
    dossier = _saisine_page(client, saisine.token)
    assert client.get(dossier).status_code == 200
    assert client.post(dossier, {"nom_debut": "lef"}).status_code == 302
    assert urlsplit(dossier).path.startswith("/mediateur/mon-dossier/")


@pytest.mark.parametrize("kind", list(LINK_TYPES))
def test_redis_down_every_link_type_still_locks_per_link(
    kind, client, agenda, make_permanence, redis_down, settings
):
    """Cache on a dead port: every link type answers (never a 500) and still locks per link (database)."""
    settings.RATELIMITS = {**settings.RATELIMITS, "lien": "2/h", "identite": "100/h"}
    post = LINK_TYPES[kind](client, agenda, make_permanence, 1)
    statuses = [post().status_code for _ in range(3)]
    assert all(status < 500 for status in statuses) and 429 not in statuses[:2] and statuses[2] == 429
