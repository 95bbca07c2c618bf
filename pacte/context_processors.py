import functools

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from .espace import nav_items
from .facile import lien as lien_facile
from .langues import langues

# The default opening hours (pacte/settings.py), in the catalogues; hours set in the environment
# show as written unless the catalogues hold them too.
gettext_noop("du lundi au vendredi de 8 h 30 à 17 h")


def portail(request):
    """Public contact values, the main navigation and the language switcher, on every page."""

    def menu():
        accueil = reverse("accueil")
        return [
            (label, url, request.path == url if url == accueil else request.path.startswith(url))
            for label, url in nav_items()
        ]

    return {
        "LYON_EN_DIRECT_PHONE": settings.LYON_EN_DIRECT_PHONE,
        "LYON_EN_DIRECT_HOURS": gettext(settings.LYON_EN_DIRECT_HOURS),
        "nav_items": menu,
        # Worked out once per page however many times the templates read it (#18.2).
        "langues": functools.cache(lambda: langues(request)),
        "facile": lambda: lien_facile(request),
        "STAFF_IDLE_TIMEOUT": settings.STAFF_IDLE_TIMEOUT,
        "STAFF_IDLE_WARNING": settings.STAFF_IDLE_WARNING,
    }
