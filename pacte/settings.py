"""Settings for Pacte usagers.

One module, production by default: every value comes from the environment (12-factor).
`DEBUG=1` gives the embedded developer default (SQLite when no DATABASE_URL, eager Celery when
no REDIS_URL, console mail and SMS). Under pytest the test profile applies (see TESTING).
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value is None else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


# The test profile: pytest imports these settings before any conftest can set a variable.
TESTING = "pytest" in sys.modules or env("DJANGO_ENV") == "test"

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-dev-only-key-never-used-in-production-0123456789abcdef"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set outside DEBUG (see .env.example).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL of the links in emails and SMS. Explicit and required in production; in DEBUG
# without a value it follows the address the development server is reached at
# (`make run PORT=8801` gives http://127.0.0.1:8801 links; see pacte.site.SiteUrlMiddleware).
SITE_URL = (env("SITE_URL") or "").rstrip("/")
SITE_URL_FROM_REQUEST = DEBUG and not SITE_URL
if not SITE_URL:
    if DEBUG or TESTING:
        SITE_URL = "http://127.0.0.1:8000"
    else:
        raise ImproperlyConfigured(
            "SITE_URL must be set outside DEBUG, e.g. https://pacte.lyon.fr (see .env.example)."
        )

# Keys encrypting the outbox's message bodies at rest (they carry secret links): comma-separated
# Fernet keys, the first encrypts, all decrypt (rotation: put the new key first, keep the old one
# until the pending messages are sent). Generate one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
# Derived from SECRET_KEY in DEBUG and tests only; production refuses to start without one.
NOTIFICATION_ENCRYPTION_KEYS = env_list("NOTIFICATION_ENCRYPTION_KEYS")
if not NOTIFICATION_ENCRYPTION_KEYS:
    if DEBUG or TESTING:
        import base64
        import hashlib

        NOTIFICATION_ENCRYPTION_KEYS = [
            base64.urlsafe_b64encode(
                hashlib.sha256(b"pacte.notifications:" + SECRET_KEY.encode()).digest()
            ).decode()
        ]
    else:
        raise ImproperlyConfigured(
            "NOTIFICATION_ENCRYPTION_KEYS must be set outside DEBUG (see .env.example)."
        )
try:
    from cryptography.fernet import Fernet

    for _key in NOTIFICATION_ENCRYPTION_KEYS:
        Fernet(_key)
except ValueError as exc:
    raise ImproperlyConfigured(
        "NOTIFICATION_ENCRYPTION_KEYS holds a key that is not a Fernet key (32 bytes, url-safe base64)."
    ) from exc

INSTALLED_APPS = [
    # Before the admin: translated model fields (démarches, lieux, agendas, Pacte actions), #17.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The shared kernel: the project package and its modules.
    "pacte",
    "pacte.booking",
    "pacte.tracker",
    # Feature apps.
    "nonrecours",
    "demarches",
    "ecrivains",
    "mediation",
    "mediation.rapport",
    "arrondissements",
]

MIDDLEWARE = [
    # Permissions-Policy and no-store on private answers, for every response (pacte.requetes).
    "pacte.requetes.ResponseHeadersMiddleware",
    # deploy: health probes (/sante/…) are answered first, before host checks and redirects.
    "pacte.sante.SanteMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Response headers first, so that every answer carries them, the guard's refusals included.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Bad bytes and oversize bodies refused before anything reads them (pacte.requetes).
    "pacte.requetes.RequestGuardMiddleware",
    "pacte.site.SiteUrlMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # /facile/… : the easy-to-read version, in French, under its own script prefix (pacte.facile).
    "pacte.facile.FacileMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Staff pages in French whatever the URL's language; the citizen's choice kept in a cookie.
    "pacte.langues.LangueMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pacte.securite.StaffSecurityMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pacte.urls"
FORM_RENDERER = "pacte.forms_renderer.PortailRenderer"
WSGI_APPLICATION = "pacte.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pacte.context_processors.portail",
            ],
            # {% translate %} and {% blocktranslate %} in every template without {% load i18n %} (#17).
            "builtins": [
                "django.templatetags.static",
                "django.templatetags.i18n",
                "pacte.templatetags.francais",
                # {% traduit obj "champ" %}: translated content, French marked lang="fr" (#17.4).
                "pacte.templatetags.traductions",
            ],
        },
    }
]

DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / env("SQLITE_NAME", "db.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
# Covering indexes (INCLUDE) exist on PostgreSQL only; SQLite, the embedded default, ignores them.
SILENCED_SYSTEM_CHECKS = [] if DATABASE_URL else ["models.W040"]
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")} if env("TEST_DATABASE_NAME") else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- deploy (#16.7): a bounded PostgreSQL connection pool per process --------------------------
# Each process (a gunicorn worker and its threads, a Celery worker process) keeps at most
# DB_POOL_MAX_SIZE connections; the sum over all processes must stay below what PostgreSQL allows
# (sizing in docs/exploitation.md). A request that gets no connection within DB_POOL_TIMEOUT
# seconds is answered 503 « réessayez dans un instant » with its form kept (pacte.indisponible).
# Django's pool and persistent connections exclude each other: with the pool CONN_MAX_AGE is 0 and
# every request hands its connection back to the pool. No pool on SQLite (`make run`) nor inside
# pytest (pytest-django drives one connection per test); the servers the tests start do use it.
DB_POOL = env_bool("DB_POOL", not TESTING) and DATABASES["default"]["ENGINE"].endswith("postgresql")
if DB_POOL:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN_SIZE", 1),
        "max_size": env_int("DB_POOL_MAX_SIZE", 4),
        "timeout": env_int("DB_POOL_TIMEOUT", 10),
    }
# --- end deploy ---------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "connexion"
LOGIN_REDIRECT_URL = "mon_espace"
LOGOUT_REDIRECT_URL = "accueil"

# The languages of the citizen pages (#17), each named in its own language (the switcher shows
# these names): adding one is this line plus its catalogue, locale/<code>/LC_MESSAGES/django.po
# (docs/langues.md). French is the default: its URLs carry no prefix; staff pages stay in
# French whatever the URL or cookie (pacte.langues). Right-to-left comes from Django (LANGUAGE_BIDI).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English"), ("ar", "العربية")]
LANGUAGE_COOKIE_NAME = "langue"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content from the database (démarches, lieux, agendas, Pacte actions) in each language, French the
# source and the fallback of a missing translation (pacte.traductions).
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "uploads")))  # outside the web root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads: files above 2 MB are spooled to disk; the text fields of one request take at most
# 2.5 MB. The whole request is capped at the door (REQUEST_MAX_BYTES, below, with the apps'
# attachment limits); pacte.checks keeps the three consistent.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Security: production by default.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not (DEBUG or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_ENGINE = "pacte.sessions"  # the database store, fewer round trips (pacte/sessions.py)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if (DEBUG or TESTING) else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Powerful browser features the portal never uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Brute-force protection (django-axes): lock on user + IP with a cool-off.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/verrouille.html"
AXES_RESET_ON_SUCCESS = True

# Mail and SMS. Only what lies outside the machine is mocked: the SMS provider sits behind a seam.
_email_backend = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_email_options: dict = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env("EMAIL_HOST_USER", ""),
        "password": env("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
elif _email_backend.endswith("filebased.EmailBackend"):
    _email_options = {"file_path": env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mails"))}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", "Ville de Lyon — Pacte usagers <ne-pas-repondre@pacte.lyon.fr>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env(
    "SMS_BACKEND", "pacte.sms.ConsoleBackend" if (DEBUG or TESTING) else "pacte.sms.HttpBackend"
)
SMS_HTTP_URL = env("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", "")
SMS_SENDER = env("SMS_SENDER", "VilleLyon")
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)

# Public contact values shown to citizens.
LYON_EN_DIRECT_PHONE = env("LYON_EN_DIRECT_PHONE", "04 72 10 30 30")
LYON_EN_DIRECT_HOURS = env("LYON_EN_DIRECT_HOURS", "du lundi au vendredi de 8 h 30 à 17 h")
MEDIATEUR_EMAIL = env("MEDIATEUR_EMAIL", "mediateur@mairie-lyon.fr")
MEDIATEUR_ADDRESS = env(
    "MEDIATEUR_ADDRESS", "Médiateur de la Ville de Lyon, Hôtel de Ville, 69205 Lyon Cedex 01"
)
CITY_POSTAL_ADDRESS = env("CITY_POSTAL_ADDRESS", "Hôtel de Ville, 1 place de la Comédie, 69205 Lyon Cedex 01")

# Celery: Redis when REDIS_URL is set, otherwise tasks run eagerly in the web process.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", (not REDIS_URL) or TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# deploy (#16.6): workers and beat never give up on the broker. A Redis restart or a network cut of
# any length is waited out with kombu's capped backoff (2 s, 4 s, … then every 30 s), and work
# resumes without anyone restarting a process. Publishing from a web request stays bounded (below).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishing never blocks a citizen's request for long: if the broker is down the outbox row simply
# waits for the beat flush (G5).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}  # filled by pacte.celery from each app's `BEAT_SCHEDULE`

# Reference content (opening rules, closures) cached across requests, invalidated on save
# (pacte.cache_reference): only where the cache is shared by every web process.
REFERENCE_CACHE = env_bool("REFERENCE_CACHE", bool(REDIS_URL) or TESTING or DEBUG)
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Two sites (or two bench runs) sharing one Redis database keep their keys apart.
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", ""),
        }
        if REDIS_URL and not TESTING
        # Room for the serialised calendar events (pacte.booking.ics) beside the reference content:
        # the default 300 entries would evict the cache's own version numbers.
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20000}}
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING" if TESTING else "INFO")},
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Business rules that the City configures.
DISCLOSURE_THRESHOLD = env_int("DISCLOSURE_THRESHOLD", 11)
DEMO_ACCOUNTS = env_bool("DEMO_ACCOUNTS", DEBUG)
CSRF_FAILURE_VIEW = "pacte.views.erreur_csrf"
AXES_VERBOSE = False
# In development and tests whitenoise serves straight from the app/static directories.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Staff accounts: second factor (TOTP) and idle timeout. 2FA is on by default in production;
# the embedded developer default and the tests switch it off unless asked (tests enable it).
STAFF_2FA_REQUIRED = env_bool("STAFF_2FA_REQUIRED", not (DEBUG or TESTING))
STAFF_IDLE_TIMEOUT = env_int("STAFF_IDLE_MINUTES", 30) * 60
# Replacing an authenticator app or the backup codes needs the password typed this recently.
STAFF_REAUTH_SECONDS = env_int("STAFF_REAUTH_MINUTES", 5) * 60
STAFF_IDLE_WARNING = 120  # seconds before expiry when the page warns (with JavaScript)
OTP_TOTP_ISSUER = "Ville de Lyon — Pacte usagers"

# --- Business settings of the apps ------------------------------------------------------------
# Deadlines, retention periods and limits the City may change. Each is read here, once, from the
# environment (listed with its default in .env.example); the apps read `settings.X` directly.
# tests/test_settings_env.py checks that every setting the apps use exists here and in .env.example.

# Booking engine (pacte/booking): the secret link lives until N days after the appointment;
# names and contact details are erased N days after it (attempts per link: RATELIMITS["lien"]).
BOOKING_TOKEN_DAYS_AFTER = env_int("BOOKING_TOKEN_DAYS_AFTER", 7)
BOOKING_RETENTION_DAYS = env_int("BOOKING_RETENTION_DAYS", 90)
# Minutes a slot stays held for the visitor who opened its booking form (others see it taken; 0: off).
BOOKING_RETENUE_MINUTES = env_int("BOOKING_RETENUE_MINUTES", 10)
# Seconds during which an agent may undo a cancellation made on someone's behalf (the message to
# the person leaves only after them).
BOOKING_ANNULATION_DELAI_SECONDES = env_int("BOOKING_ANNULATION_DELAI_SECONDES", 120)
# Days during which a partner sees a booking they made for a person (then 404: the person's own
# secret link is the only way back to it).
PARTENAIRE_VISIBILITE_JOURS = env_int("PARTENAIRE_VISIBILITE_JOURS", 30)
# The waiting list of every agenda (pacte.booking.attente): how long an offer link stays valid
# (hours, never beyond the slot's start); entries are deleted N days after the end of what they
# waited for (or after they left the list): « fin de la permanence + 30 jours »
# (docs/registre-traitements.md).
BOOKING_ATTENTE_OFFRE_HEURES = env_int("BOOKING_ATTENTE_OFFRE_HEURES", 2)
BOOKING_ATTENTE_RETENTION_JOURS = env_int("BOOKING_ATTENTE_RETENTION_JOURS", 30)
# The staff calendar feed (ICS) shows the appointments from N days back to the agendas' horizon.
BOOKING_FLUX_JOURS_PASSES = env_int("BOOKING_FLUX_JOURS_PASSES", 30)

# Attachments received with a form re-shown for an error are kept this long (hours) for it.
UPLOADS_TEMPORAIRES_HEURES = env_int("UPLOADS_TEMPORAIRES_HEURES", 24)

# Pacte tracker: size of an imported CSV (bytes).
TRACKER_IMPORT_MAX_OCTETS = env_int("TRACKER_IMPORT_MAX_OCTETS", 1_000_000)
# A subscription never confirmed is deleted after N days (data minimisation).
TRACKER_ABONNEMENT_NON_CONFIRME_JOURS = env_int("TRACKER_ABONNEMENT_NON_CONFIRME_JOURS", 7)

# Démarches: the callback promise (business days), failed calls before the fallback (SMS or
# letter), and how long closed callback requests keep the caller's details (days).
RAPPEL_DELAI_JOURS_OUVRES = env_int("RAPPEL_DELAI_JOURS_OUVRES", 2)
RAPPEL_TENTATIVES_MAX = env_int("RAPPEL_TENTATIVES_MAX", 3)
# A failed call counts towards RAPPEL_TENTATIVES_MAX only inside the line's opening half-days
# (business days, "HH:MM-HH:MM") and at least RAPPEL_ECART_MIN_MINUTES after the last counted one.
RAPPEL_ECART_MIN_MINUTES = env_int("RAPPEL_ECART_MIN_MINUTES", 120)
RAPPEL_MATIN = env("RAPPEL_MATIN", "08:30-12:30")
RAPPEL_APRES_MIDI = env("RAPPEL_APRES_MIDI", "13:30-17:00")
RETENTION_RAPPELS_DAYS = env_int("RETENTION_RAPPELS_DAYS", 90)

# Écrivains publics: how many days ahead the public finder looks for the next free slot.
ECRIVAINS_RECHERCHE_JOURS = env_int("ECRIVAINS_RECHERCHE_JOURS", 60)

# Médiation: acknowledgement, answer and position deadlines (business days), days between two
# reminders of an overdue request for position, years after closure before a case is anonymised,
# days the follow-up link lives after the last activity, attachments per message and their size.
MEDIATION_DELAI_ACCUSE_JOURS = env_int("MEDIATION_DELAI_ACCUSE_JOURS", 2)
MEDIATION_DELAI_REPONSE_JOURS = env_int("MEDIATION_DELAI_REPONSE_JOURS", 30)
MEDIATION_DELAI_POSITION_JOURS = env_int("MEDIATION_DELAI_POSITION_JOURS", 15)
MEDIATION_RELANCE_INTERVALLE_JOURS = env_int("MEDIATION_RELANCE_INTERVALLE_JOURS", 5)
MEDIATION_RETENTION_ANNEES = env_int("MEDIATION_RETENTION_ANNEES", 5)
MEDIATION_LIEN_SUIVI_JOURS = env_int("MEDIATION_LIEN_SUIVI_JOURS", 400)
MEDIATION_MAX_FICHIERS = env_int("MEDIATION_MAX_FICHIERS", 5)
MEDIATION_MAX_TAILLE = env_int("MEDIATION_MAX_TAILLE", 5 * 1024 * 1024)

# Arrondissements: the default answer commitment per urgency (business days; an Engagement row in
# the admin overrides it), reminders to référents N business days before, attachments per message.
ARRONDISSEMENTS_DELAIS = {
    "urgente": env_int("ARRONDISSEMENTS_DELAI_URGENTE", 2),
    "prioritaire": env_int("ARRONDISSEMENTS_DELAI_PRIORITAIRE", 5),
    "normale": env_int("ARRONDISSEMENTS_DELAI_NORMALE", 10),
}
ARRONDISSEMENTS_RAPPEL_JOURS = env_int("ARRONDISSEMENTS_RAPPEL_JOURS", 2)
ARRONDISSEMENTS_MAX_FICHIERS = env_int("ARRONDISSEMENTS_MAX_FICHIERS", 5)

# The largest request the portal accepts, refused on its Content-Length before the body is read
# (pacte.requetes, 413): the largest attachment form (files × size per file) plus its text fields.
REQUEST_MAX_BYTES = (
    max(MEDIATION_MAX_FICHIERS * MEDIATION_MAX_TAILLE, ARRONDISSEMENTS_MAX_FICHIERS * 5 * 1024 * 1024)
    + DATA_UPLOAD_MAX_MEMORY_SIZE
)
# Élus' requests are anonymised N days after the end of the municipal mandate they were filed in
# (« durée du mandat + 1 an »); the ends of mandates, ISO dates (add the next one once it is known).
ARRONDISSEMENTS_RETENTION_APRES_MANDAT_JOURS = env_int("ARRONDISSEMENTS_RETENTION_APRES_MANDAT_JOURS", 365)
MANDATS_FIN = env_list("MANDATS_FIN", "2020-06-28,2026-03-22")

# Kernel retention: delivered outbox messages and login records are purged after N days.
RETENTION_OUTBOX_DAYS = env_int("RETENTION_OUTBOX_DAYS", 90)
RETENTION_LOGIN_LOG_DAYS = env_int("RETENTION_LOGIN_LOG_DAYS", 180)

# The one table of limits (pacte/ratelimit.py), "count/period" with period s, m, h or d ("10/15m").
# Public forms count per client IP, only when RATELIMIT_ENABLED (off for load benchmarks only);
# the *_compte limits protect one account or address and always count.
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", not TESTING)  # tests/test_ratelimits.py switches it on
RATELIMITS = {
    "reservation": env("RATELIMIT_RESERVATION", "30/h"),  # booking and waiting-list forms
    "rappel": env("RATELIMIT_RAPPEL", "10/h"),
    "saisine": env("RATELIMIT_SAISINE", "10/h"),
    "difficulte": env("RATELIMIT_DIFFICULTE", "20/h"),  # « je n'y arrive pas »
    "abonnement": env("RATELIMIT_ABONNEMENT", "5/h"),  # following a Pacte action by email
    "identite": env("RATELIMIT_IDENTITE", "20/h"),  # identity checks behind secret links
    "mot_de_passe": env("RATELIMIT_MOT_DE_PASSE", "5/h"),  # password-reset form, per IP
    # Reset emails per address, whatever the IP (the page answers the same either way).
    "mot_de_passe_compte": env("RATELIMIT_MOT_DE_PASSE_COMPTE", "3/h"),
    # Failed sign-ins per username across all IPs (django-axes counts per username + IP). A short
    # window: an attacker can only keep an account closed while attacking, minutes at a time.
    "connexion_compte": env("RATELIMIT_CONNEXION_COMPTE", "10/10m"),
    # Slot holds taken by opening booking forms (beyond it the form shows, without a hold).
    "retenue": env("RATELIMIT_RETENUE", "20/h"),
    # Bookings a partner makes for people, per partner account (not per IP: a CCAS office shares one).
    "partenaire": env("RATELIMIT_PARTENAIRE", "30/h"),
    # Per secret link, not per IP: wrong identity answers or uses of one link (pacte.secret_links).
    "lien": env("RATELIMIT_LIEN", "5/h"),
    # Per staff calendar feed (ICS), whatever the IP: calendar apps poll from shared servers.
    "flux_agenda": env("RATELIMIT_FLUX_AGENDA", "60/h"),
}
RATELIMIT_TRUST_X_FORWARDED_FOR = env_bool("RATELIMIT_TRUST_X_FORWARDED_FOR", False)
