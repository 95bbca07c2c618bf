"""Languages (#17): who sees which language, and the language a person was served in.

Pages (#17.1):

- The languages are `settings.LANGUAGES` (each named in its own language), French the default.
  Citizen URLs are under `i18n_patterns` (pacte/urls.py): French without a prefix, `/en/…`,
  `/ar/…`; Django's LocaleMiddleware activates the URL's language.
- Staff pages stay in French whatever the prefix or cookie: a view that requires an account
  (anything not `login_not_required`: */agent/*, the callback queue, coordination…) or any page
  seen by a signed-in person (agent, élu, médiateur, partner, admin) — `LangueMiddleware`.
  /espace/ and /admin/ are outside `i18n_patterns`, hence French already.
- The citizen's choice is kept in Django's language cookie (`LANGUAGE_COOKIE_NAME`): the switcher
  is made of plain links to the same page in each language, and the page they lead to records
  its language in the cookie (set only when it changes, never for a French visitor without one).
- The cookie is read back: a citizen who chose English or Arabic and opens an unprefixed (French)
  citizen page — a bookmark, a typed address, a link from another site — is sent (302, GET only)
  to the same page in their language (`LangueMiddleware`, `redirection_langue`). Never for a POST,
  an htmx request, a staff page, a signed-in person, /facile/ (the easy French is a choice in
  itself), nor an address outside the translated URLs (/espace/, /admin/, /sante/, static files).
  The switcher's link to French carries `?langue_site=fr` (`MARQUEUR`): that request sets the cookie to
  French and redirects to the clean address, so the choice sticks without a Referer and cannot
  loop; the hreflang alternates keep clean addresses. Those unprefixed answers vary on the cookie
  (`Vary: Cookie`) so that a shared cache never serves one person's language to another.
- `langues(request)`: the switcher's and the `<link rel="alternate" hreflang>` entries.
- `url_langue(path, code)`: a path of this site in another language (links in messages).

Messages (#17.3): the language a person was served in, kept with what they asked for.

A booking, a callback request, a saisine, a waiting-list entry and a tracker subscription record
the language of the request that made them (`LangueField`: the active language, see
`langue_active`; agents and partners choose it for a caller in « Langue de la personne »,
`langue_form_field`). Every later message to that person (emails, SMS, reminders, offers, letters, the
agents' letter and call tasks) is then rendered in it: the person's language travels in
`pacte.notifications.Personne.langue` and `notify_person` renders under
`translation.override(langue)`, so the links it writes carry the language's prefix (/en/…, /ar/…).
Code that computes a message's subject or links before calling it does so inside
`dans_la_langue(obj.langue)`. Staff messages have no language: they stay French.

The languages are settings.LANGUAGES (one place); an unknown code falls back to French.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _

LANGUE_DEFAUT = "fr"

#: The query parameter of the switcher's links that records a choice (the link to French, which
#: has no prefix to say it): `?langue_site=fr`. Not « langue »: the écrivains' finder filters on it.
MARQUEUR = "langue_site"


def langue_choices() -> list[tuple[str, str]]:
    """The portal's languages, each named in its own language (settings.LANGUAGES)."""
    return list(settings.LANGUAGES)


def langue_valide(code: str | None) -> str:
    """`code` if it is one of the portal's languages (« en-gb » → « en »), else French."""
    codes = {code for code, _name in settings.LANGUAGES}
    code = (code or "").lower()
    if code in codes:
        return code
    return code.split("-")[0] if code.split("-")[0] in codes else LANGUE_DEFAUT


def langue_active() -> str:
    """The language of the current request (i18n prefix or cookie), French outside a request."""
    return langue_valide(translation.get_language())


def dans_la_langue(code: str | None):
    """A context manager: render messages, subjects and links in `code` (French if unknown)."""
    return translation.override(langue_valide(code))


class LangueField(models.CharField):
    """The language a record was made in: the active language by default, French for old rows."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("langue de la personne"))
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault("choices", langue_choices)
        kwargs.setdefault("default", langue_active)
        kwargs.setdefault("db_default", LANGUE_DEFAUT)
        super().__init__(*args, **kwargs)


def nom_francais(code: str | None) -> str:
    """« arabe », « anglais »: a language named in French for the agents; "" for French."""
    code = langue_valide(code)
    if code == LANGUE_DEFAUT:
        return ""
    with translation.override(LANGUE_DEFAUT):
        return translation.get_language_info(code)["name_translated"].lower()


def parle(code: str | None) -> str:
    """« parle arabe », « parle anglais » for the agents' lists; "" for French (nothing to say)."""
    nom = nom_francais(code)
    return f"parle {nom}" if nom else ""


