"""The one rate limiter of the portal: one `client_ip`, one table of limits (`settings.RATELIMITS`).

Counts live in the cache (Redis in production) in fixed windows; if the cache is down the count
falls back to the database (`CompteurLimite`), so a citizen never gets a 500 because Redis is away.

Two uses:

- `@ratelimit("scope")` on a public form view: counts each POST per client IP when
  `RATELIMIT_ENABLED` is on (it is off only for load benchmarks). Over the limit the view still
  runs, with `refused(request)` true: it skips the write and re-renders the same form with what
  was typed; `base.html` shows the French message above it and the answer is a 429. A refused post
  never loses the citizen's text (a shared PC in a library hits the limit first).
- `hit` / `exceeded` / `reset` for security counters keyed on something else than the IP (a
  secret link, an account's username, an email address). These always count, whatever
  `RATELIMIT_ENABLED`: they protect people, not the servers.

Every scope names a key of `settings.RATELIMITS` (tests/test_ratelimits.py checks both ways: no
call names an unknown key, no key is left unread).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from django.shortcuts import render

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'20/h' → (20, 3600); '10/15m' → (10, 900)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period[-1]] * int(period[:-1] or 1)


def rate_for(scope: str) -> str:
    """The limit of `scope` from `settings.RATELIMITS`; an unknown scope is a programming error."""
    try:
        return settings.RATELIMITS[scope]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown rate-limit scope {scope!r}: add it to RATELIMITS") from None


def client_ip(request) -> str:
    """The client's address: the first `X-Forwarded-For` hop only behind a trusted proxy."""
    if settings.RATELIMIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(scope: str, ident: str) -> str:
    return "rl:" + hashlib.sha256(f"{scope}:{ident}".encode()).hexdigest()[:40]


def _window_start(period: int) -> int:
    return int(time.time()) // period * period


def _window(rate: str) -> tuple[int, int, int]:
    limit, period = parse_rate(rate)
    return limit, period, _window_start(period)


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


def _db_count(key: str, window_start: int) -> int:
    from .models import CompteurLimite

    row = CompteurLimite.objects.filter(cle=key, fenetre=window_start).values_list("nombre", flat=True)
    return row.first() or 0


def _count(key: str, window_start: int) -> int:
    """Hits counted so far in this window: the cache's count and the database's (the fallback's)."""
    try:
        cached = cache.get(f"{key}:{window_start}", 0)
    except Exception:  # cache (Redis) unavailable: the database counter alone
        logger.warning("Rate-limit cache unavailable, reading the database counter")
        cached = 0
    return cached + _db_count(key, window_start)


def _cache_incr(backend, cache_key: str, *, timeout: int) -> int:
    """Count one hit under `cache_key` (created with `timeout`) and return the new count. On Redis,
    one round trip (SET NX EX and INCR pipelined) instead of the cache API's three (`add`, then
    `incr`'s EXISTS and INCRBY: #18.1, on every booking POST and new form); elsewhere the API."""
    if isinstance(backend, RedisCache):
        redis_key = backend.make_and_validate_key(cache_key)
        # The cache's own client for that key (Django's RedisCache keeps it as `_cache`); integers
        # are stored as is by its serializer, so `cache.get` reads this count back.
        pipeline = backend._cache.get_client(redis_key, write=True).pipeline(transaction=False)
        pipeline.set(redis_key, 0, nx=True, ex=timeout)
        pipeline.incr(redis_key)
        return pipeline.execute()[1]
    backend.add(cache_key, 0, timeout=timeout)
    return backend.incr(cache_key)


def hit(scope: str, ident: str, rate: str | None = None) -> bool:
    """Count one hit of `ident` in `scope`; True while it is within the limit.

    The limit is `settings.RATELIMITS[scope]` (`rate` overrides it for a derived limit, e.g. a
    multiple of the table's value). Redis down: counted in the database, never an error.
    """
    limit, period, window_start = _window(rate or rate_for(scope))
    key = _key(scope, ident)
    try:
        count = _cache_incr(caches[DEFAULT_CACHE_ALIAS], f"{key}:{window_start}", timeout=period + 5)
    except Exception:  # cache (Redis) unavailable: fail open to the database counter
        logger.warning("Rate-limit cache unavailable, counting in the database")
        return _db_hit(key, window_start) <= limit
    return count <= limit


def exceeded(scope: str, ident: str, rate: str | None = None) -> bool:
    """True when `ident` has used up its limit in `scope` (read only: nothing is counted).

    For counters of failures: check `exceeded` before trying, `hit` after a failure.
    """
    limit, _period, window_start = _window(rate or rate_for(scope))
    return _count(_key(scope, ident), window_start) >= limit


def reset(scope: str, ident: str, rate: str | None = None) -> None:
    """Forget the hits of `ident` in `scope` for the current window (e.g. after a success)."""
    from .models import CompteurLimite

    _limit, _period, window_start = _window(rate or rate_for(scope))
    key = _key(scope, ident)
    try:
        cache.delete(f"{key}:{window_start}")
    except Exception:
        logger.warning("Rate-limit cache unavailable, resetting the database counter only")
    CompteurLimite.objects.filter(cle=key, fenetre=window_start).delete()


@dataclass
class Refus:
    """Set on `request.limite` when a post is over its limit; the view shows the form again."""

    scope: str
    shown: bool = False


def refused(request) -> bool:
    """True when this request is over its limit: skip the write and re-render the bound form.

    Typical view::

        form = MyForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and not refused(request) and form.is_valid():
            ...  # the write, then redirect
        return render(request, "…", {"form": form})  # 429 + the message, text kept
    """
    refus = getattr(request, "limite", None)
    if refus is None:
        return False
    refus.shown = True
    return True


def ratelimit(scope: str, methods=("POST",), per: str = "ip"):
    """Limit a public form view per client IP to `settings.RATELIMITS[scope]` (`per="compte"`:
    per signed-in account instead, for staff forms used from a shared office connection).

    Over the limit the view runs with `refused(request)` true and must re-render its form (the
    typed text kept); the response becomes a 429 and `base.html` shows « Trop de demandes » above
    the form. A view that forgot to ask `refused` gets the plain 429 page instead (logged as an
    error; tests/test_ratelimits.py posts over the limit on every decorated view).
    """
    rate_for(scope)  # an unknown scope fails at import time
    if per not in ("ip", "compte"):
        raise ImproperlyConfigured(f"Unknown rate-limit key {per!r}: 'ip' or 'compte'")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not (settings.RATELIMIT_ENABLED and request.method in methods):
                return view(request, *args, **kwargs)
            ident = f"compte:{request.user.pk}" if per == "compte" else client_ip(request)
            if hit(scope, ident):
                return view(request, *args, **kwargs)
            request.limite = Refus(scope)
            response = view(request, *args, **kwargs)
            if not request.limite.shown:
                logger.error("%s ignored its rate limit %r", view.__qualname__, scope)
                return render(request, "429.html", status=429)
            response.status_code = 429
            return response

        wrapper.ratelimit_scope = scope
        return wrapper

    return decorator
