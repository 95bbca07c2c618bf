"""Views of the observatory: public statistics, agent quick form and follow-up, analysts' tools."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from pacte.charts import bar_chart
from pacte.decorators import role_required
from pacte.exports import OPEN_DATA, SPREADSHEET, csv_response
from pacte.journal import journal_record
from pacte.models import Arrondissement
from pacte.roles import Role, has_role, profil_of
from pacte.traductions import libelle

from .enums import Source
from .forms import DispositifForm, SignalementForm, SuiviForm
from .models import Dispositif
from .reference import typologie
from .selectors import observations_of
from .services import observation_record, observation_suivi
from .stats import (
    CSV_HEADER,
    PUBLIC_CSV_HEADER,
    AnneeForm,
    Filtres,
    FiltresForm,
    csv_rows,
    publication,
    statistiques,
    trimestres_recents,
)

SIGNALEURS = (Role.AGENT, Role.ECRIVAIN, Role.MEDIATEUR, Role.ANALYSTE)


def _totals_chart(titre, tableau, chart_id):
    """Bar chart of a table's row totals (a suppressed total draws no bar and shows its label)."""
    return bar_chart(
        titre,
        [
            (libelle(row["label"]), row["total"].published, libelle(row["total"].display).texte)
            for row in tableau.rows
        ],
        chart_id=chart_id,
        label_header=libelle(tableau.row_header).texte,
        value_header=gettext("Situations"),
    )


def _stats_context(request):
    """The analysts' raw tables under free filters (staff only)."""
    dispositifs = list(Dispositif.objects.all())
    arrondissements = list(Arrondissement.objects.all())
    data = request.GET.copy()
    quarters = trimestres_recents()
    for name, default in (("debut", quarters[7]), ("fin", quarters[0]), ("pas", "trimestre")):
        data.setdefault(name, default)
    form = FiltresForm(data, dispositifs=dispositifs, arrondissements=arrondissements)
    filtres = Filtres.from_form(form)
    stats = statistiques(filtres, dispositifs=dispositifs, arrondissements=arrondissements)
    return {
        "form": form,
        "stats": stats,
        "query": request.GET.urlencode(),
        "chart_periode": _totals_chart(
            stats.par_periode.titre.replace(" et type de non-recours", ""),
            stats.par_periode,
            "graphique-evolution",
        ),
        "chart_dispositif": _totals_chart("Situations par droit", stats.par_dispositif, "graphique-droits"),
        "typologie": typologie(),
        "dispositifs": [d for d in dispositifs if d.is_active],
    }


def _public_context(request):
    """The public figures: one year of the fixed publication, nothing recomputed per visitor."""
    dispositifs = list(Dispositif.objects.all())
    form = AnneeForm(request.GET or None)
    pub = publication(form.annee_choisie(), dispositifs=dispositifs)
    return {
        "form": form,
        "pub": pub,
        "query": request.GET.urlencode(),
        "chart_trimestre": _totals_chart(
            gettext("Situations par trimestre"), pub.par_trimestre, "graphique-evolution"
        ),
        "chart_dispositif": _totals_chart(
            gettext("Situations par droit"), pub.par_dispositif, "graphique-droits"
        ),
        "typologie": typologie(),
        "dispositifs": [d for d in dispositifs if d.is_active],
    }


@login_not_required
def statistiques_page(request):
    """Public statistics with small-cell suppression (no account needed)."""
    context = _public_context(request)
    return render(request, "nonrecours/statistiques.html", context)


@login_not_required
def statistiques_csv(request):
    """Open-data export: the same protected tables as the page."""
    pub = _public_context(request)["pub"]
    return csv_response(
        pub.csv_rows(), PUBLIC_CSV_HEADER, f"non-recours-statistiques-{pub.annee}.csv", dialect=OPEN_DATA
    )


@role_required(Role.ANALYSTE)
def analyse(request):
    """Raw (unsuppressed) figures for CCAS analysts."""
    context = _stats_context(request)
    return render(request, "nonrecours/analyse.html", context)


@role_required(Role.ANALYSTE)
def analyse_csv(request):
    """Raw export for analysts, journaled."""
    context = _stats_context(request)
    f = context["stats"].filtres
    return csv_response(
        csv_rows(context["stats"]),
        CSV_HEADER,
        "non-recours-chiffres-bruts.csv",
        dialect=SPREADSHEET,
        journal={
            "action": "nonrecours.export",
            "actor": request.user,
            "message": "Export des chiffres non masqués de l'observatoire",
            "data": {
                "debut": f.debut.isoformat(),
                "fin": f.fin.isoformat(),
                "dispositif": f.dispositif,
                "type": f.type,
                "arrondissement": f.arrondissement,
            },
        },
    )


