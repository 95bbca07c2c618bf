"""Shared fixtures: reference data in every database test, staff users by role, the SMS outbox."""

from __future__ import annotations

import io
import os
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from pacte import sms
from tests import reference_snapshot

# The browser layer (Chromium, axe, pages with and without JavaScript), one instance per session.
pytest_plugins = ["tests.browser_layer"]


def pytest_addoption(parser):
    parser.addoption(
        "--start-at",
        metavar="ISO-8601",
        help="run the tests as if the clock read this moment when they start, then ticking "
        "(e.g. 2026-12-01T23:50+01:00): proves that no test depends on the hour it runs at",
    )


def _own_redis_database(worker: str) -> None:
    """Under pytest-xdist each worker (gw0, gw1…) has its own PostgreSQL test database (pytest-django
    suffixes its name) and, here, its own Redis database: one worker's queues and heartbeats never
    meet another's. The processes its tests start (a real Celery worker) inherit it."""
    from django.conf import settings

    from pacte.celery import app

    if not settings.REDIS_URL:
        return
    url = urlsplit(settings.REDIS_URL)
    number = (int(url.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))) % 16
    redis_url = url._replace(path=f"/{number}").geturl()
    settings.REDIS_URL = settings.CELERY_BROKER_URL = os.environ["REDIS_URL"] = redis_url
    app.conf.broker_url = redis_url


def pytest_configure(config):
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker:
        _own_redis_database(worker)
    start = config.getoption("--start-at", None)
    if start:
        import datetime as dt

        import time_machine

        moment = dt.datetime.fromisoformat(start)
        if moment.tzinfo is None:
            raise pytest.UsageError("--start-at needs an offset, e.g. 2026-12-01T23:50+01:00")
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def _lent_seconds(item) -> float:
    return float(item.get_closest_marker("lent").args[0])


