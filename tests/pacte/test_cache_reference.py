"""The reference cache (pacte.cache_reference): shared versions, process-local copies, and a
cache that fails never failing a page."""

from contextlib import contextmanager
from unittest import mock

from django.core.cache import cache

from pacte import cache_reference
from pacte.cache_reference import bump, cached, cached_many

NAME = "test-reference"


def test_a_hit_costs_one_cache_read_and_gives_a_private_copy():
    """Once read, an entry is served from the process's copy after one read of the version, and
    each use gets its own object (a request changing it does not change the next one's)."""
    loads = []

    def load():
        loads.append(1)
        return {"horaires": ["9 h"]}

    assert cached(NAME, "k", load) == {"horaires": ["9 h"]}
    with mock.patch.object(cache, "get", wraps=cache.get) as get:
        first = cached(NAME, "k", load)
        assert get.call_count == 1  # the version only
    first["horaires"].append("14 h")
    assert cached(NAME, "k", load) == {"horaires": ["9 h"]} and len(loads) == 1


def test_a_bump_anywhere_is_seen_at_once_and_a_flush_never_revives_old_copies():
    """Another process's edit (a version bump in the shared cache) shows on the next read; after
    the shared cache lost everything, the versions restart above the old ones: no stale copy."""
    value = {"n": 1}
    assert cached(NAME, "k", lambda: dict(value)) == {"n": 1}
    value["n"] = 2
    bump(NAME)
    assert cached(NAME, "k", lambda: dict(value)) == {"n": 2}
    value["n"] = 3
    cache.clear()  # Redis restarted empty
    assert cached(NAME, "k", lambda: dict(value)) == {"n": 3}
    value["n"] = 4
    many = cached_many(NAME, ["a", "b"], lambda keys: {k: dict(value) for k in keys})
    assert many == {"a": {"n": 4}, "b": {"n": 4}}
    value["n"] = 5
    assert cached_many(NAME, ["a", "b"], lambda keys: {k: dict(value) for k in keys})["a"] == {"n": 4}
    bump(NAME)
    assert cached_many(NAME, ["a", "b"], lambda keys: {k: dict(value) for k in keys})["b"] == {"n": 5}


def test_a_failing_cache_reads_from_the_database():
    """Redis away: the content comes from `load`, never an error."""
    with mock.patch.object(cache, "get", side_effect=ConnectionError("redis away")):
        assert cached(NAME, "k", lambda: "depuis la base") == "depuis la base"
        assert cached_many(NAME, ["a"], lambda keys: dict.fromkeys(keys, "base")) == {"a": "base"}


def test_unknown_keys_are_not_kept():
    """None (an unknown slug) is neither stored in the shared cache nor kept in the process."""
    assert cached(NAME, "inconnu", lambda: None) is None
    assert "fr:inconnu" not in cache_reference._local.get(NAME, (0, {}))[1]


def test_a_flushed_cache_then_an_edit_never_brings_back_a_process_copy():
    """The cache loses its keys (Redis flushed or restarted), then an edit bumps the version: the new
    version is one no process-local copy can hold (a constant « 2 » made every process read its
    copies of the last « 2 »: a booking page pointed at an agenda that no longer existed)."""
    from django.core.cache import cache

    from pacte import cache_reference

    cache.clear()
    cache_reference.bump("essai")
    assert cache_reference.cached("essai", "k", lambda: "ancien") == "ancien"
    cache.clear()
    cache_reference.bump("essai")
    assert cache_reference.cached("essai", "k", lambda: "nouveau") == "nouveau"


@contextmanager
def counting_reads():
    """The keys read one by one from the shared cache, and the number of `get_many` round trips
    (the local-memory cache of the tests reads `get_many` key by key: not counted as `get`)."""
    reads = {"get": [], "get_many": 0}
    real_get, real_get_many, inside = cache.get, cache.get_many, []

    def get(key, *args, **kwargs):
        if not inside:
            reads["get"].append(key)
        return real_get(key, *args, **kwargs)

    def get_many(keys, *args, **kwargs):
        reads["get_many"] += 1
        inside.append(1)
        try:
            return real_get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    with mock.patch.object(cache, "get", get), mock.patch.object(cache, "get_many", get_many):
        yield reads


def test_versions_read_once_cost_one_round_trip_and_a_bump_inside_shows_at_once():
    """Within `versions_read_once`, several names' versions come from one read of the shared
    cache, each use then costs no read; a bump inside the block is seen by the next read."""
    other = f"{NAME}-autre"
    assert cached(NAME, "k", lambda: "a") == "a" and cached(other, "k", lambda: "b") == "b"
    with counting_reads() as reads, cache_reference.versions_read_once(NAME, other):
        assert cached(NAME, "k", lambda: "x") == "a" and cached(other, "k", lambda: "y") == "b"
        assert cached(NAME, "k", lambda: "x") == "a"
        assert reads == {"get": [], "get_many": 1}
        bump(NAME)
        assert cached(NAME, "k", lambda: "nouveau") == "nouveau"
    with counting_reads() as reads:
        assert cached(other, "k", lambda: "y") == "b"
        assert len(reads["get"]) == 1  # outside the block: read on each use again


def test_a_failing_cache_never_fails_versions_read_once():
    """Redis away: the block reads nothing and each use falls back to the database as usual."""
    with (
        mock.patch.object(cache, "get_many", side_effect=ConnectionError),
        mock.patch.object(cache, "get", side_effect=ConnectionError),
        cache_reference.versions_read_once(NAME),
    ):
        assert cached(NAME, "k", lambda: "base") == "base"
