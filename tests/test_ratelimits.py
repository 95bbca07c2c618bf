"""pacte.ratelimit is the one limiter: every rate-limited form keeps what was typed when refused
(429 and a French message above the form), one table of limits all read, Redis down never a 500,
sign-in limited per username across IPs, password-reset emails limited per address."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache, caches
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from pacte import ratelimit
from pacte.models import CompteurLimite
from tests.test_landline_no_sms import _agenda

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
APPS = ["pacte", "demarches", "ecrivains", "mediation", "arrondissements", "nonrecours"]
DEAD_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.fixture(autouse=True)
def _one_window(request):
    """Pin the clock one second into the current hour (UTC) so no test straddles a counting window.
    Browser tests (Playwright does not run under a travelled clock) freeze the window instead."""
    now = timezone.now().replace(minute=0, second=1, microsecond=0)
    if request.node.get_closest_marker("browser"):
        request.getfixturevalue("monkeypatch").setattr(ratelimit, "_window_start", lambda period: 0)
        cache.clear()
        yield
        return
    with time_machine.travel(now, tick=True):
        cache.clear()
        yield
    with contextlib.suppress(Exception):  # a test pointed the cache at a Redis that is down
        cache.clear()


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLED = True

    def set_limit(scope, rate):
        settings.RATELIMITS = {**settings.RATELIMITS, scope: rate}

    return set_limit


# --- every rate-limited form: refused, the typed text kept ------------------------------------


@dataclass
class Form:
    scope: str
    url: str
    data: dict
    kept: str  # what must be in the refused page: the typed text (or a pattern)
    first: dict | None = None  # the post that uses up the limit, when it must differ
    opened: str = ""  # a secret link to open first (exchanged for the session, pacte.secret_links)
    role: str = ""  # a staff form: posted by a signed-in user of this role (limited per account)


def _slot(agenda):
    from pacte.booking.selectors import local_tz

    day = timezone.localdate() + dt.timedelta(days=10)
    return dt.datetime.combine(day, dt.time(9), tzinfo=local_tz())


def _reservation():
    from pacte.booking.services import reservation_create

    agenda = _agenda()
    return reservation_create(
        agenda=agenda, debut=_slot(agenda), nom="Durand", prenom="Léa", telephone="0612345678"
    )


def _permanence():
    from ecrivains.models import Langue, Theme
    from ecrivains.services import Regle, permanence_create
    from pacte.models import Lieu

    day = timezone.localdate() + dt.timedelta(days=10)
    return permanence_create(
        lieu=Lieu.objects.get(slug="mairie-du-5e-arrondissement"),
        titre="Écrivain public",
        regles=[Regle(dt.time(10), dt.time(10, 30), date=day)],
        capacite=1,
        places_agents=0,
        delai_min_heures=0,
        langues=Langue.objects.filter(code="francais"),
        themes=Theme.objects.filter(code="caf"),
        ecrivains=[],
    )


def _offre_token():
    from ecrivains import services
    from pacte.booking.selectors import local_tz

    permanence = _permanence()
    services.inscription_create(permanence=permanence, nom="Zoé Test", telephone="0612345670")
    regle = permanence.agenda.regles.get()
    debut = dt.datetime.combine(regle.date, regle.heure_debut, tzinfo=local_tz())
    return services.offres_attribuer(permanence=permanence, debut=debut)[0].token


def _saisine():
    from tests.mediation.factories import saisine_new

    return saisine_new(nom="Lefèvre")


def build_form(name) -> Form:
    if name == "reservation":
        agenda = _agenda()
        key = timezone.localtime(_slot(agenda)).strftime("%Y-%m-%dT%H:%M")
        data = {"nom": "Nguyễn-Texte-Gardé", "prenom": "Anh", "telephone": "0612345678"}
        return Form("reservation", f"/reservation/{agenda.uuid}/{key}/", data, 'value="Nguyễn-Texte-Gardé"')
    if name == "reservation_gerer":
        reservation, token = _reservation()
        url = f"/reservation/mon-rendez-vous/{reservation.uuid}/"
        return Form(
            "identite", url, {"debut_nom": "Xyz"}, 'value="Xyz"', opened=f"/reservation/gerer/{token}/"
        )
    if name == "reservation_nouveau_lien":
        data = {"reference": "RDV-GARDEE"}
        return Form("identite", "/reservation/nouveau-lien/", data, 'value="RDV-GARDEE"')
    if name == "reservation_retrouver":
        data = {"telephone": "06 12 34 56 78", "email": "garde@example.org"}
        return Form("identite", "/reservation/retrouver/", data, 'value="garde@example.org"')
    if name == "rappel":
        data = {"nom": "Ali", "telephone": "0612345678", "objet": "Ma carte grise, texte gardé"}
        return Form("rappel", "/demarches/rappel/", data, "Ma carte grise, texte gardé")
    if name == "difficulte":
        return Form(
            "difficulte", "/demarches/pacs/difficulte/", {"blocages": ["autre"]}, 'value="autre"[^>]*checked'
        )
    if name == "saisine":
        data = {"requerant_type": "particulier", "nom": "Lefèvre", "recit": "Mon récit, texte gardé"}
        return Form("saisine", "/mediateur/saisir/", data, "Mon récit, texte gardé")
    if name == "saisine_suivi":
        saisine = _saisine()
        url = f"/mediateur/mon-dossier/{saisine.uuid}/"
        return Form(
            "identite", url, {"nom_debut": "Xyz"}, 'value="Xyz"', opened=f"/mediateur/suivi/{saisine.token}/"
        )
    if name == "saisine_nouveau_lien":
        data = {"reference": "MED-GARDEE"}
        return Form("identite", "/mediateur/nouveau-lien/", data, 'value="MED-GARDEE"')
    if name == "liste_attente":
        data = {"nom": "Texte Gardé", "telephone": "0612345678"}
        url = f"/ecrivains-publics/{_permanence().uuid}/liste-attente/"
        return Form("reservation", url, data, 'value="Texte Gardé"')
    if name == "liste_attente_agenda":
        data = {"nom": "Texte Gardé", "telephone": "0612345678"}
        return Form(
            "reservation", f"/reservation/{_agenda().uuid}/liste-attente/", data, 'value="Texte Gardé"'
        )
    if name in ("offre", "offre_agenda"):
        token = _offre_token()
        prefix = "/ecrivains-publics/offre" if name == "offre" else "/reservation/liste-attente/offre"
        return Form(
            "identite",
            f"{prefix}/{token}/",
            {"action": "accepter"},
            "J'accepte",
            first={"action": "rien"},
        )
    if name == "abonnement":
        return Form(
            "abonnement",
            "/pacte/actions/A1/suivre/",
            {"email": "garde@example.org"},
            'value="garde@example.org"',
        )
    if name in ("partenaire_reservation", "partenaire_rappel"):
        accord = {
            "accord-accord": "on",
            "accord-personne_nom": "Texte Gardé",
            "accord-forme": "oral",
            "accord-accord_on": timezone.localdate().isoformat(),
            "accord-expire_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        }
        if name == "partenaire_rappel":
            data = {"nom": "Ali", "telephone": "0612345678", "objet": "Sa carte grise, texte gardé", **accord}
            return Form(
                "partenaire",
                "/demarches/rappels/pour-une-personne/",
                data,
                "Sa carte grise, texte gardé",
                role="partenaire",
            )
        agenda = _agenda()
        key = timezone.localtime(_slot(agenda)).strftime("%Y-%m-%dT%H:%M")
        data = {"nom": "Nguyễn-Texte-Gardé", "prenom": "Anh", "telephone": "0612345678", **accord}
        return Form(
            "partenaire",
            f"/reservation/partenaire/{agenda.uuid}/?creneau={key}",
            data,
            'value="Nguyễn-Texte-Gardé"',
            role="partenaire",
        )
    if name == "mot_de_passe":
        data = {"email": "garde@example.org"}
        return Form("mot_de_passe", "/espace/mot-de-passe/oublie/", data, 'value="garde@example.org"')
    raise AssertionError(name)


RATE_LIMITED_FORMS = [
    "reservation",
    "reservation_gerer",
    "reservation_nouveau_lien",
    "reservation_retrouver",
    "rappel",
    "difficulte",
    "saisine",
    "saisine_suivi",
    "saisine_nouveau_lien",
    "liste_attente",
    "liste_attente_agenda",
    "offre",
    "offre_agenda",
    "abonnement",
    "mot_de_passe",
    "partenaire_reservation",
    "partenaire_rappel",
]


@pytest.mark.parametrize("name", RATE_LIMITED_FORMS)
def test_refused_post_keeps_what_was_typed(client, limits, make_user, name):
    """Over the limit: 429, the French message above the same form, and the typed text still there."""
    form = build_form(name)
    limits(form.scope, "1/h")
    if form.role:
        client.force_login(make_user(form.role))
    if form.opened:
        assert client.get(form.opened).status_code == 303
    client.post(form.url, form.first or form.data)
    response = client.post(form.url, form.data)
    html = response.content.decode()
    assert response.status_code == 429
    assert "Trop de demandes" in html and "Lyon en direct" in html
    assert html.index('id="limite-depassee"') < html.index("<form", html.index('id="limite-depassee"'))
    assert form.kept in html or re.search(form.kept, html), form.kept
    assert client.get(form.url).status_code != 429


def test_refused_post_writes_nothing(client, limits):
    """The refused post is not recorded (no second callback request, no email)."""
    from demarches.models import DemandeRappel

    limits("rappel", "1/h")
    data = {"nom": "Ali", "telephone": "0612345678", "objet": "Carte grise"}
    assert client.post("/demarches/rappel/", data).status_code == 302
    assert client.post("/demarches/rappel/", data).status_code == 429
    assert DemandeRappel.objects.count() == 1


def _decorated_views():
    """(route, scope) of every URL whose view carries @ratelimit."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                view = p.callback
                cls = getattr(view, "view_class", None)
                scope = getattr(view, "ratelimit_scope", None) or getattr(
                    getattr(cls, "dispatch", None), "ratelimit_scope", None
                )
                if scope:
                    found.append((prefix + str(p.pattern), scope))

    walk(get_resolver().url_patterns)
    return found


