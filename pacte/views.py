"""Kernel views: the public shell, the staff home, health."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .espace import liens_for, plan_items
from .models import Arrondissement
from .roles import ROLE_LABELS, roles_of


@login_not_required
@require_safe
def accueil(request):
    return render(request, "pacte/accueil.html")


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


def _broker_state() -> str:
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return "down"
    return "ok"


def _worker_state(broker: str) -> str:
    if broker == "eager":
        return "eager"
    if broker != "ok":
        return "unknown"
    from .celery import app

    try:
        replies = app.control.ping(timeout=0.5)
    except Exception:  # the broker went away between the two checks
        return "unknown"
    return "ok" if replies else "down"


@login_not_required
@never_cache
@require_safe
def health(request):
    """Database, broker and worker state; 503 when the database or the broker is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "down"
    broker = _broker_state()
    worker = _worker_state(broker) if request.GET.get("worker") == "1" else "not-checked"
    healthy = database == "ok" and broker in ("ok", "eager")
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "broker": broker, "worker": worker},
        status=200 if healthy else 503,
    )


@login_not_required
def erreur_404(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def erreur_403(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def erreur_500(request):
    return render(request, "500.html", status=500)


@login_not_required
def erreur_csrf(request, reason=""):
    return render(request, "403_csrf.html", status=403)
