"""Kernel views: the public shell and the staff home (health lives in pacte.sante)."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .espace import liens_for, plan_items
from .facile import gabarit
from .indisponible import is_database_unavailable, unavailable_response
from .models import Arrondissement
from .roles import ROLE_LABELS, roles_of


@login_not_required
@require_safe
def accueil(request):
    return render(request, gabarit(request, "pacte/accueil.html"))


@login_not_required
@require_safe
def accessibilite(request):
    return render(request, "pacte/accessibilite.html")


@login_not_required
@require_safe
def mentions_legales(request):
    return render(request, "pacte/mentions_legales.html")


@login_not_required
@require_safe
def donnees_personnelles(request):
    return render(request, "pacte/donnees_personnelles.html")


@login_not_required
@require_safe
def plan_du_site(request):
    return render(request, "pacte/plan_du_site.html", {"plan": plan_items()})


@login_not_required
@require_safe
def contact(request):
    arrondissements = Arrondissement.objects.all()
    return render(request, "pacte/contact.html", {"arrondissements": arrondissements})


@require_safe
def mon_espace(request):
    links = liens_for(request.user)
    sections: dict[str, list] = {}
    for link in links:
        sections.setdefault(link.section or "Mes outils", []).append(link)
    roles = [ROLE_LABELS[r] for r in roles_of(request.user)]
    return render(request, "pacte/mon_espace.html", {"sections": sections, "roles": roles})


@login_not_required
def erreur_404(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def erreur_403(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def erreur_500(request):
    # Called while the exception is being handled: a database that cannot serve us now is a 503
    # « réessayez dans un instant » that keeps the form, not a 500 (pacte.indisponible).
    if is_database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return render(request, "500.html", status=500)


@login_not_required
def erreur_csrf(request, reason=""):
    return render(request, "403_csrf.html", status=403)
