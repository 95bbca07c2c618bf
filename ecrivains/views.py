"""Views of the écrivains publics module: the public finder, the waiting list and its offers, the
écrivain's space, the coordinator's figures. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pacte.booking import attente
from pacte.booking.models import OffreCreneau, Statut
from pacte.booking.selectors import (
    creneaux_disponibles,
    local_tz,
    prochains_creneaux,
    prochains_creneaux_par_agenda,
)
from pacte.booking.services import CreneauIndisponible, reservation_mark, reservation_walk_in
from pacte.booking.views import attente_inscription_page
from pacte.charts import bar_chart
from pacte.decorators import role_required
from pacte.facile import gabarit
from pacte.forms import apply_errors
from pacte.francais import date_texte, nombre
from pacte.htmx import render_page
from pacte.ratelimit import ratelimit
from pacte.roles import Role
from pacte.workflows import TransitionInterdite

from . import selectors, services
from .enums import StatutInscription
from .forms import AnnulationSeanceForm, FicheForm, PassageForm, PeriodeForm, RechercheForm
from .models import Permanence

STAFF_ATTENTE = (Role.AGENT, Role.ECRIVAIN, Role.COORDINATION, Role.ADMIN)
COORDINATION = (Role.ADMIN, Role.COORDINATION, Role.ANALYSTE)


# --- Public -------------------------------------------------------------------------------------


@login_not_required
def recherche(request):
    """The public finder: filters in a GET form, each permanence with its next free slot."""
    form = RechercheForm(request.GET or None)
    filtres = {}
    if form.is_bound and form.is_valid():
        filtres = {k: v for k, v in form.cleaned_data.items() if v}
    permanences = list(selectors.permanences_search(**filtres))
    date = filtres.get("date")
    # Without a date, the next free slot within the finder's window (ECRIVAINS_RECHERCHE_JOURS).
    fin = date or timezone.localdate() + dt.timedelta(days=settings.ECRIVAINS_RECHERCHE_JOURS)
    prochains = prochains_creneaux_par_agenda([p.agenda for p in permanences], debut=date, fin=fin)
    for p in permanences:
        p.prochain = prochains.get(p.agenda_id)
    context = {"form": form, "permanences": permanences, "filtre_actif": bool(filtres), "date": date}
    return render_page(request, gabarit(request, "ecrivains/recherche.html"), context, partial="resultats")


def _permanence_publique(uuid):
    return get_object_or_404(
        Permanence.objects.publiees().select_related("agenda__lieu__arrondissement"), uuid=uuid
    )


@login_not_required
def permanence_detail(request, uuid):
    """One permanence: where, when, languages, themes, what to bring, next slots or the waiting list."""
    permanence = _permanence_publique(uuid)
    prochains = prochains_creneaux(permanence.agenda, nombre=5)
    return render(
        request,
        gabarit(request, "ecrivains/permanence_detail.html"),
        {
            "permanence": permanence,
            "agenda": permanence.agenda,
            "prochains": prochains,
            "complet": not prochains,
            "ecrivains": permanence.ecrivains.select_related("user"),
        },
    )


@login_not_required
@ratelimit("reservation")
@require_http_methods(["GET", "POST"])
def inscription_create(request, uuid):
    """Register on the waiting list of a full permanence (no account): the engine's form."""
    return attente_inscription_page(request, _permanence_publique(uuid).agenda)


# --- The écrivain's space ------------------------------------------------------------------------


@role_required(Role.ECRIVAIN, Role.ADMIN)
def mon_espace(request):
    """Today's and upcoming appointments of the écrivain's permanences, walk-ins, waiting lists."""
    today = timezone.localdate()
    rendez_vous = list(
        selectors.rendez_vous_for(request.user, debut=today, fin=today + dt.timedelta(days=14))
    )
    aujourdhui = [r for r in rendez_vous if timezone.localtime(r.debut).date() == today]
    a_venir = [r for r in rendez_vous if timezone.localtime(r.debut).date() > today]
    permanences = list(selectors.permanences_visible_to(request.user).filter(is_active=True))
    return render(
        request,
        "ecrivains/mon_espace.html",
        {
            "aujourdhui": aujourdhui,
            "a_venir": a_venir,
            "permanences": permanences,
            "offres": list(selectors.offres_a_appeler(request.user)),
            "today": today,
        },
    )