def pytest_collection_modifyitems(config, items):
    """Tests marked `lent(seconds)` (long: waiting on real processes — a Redis outage, a saturated
    pool, `make` —, or computing — migrations back and forth, the HTML checker, many property
    examples; `make test-fast` leaves them out) start first, spread over the xdist workers, so that their waiting
    overlaps the other tests instead of ending the run alone. pytest-xdist's worksteal first gives
    each worker a contiguous share of the collection (worker k: what remains // (n - k)); each
    share starts with its long tests (longest first, each to the least loaded share), then the
    others in collection order. Every worker collects in this same order."""
    long = sorted(
        (item for item in items if item.get_closest_marker("lent")), key=_lent_seconds, reverse=True
    )
    if not long:
        return
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    sizes, remaining = [], len(items)
    for k in range(workers):
        sizes.append(remaining // (workers - k))
        remaining -= sizes[-1]
    shares: list[list] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for item in long:
        k = min((k for k in range(workers) if len(shares[k]) < sizes[k]), key=lambda k: loads[k])
        shares[k].append(item)
        loads[k] += _lent_seconds(item)
    others = iter(item for item in items if not item.get_closest_marker("lent"))
    for k, share in enumerate(shares):
        share.extend(next(others) for _ in range(sizes[k] - len(share)))
    items[:] = [item for share in shares for item in share]


def _needs_db(request) -> str | None:
    names = request.fixturenames
    if "live_server" in names or "transactional_db" in names:
        return "transactional_db"
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        return "transactional_db" if marker.kwargs.get("transaction") else "db"
    if "db" in names:
        return "db"
    return None


def _load_reference() -> None:
    call_command("load_reference", stdout=io.StringIO(), verbosity=0)


def _reference_missing() -> bool:
    from pacte.models import Arrondissement

    return not Arrondissement.objects.exists()


# The database blocker once the test database is ready (pytest-django's django_db_blocker).
_test_database: dict = {"blocker": None}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference data is loaded once per test database (one per xdist worker), committed: each
    test then runs in a transaction that rolls back to it, and each transactional test ends by
    putting it back from a copy (tests/reference_snapshot.py). A reused database starts empty."""
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        _load_reference()
        reference_snapshot.take()
    reference_snapshot.install()
    _test_database["blocker"] = django_db_blocker
    yield
    _test_database["blocker"] = None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    """Safety net: should a test leave the database without its reference data (a migration test, a
    flush of its own), it is loaded again, committed, before the next test opens its transaction."""
    blocker = _test_database["blocker"]
    if blocker is not None:
        with blocker.unblock():
            if _reference_missing():
                _load_reference()
    return (yield)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Every database test starts with the reference data (territory, catalogues) loaded."""
    kind = _needs_db(request)
    if kind is None:
        return
    request.getfixturevalue(kind)
    if _reference_missing():
        _load_reference()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (reference content, rate limits): no test sees what
    another cached (pacte.cache_reference)."""
    from django.core.cache import cache

    from pacte import cache_reference

    cache.clear()
    cache_reference._local.clear()


@pytest.fixture(autouse=True)
def _french_after_each_test():
    """The test client's requests leave their language active in the test's thread (LocaleMiddleware
    activates it and nothing resets it): a test that asked for /en/ or /ar/ pages would leave the
    next ones reversing /en/ URLs and writing `titre=` into the English column (pacte.traductions)."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    """SMS go to an in-memory outbox in tests (the provider lies outside the machine)."""
    settings.SMS_BACKEND = "pacte.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def sms_outbox(_sms_outbox):
    return _sms_outbox


TOUS_LES_JOURS = [(j, "08:00", "20:00") for j in range(7)]  # open every day (browser journeys)


@pytest.fixture
def demarche_reservable(db):
    """« Carte nationale d'identité et passeport » bookable online at the Hôtel de Ville, every day
    8:00–20:00, 3 places a slot (1 kept for agents), from now on: the citizen journeys in Chromium."""
    from demarches.enums import TypeAlternative
    from demarches.models import Demarche
    from pacte.booking.demo import agenda_demo
    from pacte.models import Lieu

    demarche = Demarche.objects.get(code="titres_identite")
    agenda = agenda_demo(
        Lieu.objects.get(slug="hotel-de-ville"),
        "Carte d'identité et passeport",
        "demarches",
        regles=TOUS_LES_JOURS,
        capacite=3,
        places_agents=1,
        duree_creneau=20,
        delai_min_heures=0,
    )
    demarche.alternatives.get(type=TypeAlternative.GUICHET).agendas.add(agenda)
    return demarche


@pytest.fixture
def redis_down(settings):
    """The cache (Redis) on a dead port, the rate limits on: what a Redis outage looks like to a view."""
    from tests.services import free_port

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    settings.RATELIMIT_ENABLED = True
    yield
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def make_user(db):
    """Create a staff user with a role and optional profile fields (direction, arrondissement, lieu)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from pacte.models import Profil
    from pacte.roles import ensure_groups

    counter = {"n": 0}

    def factory(role: str | None = None, *, username: str | None = None, **profile):
        ensure_groups()
        counter["n"] += 1
        user = get_user_model().objects.create_user(
            username=username or f"{role or 'user'}-{counter['n']}",
            password="motdepasse-de-test-123",
            email=f"{username or role or 'user'}-{counter['n']}@example.org",
            first_name="Prénom",
            last_name=f"Nom{counter['n']}",
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        Profil.objects.create(user=user, **profile)
        return user

    return factory


# Security-relevant settings taken, as they are in production, from pacte/settings.py evaluated
# without the test profile (a subprocess with production environment variables).
PRODUCTION_KEYS = [
    "DEBUG",
    "ALLOWED_HOSTS",
    "STAFF_2FA_REQUIRED",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "RATELIMIT_ENABLED",
    "AXES_ENABLED",
    "STAFF_IDLE_TIMEOUT",
    "STAFF_REAUTH_SECONDS",
]
PRODUCTION_HOST = "pacte.lyon.fr"


@pytest.fixture(scope="session")
def production_values() -> dict:
    import json
    import os
    import secrets
    import subprocess
    import sys
    from pathlib import Path

    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    from cryptography.fernet import Fernet

    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=PRODUCTION_HOST,
        SITE_URL=f"https://{PRODUCTION_HOST}",
        NOTIFICATION_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    code = (
        "import json,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','pacte.settings');"
        "from django.conf import settings as s;"
        f"print(json.dumps({{k: getattr(s, k) for k in {PRODUCTION_KEYS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture
def production_mode(settings, production_values):
    """Production security settings (2FA on, HTTPS only, rate limits and lockout on…) for this test;
    returns a test client that speaks HTTPS to the production host."""
    from django.test import Client

    class HttpsClient(Client):
        def generic(self, *args, secure=True, **kwargs):
            return super().generic(*args, secure=True, **kwargs)

    for key, value in production_values.items():
        setattr(settings, key, value)
    assert settings.STAFF_2FA_REQUIRED and not settings.DEBUG and settings.SECURE_SSL_REDIRECT
    return HttpsClient(HTTP_HOST=PRODUCTION_HOST)


@pytest.fixture
def verified_login():
    """Sign `client` in as `user` the way production does: password form, then a TOTP code."""

    def do_login(client, user, password="motdepasse-de-test-123"):
        import time

        from django_otp.oath import TOTP
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Téléphone", confirmed=True
        )
        response = client.post("/espace/connexion/", {"username": user.get_username(), "password": password})
        assert response.status_code == 302, response.status_code
        totp = TOTP(device.bin_key)
        totp.time = time.time()
        response = client.post("/espace/verification/", {"code": f"{totp.token():06d}"})
        assert response.status_code == 302 and client.session.get("otp_device_id"), response.status_code
        return device

    return do_login


def ecrivain_with_appointment(make_user, *, structure, lieu, titre, heure, nom, prenom):
    """A new écrivain public with a one-hour permanence on the next business day at `heure` (an
    int) in the lieu of slug `lieu`, and one appointment on it. Returns (permanence, reservation)."""
    import datetime as dt

    from ecrivains.models import EcrivainPublic
    from ecrivains.services import Regle, permanence_create
    from pacte.booking.selectors import local_tz
    from pacte.booking.services import reservation_create
    from pacte.models import Lieu
    from pacte.roles import Role
    from tests.ecrivains.conftest import jour_ouvre

    ecrivain = make_user(Role.ECRIVAIN)
    EcrivainPublic.objects.create(user=ecrivain, structure=structure)
    day = jour_ouvre()
    permanence = permanence_create(
        lieu=Lieu.objects.get(slug=lieu),
        titre=titre,
        regles=[Regle(dt.time(heure), dt.time(heure + 1), date=day)],
        capacite=1,
        places_agents=0,
        delai_min_heures=0,
        langues=[],
        themes=[],
        ecrivains=[ecrivain.ecrivain_public],
    )
    debut = dt.datetime.combine(day, dt.time(heure), tzinfo=local_tz())
    reservation, _ = reservation_create(
        agenda=permanence.agenda, debut=debut, nom=nom, prenom=prenom, email="c@example.org"
    )
    return permanence, reservation


@pytest.fixture
def autre_ecrivain_objects(make_user):
    """Another écrivain's permanence (agenda) and an appointment on it."""
    return ecrivain_with_appointment(
        make_user,
        structure="Autre association",
        lieu="mairie-du-3e-arrondissement",
        titre="Permanence d'un autre écrivain",
        heure=10,
        nom="Иванов",
        prenom="Cœur",
    )
