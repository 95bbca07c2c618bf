"""Views of the médiation app: thin; parse → selector → perms → service → render or redirect (PRG)."""

from __future__ import annotations

from copy import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from pacte import secret_links
from pacte.decorators import role_required
from pacte.exports import SPREADSHEET, csv_response
from pacte.facile import gabarit
from pacte.forms import apply_errors
from pacte.langues import dans_la_langue
from pacte.models import Arrondissement, Notification
from pacte.notifications import notifications_about, tache_action
from pacte.ratelimit import ratelimit, refused
from pacte.roles import Role
from pacte.uploads import PiecesGardees
from pacte.workflows import TransitionInterdite

from . import services
from .enums import STATUT_POUR_REQUERANT, CanalSaisine, StatutProposition, StatutSaisine
from .forms import (
    DemandePositionForm,
    DocumentForm,
    FiltresForm,
    MessageForm,
    MiseEnOeuvreForm,
    NonRecoursForm,
    PropositionForm,
    PropositionReponseForm,
    QualificationForm,
    ReponsePositionForm,
    SaisineAgentForm,
    SaisinePubliqueForm,
    SuiviIdentiteForm,
    SuiviMessageForm,
    TransitionForm,
)
from .models import Saisine
from .notifications import requerant, suivi_url
from .perms import can_answer_demande, can_answer_proposition, direction_of_referent, is_equipe
from .rapport import selectors as rapport_selectors
from .selectors import (
    decision_explication,
    demande_position_visible_to,
    proposition_public_list,
    proposition_visible_to,
    saisine_detail_for,
    saisine_list_for,
    saisine_visible_to,
)
from .workflows import (
    ACTION_LABELS,
    proposition_transition,
    saisine_transition,
    transitions_possibles,
)

SESSION_TOKEN = "mediation_token_affiche"
LIEN = "saisine"  # the link type, for pacte.secret_links


# ---------------------------------------------------------------------------------------------
# Public


@login_not_required
def accueil(request):
    """What the médiateur does, how to reach them, how to file a saisine."""
    return render(
        request,
        "mediation/accueil.html",
        {
            "arrondissements": Arrondissement.objects.all(),
            "mediateur_email": settings.MEDIATEUR_EMAIL,
            "mediateur_adresse": settings.MEDIATEUR_ADDRESS,
            "rapports": rapport_selectors.rapports_publics(),
        },
    )


