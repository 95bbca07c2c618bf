"""« Français facile »: the easy-to-read version of the key citizen pages (#17.5).

One way to ask for it: the path prefix `/facile/` in front of a French citizen URL
(`/facile/demarches/carte-identite/`). It works without JavaScript, is a plain shareable URL and
does not meddle with the language prefixes (/en/, /ar/): the easy version is French.

`FacileMiddleware` takes the prefix off the path before URL resolution and serves the request
under the script prefix `/facile/`: every `reverse()` / `{% url %}` of the request (links,
redirects after a form, the menu) then stays in the easy version without any view knowing it.
The views are the same views (same forms, validation, services, honeypot); each one asks
`gabarit(request, name)` for its template, which is the easy one (`templates/facile/<name>`)
when the request is easy and there is one. A page without an easy version is served as it is
under the prefix, with the link back to the full version. Staff views (those that need an
account) are never easy: redirected to the full version.

What is cached across requests with URLs in it is kept per script prefix (pacte.cache_reference,
pacte.forms.blank_fields, the menu), and the links written into messages never carry the prefix
(pacte.site.absolute_url): messages are in standard French.

Texts written here for the easy version are « à relire par la Ville » (docs/langues.md).
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import get_script_prefix, set_script_prefix, translate_url
from django.utils import translation

PREFIXE = "/facile"

# The templates that have an easy version (templates/facile/<name>); tests/pacte/test_facile.py
# checks that each exists, answers 200 and links back to the full version.
GABARITS = frozenset(
    {
        "pacte/accueil.html",
        "demarches/detail.html",
        "demarches/includes/detail_contenu.html",
        "demarches/rappel_demande.html",
        "demarches/rappel_confirmation.html",
        "booking/formulaire.html",
        "booking/confirmation.html",
        "booking/gerer.html",
        "mediation/saisir.html",
        "mediation/saisie_envoyee.html",
        "booking/agenda.html",
        "booking/annuler.html",
        "booking/deplacer.html",
        "booking/identite.html",
        "booking/retrouver.html",
        "ecrivains/recherche.html",
        "ecrivains/permanence_detail.html",
        "mediation/suivi_identite.html",
        "mediation/suivi.html",
        "pacte/nouveau_lien_envoye.html",
    }
)


# A pictogram per idea: the first of these whose words appear in the sentence (« document » else).
PICTOS = [
    ("attention", ("attention", "important", "interdit")),
    ("carte-identite", ("carte d'identité", "passeport", "titre de séjour")),
    ("telephone", ("téléphone", "appel", "appelle", "numéro")),
    ("calendrier", ("rendez-vous", "date", "jour ")),
    ("horloge", ("heure", "minutes", "jours", "semaines", "temps", "attendre")),
    ("mairie", ("mairie", "guichet", "bureau")),
    ("lettre", ("lettre", "courrier", "courriel", "message")),
    ("ordinateur", ("internet", "en ligne", "site", "ordinateur")),
    ("aide", ("aide", "aider", "personne", "agent", "accompagn")),
]


@dataclass(frozen=True)
class Idee:
    texte: str
    picto: str


def picto_de(phrase: str) -> str:
    texte = phrase.lower()
    for picto, mots in PICTOS:
        if any(mot in texte for mot in mots):
            return picto
    return "document"


def idees(texte: str) -> list[Idee]:
    """An easy text (one idea a line) as its ideas, each with the pictogram its words call for."""
    lignes = [ligne.strip(" -•\t") for ligne in texte.splitlines()]
    return [Idee(ligne, picto_de(ligne)) for ligne in lignes if ligne]


def est_facile(request) -> bool:
    return getattr(request, "facile", False)


def gabarit(request, name: str) -> str:
    """The template a view renders: `facile/<name>` for an easy request when there is one; also
    marks the request as having an easy version (the « Lire en français facile » link)."""
    if name in GABARITS:
        request.version_facile = True
        if est_facile(request):
            request.page_facile = True
            return f"facile/{name}"
    return name


def sans_prefixe(path: str) -> str:
    """`path` without the easy prefix (a link written into a message is always the full version)."""
    if path.startswith(PREFIXE + "/"):
        return path[len(PREFIXE) :]
    return path


@contextmanager
def hors_facile(request):
    """URLs reversed inside are those of the full version (the language switcher's links)."""
    if not est_facile(request):
        yield
        return
    courant = get_script_prefix()
    set_script_prefix(request.facile_script_prefix)
    try:
        yield
    finally:
        set_script_prefix(courant)


def url_complete(request) -> str:
    """The full version of the current page (query string kept)."""
    query = request.META.get("QUERY_STRING", "")
    path = request.facile_script_prefix.rstrip("/") + request.path_info
    return path + ("?" + query if query else "")


@functools.lru_cache(maxsize=4096)
def _en_francais(path_info: str, langue: str, prefixe: str) -> str:
    """`path_info` in French (`translate_url`: a resolve and a reverse), once per process for the
    active language and script prefix it depends on (#18.2)."""
    return translate_url(path_info, settings.LANGUAGE_CODE)


def url_facile(request) -> str:
    """The easy version of the current page: French, under the prefix (query string kept)."""
    query = request.META.get("QUERY_STRING", "")
    francais = _en_francais(request.path_info, translation.get_language(), get_script_prefix())
    path = get_script_prefix().rstrip("/") + PREFIXE + francais
    return path + ("?" + query if query else "")


def lien(request) -> dict | None:
    """The one visible link between the two versions (templates/facile/lien.html), or None."""
    if est_facile(request):
        return {"url": url_complete(request), "facile": True, "page": getattr(request, "page_facile", False)}
    if getattr(request, "version_facile", False) and not getattr(request, "page_agent", True):
        return {"url": url_facile(request), "facile": False, "page": False}
    return None


class FacileMiddleware:
    """After LocaleMiddleware: `/facile/…` is served as `/…` in French, under the script prefix
    `/facile/` for the request (restored after it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chemin = request.path_info
        if chemin == PREFIXE:
            return HttpResponseRedirect(request.path + "/")
        if not chemin.startswith(PREFIXE + "/"):
            return self.get_response(request)
        request.facile = True
        request.path_info = chemin[len(PREFIXE) :]
        origine = get_script_prefix()
        request.facile_script_prefix = origine
        set_script_prefix(origine.rstrip("/") + PREFIXE + "/")
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(origine)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if est_facile(request) and getattr(view_func, "login_required", True):
            # Staff pages have no easy version (and stay out of the prefix).
            return HttpResponseRedirect(url_complete(request))
        return None
