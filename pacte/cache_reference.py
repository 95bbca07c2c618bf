"""Reference content cached across requests, invalidated on save (#18.2).

Reference content (opening rules, closures, lieux…) changes a few times a week and is read on
every public page. `cached_many(name, keys, load)` (or `cached(name, key, load)` for one entry,
a rendered fragment for instance) keeps it in the default cache under a version
number per `name`; `invalidate_on_change(name, *models)` bumps that version on every save and
delete of those models (Django signals), so that an edit shows on the next request, in every web
process (the cache is Redis in production). Code that changes these models without signals
(`QuerySet.update`, `bulk_create`, raw SQL) must call `bump(name)` itself.

Each process also keeps its own copy of the entries it read, under the version it read them
with: a page then costs one round trip to the shared cache per name (the version), not two.

Redis away never breaks a page (#13.3): a cache that cannot be read or written is skipped and the
content is computed from the database; an edit whose version bump fails is logged, and cached
entries live at most TIMEOUT, which bounds how long such an edit can be hidden.

Every entry is kept per language (#17): a rendered fragment, a label, a model's translated field
read in English is never served to a French page. Each language fills its own entries; the
version (one per name) is shared, so one bump forgets all languages at once.

Only on when the cache is shared by every web process (`REFERENCE_CACHE`, on with REDIS_URL, and
in single-process development and tests): a per-process memory cache could not be invalidated
across gunicorn workers.
"""

from __future__ import annotations

import functools
import logging
import pickle
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import get_script_prefix
from django.utils.translation import get_language

TIMEOUT = 3600

logger = logging.getLogger(__name__)


def _langue() -> str:
    """The language the entries are kept under, with the script prefix when it is not the root:
    a fragment rendered for the easy version links under /facile/ (pacte.facile)."""
    prefixe = get_script_prefix()
    return get_language() if prefixe == "/" else f"{get_language()}{prefixe}"


def enabled() -> bool:
    return settings.REFERENCE_CACHE


def _version_key(name: str) -> str:
    return f"pacte:ref:{name}:version"


def _version_new() -> int:
    """A version number no earlier one can equal (random: a constant or the clock could repeat —
    after a flush, a bump that set « 2 » made each process read its old copies of version 2)."""
    return secrets.randbits(62) + 1


# The versions read once for a whole view (`versions_read_once`), by thread: {name: version}.
_read_once = threading.local()


@contextmanager
def versions_read_once(*names: str):
    """Within the block, the versions of `names` are read in one round trip to the shared cache
    (not one per name and per use): a page reading several names (the day page: the agenda and the
    calendar) costs one round trip for them all (#18.2). An edit committed meanwhile shows on the
    next page, as with any read at the start of a request; `bump` inside the block is seen at once."""
    previous = getattr(_read_once, "versions", None)
    versions = dict(previous or {})
    if enabled():
        try:
            found = cache.get_many([_version_key(n) for n in names if n not in versions])
            versions.update({n: found[_version_key(n)] for n in names if _version_key(n) in found})
        except Exception:  # cache (Redis) unavailable: each use reads (and falls back) as usual
            logger.warning("reference cache unavailable: versions of %s not read", ", ".join(names))
    _read_once.versions = versions
    try:
        yield
    finally:
        _read_once.versions = previous


def version(name: str) -> int:
    versions = getattr(_read_once, "versions", None)
    if versions is not None and name in versions:
        return versions[name]
    current = cache.get(_version_key(name))
    if current is None:
        # A first version that no earlier one can equal, even after Redis lost its keys: the
        # process-local copies (below) of an older "version 1" must never be read again.
        cache.add(_version_key(name), _version_new(), None)
        current = cache.get(_version_key(name), 1)
    if versions is not None:
        versions[name] = current
    return current