@login_not_required
@ratelimit("saisine")
def saisir(request):
    """The public saisine form (no account, no JavaScript)."""
    # Files already received survive a validation error (#15.5): kept with the form, listed, removable.
    gardees = PiecesGardees(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        form = SaisinePubliqueForm(request.POST, request.FILES)
        deja = len(gardees.pieces)
        form.fields["pieces_jointes"].max_files = max(0, settings.MEDIATION_MAX_FICHIERS - deja)
        if not refused(request) and form.is_valid():
            with transaction.atomic():
                saisine, token = services.saisine_create(
                    data=form.saisine_data(),
                    canal=CanalSaisine.EN_LIGNE,
                    fichiers=gardees.fichiers() + form.cleaned_data["pieces_jointes"],
                    consentement=True,
                )
                gardees.vider()
            request.session[SESSION_TOKEN] = {
                "reference": saisine.reference,
                "token": token,
                "uuid": str(saisine.uuid),
            }
            secret_links.remember(request, kind=LIEN, obj=saisine, hashed=saisine.token_hash, verified=True)
            return redirect("mediation:saisie_envoyee")
        form.errors  # noqa: B018 (validate even when rate-limited, to keep the files received)
        gardees.garder(form.cleaned_data.get("pieces_jointes") or [])
    else:
        form = SaisinePubliqueForm()
    return render(request, gabarit(request, "mediation/saisir.html"), {"form": form, "gardees": gardees})


@login_not_required
def saisie_envoyee(request):
    """Confirmation after the form: reference and (once) the follow-up link."""
    info = request.session.pop(SESSION_TOKEN, None)
    if info is None:
        return redirect("mediation:accueil")
    saisine = services.saisine_by_link(info.get("uuid"))
    return render(
        request,
        gabarit(request, "mediation/saisie_envoyee.html"),
        {
            "reference": info["reference"],
            "lien": suivi_url(info["token"]),
            "dossier": reverse("mediation:suivi_dossier", args=[saisine.uuid]) if saisine else "",
        },
    )


def _send_new_link(saisine: Saisine, token: str) -> None:
    with dans_la_langue(saisine.langue):
        secret_links.send_new_link(
            personne=requerant(saisine),
            objet=gettext_lazy("votre demande au médiateur"),
            reference=saisine.reference,
            lien=suivi_url(token),
            obj=saisine,
        )


def _lien_invalide(request, form=None, status=404):
    return render(
        request,
        "mediation/lien_invalide.html",
        {"form": form or secret_links.NouveauLienForm(), "action": reverse("mediation:nouveau_lien")},
        status=status,
    )


@login_not_required
@never_cache
@secret_links.private_referrer
@require_http_methods(["GET", "POST"])
def suivi(request, token):
    """The follow-up link sent to the requester: exchanged for this session (the token dies), then
    303 to the token-less follow-up page. A used or unknown link shows the recovery page."""
    return secret_links.open_link(
        request,
        kind=LIEN,
        token=token,
        obj=services.saisine_by_token(token),
        page_url=lambda uuid: reverse("mediation:suivi_dossier", args=[uuid]),
        invalid=lambda: _lien_invalide(request),
    )


@login_not_required
@never_cache
@secret_links.private_referrer
@require_http_methods(["GET", "POST"])
@ratelimit("identite")
def nouveau_lien(request):
    """« Recevoir un nouveau lien » from a used or unknown link: by reference, same answer always."""
    return secret_links.new_link_by_reference(
        request,
        kind=LIEN,
        find=services.saisine_by_reference,
        send=_send_new_link,
        invalid=lambda form, status: _lien_invalide(request, form, status),
    )


def _suivi_context(saisine, form) -> dict:
    return {
        "saisine": saisine,
        "explication": STATUT_POUR_REQUERANT[saisine.statut],
        "decision": decision_explication(saisine),
        "messages_visibles": saisine.messages.filter(is_interne=False),
        "documents": saisine.documents.all(),
        "form": form,
    }


@login_not_required
@never_cache
@secret_links.private_referrer
@require_http_methods(["GET", "POST"])
@ratelimit("identite")
def suivi_dossier(request, uuid):
    """The requester's follow-up page: identity check first (per-link limit), then status in plain French."""
    saisine = services.saisine_by_link(uuid)
    etat = saisine and secret_links.state(request, kind=LIEN, obj=saisine, hashed=saisine.token_hash)
    if not etat:
        return _lien_invalide(request)
    if secret_links.new_link_asked(request, kind=LIEN, obj=saisine, send=_send_new_link):
        return secret_links.new_link_sent(request)
    url = reverse("mediation:suivi_dossier", args=[saisine.uuid])
    if etat != "verifie":
        form = SuiviIdentiteForm(request.POST if request.method == "POST" else None)
        if secret_links.identity_check(
            request,
            kind=LIEN,
            obj=saisine,
            form=form,
            field="nom_debut",
            expected_name=saisine.nom or saisine.organisme_nom,
            error=gettext("Ces lettres ne correspondent pas au nom indiqué dans la demande."),
        ):
            return redirect(url)
        return render(
            request,
            gabarit(request, "mediation/suivi_identite.html"),
            {"form": form, "reference": saisine.reference, "bloque": form.bloque, "action_url": url},
            status=429 if form.bloque else 200,
        )
    return render(
        request, gabarit(request, "mediation/suivi.html"), _suivi_context(saisine, SuiviMessageForm())
    )


@login_not_required
@never_cache
@secret_links.private_referrer
@require_POST
def suivi_message(request, uuid):
    """The requester adds a message and/or documents from the follow-up page."""
    saisine = services.saisine_by_link(uuid)
    if saisine is None:
        raise Http404
    url = reverse("mediation:suivi_dossier", args=[saisine.uuid])
    if secret_links.state(request, kind=LIEN, obj=saisine, hashed=saisine.token_hash) != "verifie":
        return redirect(url)
    form = SuiviMessageForm(request.POST, request.FILES)
    if form.is_valid():
        with transaction.atomic():
            if form.cleaned_data["corps"].strip():
                services.message_add(
                    saisine=saisine, corps=form.cleaned_data["corps"], is_from_requerant=True
                )
            for upload in form.cleaned_data["pieces_jointes"]:
                services.document_add(saisine=saisine, upload=upload, is_from_requerant=True)
        messages.success(request, gettext("Votre message a bien été transmis au médiateur."))
        return redirect(url)
    return render(request, gabarit(request, "mediation/suivi.html"), _suivi_context(saisine, form))


@login_not_required
def propositions(request):
    """Public accountability: every proposal and what became of it (no personal data)."""
    annee = request.GET.get("annee", "")
    statut = request.GET.get("statut", "")
    qs = proposition_public_list(annee=int(annee) if annee.isdigit() else None, statut=statut)
    from django.db.models import Count

    from .models import Proposition

    totaux = dict(Proposition.objects.values_list("statut").annotate(n=Count("id")))
    annees = Proposition.objects.values_list("annee", flat=True).distinct().order_by("-annee")
    return render(
        request,
        "mediation/propositions.html",
        {
            "propositions": qs,
            "totaux": [(label, totaux.get(value, 0)) for value, label in StatutProposition.choices],
            "annees": annees,
            "statuts": StatutProposition.choices,
            "annee": annee,
            "statut": statut,
        },
    )


# ---------------------------------------------------------------------------------------------
# Agent entry


@role_required(Role.MEDIATEUR, Role.AGENT)
def saisine_nouvelle(request):
    """Quick entry of a saisine received by phone, letter, email or at a permanence."""
    if request.method == "POST":
        form = SaisineAgentForm(request.POST)
        if form.is_valid():
            data = form.saisine_data()
            canal = data.pop("canal")
            saisine, _token = services.saisine_create(
                data=data, canal=canal, actor=request.user, consentement=False
            )
            messages.success(request, f"Saisine {saisine.reference} enregistrée.")
            if is_equipe(request.user):
                return redirect("mediation:saisine_detail", uuid=saisine.uuid)
            return redirect("mediation:saisine_nouvelle")
    else:
        form = SaisineAgentForm()
    return render(request, "mediation/saisine_nouvelle.html", {"form": form})


# ---------------------------------------------------------------------------------------------
# Case files (team only, 404 for everybody else)


def _require_equipe(user):
    if not is_equipe(user):
        raise Http404


def saisine_list(request):
    """The team's case list: search, filters (GET), overdue cases stand out, pagination."""
    _require_equipe(request.user)
    form = FiltresForm(request.GET or None)
    filtres = form.cleaned_data if form.is_valid() else {}
    qs = saisine_list_for(request.user, **{k: v for k, v in filtres.items() if v})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    services.lecture_record(
        actor=request.user, data={"liste": True, "filtres": {k: str(v) for k, v in filtres.items() if v}}
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mediation/saisine_list.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "query": query.urlencode(),
            "nb_retard": saisine_visible_to(request.user).en_retard().count(),
        },
    )