@require_POST
@role_required(Role.ECRIVAIN, Role.ADMIN)
def rendez_vous_marquer(request, uuid):
    """Mark an appointment as arrived or absent, or undo the mark the same day (scope: the
    écrivain's permanences, else 404)."""
    reservation = get_object_or_404(selectors.reservations_visible_to(request.user), uuid=uuid)
    statut = request.POST.get("statut")
    if statut not in (Statut.HONOREE, Statut.ABSENT, Statut.CONFIRMEE):
        messages.error(request, "Action inconnue.")
    else:
        try:
            reservation_mark(reservation=reservation, statut=statut, actor=request.user)
            messages.success(request, f"{reservation.nom_complet or 'Rendez-vous'} : {Statut(statut).label}.")
        except TransitionInterdite as exc:
            messages.error(request, str(exc))
    return redirect("ecrivains:mon_espace")


@role_required(Role.ECRIVAIN, Role.ADMIN)
def passage_create(request, uuid):
    """Record a walk-in on a slot of today (uses the places kept for walk-ins)."""
    permanence = get_object_or_404(selectors.permanences_visible_to(request.user), uuid=uuid)
    today = timezone.localdate()
    creneaux = creneaux_disponibles(permanence.agenda, debut=today, fin=today, pour_agent=True).get(today, [])
    form = PassageForm(request.POST or None, creneaux=creneaux)
    if request.method == "POST" and form.is_valid():
        debut = next(c.debut for c in creneaux if c.cle == form.cleaned_data["creneau"])
        try:
            reservation, _token = reservation_walk_in(
                agenda=permanence.agenda, debut=debut, agent=request.user, nom=form.cleaned_data["nom"]
            )
            # A walk-in is here by definition: received at once (counts as a person helped).
            reservation_mark(reservation=reservation, statut=Statut.HONOREE, actor=request.user)
        except CreneauIndisponible:
            form.add_error("creneau", "Ce créneau vient d'être pris : choisissez-en un autre.")
        else:
            messages.success(request, "Passage sans rendez-vous enregistré.")
            return redirect("ecrivains:mon_espace")
    return render(
        request, "ecrivains/passage_form.html", {"permanence": permanence, "form": form, "creneaux": creneaux}
    )


