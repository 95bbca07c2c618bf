"""Keep the monthly roll-up (StatMensuelle) in step with the observations."""

from __future__ import annotations

from django.db import connection, transaction

from .models import StatMensuelle

# Table names below come from model metadata, never from input: S608 does not apply.
UPSERT = f"""
INSERT INTO {StatMensuelle._meta.db_table} (mois, dispositif_code, type_odenore, arrondissement, has_demarche, n)
VALUES (%s, %s, %s, %s, %s, 1)
ON CONFLICT (mois, dispositif_code, type_odenore, arrondissement, has_demarche)
DO UPDATE SET n = {StatMensuelle._meta.db_table}.n + 1
"""  # noqa: S608


def rollup_add(observation, codes: list[str]) -> None:
    """Count one new observation (call inside the recording transaction)."""
    mois = observation.observed_on.replace(day=1)
    numero = observation.arrondissement.numero if observation.arrondissement_id else 0
    linked = bool(observation.demarche_slug)
    with connection.cursor() as cursor:
        for code in ["", *codes]:
            cursor.execute(UPSERT, [mois, code, observation.type_odenore, numero, linked])


@transaction.atomic
def rollup_rebuild() -> int:
    """Recompute the whole roll-up from the observations (after bulk loads or manual fixes)."""
    from pacte.models import Arrondissement

    from .models import Dispositif, Observation, ObservationDispositif

    table = StatMensuelle._meta.db_table
    obs = Observation._meta.db_table
    link = ObservationDispositif._meta.db_table
    disp = Dispositif._meta.db_table
    arr = Arrondissement._meta.db_table
    month = (
        "DATE_TRUNC('month', o.observed_on)::date"
        if connection.vendor == "postgresql"
        else "DATE(o.observed_on, 'start of month')"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(
            f"""
            INSERT INTO {table} (mois, dispositif_code, type_odenore, arrondissement, has_demarche, n)
            SELECT {month}, '', o.type_odenore, COALESCE(a.numero, 0), o.demarche_slug <> '', COUNT(*)
            FROM {obs} o LEFT JOIN {arr} a ON a.id = o.arrondissement_id
            GROUP BY 1, 2, 3, 4, 5
            UNION ALL
            SELECT {month}, d.code, o.type_odenore, COALESCE(a.numero, 0), o.demarche_slug <> '', COUNT(*)
            FROM {link} l JOIN {obs} o ON o.id = l.observation_id JOIN {disp} d ON d.id = l.dispositif_id
            LEFT JOIN {arr} a ON a.id = o.arrondissement_id
            GROUP BY 1, 2, 3, 4, 5
            """  # noqa: S608
        )
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]
