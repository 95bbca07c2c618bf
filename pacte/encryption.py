"""Encryption at rest of the outbox's message bodies (they carry secret links), with `cryptography`.

Fernet (AES-128-CBC + HMAC-SHA256, timestamped) through MultiFernet, so keys can be rotated: the
first key of NOTIFICATION_ENCRYPTION_KEYS encrypts, every key decrypts. Encrypted values carry a
prefix, so a value written before encryption existed still reads as what it is.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.NOTIFICATION_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    """The encrypted, prefixed form of `text` ("" stays "")."""
    if not text:
        return ""
    return PREFIX + _current().encrypt(text.encode()).decode("ascii")


def decrypt(value: str) -> str:
    """The clear text of a value written by `encrypt` (an unprefixed value is returned as is).

    Raises `cryptography.fernet.InvalidToken` when no configured key opens it.
    """
    if not value.startswith(PREFIX):
        return value
    return _current().decrypt(value[len(PREFIX) :].encode("ascii")).decode()


def rotate(value: str) -> str:
    """Re-encrypt `value` with the first key (after a key was added in front)."""
    if not value.startswith(PREFIX):
        return encrypt(value)
    return PREFIX + _current().rotate(value[len(PREFIX) :].encode("ascii")).decode("ascii")
