"""Secret links (G4): 128+-bit tokens given once to the citizen and stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata


def token_new() -> tuple[str, str]:
    """Return (token, token_hash): 256 random bits, URL-safe; store only the hash."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).lower()


def identity_matches(*, expected_name: str, given: str, letters: int = 3) -> bool:
    """The light identity check: the first `letters` letters of the surname, accents and case ignored."""
    expected = _fold(expected_name)[:letters]
    answer = _fold(given)[:letters]
    return (
        bool(expected)
        and len(answer) >= min(letters, len(expected))
        and hmac.compare_digest(expected, answer)
    )


def reference_new(prefix: str, length: int = 6) -> str:
    """A short human reference code (no ambiguous characters), e.g. RDV-7KQ2MX."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"{prefix}-" + "".join(secrets.choice(alphabet) for _ in range(length))
