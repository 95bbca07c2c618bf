"""Views of the Pacte tracker: public pages (no account) and the pilot directions' back office."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pacte import secret_links
from pacte.decorators import role_required
from pacte.htmx import render_page
from pacte.ratelimit import ratelimit, refused
from pacte.roles import Role
from pacte.workflows import TransitionInterdite

from . import selectors, services
from .csvio import COLUMNS, actions_csv_import, actions_csv_parse, actions_csv_response
from .enums import Statut
from .forms import AbonnementForm, AvancementForm, FiltresForm, ImportForm, JalonForm, MesureForm
from .models import Orientation
from .perms import actions_visible_to, can_import_actions
from .workflows import refus_phrase

IMPORT_SESSION_KEY = "tracker_import_csv"


# --- Public pages --------------------------------------------------------------------------------


@login_not_required
@require_safe
def accueil(request):
    """The Pacte at a glance: the three orientations, counts by status, progress."""
    statuts = selectors.statuts_overview()
    return render(
        request,
        "tracker/accueil.html",
        {
            "orientations": selectors.orientations_overview(),
            "statuts": statuts,
            "total": sum(n for _, _, n in statuts),
            "indicateurs": selectors.indicateurs_live_globaux(),
        },
    )


@login_not_required
@require_safe
def action_list(request):
    """All published actions, filtered by orientation, status and pilot direction (GET)."""
    orientations = list(Orientation.objects.all())
    form = FiltresForm(
        request.GET or None, orientations=orientations, directions=selectors.directions_pilotes()
    )
    filtres = form.cleaned_data if form.is_bound and form.is_valid() else {}
    actions = list(
        selectors.actions_list(
            orientation=filtres.get("orientation", ""),
            statut=filtres.get("statut", ""),
            direction=filtres.get("direction", ""),
        )
    )
    groupes = [(o, [a for a in actions if a.orientation_id == o.pk]) for o in orientations]
    context = {
        "form": form,
        "groupes": [(o, items) for o, items in groupes if items],
        "nombre": len(actions),
        "is_filtered": any(filtres.values()) if filtres else False,
    }
    return render_page(request, "tracker/action_list.html", context, partial="resultats")


@login_not_required
@require_safe
def action_list_csv(request):
    """Open data: the published actions in the import format (CSV, UTF-8)."""
    return actions_csv_response(selectors.actions_list(), filename="pacte-actions-publiees.csv")


@login_not_required
@require_safe
def action_detail(request, code):
    """One action: status, pilot, milestones, manual and live indicators, follow by email."""
    action = get_object_or_404(selectors.action_public(code.upper()))
    return render(request, "tracker/action_detail.html", _action_context(action, AbonnementForm()))


def _action_context(action, form):
    saisis = [(i, selectors.indicateur_saisi_chart(i)) for i in action.indicateurs_saisis.all()]
    return {
        "action": action,
        "jalons": action.jalons_publies,
        "indicateurs_live": selectors.indicateurs_live_for(action.code),
        "indicateurs_saisis": saisis,
        "form": form,
        "changements": selectors.historique(code=action.code)[:5],
    }


@login_not_required
@require_safe
def historique(request):
    """The public change history of the Pacte's actions (what changed and when; no agent names)."""
    page = Paginator(selectors.historique(), 30).get_page(request.GET.get("page"))
    return render(request, "tracker/historique.html", {"page_obj": page})


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit("abonnement")
def abonnement_create(request, code):
    """Follow an action: POST an email address; the same answer whatever the address (privacy)."""
    action = get_object_or_404(selectors.action_public(code.upper()))
    if request.method == "GET":
        return redirect(action.get_absolute_url() + "#suivre")
    form = AbonnementForm(request.POST)
    if not refused(request) and form.is_valid():
        services.abonnement_request(action=action, email=form.cleaned_data["email"])
        return redirect("tracker:abonnement_envoye", code=action.code)
    return render(request, "tracker/action_detail.html", _action_context(action, form))


@login_not_required
@require_safe
def abonnement_envoye(request, code):
    action = get_object_or_404(selectors.action_public(code.upper()))
    return render(request, "tracker/abonnement_envoye.html", {"action": action})


@login_not_required
@secret_links.private_referrer
@require_http_methods(["GET", "POST"])
def abonnement_confirm(request, token):
    """GET shows a button (mail scanners follow links); POST confirms the subscription."""
    abonnement = services.abonnement_for_confirmation(token)
    if abonnement is None:
        return render(request, "tracker/lien_invalide.html", status=404)
    if request.method == "POST":
        if not secret_links.attempt("abonnement", abonnement.confirmation_hash):
            return render(request, "429.html", status=429)
        services.abonnement_confirm(token=token)
        messages.success(
            request,
            _("C'est confirmé : vous suivrez l'action %(code)s par courriel.")
            % {"code": abonnement.action.code},
        )
        return redirect(abonnement.action.get_absolute_url())
    return render(request, "tracker/abonnement_confirmer.html", {"action": abonnement.action})


