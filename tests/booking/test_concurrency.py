"""G3 under real concurrency: 50 browsers post the real form at the same slot over HTTP."""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from pacte.booking.models import CompteurCreneau, Reservation
from pacte.booking.selectors import prochain_creneau

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 50


def _get_form(url: str) -> tuple[str, str]:
    """GET the form (safe to retry: the dev server's small listen backlog may reset a connection)."""
    for attempt in range(10):
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                cookie = response.headers["Set-Cookie"].split(";")[0]
                return response.read().decode(), cookie
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.2 * (attempt + 1))
    raise RuntimeError("form unreachable")


def _citizen(url: str, index: int, barrier: threading.Barrier, results: list) -> None:
    try:
        html, cookie = _get_form(url)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        cle = re.search(r'name="cle_idempotence" value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "cle_idempotence": cle,
                "nom": f"Concurrent{index}",
                "prenom": "Test",
                "email": f"c{index}@example.org",
                "telephone": "",
            }
        )
        parts = urllib.parse.urlsplit(url)
        # Connect before the barrier so the 50 POSTs leave at the same instant on open connections.
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        connection.connect()
        barrier.wait(timeout=180)
        connection.request(
            "POST",
            parts.path,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Referer": url},
        )
        response = connection.getresponse()
        results[index] = (response.status, response.read().decode())
        connection.close()
    except Exception as exc:  # recorded and asserted below
        results[index] = (0, repr(exc))


@pytest.mark.parametrize("capacite", [1, 3])
def test_fifty_concurrent_bookings_confirm_exactly_the_capacity(live_server, make_agenda, capacite, settings):
    """Exactly `capacite` attempts are confirmed; every other one gets the friendly 409 page with
    the next free slots; no 5xx; PostgreSQL's counter equals the capacity. Form holds are off
    (BOOKING_RETENUE_MINUTES=0) so that all 50 get the form and their POSTs race on the counter;
    holds racing are tests/booking/test_form_holds.py."""
    settings.BOOKING_RETENUE_MINUTES = 0
    agenda = make_agenda(capacite=capacite)
    slot = prochain_creneau(agenda)
    url = f"{live_server.url}/reservation/{agenda.uuid}/{slot.cle}/"
    barrier = threading.Barrier(ATTEMPTS)
    results: list = [None] * ATTEMPTS
    threads = [threading.Thread(target=_citizen, args=(url, i, barrier, results)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    statuses = [status for status, _body in results]
    assert statuses.count(302) == capacite, statuses
    assert statuses.count(409) == ATTEMPTS - capacite, [r for r in results if r[0] not in (302, 409)][:3]
    for status, body in results:
        if status == 409:
            assert "Ce créneau vient d'être pris" in body
            assert re.search(rf"/reservation/{agenda.uuid}/\d{{4}}-\d\d-\d\dT\d\d:\d\d/", body)
    assert Reservation.objects.filter(agenda=agenda).count() == capacite
    counter = CompteurCreneau.objects.get(agenda=agenda, debut=slot.debut)
    assert counter.places_prises == counter.places_prises_en_ligne == capacite
