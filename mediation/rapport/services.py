"""Writes of the annual report: editorial, vignettes, PDF generation (via Celery), publication.

Every write is atomic and journaled. The generation is requested by `version_request` (idempotent:
a repeated click finds the same version; the database refuses a second pending generation) and
performed by `version_generate`, called by the Celery task with the version's id.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from pacte.charts import bar_chart
from pacte.journal import journal_record
from pacte.models import Arrondissement
from pacte.workflows import TransitionInterdite, transition

from .anonymisation import Identite, identifiants_trouves, message_refus
from .enums import STATUTS_EN_COURS, StatutRapport, StatutVersion
from .models import RapportAnnuel, VersionRapport, Vignette
from .statistiques import statistiques_annee
from .workflows import GENERATION_PERIMEE, RAPPORT_TABLE, VERSION_TABLE

SYSTEME = "génération automatique"

logger = logging.getLogger(__name__)

PDF_TEMPLATE = "mediation/rapport/pdf.html"


def render_pdf(*, template: str, context: dict) -> bytes:
    """`pacte.pdf.render_pdf`, imported on use: importing WeasyPrint is slow (fonts), so web
    processes that never render a PDF do not pay for it at start-up."""
    from pacte.pdf import render_pdf as kernel_render_pdf

    return kernel_render_pdf(template=template, context=context)


# --- Report and vignettes -------------------------------------------------------------------


def rapport_for_year(*, annee: int, actor) -> RapportAnnuel:
    """The report of `annee`, created (and journaled) on first use."""
    with transaction.atomic():
        rapport, created = RapportAnnuel.objects.get_or_create(annee=annee)
        if created:
            journal_record(action="rapport.cree", actor=actor, obj=rapport, message=f"Rapport {annee}")
    return rapport


def rapport_update_editorial(*, rapport: RapportAnnuel, editorial: str, actor) -> RapportAnnuel:
    """Replace the editorial of the report."""
    with transaction.atomic():
        rapport.editorial = editorial
        rapport.full_clean()
        rapport.save(update_fields=["editorial", "updated_at"])
        journal_record(action="rapport.editorial", actor=actor, obj=rapport, message="Éditorial modifié")
    return rapport


def vignette_check(*, saisine, titre: str, texte: str) -> dict[str, str]:
    """{field: French error} for each field that still identifies the requester of `saisine`."""
    identite = Identite.of(saisine)
    errors = {}
    for field, value in (("titre", titre), ("texte", texte)):
        found = identifiants_trouves(value, identite)
        if found:
            errors[field] = message_refus(found)
    return errors


def vignette_save(
    *, rapport: RapportAnnuel, saisine, titre: str, texte: str, actor, vignette: Vignette | None = None
) -> Vignette:
    """Create or update a vignette; refuse it (ValidationError) if it identifies the requester."""
    errors = vignette_check(saisine=saisine, titre=titre, texte=texte)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if vignette is None:
            ordre = (rapport.vignettes.aggregate(m=Max("ordre"))["m"] or 0) + 1
            vignette = Vignette(rapport=rapport, saisine=saisine, ordre=ordre)
        vignette.saisine, vignette.titre, vignette.texte = saisine, titre, texte
        vignette.full_clean()
        vignette.save()
        journal_record(
            action="rapport.vignette", actor=actor, obj=rapport, message=f"Vignette « {titre} » enregistrée"
        )
    return vignette


def vignette_delete(*, vignette: Vignette, actor) -> None:
    """Remove a vignette from the report."""
    with transaction.atomic():
        journal_record(
            action="rapport.vignette_supprimee",
            actor=actor,
            obj=vignette.rapport,
            message=f"Vignette « {vignette.titre} » retirée",
        )
        vignette.delete()


def rapport_public_link_set(*, rapport: RapportAnnuel, enabled: bool, actor) -> RapportAnnuel:
    """Enable or disable the public download link of the published version."""
    with transaction.atomic():
        rapport.public_link_enabled = enabled
        rapport.save(update_fields=["public_link_enabled", "updated_at"])
        journal_record(
            action="rapport.lien_public",
            actor=actor,
            obj=rapport,
            message="Lien public activé" if enabled else "Lien public désactivé",
        )
    return rapport


# --- Generation -----------------------------------------------------------------------------


def _enqueue(version_id: int) -> None:
    from .tasks import version_generate_task

    try:
        version_generate_task.delay(version_id)
    except Exception as exc:  # broker down: say so, the médiateur can retry (nothing is lost)
        logger.warning("Broker unavailable for report version %s: %s", version_id, exc)
        with contextlib.suppress(TransitionInterdite):  # a running one is left to its worker
            transition(
                VersionRapport(pk=version_id),
                {StatutVersion.EN_ATTENTE: StatutVersion.ECHEC},
                VERSION_TABLE,
                fields={
                    "erreur": "Le service de génération est indisponible pour le moment. "
                    "Réessayez dans quelques minutes.",
                    "finished_at": timezone.now(),
                },
                actor_label=SYSTEME,
                message="Génération impossible : service indisponible",
            )


def version_request(*, rapport: RapportAnnuel, actor, cle: str) -> tuple[VersionRapport, bool]:
    """Ask for a new PDF version; returns (version, created).

    Idempotent: the same `cle` (sent by the form) returns the same version, and while a generation
    is pending or running for this report, that one is returned instead of starting another (a
    conditional unique constraint enforces it under concurrency).
    """
    with transaction.atomic():
        RapportAnnuel.objects.select_for_update().filter(pk=rapport.pk).first()
        existing = (
            VersionRapport.objects.filter(demande_cle=cle).first()
            or rapport.versions.filter(statut__in=STATUTS_EN_COURS).first()
        )
        if existing is not None:
            return existing, False
        numero = (rapport.versions.aggregate(m=Max("numero"))["m"] or 0) + 1
        try:
            with transaction.atomic():
                version = VersionRapport.objects.create(
                    rapport=rapport,
                    numero=numero,
                    demande_cle=cle,
                    created_by=actor,
                    etape="En file d'attente",
                )
        except IntegrityError:
            existing = (
                VersionRapport.objects.filter(demande_cle=cle).first()
                or rapport.versions.filter(statut__in=STATUTS_EN_COURS).first()
            )
            if existing is None:
                raise
            return existing, False
        journal_record(
            action="rapport.generation_demandee",
            actor=actor,
            obj=rapport,
            message=f"Génération de la version {numero} demandée",
            data={"version": str(version.uuid)},
        )
        transaction.on_commit(lambda: _enqueue(version.pk))
    return version, True


def version_retry(*, version: VersionRapport, actor) -> VersionRapport:
    """Put a failed version back in the queue (same number); refused if another one is running."""

    def check(locked: VersionRapport) -> None:
        if locked.statut != StatutVersion.ECHEC:
            raise ValidationError("Seule une génération en échec peut être relancée.")
        if locked.rapport.versions.filter(statut__in=STATUTS_EN_COURS).exists():
            raise ValidationError("Une génération est déjà en cours pour ce rapport.")

    with transaction.atomic():
        transition(
            version,
            StatutVersion.EN_ATTENTE,
            VERSION_TABLE,
            actor,
            check=check,
            fields={"erreur": "", "progression": 0, "etape": "En file d'attente", "finished_at": None},
            journal="rapport.generation_relancee",
            message=f"Génération de la version {version.numero} relancée",
        )
        transaction.on_commit(lambda: _enqueue(version.pk))
    return version


def _progress(version_id: int, progression: int, etape: str) -> None:
    VersionRapport.objects.filter(pk=version_id).update(progression=progression, etape=etape)


def _claim(version_id: int) -> bool:
    """Take the version for this worker: a pending one, or (a redelivered task after a worker
    crash, `acks_late`) a running one older than `GENERATION_PERIMEE`. False otherwise."""

    def apply(locked: VersionRapport, de: str) -> list[str]:
        locked.tentatives += 1  # the row is locked: no lost update
        return ["tentatives"]

    try:
        transition(
            VersionRapport(pk=version_id),
            StatutVersion.EN_COURS,
            VERSION_TABLE,
            fields={"started_at": timezone.now(), "progression": 5, "etape": "Calcul des chiffres"},
            apply=apply,
            actor_label=SYSTEME,
            journal="rapport.generation_demarree",
        )
    except (TransitionInterdite, VersionRapport.DoesNotExist):
        return False
    return True


def pdf_context(*, rapport: RapportAnnuel, stats: dict, version_numero: int | None = None) -> dict:
    """Everything the PDF template needs, in a deterministic order."""
    annee, prec = stats["annee"], stats["annee_precedente"]

    def chart(key: str, title: str, chart_id: str) -> dict:
        rows = stats[key]
        return {
            "chart": bar_chart(
                f"{title} en {annee}",
                [(r["libelle"], r["n"], f"{r['n']} ({r['n_prec']})") for r in rows],
                chart_id=chart_id,
                label_header="Catégorie",
                value_header=f"{annee} ({prec})",
            ),
            "lignes": rows,
        }

    cles = stats["cles"]
    return {
        "rapport": rapport,
        "annee": annee,
        "annee_precedente": prec,
        "stats": stats,
        "cles": cles,
        "version_numero": version_numero,
        "graphiques": {
            "mois": chart("par_mois", "Saisines reçues par mois", "graphique-mois"),
            "canal": chart("par_canal", "Saisines par canal", "graphique-canal"),
            "type": chart("par_type", "Saisines par type de requérant", "graphique-type"),
            "theme": chart("par_theme", "Saisines par thème", "graphique-theme"),
            "arrondissement": chart("par_arrondissement", "Saisines par arrondissement", "graphique-arr"),
            "direction": chart("par_direction", "Saisines par direction concernée", "graphique-direction"),
            "motifs": chart("motifs_irrecevabilite", "Motifs d'irrecevabilité", "graphique-motifs"),
            "issues": chart("issues", "Issue des dossiers clôturés", "graphique-issues"),
            "reorientations": chart("reorientations", "Réorientations par organisme", "graphique-reor"),
        },
        "vignettes": list(rapport.vignettes.order_by("ordre", "id")),
        "mairies": list(Arrondissement.objects.order_by("numero")),
        "mediateur_email": settings.MEDIATEUR_EMAIL,
        "mediateur_adresse": settings.MEDIATEUR_ADDRESS,
        "telephone": settings.LYON_EN_DIRECT_PHONE,
        "telephone_horaires": settings.LYON_EN_DIRECT_HOURS,
    }


def rapport_render(*, rapport: RapportAnnuel, stats: dict, version_numero: int | None = None) -> bytes:
    """The report's tagged PDF (PDF/UA-1) for the given figures."""
    return render_pdf(
        template=PDF_TEMPLATE,
        context=pdf_context(rapport=rapport, stats=stats, version_numero=version_numero),
    )