def reading_versions_once(*names: str):
    """View decorator: the view runs in `versions_read_once(*names)`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            with versions_read_once(*names):
                return view(*args, **kwargs)

        return wrapper

    return decorator


# Process-local copies of the entries, by name: (version, {key: (expires, pickled value)}). The
# version is still read from the shared cache on every use, so an edit in any process is seen at
# once; only the second round trip (the entry) and its transfer are saved. Each use unpickles its
# own copy: no object is shared between requests or threads.
_local: dict[str, tuple[int, dict]] = {}
LOCAL_MAX = 2000  # entries per name kept in each process


def _local_get(name: str, current: int, key: str):
    held = _local.get(name)
    if held is None or held[0] != current:
        return None
    entry = held[1].get(key)
    if entry is None or entry[0] < time.monotonic():
        return None
    return pickle.loads(entry[1])  # noqa: S301 - bytes this process pickled itself


def _local_set(name: str, current: int, key: str, value) -> None:
    held = _local.get(name)
    if held is None or held[0] != current or len(held[1]) >= LOCAL_MAX:
        held = _local[name] = (current, {})
    held[1][key] = (time.monotonic() + TIMEOUT, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def bump(name: str) -> None:
    """Forget every cached entry of `name` (a new version: old entries are never read again)."""
    versions = getattr(_read_once, "versions", None)
    if versions is not None:
        versions.pop(name, None)
    try:
        try:
            cache.incr(_version_key(name))
        except ValueError:  # no version yet (or the cache lost it): a new one no copy can hold
            cache.set(_version_key(name), _version_new(), None)
    except Exception:  # cache (Redis) unavailable: the entries expire within TIMEOUT
        logger.exception("reference cache: version bump of %s failed", name)


def cached_many(name: str, keys: Iterable, load: Callable[[list], dict]) -> dict:
    """{key: value} for `keys`, from the cache; `load(missing_keys)` computes the others in one go
    (it must return a value for each, None included) and they are stored for the next requests."""
    keys = list(keys)
    if not enabled():
        return load(keys)
    try:
        current = version(name)
        langue = _langue()
        result = {}
        for k in keys:
            held = _local_get(name, current, f"many:{langue}:{k}")
            if held is not None:
                result[k] = held[0]
        local = set(result)
        prefix = f"pacte:ref:{name}:{current}:{langue}:"
        if len(result) < len(keys):
            found = cache.get_many([f"{prefix}{k}" for k in keys if k not in result])
            result.update({k: found[f"{prefix}{k}"] for k in keys if f"{prefix}{k}" in found})
    except Exception:  # cache (Redis) unavailable: straight from the database, never a 500
        logger.warning("reference cache unavailable: %s read from the database", name)
        return load(keys)
    missing = [k for k in keys if k not in result]
    if missing:
        loaded = load(missing)
        try:
            cache.set_many({f"{prefix}{k}": loaded[k] for k in missing}, TIMEOUT)
        except Exception:
            logger.warning("reference cache unavailable: %s not stored", name)
        result.update(loaded)
    for k in keys:
        if k not in local:
            _local_set(name, current, f"many:{langue}:{k}", (result[k],))  # a tuple: None values are kept too
    return result


def cached(name: str, key: str, load: Callable[[], object]) -> object:
    """One entry of `name`: from the cache, else `load()` (stored unless it is None: an unknown
    key, a slug typed at random, costs the database each time but never fills the cache). For a
    page fragment of reference content, `load` renders it (`render_to_string`): the page then
    costs no query and no template work for that part (#18.2)."""
    if not enabled():
        return load()
    try:
        current = version(name)
        key = f"{_langue()}:{key}"
        value = _local_get(name, current, key)
        if value is not None:
            return value
        full_key = f"pacte:ref:{name}:{current}:{key}"
        value = cache.get(full_key)
    except Exception:  # cache (Redis) unavailable: straight from the database, never a 500
        logger.warning("reference cache unavailable: %s read from the database", name)
        return load()
    if value is None:
        value = load()
        if value is not None:
            try:
                cache.set(full_key, value, TIMEOUT)
            except Exception:
                logger.warning("reference cache unavailable: %s not stored", name)
    if value is not None:
        _local_set(name, current, key, value)
    return value


def invalidate_on_change(name: str, *models) -> None:
    """Bump `name` whenever an instance of one of `models` is saved or deleted, or the links of a
    many-to-many `through` model among them change (`.add()`, `.set()`, `.clear()`)."""

    def receiver(sender, **kwargs):
        if kwargs.get("action", "post_").startswith("post_"):
            bump(name)

    for model in models:
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(
                receiver, sender=model, weak=False, dispatch_uid=f"pacte-ref-{name}-{model.__name__}"
            )