@role_required(Role.ECRIVAIN, Role.ADMIN)
def fiche_create(request):
    """The 30-second anonymous session record."""
    permanences = list(selectors.permanences_visible_to(request.user))
    if not permanences:
        raise Http404
    initial = {
        "date": timezone.localdate(),
        "duree_minutes": 30,
        "permanence": request.GET.get("permanence", ""),
    }
    form = FicheForm(request.POST or None, permanences=permanences, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        permanence = next(p for p in permanences if str(p.uuid) == data["permanence"])
        services.fiche_create(
            permanence=permanence,
            date=data["date"],
            themes=data["themes"],
            issue=data["issue"],
            organisme=data["organisme"],
            duree_minutes=data["duree_minutes"],
            autonomie=data["autonomie"],
            droit_non_reclame=data["droit_non_reclame"],
            dispositif=data["dispositif"],
            type_odenore=data["type_odenore"],
            actor=request.user,
        )
        messages.success(
            request, "Fiche de séance enregistrée, merci. Aucune donnée sur la personne n'est conservée."
        )
        return redirect("ecrivains:mon_espace")
    return render(request, "ecrivains/fiche_form.html", {"form": form})


@role_required(Role.ECRIVAIN, Role.COORDINATION, Role.ADMIN)
def seance_annuler(request, uuid):
    """Cancel one session of a permanence; the booked people and the waiting list are told."""
    permanence = get_object_or_404(selectors.permanences_visible_to(request.user), uuid=uuid)
    form = AnnulationSeanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            seance = services.seance_cancel(
                permanence=permanence,
                date=form.cleaned_data["date"],
                motif=form.cleaned_data["motif"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Séance du {date_texte(seance.date, 'l j F Y')} annulée ; "
                f"{nombre(seance.reservations_annulees, 'personne prévenue', 'personnes prévenues')}.",
            )
            return redirect("ecrivains:mon_espace")
    return render(request, "ecrivains/seance_annuler.html", {"permanence": permanence, "form": form})


# --- Waiting lists (agents, écrivains) ---------------------------------------------------------------


@role_required(*STAFF_ATTENTE)
def liste_attente(request):
    """Waiting lists of the permanences the user may run, and the offers to phone."""
    permanences = list(selectors.permanences_visible_to(request.user).filter(is_active=True))
    inscriptions = list(
        selectors.inscriptions_visible_to(request.user)
        .filter(statut__in=[StatutInscription.EN_ATTENTE, StatutInscription.OFFRE_EN_COURS])
        .order_by("agenda_id", "created_at", "id")
    )
    par_agenda = {p.agenda_id: [] for p in permanences}
    for inscription in inscriptions:
        par_agenda.setdefault(inscription.agenda_id, []).append(inscription)
    for p in permanences:
        p.attente = par_agenda.get(p.agenda_id, [])
    return render(
        request,
        "ecrivains/liste_attente.html",
        {"permanences": permanences, "offres": list(selectors.offres_a_appeler(request.user))},
    )


@role_required(*STAFF_ATTENTE)
def inscription_agent(request, uuid):
    """An agent registers a caller (phone or counter) on a permanence's waiting list."""
    permanence = get_object_or_404(selectors.permanences_visible_to(request.user), uuid=uuid)
    return attente_inscription_page(request, permanence.agenda, agent=request.user) or redirect(
        "ecrivains:liste_attente"
    )


@require_POST
@role_required(*STAFF_ATTENTE)
def offre_agent(request, uuid):
    """The agent records the caller's answer to an offer (accepte, refuse) or that they called."""
    offre = get_object_or_404(
        OffreCreneau.objects.filter(agenda__permanence__in=selectors.permanences_visible_to(request.user)),
        uuid=uuid,
    )
    niveau, message = attente.offre_agent_answer(
        offre=offre, action=request.POST.get("action", ""), agent=request.user
    )
    messages.add_message(request, getattr(messages, niveau.upper()), message)
    return redirect(
        request.POST.get("retour") == "espace" and "ecrivains:mon_espace" or "ecrivains:liste_attente"
    )


# --- Coordination --------------------------------------------------------------------------------------


@role_required(*COORDINATION, hidden=True)
def coordination(request):
    """Fill rate, walk-ins, no-shows per permanence, lieu and month; themes (no per-person figure).
    Other roles get 404, as for a page that does not exist for them."""
    today = timezone.localdate()
    form = PeriodeForm(request.GET or None)
    debut = (today.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
    fin = today
    if form.is_bound and form.is_valid():
        debut = form.cleaned_data.get("debut") or debut
        fin = form.cleaned_data.get("fin") or fin
    if fin < debut:
        debut, fin = fin, debut
    if (fin - debut).days > 731:
        debut = fin - dt.timedelta(days=731)
    stats = selectors.coordination_stats(debut=debut, fin=fin)
    charts = {
        "taux": bar_chart(
            "Taux de remplissage par lieu (%)",
            [
                (a["lieu"].nom, a["taux"] or 0, f"{a['taux']} %" if a["taux"] is not None else "—")
                for a in stats["par_lieu"]
            ],
            chart_id="graphique-remplissage",
            label_header="Lieu",
            value_header="Taux de remplissage",
        ),
        "themes": bar_chart(
            "Thèmes des séances", stats["themes"], chart_id="graphique-themes", label_header="Thème"
        ),
    }
    return render(
        request,
        "ecrivains/coordination.html",
        {"form": form, "stats": stats, "charts": charts, "debut": debut, "fin": fin, "tz": local_tz()},
    )
