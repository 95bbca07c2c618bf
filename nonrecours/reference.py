"""Load the rights catalogue from data/reference/dispositifs.csv (idempotent).

Rows missing from the database are created; existing rows keep the analysts' edits (name, body in
charge, link, active) and only get their `source` filled in when it is empty.
"""

from __future__ import annotations

from django.db import transaction

from pacte.reference import read_csv

from .models import Dispositif


@transaction.atomic
def load(stdout=None) -> None:
    created = 0
    for row in read_csv("dispositifs.csv"):
        dispositif, was_created = Dispositif.objects.get_or_create(
            code=row["code"],
            defaults={"nom": row["nom"], "porteur": row["porteur"], "source": row["source"]},
        )
        created += was_created
        if not was_created and not dispositif.source and row["source"]:
            dispositif.source = row["source"]
            dispositif.save(update_fields=["source"])
    if stdout:
        stdout.write(f"Non-recours : {Dispositif.objects.count()} dispositifs ({created} créés).")


def typologie() -> list[dict[str, str]]:
    """The ODENORE typology with definitions and sources (data/reference/odenore-typologie.csv)."""
    return read_csv("odenore-typologie.csv")