_EXPORT_CHOICES = ["canal", "requerant_type", "theme", "statut", "niveau", "issue"]
_EXPORT_HEADER = [
    "reference",
    "recue_le",
    "canal",
    "requerant",
    "nom",
    "prenom",
    "theme",
    "arrondissement",
    "direction",
    "statut",
    "niveau",
    "issue",
    "elu_implique",
    "echeance_reponse",
    "cloturee_le",
    "suivi_par",
]


def saisine_export(request):
    """CSV export of the filtered list (journaled)."""
    _require_equipe(request.user)
    form = FiltresForm(request.GET or None)
    filtres = form.cleaned_data if form.is_valid() else {}
    qs = saisine_list_for(request.user, compteurs=False, **{k: v for k, v in filtres.items() if v})
    # Labels resolved once: get_FOO_display() translates a lazy label per row (the export's hot spot).
    labels = {f: {k: str(v) for k, v in Saisine._meta.get_field(f).choices} for f in _EXPORT_CHOICES}
    rows = (
        [
            s.reference,
            s.recue_at.date().isoformat(),
            labels["canal"].get(s.canal, ""),
            labels["requerant_type"].get(s.requerant_type, ""),
            s.nom,
            s.prenom,
            labels["theme"].get(s.theme, ""),
            s.arrondissement.numero if s.arrondissement else "",
            s.direction.sigle if s.direction else "",
            labels["statut"].get(s.statut, ""),
            labels["niveau"].get(s.niveau, ""),
            labels["issue"].get(s.issue, ""),
            "oui" if s.elu_implique else "non",
            s.echeance_reponse.isoformat() if s.echeance_reponse else "",
            s.cloturee_at.date().isoformat() if s.cloturee_at else "",
            s.assignee.get_full_name() if s.assignee else "",
        ]
        for s in qs.iterator(chunk_size=500)
    )
    return csv_response(
        rows,
        _EXPORT_HEADER,
        "saisines.csv",
        dialect=SPREADSHEET,
        journal={
            "action": "mediation.export",
            "actor": request.user,
            "data": {"lignes": qs.count(), "filtres": {k: str(v) for k, v in filtres.items() if v}},
        },
    )


