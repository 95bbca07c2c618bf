"""Thin views: parse → fetch through a scoped selector (404 outside scope) → check → service → PRG."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pacte.charts import bar_chart
from pacte.decorators import role_required
from pacte.exports import SPREADSHEET, csv_response
from pacte.forms import apply_errors
from pacte.htmx import render_page
from pacte.journal import journal_record
from pacte.models import Canal, JournalEntry
from pacte.notifications import notifications_about
from pacte.pdf import render_pdf
from pacte.roles import Role, has_role, profil_of
from pacte.workflows import TransitionInterdite

from . import perms, selectors, services
from .delais import engagements
from .enums import Action
from .forms import ActionForm, DemandeForm, FiltresForm, MessageForm, PeriodeForm, ReponseTypeForm
from .models import DemandeAppui, PieceJointe
from .rapport import rapport_build, trimestres
from .workflows import TRANSITIONS, actions_for

STAFF_ROLES = (Role.ELU, Role.REFERENT, Role.COORDINATION)


def _liste(request, *, boite: str, titre: str):
    form = FiltresForm(request.GET or None)
    qs = selectors.demande_list_for(request.user, filtres=form.filtres(), boite=boite)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "titre": titre,
        "boite": boite,
        "form": form,
        "page_obj": page,
        "demandes": page.object_list,
        "query_string": query.urlencode(),
        "today": timezone.localdate(),
        "profil": profil_of(request.user),
        "can_file": perms.can_file_demande(request.user),
        "is_coordination": has_role(request.user, Role.COORDINATION),
    }
    return render_page(request, "arrondissements/demande_list.html", context, partial="resultats")


@role_required(*STAFF_ROLES)
def demande_list(request):
    """The élu's inbox (their arrondissement); coordination sees every request; référents go to theirs."""
    user = request.user
    if not has_role(user, Role.ELU, Role.COORDINATION):
        return redirect("arrondissements:demande_direction_list")
    if has_role(user, Role.COORDINATION):
        return _liste(request, boite="tout", titre="Demandes d'appui des arrondissements")
    profil = profil_of(user)
    if profil.arrondissement_id is None:
        raise PermissionDenied
    return _liste(
        request, boite="elu", titre=f"Demandes d'appui du {profil.arrondissement.ordinal} arrondissement"
    )


@role_required(Role.REFERENT)
def demande_direction_list(request):
    """The référent's inbox: requests addressed to their direction, overdue and new first."""
    profil = profil_of(request.user)
    if profil.direction_id is None:
        raise PermissionDenied
    return _liste(request, boite="direction", titre=f"Demandes adressées à la {profil.direction.nom}")


@role_required(Role.ELU)
def demande_create(request):
    """An élu files a request to a central direction (PRG)."""
    if not perms.can_file_demande(request.user):
        raise PermissionDenied
    delais = engagements()
    posted = request.method == "POST"
    form = DemandeForm(request.POST if posted else None, request.FILES if posted else None, delais=delais)
    if request.method == "POST" and form.is_valid():
        demande = services.demande_create(
            auteur=request.user, data=form.cleaned_data, fichiers=form.cleaned_data["pieces"]
        )
        messages.success(
            request,
            f"Votre demande {demande.reference} est envoyée. Réponse attendue au plus tard le "
            f"{demande.echeance:%d/%m/%Y}.",
        )
        return redirect("arrondissements:demande_detail", uuid=demande.uuid)
    return render(request, "arrondissements/demande_form.html", {"form": form})


def _action_forms(request, demande, bound: ActionForm | None = None):
    forms = []
    collegues = reponses = None
    actions = actions_for(request.user, demande)
    if Action.ASSIGNER in actions:
        collegues = selectors.collegues_of(request.user)
    if Action.REPONDRE in actions or Action.CLOTURER in actions:
        reponses = selectors.reponses_types_for(request.user)
    for action in actions:
        if bound is not None and bound.action == action:
            forms.append(bound)
            continue
        forms.append(
            ActionForm(
                action=action,
                demande=demande,
                needs_text=TRANSITIONS[action].needs_text,
                collegues=collegues,
                reponses=reponses,
            )
        )
    for form in forms:
        form.label = Action(form.action).label
    return forms


def _detail(request, demande, *, bound=None, message_form=None, status=200):
    history = JournalEntry.objects.for_object(demande).order_by("at", "id")
    context = {
        "demande": demande,
        "abilities": perms.abilities(request.user, demande),
        "action_forms": _action_forms(request, demande, bound),
        "message_form": message_form or MessageForm(),
        "messages_fil": demande.messages.select_related("auteur").prefetch_related("pieces"),
        "pieces": demande.pieces_jointes.filter(message__isnull=True),
        "historique": history,
        "today": timezone.localdate(),
        # The letters of an élu who asked for paper (their state: « Courrier envoyé le … »); the
        # emails' recipients (référents) are not shown to the élu.
        "courriers": [n for n in notifications_about(demande) if n.canal == Canal.COURRIER]
        if demande.reponse_par_courrier
        else [],
    }
    return render(request, "arrondissements/demande_detail.html", context, status=status)


