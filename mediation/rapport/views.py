"""Views of the annual report: thin, function-based; htmx gets the #statut partial of the same page."""

from __future__ import annotations

from uuid import uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from mediation.models import Saisine
from pacte.decorators import role_required
from pacte.forms import apply_errors
from pacte.htmx import render_page, wants_partial
from pacte.journal import journal_record
from pacte.roles import Role

from . import selectors, services
from .enums import STATUTS_EN_COURS, StatutVersion
from .forms import EditorialForm, GenerationForm, LienPublicForm, VignetteForm
from .models import RapportAnnuel, VersionRapport
from .perms import can_download_version

TEMPLATE_PREPARER = "mediation/rapport/preparer.html"


def _annee_or_404(annee: int) -> RapportAnnuel | None:
    rapport = RapportAnnuel.objects.filter(annee=annee).first()
    if rapport is None and annee not in selectors.annees_proposables():
        raise Http404
    return rapport


def _statut_context(rapport: RapportAnnuel | None) -> dict:
    versions = list(selectors.versions_of(rapport)) if rapport else []
    courante = next((v for v in versions if v.statut in STATUTS_EN_COURS), None) or (
        versions[0] if versions else None
    )
    return {"versions": versions, "courante": courante, "cle": uuid4().hex}


def _render_preparer(request, annee, rapport, *, editorial_form=None, vignette_form=None, status=200):
    context = {
        "annee": annee,
        "rapport": rapport,
        **_statut_context(rapport),
    }
    if wants_partial(request) and request.method == "GET":
        # The generation status polled every 2 s: only its section.
        return render_page(request, TEMPLATE_PREPARER, context, partial="statut")
    context.update(
        editorial_form=editorial_form
        or EditorialForm(initial={"editorial": rapport.editorial if rapport else ""}),
        vignette_form=vignette_form or VignetteForm(saisines=selectors.saisines_illustrables(annee)),
        vignettes=list(selectors.vignettes_of(rapport)) if rapport else [],
        lien_public=(
            request.build_absolute_uri(reverse("rapport:public", args=[rapport.public_uuid]))
            if rapport and rapport.public_link_enabled
            else ""
        ),
    )
    return render_page(request, TEMPLATE_PREPARER, context, status=status)


@role_required(Role.MEDIATEUR)
@require_safe
def rapport_liste(request):
    rapports = list(selectors.rapport_list_for(request.user))
    existing = {r.annee for r in rapports}
    a_preparer = [a for a in selectors.annees_proposables() if a not in existing]
    return render(
        request, "mediation/rapport/liste.html", {"rapports": rapports, "annees_a_preparer": a_preparer}
    )


@role_required(Role.MEDIATEUR)
@never_cache
def rapport_preparer(request, annee: int):
    rapport = _annee_or_404(annee)
    if request.method == "POST":
        form = EditorialForm(request.POST)
        if form.is_valid():
            rapport = rapport or services.rapport_for_year(annee=annee, actor=request.user)
            services.rapport_update_editorial(
                rapport=rapport, editorial=form.cleaned_data["editorial"], actor=request.user
            )
            messages.success(request, "L'éditorial est enregistré.")
            return redirect("rapport:preparer", annee=annee)
        return _render_preparer(request, annee, rapport, editorial_form=form)
    return _render_preparer(request, annee, rapport)


@role_required(Role.MEDIATEUR)
@require_POST
def vignette_ajouter(request, annee: int):
    rapport = _annee_or_404(annee)
    form = VignetteForm(request.POST, saisines=selectors.saisines_illustrables(annee))
    if form.is_valid():
        rapport = rapport or services.rapport_for_year(annee=annee, actor=request.user)
        try:
            services.vignette_save(rapport=rapport, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "La vignette est ajoutée au rapport.")
            return redirect(reverse("rapport:preparer", args=[annee]) + "#vignettes")
    return _render_preparer(request, annee, rapport, vignette_form=form)


@role_required(Role.MEDIATEUR)
@never_cache
def vignette_modifier(request, annee: int, vignette_uuid):
    rapport = get_object_or_404(RapportAnnuel, annee=annee)
    vignette = get_object_or_404(rapport.vignettes, uuid=vignette_uuid)
    saisines = selectors.saisines_illustrables(annee)
    if vignette.saisine_id:
        saisines = Saisine.objects.filter(Q(pk__in=saisines.values("pk")) | Q(pk=vignette.saisine_id))
    if request.method == "POST":
        form = VignetteForm(request.POST, saisines=saisines)
        if form.is_valid():
            try:
                services.vignette_save(
                    rapport=rapport, vignette=vignette, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "La vignette est modifiée.")
                return redirect(reverse("rapport:preparer", args=[annee]) + "#vignettes")
    else:
        form = VignetteForm(
            saisines=saisines,
            initial={"saisine": vignette.saisine_id, "titre": vignette.titre, "texte": vignette.texte},
        )
    return render(
        request, "mediation/rapport/vignette.html", {"annee": annee, "vignette": vignette, "form": form}
    )