def _timeline(saisine):
    events = [("recue", saisine.recue_at, None)]
    for t in saisine.transitions.all():
        events.append(("transition", t.at, t))
    for m in saisine.messages.all():
        events.append(("message", m.at, m))
    for d in saisine.documents.all():
        events.append(("document", d.at, d))
    for dp in saisine.demandes_position.all():
        events.append(("demande", dp.envoyee_at, dp))
        if dp.repondue_at:
            events.append(("reponse", dp.repondue_at, dp))
    return sorted(events, key=lambda e: e[1])


def _detail_context(request, saisine, **forms):
    possibles = transitions_possibles(saisine)
    return {
        "saisine": saisine,
        "timeline": _timeline(saisine),
        "transitions": [
            (
                vers,
                ACTION_LABELS[vers],
                forms.get(f"transition_{vers}") or TransitionForm(initial={"vers": vers}),
            )
            for vers in possibles
        ],
        "qualification_form": forms.get("qualification_form") or QualificationForm(instance=saisine),
        "message_form": forms.get("message_form") or MessageForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
        "demande_form": forms.get("demande_form")
        or DemandePositionForm(initial={"direction": saisine.direction}),
        "reponse_forms": forms.get("reponse_forms") or {},
        "nonrecours_form": forms.get("nonrecours_form") or NonRecoursForm(),
        "nonrecours_disponible": _nonrecours_available(),
        "peut_demander_position": saisine.statut in (StatutSaisine.RECEVABLE, StatutSaisine.EN_INSTRUCTION),
        "notifications": notifications_about(saisine),
    }


def _nonrecours_available() -> bool:
    try:
        import nonrecours.services  # noqa: F401
    except ImportError:
        return False
    return True


def _get_saisine(request, uuid):
    _require_equipe(request.user)
    return get_object_or_404(saisine_detail_for(request.user, uuid), uuid=uuid)


def saisine_detail(request, uuid):
    """The case file: everything on one page, every read journaled."""
    saisine = _get_saisine(request, uuid)
    services.lecture_record(actor=request.user, saisine=saisine)
    return render(request, "mediation/saisine_detail.html", _detail_context(request, saisine))


def _rerender(request, saisine, status=400, **forms):
    saisine = get_object_or_404(saisine_detail_for(request.user, saisine.uuid), uuid=saisine.uuid)
    return render(
        request, "mediation/saisine_detail.html", _detail_context(request, saisine, **forms), status=status
    )


@require_POST
def saisine_transition_view(request, uuid):
    saisine = _get_saisine(request, uuid)
    form = TransitionForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"vers", "motif"} and v}
        try:
            saisine_transition(
                saisine=saisine,
                vers=form.cleaned_data["vers"],
                actor=request.user,
                motif=form.cleaned_data["motif"],
                **data,
            )
        except TransitionInterdite:
            messages.error(request, "Ce changement de statut n'est pas possible depuis le statut actuel.")
            return redirect("mediation:saisine_detail", uuid=uuid)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Statut : {saisine.get_statut_display()}.")
            return redirect("mediation:saisine_detail", uuid=uuid)
    vers = request.POST.get("vers", "")
    return _rerender(request, saisine, **{f"transition_{vers}": form})