def _get_demande(request, uuid):
    return get_object_or_404(
        selectors.demande_visible_to(request.user).select_related(
            "arrondissement", "direction", "auteur", "assignee"
        ),
        uuid=uuid,
    )


@role_required(*STAFF_ROLES)
def demande_detail(request, uuid):
    """One request: summary, attachments, actions, thread and history (404 outside scope)."""
    return _detail(request, _get_demande(request, uuid))


@require_POST
@role_required(*STAFF_ROLES)
def demande_action(request, uuid, action):
    """Apply one workflow action posted from the detail page (PRG; errors next to the fields)."""
    demande = _get_demande(request, uuid)
    if action not in TRANSITIONS:
        raise Http404
    if action not in actions_for(request.user, demande):
        raise PermissionDenied
    collegues = selectors.collegues_of(request.user) if action == Action.ASSIGNER else None
    reponses = selectors.reponses_types_for(request.user)
    form = ActionForm(
        request.POST,
        request.FILES,
        action=action,
        demande=demande,
        needs_text=TRANSITIONS[action].needs_text,
        collegues=collegues,
        reponses=reponses,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.demande_act(
                demande,
                action=action,
                actor=request.user,
                texte=data.get("texte", ""),
                assignee=data.get("assignee"),
                direction=data.get("direction"),
                fichiers=data.get("pieces", []),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except TransitionInterdite:
            messages.error(request, "Cette action n'est plus possible : la demande a changé entre-temps.")
            return redirect("arrondissements:demande_detail", uuid=demande.uuid)
        else:
            messages.success(request, f"C'est fait : {Action(action).label.lower()}.")
            return redirect("arrondissements:demande_detail", uuid=demande.uuid)
    return _detail(request, demande, bound=form, status=400)


@require_POST
@role_required(*STAFF_ROLES)
def message_create(request, uuid):
    """Post a message in the thread (PRG)."""
    demande = _get_demande(request, uuid)
    if not perms.can_post_message(request.user, demande):
        raise PermissionDenied
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        services.message_post(
            demande,
            actor=request.user,
            texte=form.cleaned_data["texte"],
            fichiers=form.cleaned_data["pieces"],
        )
        messages.success(request, "Votre message est envoyé.")
        return redirect(reverse("arrondissements:demande_detail", kwargs={"uuid": demande.uuid}) + "#fil")
    return _detail(request, demande, message_form=form, status=400)


@role_required(*STAFF_ROLES)
def piece_jointe(request, uuid):
    """Serve an attachment only to those who may open its request (404 otherwise)."""
    piece = get_object_or_404(
        PieceJointe.objects.filter(demande__in=selectors.demande_visible_to(request.user)), uuid=uuid
    )
    response = FileResponse(piece.fichier.open("rb"), content_type=piece.mimetype)
    disposition = "inline" if piece.mimetype != "application/pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="piece-{piece.uuid}.{piece.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Canned replies -------------------------------------------------------------------------


@role_required(Role.REFERENT)
def reponse_type_list(request):
    """The direction's canned replies, with a form to add one."""
    if not perms.can_use_inbox(request.user):
        raise PermissionDenied
    form = ReponseTypeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.reponse_type_save(actor=request.user, **form.cleaned_data)
        messages.success(request, "Réponse type enregistrée.")
        return redirect("arrondissements:reponse_type_list")
    return render(
        request,
        "arrondissements/reponse_type_list.html",
        {
            "form": form,
            "reponses": selectors.reponses_types_for(request.user),
            "profil": profil_of(request.user),
        },
    )


@role_required(Role.REFERENT)
def reponse_type_edit(request, uuid):
    """Edit or delete one canned reply of the référent's direction (404 for other directions)."""
    reponse = get_object_or_404(selectors.reponses_types_for(request.user), uuid=uuid)
    if request.method == "POST" and "supprimer" in request.POST:
        services.reponse_type_delete(actor=request.user, instance=reponse)
        messages.success(request, "Réponse type supprimée.")
        return redirect("arrondissements:reponse_type_list")
    form = ReponseTypeForm(
        request.POST if request.method == "POST" else None,
        initial={"titre": reponse.titre, "texte": reponse.texte},
    )
    if request.method == "POST" and form.is_valid():
        services.reponse_type_save(actor=request.user, instance=reponse, **form.cleaned_data)
        messages.success(request, "Réponse type enregistrée.")
        return redirect("arrondissements:reponse_type_list")
    return render(request, "arrondissements/reponse_type_form.html", {"form": form, "reponse": reponse})


# --- Report ---------------------------------------------------------------------------------


def _rapport(request):
    if not perms.can_view_rapport(request.user):
        raise PermissionDenied
    presets = trimestres()
    _, debut, fin = presets[0]
    if request.GET:
        form = PeriodeForm(request.GET)
        if form.is_valid():
            debut, fin = form.cleaned_data["debut"], form.cleaned_data["fin"]
    else:
        form = PeriodeForm(initial={"debut": debut, "fin": fin})
    profil = profil_of(request.user)
    base = None
    direction_id = None
    if not has_role(request.user, Role.COORDINATION, Role.ELU):
        base = DemandeAppui.objects.filter(direction_id=profil.direction_id)
        direction_id = profil.direction_id
    rapport = rapport_build(
        base=base,
        debut=debut,
        fin=fin,
        arrondissement_id=profil.arrondissement_id if has_role(request.user, Role.ELU) else None,
        direction_id=direction_id,
    )
    return form, presets, rapport, base is not None


def _rows(rapport):
    for titre, lignes in (
        ("Arrondissement", rapport.par_arrondissement),
        ("Direction", rapport.par_direction),
    ):
        for ligne in [*lignes]:
            yield titre, ligne.libelle, ligne
    for ligne in rapport.par_direction_arrondissement:
        yield "Direction × arrondissement", f"{ligne.libelle} — {ligne.sous_libelle}", ligne
    yield "Ensemble", rapport.total.libelle, rapport.total


@role_required(*STAFF_ROLES)
def rapport(request):
    """The commitments report for a period: tables, charts, CSV and PDF links."""
    form, presets, data, is_direction = _rapport(request)
    charts = [
        bar_chart(
            "Part des demandes répondues dans le délai, par arrondissement (%)",
            [
                (
                    ligne.libelle,
                    ligne.taux,
                    "—" if ligne.taux is None else f"{ligne.taux:n} %".replace(".", ","),
                )
                for ligne in data.par_arrondissement
            ],
            chart_id="graphique-delai-arrondissement",
            label_header="Arrondissement",
            value_header="Dans le délai",
        ),
        bar_chart(
            "Demandes reçues, par direction",
            [(ligne.libelle, ligne.recues) for ligne in data.par_direction],
            chart_id="graphique-recues-direction",
            label_header="Direction",
            value_header="Demandes reçues",
        ),
    ]
    query = f"debut={data.debut.isoformat()}&fin={data.fin.isoformat()}"
    return render(
        request,
        "arrondissements/rapport.html",
        {
            "form": form,
            "presets": presets,
            "rapport": data,
            "charts": charts,
            "query": query,
            "is_direction": is_direction,
        },
    )


CSV_HEADER = [
    "Tableau",
    "Libellé",
    "Demandes reçues",
    "Évaluables",
    "Répondues dans le délai",
    "Part dans le délai (%)",
    "Médiane première réponse (jours ouvrés)",
    "Médiane réponse (jours ouvrés)",
    "En retard aujourd'hui",
]


def _num(value):
    return "" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))


@role_required(*STAFF_ROLES)
def rapport_csv(request):
    """The same figures as the page, as CSV (UTF-8 with BOM for spreadsheets)."""
    _form, _presets, data, _ = _rapport(request)
    rows = (
        [
            tableau,
            libelle,
            ligne.recues,
            ligne.evaluables,
            ligne.dans_delai,
            _num(ligne.taux),
            _num(ligne.mediane_premiere_reponse_j),
            _num(ligne.mediane_resolution_j),
            ligne.en_retard,
        ]
        for tableau, libelle, ligne in _rows(data)
    )
    return csv_response(
        rows,
        CSV_HEADER,
        f"demandes-appui-{data.debut}-{data.fin}.csv",
        dialect=SPREADSHEET,
        journal={
            "action": "arrondissements.rapport.export_csv",
            "actor": request.user,
            "data": {"debut": str(data.debut), "fin": str(data.fin)},
        },
    )


@role_required(*STAFF_ROLES)
def rapport_pdf(request):
    """The report as a tagged PDF for the conférence des maires d'arrondissement."""
    _form, _presets, data, is_direction = _rapport(request)
    pdf = render_pdf(
        template="arrondissements/pdf/rapport.html",
        context={"rapport": data, "genere_le": timezone.localtime(), "is_direction": is_direction},
    )
    journal_record(
        action="arrondissements.rapport.export_pdf",
        actor=request.user,
        data={"debut": str(data.debut), "fin": str(data.fin)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="demandes-appui-{data.debut}-{data.fin}.pdf"'
    return response