def _default_source(user) -> str:
    if has_role(user, Role.AGENT):
        return Source.ACCUEIL_MAIRIE
    if has_role(user, Role.ECRIVAIN):
        return Source.ECRIVAIN_PUBLIC
    if has_role(user, Role.MEDIATEUR):
        return Source.MEDIATION
    return Source.CCAS


def _default_arrondissement(user):
    profil = profil_of(user)
    if profil.arrondissement_id:
        return profil.arrondissement.numero
    if profil.lieu_id:
        return profil.lieu.arrondissement.numero
    return None


@role_required(*SIGNALEURS)
def signaler(request):
    """The agent quick form (30 seconds, keyboard only). PRG, then « autre situation »."""
    if request.method == "POST":
        form = SignalementForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            observation = observation_record(
                source=data["source"],
                type_odenore=data["type_odenore"],
                dispositifs=[d.code for d in data["dispositifs"]],
                raisons=data["raisons"],
                arrondissement=data["arrondissement"],
                orientation=data["orientation"],
                age_tranche=data["age_tranche"],
                menage=data["menage"],
                situation=data["situation"],
                observed_on=data["observed_on"],
                actor=request.user,
            )
            request.session["nonrecours_dernier"] = {
                "source": data["source"],
                "arrondissement": data["arrondissement"].numero if data["arrondissement"] else "",
            }
            messages.success(request, f"Situation n° {observation.pk} enregistrée. Merci !")
            return redirect(f"{reverse('nonrecours:signaler')}?enregistre={observation.pk}")
    else:
        last = request.session.get("nonrecours_dernier", {})
        form = SignalementForm(
            initial={
                "source": last.get("source") or _default_source(request.user),
                "arrondissement": last.get("arrondissement") or _default_arrondissement(request.user),
            }
        )
    return render(
        request,
        "nonrecours/signaler.html",
        {"form": form, "enregistre": request.GET.get("enregistre", "") if request.method == "GET" else ""},
    )


@role_required(*SIGNALEURS)
def mes_signalements(request):
    """The agent's recent observations, with the follow-up « droit ouvert ? »."""
    page = Paginator(observations_of(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "nonrecours/mes_signalements.html",
        {"page": page, "suivi_choices": SuiviForm.base_fields["droit_ouvert"].choices},
    )


@role_required(*SIGNALEURS)
@require_POST
def suivi(request, pk):
    observation = get_object_or_404(observations_of(request.user), pk=pk)
    form = SuiviForm(request.POST)
    if form.is_valid():
        observation_suivi(
            observation=observation, droit_ouvert=form.cleaned_data["droit_ouvert"], actor=request.user
        )
        messages.success(request, f"Suivi de la situation n° {observation.pk} enregistré.")
    else:
        messages.error(request, f"Situation n° {observation.pk} : choisissez oui, non ou en cours.")
    return redirect(f"{reverse('nonrecours:mes_signalements')}#situation-{observation.pk}")


@role_required(Role.ANALYSTE)
def dispositifs(request):
    return render(request, "nonrecours/dispositifs.html", {"dispositifs": Dispositif.objects.order_by("nom")})


@role_required(Role.ANALYSTE)
def dispositif_edit(request, pk=None):
    instance = get_object_or_404(Dispositif, pk=pk) if pk else None
    form = DispositifForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            dispositif = form.save()
            journal_record(
                action="nonrecours.dispositif_modifie" if instance else "nonrecours.dispositif_ajoute",
                actor=request.user,
                obj=dispositif,
                message=f"Dispositif {dispositif.nom}",
                data={"champs": form.changed_data},
            )
        messages.success(request, f"Dispositif « {dispositif.nom} » enregistré.")
        return redirect("nonrecours:dispositifs")
    return render(request, "nonrecours/dispositif_form.html", {"form": form, "dispositif": instance})


@role_required(Role.ANALYSTE)
@require_POST
def dispositif_activer(request, pk):
    dispositif = get_object_or_404(Dispositif, pk=pk)
    with transaction.atomic():
        dispositif.is_active = not dispositif.is_active
        dispositif.save(update_fields=["is_active"])
        journal_record(
            action="nonrecours.dispositif_active"
            if dispositif.is_active
            else "nonrecours.dispositif_desactive",
            actor=request.user,
            obj=dispositif,
            message=f"Dispositif {dispositif.nom}",
        )
    messages.success(
        request, f"Dispositif « {dispositif.nom} » {'réactivé' if dispositif.is_active else 'désactivé'}."
    )
    return redirect("nonrecours:dispositifs")