@require_POST
def saisine_courrier(request, uuid):
    """The team posted a letter to the requester (a kernel task: « courrier envoyé le … »)."""
    saisine = _get_saisine(request, uuid)
    try:
        tache = tache_action(
            taches=Notification.objects.about(saisine),
            uuid=request.POST.get("tache", ""),
            action=request.POST.get("tache_action", ""),
            actor=request.user,
        )
        messages.success(request, f"C'est noté : {tache.etat[0].lower()}{tache.etat[1:]}.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("mediation:saisine_detail", uuid=uuid)


@require_POST
def saisine_qualification(request, uuid):
    saisine = _get_saisine(request, uuid)
    form = QualificationForm(request.POST, instance=copy(saisine))
    if form.is_valid():
        services.saisine_update(
            saisine=saisine, actor=request.user, **{k: form.cleaned_data[k] for k in form.Meta.fields}
        )
        messages.success(request, "Dossier mis à jour.")
        return redirect("mediation:saisine_detail", uuid=uuid)
    return _rerender(request, saisine, qualification_form=form)


@require_POST
def saisine_message(request, uuid):
    saisine = _get_saisine(request, uuid)
    form = MessageForm(request.POST)
    if form.is_valid():
        services.message_add(
            saisine=saisine,
            corps=form.cleaned_data["corps"],
            actor=request.user,
            is_interne=form.cleaned_data["is_interne"],
        )
        messages.success(
            request, "Note ajoutée." if form.cleaned_data["is_interne"] else "Message envoyé au requérant."
        )
        return redirect("mediation:saisine_detail", uuid=uuid)
    return _rerender(request, saisine, message_form=form)


@require_POST
def saisine_document(request, uuid):
    saisine = _get_saisine(request, uuid)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        with transaction.atomic():
            for upload in form.cleaned_data["pieces_jointes"]:
                services.document_add(saisine=saisine, upload=upload, actor=request.user)
        messages.success(request, "Document ajouté.")
        return redirect("mediation:saisine_detail", uuid=uuid)
    return _rerender(request, saisine, document_form=form)


@require_POST
def saisine_demande_position(request, uuid):
    saisine = _get_saisine(request, uuid)
    form = DemandePositionForm(request.POST)
    if form.is_valid():
        try:
            services.demande_position_send(saisine=saisine, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Demande de position envoyée à la direction.")
            return redirect("mediation:saisine_detail", uuid=uuid)
    return _rerender(request, saisine, demande_form=form)


@require_POST
def saisine_nonrecours(request, uuid):
    saisine = _get_saisine(request, uuid)
    form = NonRecoursForm(request.POST)
    if form.is_valid() and _nonrecours_available():
        services.observation_nonrecours_record(saisine=saisine, actor=request.user, **form.cleaned_data)
        messages.success(request, "Situation de non-recours enregistrée (sans identité).")
        return redirect("mediation:saisine_detail", uuid=uuid)
    return _rerender(request, saisine, nonrecours_form=form)


def document_download(request, uuid):
    """Serve a case document to the team only (404 otherwise); journaled."""
    _require_equipe(request.user)
    from .models import Document

    document = get_object_or_404(
        Document.objects.filter(saisine__in=saisine_visible_to(request.user)).select_related("saisine"),
        uuid=uuid,
    )
    services.lecture_record(
        actor=request.user, saisine=document.saisine, data={"document": str(document.uuid)}
    )
    # Files are small (upload limit): read them whole so the handle is always closed.
    with document.fichier.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=document.mimetype)
    response["Content-Disposition"] = content_disposition_header(True, document.nom)
    return response


# ---------------------------------------------------------------------------------------------
# Référents de direction and proposals


def direction_accueil(request):
    """A référent's view: requests for position and proposals addressed to their direction."""
    direction = direction_of_referent(request.user)
    if direction is None and not is_equipe(request.user):
        raise Http404
    demandes = demande_position_visible_to(request.user).order_by("repondue_at", "echeance")
    props = proposition_visible_to(request.user).order_by("-annee", "numero")
    return render(
        request,
        "mediation/direction.html",
        {"direction": direction, "demandes": demandes, "propositions": props, "today": timezone.localdate()},
    )


def demande_detail(request, uuid):
    """One request for position; its direction's référent answers here (another direction: 404)."""
    demande = get_object_or_404(demande_position_visible_to(request.user), uuid=uuid)
    form = ReponsePositionForm(request.POST or None)
    if request.method == "POST":
        if not can_answer_demande(request.user, demande):
            raise Http404
        if form.is_valid():
            try:
                services.demande_position_answer(
                    demande=demande, reponse=form.cleaned_data["reponse"], actor=request.user
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Votre réponse a été transmise au médiateur.")
                return redirect("mediation:demande_detail", uuid=uuid)
    return render(
        request,
        "mediation/demande_detail.html",
        {"demande": demande, "form": form, "peut_repondre": can_answer_demande(request.user, demande)},
        status=400 if form.errors else 200,
    )


def proposition_list(request):
    """The team's proposals and the form to formulate one."""
    _require_equipe(request.user)
    form = PropositionForm(request.POST or None, initial={"references": request.GET.get("dossier", "")})
    if request.method == "POST" and form.is_valid():
        proposition = services.proposition_create(
            titre=form.cleaned_data["titre"],
            texte=form.cleaned_data["texte"],
            direction=form.cleaned_data["direction"],
            saisines=form.cleaned_data["references"],
            actor=request.user,
        )
        messages.success(request, f"Proposition {proposition.numero} formulée.")
        return redirect("mediation:proposition_detail", uuid=proposition.uuid)
    props = proposition_visible_to(request.user).prefetch_related("saisines")
    return render(
        request,
        "mediation/proposition_list.html",
        {"form": form, "propositions": props},
        status=400 if form.errors else 200,
    )


def proposition_detail(request, uuid):
    """A proposal: the direction (référent) or the team records the answer, then the implementation."""
    proposition = get_object_or_404(
        proposition_visible_to(request.user).prefetch_related("saisines"), uuid=uuid
    )
    reponse_form = PropositionReponseForm(prefix="rep")
    moe_form = MiseEnOeuvreForm(prefix="moe")
    status = 200
    if request.method == "POST":
        if not can_answer_proposition(request.user, proposition):
            raise Http404
        action = request.POST.get("action")
        if action == "reponse":
            reponse_form = PropositionReponseForm(request.POST, prefix="rep")
            if reponse_form.is_valid():
                try:
                    proposition_transition(
                        proposition=proposition,
                        vers=reponse_form.cleaned_data["decision"],
                        actor=request.user,
                        reponse_direction=reponse_form.cleaned_data["reponse_direction"],
                    )
                except TransitionInterdite:
                    messages.error(request, "Cette proposition a déjà reçu une réponse.")
                    return redirect("mediation:proposition_detail", uuid=uuid)
                except ValidationError as exc:
                    apply_errors(reponse_form, exc)
                else:
                    messages.success(request, "Réponse enregistrée.")
                    return redirect("mediation:proposition_detail", uuid=uuid)
        elif action == "mise_en_oeuvre":
            moe_form = MiseEnOeuvreForm(request.POST, prefix="moe")
            if moe_form.is_valid():
                try:
                    proposition_transition(
                        proposition=proposition,
                        vers=StatutProposition.MISE_EN_OEUVRE,
                        actor=request.user,
                        **moe_form.cleaned_data,
                    )
                except TransitionInterdite:
                    messages.error(request, "La proposition doit d'abord être acceptée.")
                    return redirect("mediation:proposition_detail", uuid=uuid)
                except ValidationError as exc:
                    apply_errors(moe_form, exc)
                else:
                    messages.success(request, "Mise en œuvre enregistrée.")
                    return redirect("mediation:proposition_detail", uuid=uuid)
        status = 400
    return render(
        request,
        "mediation/proposition_detail.html",
        {
            "proposition": proposition,
            "reponse_form": reponse_form,
            "moe_form": moe_form,
            "peut_repondre": can_answer_proposition(request.user, proposition),
            "equipe": is_equipe(request.user),
        },
        status=status,
    )
