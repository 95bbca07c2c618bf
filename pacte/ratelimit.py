"""Rate limits for public forms. Counted in the cache (Redis in production); if the cache is down
the count falls back to the database, so a citizen's booking never fails because Redis is away."""

from __future__ import annotations

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.shortcuts import render

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'20/h' → (20, 3600)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period[-1]] * int(period[:-1] or 1)


def client_ip(request) -> str:
    if settings.RATELIMIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _db_hit(key: str, window_start: int) -> int:
    from .models import CompteurLimite

    with transaction.atomic():
        updated = CompteurLimite.objects.filter(cle=key, fenetre=window_start).update(nombre=F("nombre") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    CompteurLimite.objects.create(cle=key, fenetre=window_start, nombre=1)
            except IntegrityError:
                CompteurLimite.objects.filter(cle=key, fenetre=window_start).update(nombre=F("nombre") + 1)
        return CompteurLimite.objects.get(cle=key, fenetre=window_start).nombre


def hit(scope: str, ident: str, rate: str) -> bool:
    """Count one hit; True when it is within `rate` for this scope and identity."""
    limit, period = parse_rate(rate)
    window_start = int(time.time()) // period * period
    key = "rl:" + hashlib.sha256(f"{scope}:{ident}".encode()).hexdigest()[:40]
    try:
        cache_key = f"{key}:{window_start}"
        cache.add(cache_key, 0, timeout=period + 5)
        count = cache.incr(cache_key)
    except Exception:  # cache (Redis) unavailable: fail open to the database counter
        logger.warning("Rate-limit cache unavailable, counting in the database")
        count = _db_hit(key, window_start)
    return count <= limit


def ratelimit(scope: str, rate: str | None = None, methods=("POST",)):
    """Limit a public view per client IP. Over the limit: a 429 page in plain French, never a 500.

    The rate is `settings.RATELIMITS[scope]` when set (e.g. "30/h"), else `rate`.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if settings.RATELIMIT_ENABLED and request.method in methods:
                effective = settings.RATELIMITS.get(scope, rate or "30/h")
                if not hit(scope, client_ip(request), effective):
                    return render(request, "429.html", status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