def langue_form_field(**kwargs) -> forms.TypedChoiceField:
    """« Langue de la personne » for the agents' and partners' forms: French when not given."""
    return forms.TypedChoiceField(
        label="Langue de la personne",
        choices=langue_choices,
        initial=LANGUE_DEFAUT,
        required=False,
        empty_value=LANGUE_DEFAUT,
        help_text="Ses courriels, SMS et courriers seront écrits dans cette langue.",
        **kwargs,
    )


# --- pages ---------------------------------------------------------------------------------------


def page_agent(request) -> bool:
    """Whether this request shows a staff page (always in French). Known once the view is chosen."""
    return getattr(request, "page_agent", True)


def _poser_cookie(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _sans_prefixe(request) -> bool:
    return translation.get_language_from_path(request.path_info) is None


def redirection_langue(request) -> HttpResponseRedirect | None:
    """On a citizen page (GET): the switcher's `?langue_site=xx` records the choice and leads to the
    clean address; an unprefixed address opened by someone whose cookie says English or Arabic leads
    to the same page in that language (query string kept). None when the page is shown as asked."""
    from .facile import est_facile

    if request.method != "GET" or est_facile(request) or request.headers.get("HX-Request"):
        return None
    if MARQUEUR in request.GET:
        code = langue_valide(request.GET.get(MARQUEUR))
        query = request.GET.copy()
        query.pop(MARQUEUR)
        chemin = request.path + (f"?{query.urlencode()}" if query else "")
        response = HttpResponseRedirect(url_langue(chemin, code))
        _poser_cookie(response, code)
        patch_cache_control(response, private=True, no_cache=True)
        return response
    cookie = langue_valide(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if cookie == LANGUE_DEFAUT or not _sans_prefixe(request) or request.user.is_authenticated:
        return None
    chemin = request.get_full_path()
    cible = url_langue(chemin, cookie)
    if cible == chemin:  # not a translated address (/espace/, /admin/…)
        return None
    response = HttpResponseRedirect(cible)
    patch_vary_headers(response, ("Cookie",))
    patch_cache_control(response, private=True, no_cache=True)
    return response


class LangueMiddleware:
    """After authentication: staff pages in French under any prefix; the citizen's choice in the
    cookie, and read back on unprefixed citizen pages (`redirection_langue`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        langue = translation.get_language()
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        citoyen = not getattr(request, "page_agent", True)
        if (
            citoyen
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and cookie != langue
            and not (cookie is None and langue == settings.LANGUAGE_CODE)
        ):
            _poser_cookie(response, langue)
        if citoyen and _sans_prefixe(request):
            # The same address answers in French or redirects, depending on the cookie.
            patch_vary_headers(response, ("Cookie",))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        agent = getattr(view_func, "login_required", True)
        # Only outside French does it cost a look at the user (French pages: no work, no query).
        if not agent and translation.get_language() != settings.LANGUAGE_CODE:
            agent = request.user.is_authenticated
        request.page_agent = agent
        if agent and translation.get_language() != settings.LANGUAGE_CODE:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        if not agent:
            return redirection_langue(request)
        return None


@dataclass(frozen=True)
class Langue:
    code: str
    nom: str  # in its own language
    url: str  # the page in this language (the hreflang alternates)
    actuelle: bool
    bidi: bool

    @property
    def lien(self) -> str:
        """The switcher's link: to French, with the marker that records the choice (no prefix)."""
        if self.actuelle or self.code != LANGUE_DEFAUT:
            return self.url
        return f"{self.url}{'&' if '?' in self.url else '?'}{MARQUEUR}={self.code}"


@functools.lru_cache(maxsize=4096)
def url_langue(path: str, code: str) -> str:
    """`path` (a path of this site, query string kept) in language `code`; unchanged if unknown.
    The same for every visitor (URL patterns only): worked out once per process and path (#18.2)."""
    with translation.override(translation.get_language_from_path(path) or settings.LANGUAGE_CODE):
        return translate_url(path, code)


def langues(request) -> list[Langue]:
    """The same page in each language, for the switcher and the hreflang alternates; empty on staff
    pages (French only)."""
    if page_agent(request):
        return []
    from .facile import est_facile, hors_facile, url_complete

    actuelle = translation.get_language()
    path = request.get_full_path()
    # From the easy version (French, /facile/…), the other languages lead to their full page.
    complet = url_complete(request) if est_facile(request) else path
    with hors_facile(request):
        return [
            Langue(
                code,
                nom,
                path if code == actuelle else url_langue(complet, code),
                code == actuelle,
                translation.get_language_info(code)["bidi"],
            )
            for code, nom in settings.LANGUAGES
        ]