@role_required(Role.MEDIATEUR)
@require_POST
def vignette_supprimer(request, annee: int, vignette_uuid):
    rapport = get_object_or_404(RapportAnnuel, annee=annee)
    vignette = get_object_or_404(rapport.vignettes, uuid=vignette_uuid)
    services.vignette_delete(vignette=vignette, actor=request.user)
    messages.success(request, "La vignette est retirée du rapport.")
    return redirect(reverse("rapport:preparer", args=[annee]) + "#vignettes")


@role_required(Role.MEDIATEUR)
@require_POST
def rapport_generer(request, annee: int):
    rapport = _annee_or_404(annee)
    form = GenerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "La demande a expiré : cliquez à nouveau sur « Générer le PDF ».")
        return redirect("rapport:preparer", annee=annee)
    rapport = rapport or services.rapport_for_year(annee=annee, actor=request.user)
    version, created = services.version_request(
        rapport=rapport, actor=request.user, cle=form.cleaned_data["cle"]
    )
    if created:
        messages.success(request, f"La génération de la version {version.numero} est lancée.")
    else:
        messages.info(
            request, f"La version {version.numero} est déjà demandée : une seule génération à la fois."
        )
    return redirect(reverse("rapport:preparer", args=[annee]) + "#generation")


def _version_of(rapport, version_uuid) -> VersionRapport:
    return get_object_or_404(rapport.versions, uuid=version_uuid)


@role_required(Role.MEDIATEUR)
@require_POST
def version_reessayer(request, annee: int, version_uuid):
    rapport = get_object_or_404(RapportAnnuel, annee=annee)
    version = _version_of(rapport, version_uuid)
    try:
        services.version_retry(version=version, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"La génération de la version {version.numero} est relancée.")
    return redirect(reverse("rapport:preparer", args=[annee]) + "#generation")


@role_required(Role.MEDIATEUR)
@require_POST
def version_publier(request, annee: int, version_uuid):
    rapport = get_object_or_404(RapportAnnuel, annee=annee)
    version = _version_of(rapport, version_uuid)
    try:
        services.version_publish(version=version, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"La version {version.numero} est publiée : le conseil municipal peut la lire."
        )
    return redirect(reverse("rapport:preparer", args=[annee]) + "#generation")


@role_required(Role.MEDIATEUR)
@require_POST
def rapport_lien_public(request, annee: int):
    rapport = get_object_or_404(RapportAnnuel, annee=annee)
    form = LienPublicForm(request.POST)
    form.is_valid()
    enabled = bool(form.cleaned_data.get("actif"))
    services.rapport_public_link_set(rapport=rapport, enabled=enabled, actor=request.user)
    messages.success(request, "Le lien public est activé." if enabled else "Le lien public est désactivé.")
    return redirect(reverse("rapport:preparer", args=[annee]) + "#lien-public")


@role_required(Role.MEDIATEUR, Role.CONSEILLER)
@require_safe
def rapports_conseil(request):
    rapports = list(selectors.rapport_publies_for(request.user))
    return render(request, "mediation/rapport/conseil.html", {"rapports": rapports})


def _pdf_response(version: VersionRapport) -> FileResponse:
    response = FileResponse(
        version.fichier.open("rb"),
        as_attachment=False,
        filename=version.nom_fichier,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(Role.MEDIATEUR, Role.CONSEILLER)
@require_safe
def version_telecharger(request, version_uuid):
    version = get_object_or_404(selectors.version_visible_to(request.user), uuid=version_uuid)
    if not can_download_version(request.user, version):
        raise Http404
    journal_record(
        action="rapport.telecharge",
        actor=request.user,
        obj=version.rapport,
        message=f"Version {version.numero}",
    )
    return _pdf_response(version)


@login_not_required
@require_safe
def rapport_public(request, public_uuid):
    rapport = get_object_or_404(RapportAnnuel, public_uuid=public_uuid, public_link_enabled=True)
    version = get_object_or_404(rapport.versions, is_published=True, statut=StatutVersion.PRET)
    return _pdf_response(version)
