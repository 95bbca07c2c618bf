"""CSV import and export of the Pacte's actions (the format the City maintains the official list in).

The import is all or nothing: every line is checked first; any error stops it, with the line numbers
and a French message; otherwise every line is applied in one transaction. The reference file
data/reference/actions-pacte.csv is a valid import file (the extra columns are optional).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from pacte.exports import OPEN_DATA, cell_restore, csv_response, csv_text
from pacte.journal import journal_record
from pacte.models import Direction

from .enums import Statut, StatutSource
from .models import Action, Orientation
from .reference import axe_get, numero_of
from .services import action_save
from .workflows import TABLE, refus

COLUMNS = [
    "code",
    "orientation",
    "axe",
    "titre",
    "statut_source",
    "source",
    "description",
    "direction",
    "partenaires",
    "statut",
    "avancement",
    "debut_on",
    "cible_on",
    "publiee",
]
REQUIRED = ["code", "orientation", "titre"]
CODE_RE = re.compile(r"^[A-Z]{1,3}\d{1,3}$")
YES = {"oui", "o", "1", "true", "vrai", "yes"}
NO = {"non", "n", "0", "false", "faux", "no"}


@dataclass
class LigneImport:
    numero: int  # line number in the file (the header is line 1)
    code: str
    values: dict
    axe: str | None  # None when the file has no "axe" column (the axis is then left as it is)
    exists: bool = False


@dataclass
class RapportImport:
    lignes: list[LigneImport] = field(default_factory=list)
    erreurs: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)

    @property
    def ok(self) -> bool:
        return not self.erreurs and bool(self.lignes)

    @property
    def nb_creations(self) -> int:
        return sum(1 for ligne in self.lignes if not ligne.exists)

    @property
    def nb_mises_a_jour(self) -> int:
        return sum(1 for ligne in self.lignes if ligne.exists)


def _date(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError


def actions_csv_parse(content: str | bytes) -> RapportImport:
    """Check every line of a CSV of actions; return the planned lines and the errors by line."""
    rapport = RapportImport()
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            rapport.erreurs.append(
                (0, "Le fichier n'est pas encodé en UTF-8. Enregistrez-le en « CSV UTF-8 ».")
            )
            return rapport
    content = content.lstrip("\ufeff")
    sample = content[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(content), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        rapport.erreurs.append(
            (1, "Colonnes obligatoires absentes de la première ligne : " + ", ".join(missing) + ".")
        )
        return rapport
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        rapport.erreurs.append(
            (
                1,
                "Colonnes inconnues : "
                + ", ".join(unknown)
                + ". Colonnes possibles : "
                + ", ".join(COLUMNS)
                + ".",
            )
        )
        return rapport
    orientations = {o.code: o for o in Orientation.objects.all()}
    directions = {d.sigle.lower(): d for d in Direction.objects.all()}
    existing = dict(Action.objects.values_list("code", "statut"))
    url_ok = URLValidator(schemes=["http", "https"])
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): cell_restore((v or "").strip()) for k, v in raw.items() if k is not None}
        if None in raw:
            rapport.erreurs.append(
                (index, "Trop de valeurs sur la ligne (vérifiez les guillemets et séparateurs).")
            )
            continue
        if not any(row.values()):
            continue
        errors: list[str] = []
        code = row.get("code", "").upper()
        if not CODE_RE.match(code):
            errors.append(
                f"le code « {row.get('code', '')} » doit être une à trois lettres suivies d'un numéro (ex. A1)"
            )
        elif code in seen:
            errors.append(f"le code {code} figure déjà ligne {seen[code]}")
        else:
            seen[code] = index
        orientation = orientations.get(row.get("orientation", "").lower())
        if orientation is None:
            errors.append(
                f"l'orientation « {row.get('orientation', '')} » est inconnue (accessibilite, proximite ou adaptabilite)"
            )
        titre = row.get("titre", "")
        if not titre:
            errors.append("le titre est vide")
        elif len(titre) > 300:
            errors.append("le titre dépasse 300 caractères")
        values: dict = {"titre": titre, "orientation": orientation, "numero": numero_of(code)}
        if "statut_source" in row:
            statut_source = row["statut_source"] or StatutSource.SOURCEE
            if statut_source not in StatutSource.values:
                errors.append(
                    f"la provenance « {statut_source} » est inconnue (sourcee, partielle ou discours)"
                )
            else:
                values["statut_source"] = statut_source
                values["certitude"] = StatutSource.certitude(statut_source)
        if row.get("source"):
            try:
                url_ok(row["source"])
                values["source"] = row["source"]
            except ValidationError:
                errors.append(f"la source « {row['source']} » n'est pas une adresse web valide")
        elif "source" in row:
            values["source"] = ""
        for name in ("description", "partenaires"):
            if name in row:
                values[name] = row[name]
        if row.get("direction"):
            direction = directions.get(row["direction"].lower())
            if direction is None:
                errors.append(
                    f"la direction « {row['direction']} » est inconnue (indiquez son sigle, ex. DPC)"
                )
            values["direction"] = direction
        elif "direction" in row:
            values["direction"] = None
        if row.get("statut"):
            statut = row["statut"].lower()
            labels = {str(label).lower(): value for value, label in Statut.choices}
            statut = labels.get(statut, statut)
            if statut not in Statut.values:
                errors.append(
                    f"le statut « {row['statut']} » est inconnu (a_engager, en_cours, realisee ou abandonnee)"
                )
            elif code in existing and statut != existing[code] and not TABLE.allows(existing[code], statut):
                errors.append(refus(existing[code], statut))
            values["statut"] = statut
        if row.get("avancement"):
            try:
                avancement = int(row["avancement"].rstrip("% "))
                if not 0 <= avancement <= 100:
                    raise ValueError
                values["avancement"] = avancement
            except ValueError:
                errors.append(f"l'avancement « {row['avancement']} » doit être un nombre entier de 0 à 100")
        for name, label in (("debut_on", "de début"), ("cible_on", "cible")):
            if row.get(name):
                try:
                    values[name] = _date(row[name])
                except ValueError:
                    errors.append(f"la date {label} « {row[name]} » doit s'écrire AAAA-MM-JJ ou JJ/MM/AAAA")
            elif name in row:
                values[name] = None
        if values.get("debut_on") and values.get("cible_on") and values["cible_on"] < values["debut_on"]:
            errors.append("la date cible est avant la date de début")
        if row.get("publiee"):
            answer = row["publiee"].lower()
            if answer not in YES | NO:
                errors.append(f"« publiee » vaut « {row['publiee']} » : écrivez oui ou non")
            values["is_published"] = answer in YES
        if errors:
            text = " ; ".join(errors)
            rapport.erreurs.append((index, text[0].upper() + text[1:] + "."))
            continue
        rapport.lignes.append(
            LigneImport(numero=index, code=code, values=values, axe=row.get("axe"), exists=code in existing)
        )
    if not rapport.lignes and not rapport.erreurs:
        rapport.erreurs.append((2, "Le fichier ne contient aucune action."))
    return rapport


def actions_csv_import(*, content: str | bytes, actor) -> RapportImport:
    """Import the file if every line is valid (one transaction); otherwise import nothing.

    Status changes of existing published actions are emailed to their followers (via `action_save`).
    """
    rapport = actions_csv_parse(content)
    if not rapport.ok:
        return rapport
    with transaction.atomic():
        for ligne in rapport.lignes:
            values = dict(ligne.values)
            if ligne.axe is not None:
                values["axe"] = axe_get(values["orientation"], ligne.axe) if ligne.axe else None
            statut = values.pop("statut", None)
            action = Action.objects.filter(code=ligne.code).first()
            if action is None:  # a new row is created with its status; an existing one moves to it
                action, statut = Action(code=ligne.code, **({"statut": statut} if statut else {})), None
            for name, value in values.items():
                setattr(action, name, value)
            action_save(
                action=action, actor=actor, message=f"Import CSV, ligne {ligne.numero}", statut=statut
            )
        journal_record(
            action="tracker.import_csv",
            actor=actor,
            message=f"Import CSV : {rapport.nb_creations} créations, {rapport.nb_mises_a_jour} mises à jour",
        )
    return rapport


def actions_csv_rows(actions=None):
    """The actions in the import format, one list per line (the header is `COLUMNS`)."""
    actions = actions if actions is not None else Action.objects.all()
    for action in actions.select_related("orientation", "axe", "direction").order_by(
        "orientation__ordre", "numero", "code"
    ):
        yield [
            action.code,
            action.orientation.code,
            action.axe.titre if action.axe else "",
            action.titre,
            action.statut_source,
            action.source,
            action.description,
            action.direction.sigle if action.direction else "",
            action.partenaires,
            action.statut,
            action.avancement,
            action.debut_on.isoformat() if action.debut_on else "",
            action.cible_on.isoformat() if action.cible_on else "",
            "oui" if action.is_published else "non",
        ]


def actions_csv_response(actions=None, *, filename: str):
    """Stream the actions in the import format (open-data dialect: UTF-8, comma)."""
    return csv_response(actions_csv_rows(actions), COLUMNS, filename, dialect=OPEN_DATA)


def actions_csv_export(actions=None) -> str:
    """Export actions in the import format (UTF-8, comma separated) as one string."""
    return csv_text(actions_csv_rows(actions), COLUMNS, OPEN_DATA)
