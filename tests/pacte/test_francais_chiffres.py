"""French formatting of figures (pacte.francais: sizes and percentages)."""

from __future__ import annotations

import pytest

from pacte.francais import pourcentage, taille


@pytest.mark.parametrize(
    ("octets", "attendu"),
    [
        (None, "—"),
        (1, "1\u00a0octet"),
        (850, "850\u00a0octets"),
        (1000, "1\u00a0Ko"),
        (1500, "1,5\u00a0Ko"),
        (150_000, "150\u00a0Ko"),
        (999_949, "1\u00a0Mo"),
        (1_234_567, "1,2\u00a0Mo"),
        (12_000_000, "12\u00a0Mo"),
    ],
)
def test_sizes_in_french_units(octets, attendu):
    """Sizes read « octets », « Ko », « Mo » with a decimal comma and a non-breaking space."""
    assert taille(octets) == attendu


def test_percentage():
    """« 72,5 % », « 100 % », « — » when undefined."""
    assert [pourcentage(v) for v in (72.5, 100.0, None)] == ["72,5\u00a0%", "100\u00a0%", "—"]