def test_every_rate_limited_view_is_in_the_form_test():
    """Each view under @ratelimit is posted over its limit above (so none loses the typed text)."""
    tested = {resolve(build_form(name).url.split("?")[0]).route for name in RATE_LIMITED_FORMS}
    assert tested == {route for route, _scope in _decorated_views()}


def test_rate_limit_is_per_client_ip(client, limits):
    """Another address is not affected by one address's limit."""
    limits("saisine", "1/h")
    client.post("/mediateur/saisir/", {}, REMOTE_ADDR="10.0.0.1")
    assert client.post("/mediateur/saisir/", {}, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post("/mediateur/saisir/", {}, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_partner_limit_is_per_account(client, limits, make_user):
    """Partners booking for people are limited per account, not per IP: a colleague in the same
    office (same address) still books when one account is over its limit."""
    form = build_form("partenaire_rappel")
    limits("partenaire", "1/h")
    client.force_login(make_user("partenaire"))
    assert client.post(form.url, form.data).status_code == 302
    assert client.post(form.url, form.data).status_code == 429
    client.force_login(make_user("partenaire"))
    assert client.post(form.url, form.data).status_code == 302


def test_forwarded_for_is_honoured_only_when_trusted(client, limits, settings):
    """Behind a trusted proxy the first X-Forwarded-For hop is the client; otherwise it is ignored."""
    limits("saisine", "1/h")
    settings.RATELIMIT_TRUST_X_FORWARDED_FOR = False
    client.post("/mediateur/saisir/", {}, HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert client.post("/mediateur/saisir/", {}, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    settings.RATELIMIT_TRUST_X_FORWARDED_FOR = True
    assert client.post("/mediateur/saisir/", {}, HTTP_X_FORWARDED_FOR="3.3.3.3, 10.0.0.1").status_code == 200
    assert client.post("/mediateur/saisir/", {}, HTTP_X_FORWARDED_FOR="3.3.3.3, 10.0.0.9").status_code == 429


def test_limits_off_when_disabled(client, settings):
    """RATELIMIT_ENABLED=0 (load benchmarks) switches off every per-IP form limit, the tracker's too."""
    settings.RATELIMIT_ENABLED = False
    settings.RATELIMITS = {**settings.RATELIMITS, "abonnement": "1/h"}
    for n in range(3):
        assert client.post("/pacte/actions/A1/suivre/", {"email": f"p{n}@example.org"}).status_code == 302


# --- one table of limits, all read -------------------------------------------------------------

LIMITER_CALLS = {"ratelimit", "hit", "exceeded", "reset", "rate_for"}


def _scopes_named_in_code() -> set[str]:
    scopes = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                first = node.args[0] if node.args else None
                if name in LIMITER_CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    scopes.add(first.value)
    return scopes


def test_every_limit_is_read_and_every_scope_is_a_limit():
    """No key of RATELIMITS is left unread; no limiter call names a key the table lacks."""
    named = _scopes_named_in_code()
    assert named == set(django_settings.RATELIMITS), (named, set(django_settings.RATELIMITS))


def test_unknown_scope_is_a_programming_error():
    """A limiter call with a scope missing from the table fails loudly, at import for a decorator."""
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        ratelimit.ratelimit("inconnu")
    with pytest.raises(ImproperlyConfigured):
        ratelimit.hit("inconnu", "x")


def test_no_other_throttle_in_the_apps():
    """The tracker's cache throttle and its own client-IP reader are gone: one limiter, one client_ip."""
    tracker = (ROOT / "pacte/tracker/services.py").read_text() + (ROOT / "pacte/tracker/views.py").read_text()
    assert "cache.incr" not in tracker and "_client_ip" not in tracker
    for app in ["demarches", "ecrivains", "mediation", "pacte/tracker"]:
        for path in (ROOT / app).rglob("*.py"):
            assert not re.search(r"def _?client_ip\b", path.read_text()), path


# --- Redis down: counted in the database, never a 500 ------------------------------------------


def test_redis_down_tracker_subscription_never_500(client, limits, settings):
    """With Redis unreachable the subscription still works and is still limited (database counter)."""
    settings.CACHES = DEAD_REDIS
    limits("abonnement", "2/h")
    for n in range(2):
        assert client.post("/pacte/actions/A1/suivre/", {"email": f"p{n}@example.org"}).status_code == 302
    response = client.post("/pacte/actions/A1/suivre/", {"email": "p3@example.org"})
    assert response.status_code == 429 and 'value="p3@example.org"' in response.text
    assert CompteurLimite.objects.exists()


def test_redis_down_counters_fall_back_to_the_database(settings):
    """hit / exceeded / reset work on the database counter alone when the cache is unreachable."""
    settings.CACHES = DEAD_REDIS
    settings.RATELIMITS = {**settings.RATELIMITS, "connexion_compte": "2/10m"}
    assert ratelimit.hit("connexion_compte", "alice") and not ratelimit.exceeded("connexion_compte", "alice")
    assert ratelimit.hit("connexion_compte", "alice") and ratelimit.exceeded("connexion_compte", "alice")
    assert not ratelimit.hit("connexion_compte", "alice")
    ratelimit.reset("connexion_compte", "alice")
    assert not ratelimit.exceeded("connexion_compte", "alice")


def test_on_redis_a_hit_is_one_round_trip_and_the_count_expires_with_its_window(settings, monkeypatch):
    """On Redis (#18.1) a hit is one pipelined round trip (SET NX EX, INCR), not the cache API's
    three; the count is the one `exceeded` reads through the cache, and it expires."""
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    settings.RATELIMITS = {**settings.RATELIMITS, "connexion_compte": "2/10m"}
    commands, pipelines = [], []
    monkeypatch.setattr(redis.Redis, "execute_command", _recorded(redis.Redis.execute_command, commands))
    monkeypatch.setattr(redis.client.Pipeline, "execute", _recorded(redis.client.Pipeline.execute, pipelines))
    assert ratelimit.hit("connexion_compte", "alice")
    assert (len(commands), len(pipelines)) == (0, 1)
    assert ratelimit.hit("connexion_compte", "alice") and ratelimit.exceeded("connexion_compte", "alice")
    assert not ratelimit.hit("connexion_compte", "alice")
    assert not CompteurLimite.objects.exists()  # counted in Redis only
    _limit, period, window_start = ratelimit._window("2/10m")
    key = caches["default"].make_and_validate_key(
        f"{ratelimit._key('connexion_compte', 'alice')}:{window_start}"
    )
    ttl = caches["default"]._cache.get_client(key).ttl(key)
    assert 0 < ttl <= period + 5
    ratelimit.reset("connexion_compte", "alice")
    assert not ratelimit.exceeded("connexion_compte", "alice")


def _recorded(method, calls: list):
    def wrapper(self, *args, **kwargs):
        calls.append(args)
        return method(self, *args, **kwargs)

    return wrapper


# --- sign-in: per username across IPs, not for long ---------------------------------------------

PASSWORD = "motdepasse-de-test-123"


def _login(client, username, password, ip):
    return client.post("/espace/connexion/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.lent(4)
def test_spraying_one_account_from_many_ips_locks_it_briefly(client, make_user):
    """4 wrong passwords on each of 8 accounts from each of 8 IPs (under django-axes' username + IP
    limit) now closes the 8 accounts, even to the right password; after the short window they open."""
    users = [make_user(username=f"agent-{n}") for n in range(8)]
    for user in users:
        for ip in range(8):
            for _ in range(4):
                _login(client, user.username, "mauvais", f"10.0.0.{ip}")
    for user in users:
        response = _login(client, user.username, PASSWORD, "10.9.9.9")
        assert response.status_code == 429 and "bloquée" in response.text
    later = timezone.now() + dt.timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        assert _login(client, users[0].username, PASSWORD, "10.9.9.9").status_code == 302


def test_a_few_mistakes_do_not_lock_an_account(client, make_user):
    """Under the per-username limit, the right password still opens the account from a new IP."""
    user = make_user(username="agent-distrait")
    for ip in range(3):
        for _ in range(3):
            _login(client, user.username, "mauvais", f"10.0.1.{ip}")
    assert _login(client, user.username, PASSWORD, "10.0.1.9").status_code == 302


def test_password_reset_reopens_a_locked_account(client, make_user):
    """The real owner is not kept out: a new password through the emailed link reopens sign-in."""
    user = make_user(username="agent-vise")
    for ip in range(12):
        _login(client, user.username, "mauvais", f"10.0.2.{ip}")
    assert _login(client, user.username, PASSWORD, "10.0.2.99").status_code == 429
    client.post("/espace/mot-de-passe/oublie/", {"email": user.email})
    link = re.search(r"(/espace/mot-de-passe/nouveau/\S+/)", mail.outbox[-1].body).group(1)
    page = client.get(link, follow=True)
    nouveau = "un-autre-mot-de-passe-42"
    client.post(page.redirect_chain[-1][0], {"new_password1": nouveau, "new_password2": nouveau})
    assert _login(client, user.username, nouveau, "10.0.2.99").status_code == 302


# --- password reset: 12 posts do not send 12 emails ---------------------------------------------


def test_password_reset_sends_few_emails_and_answers_the_same(client, make_user):
    """12 posts for one address from 12 IPs send 3 emails; every answer is the same « envoyé » page."""
    user = make_user(username="agent-reset")
    answers = set()
    for ip in range(12):
        response = client.post(
            "/espace/mot-de-passe/oublie/", {"email": user.email}, REMOTE_ADDR=f"10.0.3.{ip}"
        )
        answers.add((response.status_code, response["Location"]))
    assert answers == {(302, "/espace/mot-de-passe/oublie/envoye/")}
    assert len(mail.outbox) == 3


def test_password_reset_answers_the_same_for_an_unknown_address(client):
    """No account behind the address: the same redirect, no email."""
    response = client.post("/espace/mot-de-passe/oublie/", {"email": "personne@example.org"})
    assert (response.status_code, response["Location"]) == (302, "/espace/mot-de-passe/oublie/envoye/")
    assert not mail.outbox


def test_password_reset_form_is_limited_per_ip(client, limits):
    """Per IP the form comes back with a 429 after RATELIMITS["mot_de_passe"] posts."""
    limits("mot_de_passe", "5/h")
    codes = [
        client.post("/espace/mot-de-passe/oublie/", {"email": f"a{n}@example.org"}).status_code
        for n in range(12)
    ]
    assert codes == [302] * 5 + [429] * 7


# --- what the citizen sees, in Chromium ----------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False])
def test_refused_form_in_the_browser(request, live_server, limits, javascript):
    """A refused callback request, with and without JavaScript: the message above the form, the text
    still in the fields; 0 axe violations at 1280 and 320 px and valid HTML."""
    from tests.a11y import assert_accessible, assert_valid_html

    page = request.getfixturevalue("page" if javascript else "page_nojs")
    limits("rappel", "1/h")
    url = live_server.url + "/demarches/rappel/"
    for objet in ["Première demande", "Ma carte grise, texte gardé"]:
        page.goto(url)
        page.fill("#id_nom", "Ali Benali")
        page.fill("#id_telephone", "06 12 34 56 78")
        page.fill("#id_objet", objet)
        with page.expect_navigation() as navigation:
            page.click("button[type=submit]")
    assert navigation.value.status == 429
    assert page.locator("#limite-depassee").is_visible()
    assert "Trop de demandes" in page.locator("#limite-depassee").inner_text()
    assert page.input_value("#id_objet") == "Ma carte grise, texte gardé"
    assert page.input_value("#id_nom") == "Ali Benali"
    banner_y = page.locator("#limite-depassee").bounding_box()["y"]
    assert banner_y < page.locator("#id_objet").bounding_box()["y"]
    if javascript:  # axe runs in the page: it needs JavaScript (the markup is the same without it)
        assert_accessible(page)
        assert_valid_html({"rappel-refusé": page.content()})
