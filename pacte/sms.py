"""SMS backends. The provider lies outside the machine: the HTTP backend is the seam tests mock."""

from __future__ import annotations

import json
import logging
import sys
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class ConsoleBackend:
    """Prints SMS to standard output (embedded default)."""

    def send(self, *, to: str, body: str) -> str:
        sys.stdout.write(f"--- SMS à {to} ---\n{body}\n---\n")
        sys.stdout.flush()
        return "console"


# Messages "sent" by the locmem backend, as Django's mail.outbox does for emails.
outbox: list[dict] = []


class LocmemBackend:
    """Keeps SMS in memory (tests)."""

    def send(self, *, to: str, body: str) -> str:
        outbox.append({"to": to, "body": body})
        return f"locmem-{len(outbox)}"


class HttpBackend:
    """Posts to an SMS provider's HTTP API (JSON: to, from, text), authenticated by a bearer token."""

    def send(self, *, to: str, body: str) -> str:
        if not settings.SMS_HTTP_URL:
            raise SmsError("SMS_HTTP_URL n'est pas configuré.")
        payload = json.dumps({"to": to, "from": settings.SMS_SENDER, "text": body}).encode()
        request = urllib.request.Request(
            settings.SMS_HTTP_URL,
            data=payload,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured URL
                if response.status >= 300:
                    raise SmsError(f"Réponse {response.status} du fournisseur SMS")
                return response.headers.get("X-Message-Id", "")
        except OSError as exc:
            raise SmsError(str(exc)) from exc


# --- Segments: what an SMS costs ----------------------------------------------------------------
#
# An SMS is GSM-7 when every character is in the GSM 03.38 alphabet (its extension table costs two
# septets: ^ { } \ [ ~ ] | €): 160 characters, 153 per segment once concatenated. One character
# outside it (Arabic, « ê », « œ », guillemets, a non-breaking space…) makes the whole message
# UCS-2: 70 characters, 67 per segment once concatenated (a character outside the BMP counts two).
# The budget of a message (tests/pacte/test_sms_segments.py): 2 segments in GSM-7, 3 in UCS-2.

GSM7_BASE = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
SEGMENTS_MAX_GSM7 = 2
SEGMENTS_MAX_UCS2 = 3


def encodage(texte: str) -> str:
    """« GSM-7 » when every character of `texte` is in the GSM alphabet (or its extension), else « UCS-2 »."""
    return "GSM-7" if all(c in GSM7_BASE or c in GSM7_EXTENSION for c in texte) else "UCS-2"


def segments(texte: str) -> int:
    """How many SMS segments `texte` costs (GSM-7: 160, then 153 each; UCS-2: 70, then 67 each)."""
    if encodage(texte) == "GSM-7":
        unites = sum(2 if c in GSM7_EXTENSION else 1 for c in texte)
        seul, par_segment = 160, 153
    else:
        unites = sum(2 if ord(c) > 0xFFFF else 1 for c in texte)  # UTF-16 code units
        seul, par_segment = 70, 67
    if unites <= seul:
        return 1
    return -(-unites // par_segment)


def segments_max(texte: str) -> int:
    """The budget of an SMS written like `texte`: 2 segments in GSM-7, 3 in UCS-2."""
    return SEGMENTS_MAX_GSM7 if encodage(texte) == "GSM-7" else SEGMENTS_MAX_UCS2


def tient(texte: str) -> bool:
    """Whether `texte` fits the SMS budget (`segments_max`)."""
    return segments(texte) <= segments_max(texte)


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> str:
    return get_backend().send(to=to, body=body)