def version_generate(*, version_id: int) -> VersionRapport | None:
    """Compute the figures, lay out the PDF, store it with its SHA-256 (called by the Celery task).

    Idempotent: a version that is already done (or running elsewhere) is left alone. Any failure
    is recorded on the version (statut « échec » and the reason) so the médiateur can retry.
    """
    if not _claim(version_id):
        return VersionRapport.objects.filter(pk=version_id).first()
    version = VersionRapport.objects.select_related("rapport").get(pk=version_id)
    try:
        stats = statistiques_annee(version.rapport.annee)
        _progress(version_id, 35, "Mise en page du document")
        pdf = rapport_render(rapport=version.rapport, stats=stats, version_numero=version.numero)
        _progress(version_id, 85, "Enregistrement du fichier")
        with transaction.atomic():
            version.fichier.save(version.nom_fichier, ContentFile(pdf), save=False)
            sha256 = hashlib.sha256(pdf).hexdigest()
            transition(
                version,
                {StatutVersion.EN_COURS: StatutVersion.PRET},
                VERSION_TABLE,
                fields={
                    "fichier": version.fichier.name,
                    "sha256": sha256,
                    "taille": len(pdf),
                    "statistiques": stats,
                    "progression": 100,
                    "etape": "Terminé",
                    "erreur": "",
                    "finished_at": timezone.now(),
                },
                actor_label=SYSTEME,
                journal="rapport.version_prete",
                message=f"Version {version.numero} générée",
                data={"sha256": sha256, "taille": len(pdf)},
            )
    except Exception as exc:
        logger.exception("Report version %s failed", version_id)
        raison = f"{exc.__class__.__name__} : {exc}"[:1000]
        try:
            transition(
                version,
                {StatutVersion.EN_COURS: StatutVersion.ECHEC},  # never undo a version another worker finished
                VERSION_TABLE,
                fields={"erreur": raison, "finished_at": timezone.now()},
                actor_label=SYSTEME,
                journal="rapport.version_echec",
                message=f"Échec de la version {version.numero}",
                data={"erreur": raison},
            )
        except TransitionInterdite:
            version.refresh_from_db()
    return version