@login_not_required
@secret_links.private_referrer
@require_http_methods(["GET", "POST"])
def abonnement_delete(request, token):
    """GET shows a button; POST unsubscribes at once (one click, no account)."""
    abonnement = services.abonnement_for_desabonnement(token)
    if request.method == "POST" and abonnement is not None:
        if not secret_links.attempt("desabonnement", abonnement.desabonnement_hash):
            return render(request, "429.html", status=429)
        action = services.abonnement_cancel(token=token)
        messages.success(
            request, _("Vous ne recevrez plus de courriel sur l'action %(code)s.") % {"code": action.code}
        )
        return redirect(action.get_absolute_url())
    if abonnement is None:
        return render(request, "tracker/lien_invalide.html", {"desabonnement": True}, status=404)
    return render(request, "tracker/abonnement_desabonner.html", {"action": abonnement.action})


# --- Back office ---------------------------------------------------------------------------------


@role_required(Role.REFERENT, Role.ADMIN)
@require_safe
def gestion(request):
    """The actions the user's direction pilots (all of them for an administrator)."""
    actions = actions_visible_to(request.user).order_by("orientation__ordre", "numero", "code")
    return render(
        request,
        "tracker/gestion.html",
        {"actions": actions, "can_import": can_import_actions(request.user)},
    )


@role_required(Role.REFERENT, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def gestion_action(request, code):
    """Update status/progress, add a milestone, enter a measure: one page, three forms."""
    action = get_object_or_404(actions_visible_to(request.user), code=code.upper())
    quel = request.POST.get("formulaire") if request.method == "POST" else None
    avancement = AvancementForm(
        request.POST if quel == "avancement" else None,
        initial={"statut": action.statut, "avancement": action.avancement},
        prefix="avancement",
    )
    jalon = JalonForm(
        request.POST if quel == "jalon" else None, prefix="jalon", initial={"is_published": True}
    )
    mesure = MesureForm(request.POST if quel == "mesure" else None, prefix="mesure", action=action)
    if quel == "avancement" and avancement.is_valid():
        try:
            services.action_update(action=action, actor=request.user, **avancement.cleaned_data)
        except TransitionInterdite as exc:
            avancement.add_error("statut", refus_phrase(exc.de, exc.vers))
            action.refresh_from_db()
        else:
            messages.success(request, "Le statut et l'avancement sont enregistrés.")
            return redirect("tracker:gestion_action", code=action.code)
    if quel == "jalon" and jalon.is_valid():
        jalon.instance.action = action
        services.jalon_save(jalon=jalon.instance, actor=request.user)
        messages.success(request, "Le jalon est ajouté.")
        return redirect("tracker:gestion_action", code=action.code)
    if quel == "mesure" and mesure.is_valid():
        data = mesure.cleaned_data
        services.mesure_record(
            indicateur=data["indicateur"],
            actor=request.user,
            periode_on=data["periode_on"],
            cible=data["cible"],
            realise=data["realise"],
            commentaire=data["commentaire"],
        )
        messages.success(request, "La mesure est enregistrée.")
        return redirect("tracker:gestion_action", code=action.code)
    return render(
        request,
        "tracker/gestion_action.html",
        {
            "action": action,
            "avancement_form": avancement,
            "jalon_form": jalon,
            "mesure_form": mesure,
            "jalons": action.jalons.all(),
            "indicateurs": action.indicateurs_saisis.prefetch_related("mesures"),
        },
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def gestion_import(request):
    """Upload a CSV: check every line and show a preview (or the errors by line). Nothing is saved."""
    form = ImportForm(request.POST or None, request.FILES or None)
    rapport = None
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["fichier"].read()
        rapport = actions_csv_parse(content)
        if rapport.ok:
            text = content.decode("utf-8-sig")
            request.session[IMPORT_SESSION_KEY] = text
        else:
            request.session.pop(IMPORT_SESSION_KEY, None)
    return render(
        request,
        "tracker/gestion_import.html",
        {"form": form, "rapport": rapport, "colonnes": COLUMNS, "statuts": Statut.choices},
    )


@role_required(Role.ADMIN)
@require_POST
def gestion_import_confirm(request):
    """Apply the previewed file, all or nothing."""
    content = request.session.pop(IMPORT_SESSION_KEY, None)
    if content is None:
        messages.error(request, "Aucun fichier en attente : déposez de nouveau le fichier.")
        return redirect("tracker:gestion_import")
    rapport = actions_csv_import(content=content, actor=request.user)
    if not rapport.ok:  # the data changed between preview and confirmation
        messages.error(request, "Le fichier n'est plus valide : rien n'a été importé. Déposez-le de nouveau.")
        return redirect("tracker:gestion_import")
    messages.success(
        request,
        f"Import terminé : {rapport.nb_creations} action(s) créée(s), {rapport.nb_mises_a_jour} mise(s) à jour.",
    )
    return redirect("tracker:gestion")


@role_required(Role.ADMIN)
@require_safe
def gestion_export(request):
    """Every action in the import format."""
    return actions_csv_response(filename="actions-pacte.csv")
