"""Reference content cached across requests, invalidated on save (#18.2).

Reference content (opening rules, closures, lieux…) changes a few times a week and is read on
every public page. `cached_many(name, keys, load)` keeps it in the default cache under a version
number per `name`; `invalidate_on_change(name, *models)` bumps that version on every save and
delete of those models (Django signals), so that an edit shows on the next request, in every web
process (the cache is Redis in production). Code that changes these models without signals
(`QuerySet.update`, `bulk_create`, raw SQL) must call `bump(name)` itself.

Redis away never breaks a page (#13.3): a cache that cannot be read or written is skipped and the
content is computed from the database; an edit whose version bump fails is logged, and cached
entries live at most TIMEOUT, which bounds how long such an edit can be hidden.

Only on when the cache is shared by every web process (`REFERENCE_CACHE`, on with REDIS_URL, and
in single-process development and tests): a per-process memory cache could not be invalidated
across gunicorn workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

TIMEOUT = 3600

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return settings.REFERENCE_CACHE


def _version_key(name: str) -> str:
    return f"pacte:ref:{name}:version"


def version(name: str) -> int:
    current = cache.get(_version_key(name))
    if current is None:
        cache.add(_version_key(name), 1, None)
        current = cache.get(_version_key(name), 1)
    return current


def bump(name: str) -> None:
    """Forget every cached entry of `name` (a new version: old entries are never read again)."""
    try:
        try:
            cache.incr(_version_key(name))
        except ValueError:  # no version yet
            cache.set(_version_key(name), 2, None)
    except Exception:  # cache (Redis) unavailable: the entries expire within TIMEOUT
        logger.exception("reference cache: version bump of %s failed", name)


def cached_many(name: str, keys: Iterable, load: Callable[[list], dict]) -> dict:
    """{key: value} for `keys`, from the cache; `load(missing_keys)` computes the others in one go
    (it must return a value for each, None included) and they are stored for the next requests."""
    keys = list(keys)
    if not enabled():
        return load(keys)
    try:
        prefix = f"pacte:ref:{name}:{version(name)}:"
        found = cache.get_many([f"{prefix}{k}" for k in keys])
    except Exception:  # cache (Redis) unavailable: straight from the database, never a 500
        logger.warning("reference cache unavailable: %s read from the database", name)
        return load(keys)
    result = {k: found[f"{prefix}{k}"] for k in keys if f"{prefix}{k}" in found}
    missing = [k for k in keys if k not in result]
    if missing:
        loaded = load(missing)
        try:
            cache.set_many({f"{prefix}{k}": loaded[k] for k in missing}, TIMEOUT)
        except Exception:
            logger.warning("reference cache unavailable: %s not stored", name)
        result.update(loaded)
    return result


def invalidate_on_change(name: str, *models) -> None:
    """Bump `name` whenever an instance of one of `models` is saved or deleted."""

    def receiver(sender, **kwargs):
        bump(name)

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                receiver, sender=model, weak=False, dispatch_uid=f"pacte-ref-{name}-{model.__name__}"
            )
