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


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> str:
    return get_backend().send(to=to, body=body)