def versions_relaunch_stale() -> int:
    """Re-enqueue versions stuck in the queue (broker was down) or lost by a crashed worker."""
    now = timezone.now()
    stale = VersionRapport.objects.filter(
        statut=StatutVersion.EN_ATTENTE, created_at__lt=now - timedelta(minutes=2)
    ) | VersionRapport.objects.filter(statut=StatutVersion.EN_COURS, started_at__lt=now - GENERATION_PERIMEE)
    ids = list(stale.values_list("pk", flat=True))
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def version_publish(*, version: VersionRapport, actor) -> VersionRapport:
    """Publish a ready version (it replaces any previously published one) for the council."""
    with transaction.atomic():
        rapport = RapportAnnuel.objects.select_for_update().get(pk=version.rapport_id)
        version = VersionRapport.objects.select_for_update().get(pk=version.pk)
        if version.statut != StatutVersion.PRET:
            raise ValidationError("Seule une version prête peut être publiée.")
        rapport.versions.filter(is_published=True).exclude(pk=version.pk).update(is_published=False)
        version.is_published = True
        version.published_at = timezone.now()
        version.published_by = actor
        version.save(update_fields=["is_published", "published_at", "published_by"])
        transition(
            rapport,
            StatutRapport.PUBLIE,
            RAPPORT_TABLE,
            actor,
            message=f"Version {version.numero} publiée",
            data={"sha256": version.sha256},
        )
    return version
