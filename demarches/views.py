"""Views of the démarches app: public catalogue and help, callback requests, the agents' queue."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from nonrecours.services import dispositif_choices
from pacte.cache_reference import cached
from pacte.decorators import role_required
from pacte.facile import gabarit
from pacte.htmx import render_page
from pacte.langues import langue_choices
from pacte.notifications import notifications_about
from pacte.partenaires import Reserve, pour_une_personne
from pacte.phones import phone_display
from pacte.ratelimit import ratelimit, refused
from pacte.roles import Role

from . import ligne, selectors, services
from .enums import CanalRappel
from .forms import DemandeRappelForm, DifficulteForm, RechercheForm, TentativeForm
from .models import Demarche

logger = logging.getLogger(__name__)

AGENTS = (Role.AGENT, Role.ADMIN)


def _common():
    return {
        "delai_rappel": settings.RAPPEL_DELAI_JOURS_OUVRES,
        "lyon_en_direct_phone": settings.LYON_EN_DIRECT_PHONE,
        "lyon_en_direct_hours": settings.LYON_EN_DIRECT_HOURS,
    }


@login_not_required
def demarche_catalogue(request):
    categories = selectors.demarche_categories()
    form = RechercheForm(request.GET or None, categories=categories)
    q = categorie = ""
    if form.is_valid():
        q, categorie = form.cleaned_data["q"], form.cleaned_data["categorie"]
    demarches = list(selectors.demarche_list_public(q=q, categorie=categorie))
    context = {"form": form, "demarches": demarches, "q": q, "categorie": categorie, **_common()}
    return render_page(request, "demarches/catalogue.html", context, partial="resultats")


CONTENU = "demarches/includes/detail_contenu.html"  # its easy version: facile/<the same name>


def _detail_page(slug: str, contenu: str = CONTENU) -> dict | None:
    """What the detail page shows of one published démarche, rendered once (4 queries, the
    alternatives, their lieux and agendas), or None when there is none with this slug."""
    demarche = selectors.demarche_detail_public(slug).first()
    if demarche is None:
        return None
    return {
        "titre": demarche.titre,
        "url": demarche.get_absolute_url(),
        "contenu": render_to_string(contenu, {"demarche": demarche, **_common()}),
    }


@login_not_required
def demarche_detail(request, slug):
    # Reference content only: rendered once, then served from the reference cache until a
    # démarche, an alternative, a lieu or an agenda is edited (#18.2; no query on a hit).
    page = cached(selectors.DETAIL_PAGE, slug, lambda: _detail_page(slug, gabarit(request, CONTENU)))
    if page is None:
        raise Http404
    return render(request, gabarit(request, "demarches/detail.html"), page)


@login_not_required
def demarche_engagement(request):
    lignes = selectors.demarche_engagement_lignes()
    return render(request, "demarches/engagement.html", {"lignes": lignes, **_common()})


def _demarche_from_query(request):
    slug = request.GET.get("demarche", "")
    if not slug:
        return None
    return Demarche.objects.publiees().filter(slug=slug[:80]).first()


@login_not_required
@ratelimit("rappel")
def rappel_demande(request):
    demarche = _demarche_from_query(request)
    form = DemandeRappelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refused(request) and form.is_valid():
        demande = services.demande_rappel_create(
            demarche=demarche, canal=CanalRappel.EN_LIGNE, **form.cleaned_data
        )
        request.session["demarches_rappel"] = str(demande.uuid)
        return redirect("demarches:rappel_confirmation", uuid=demande.uuid)
    return render(
        request,
        gabarit(request, "demarches/rappel_demande.html"),
        {"form": form, "demarche": demarche, **_common()},
    )


@login_not_required
def rappel_confirmation(request, uuid):
    # Only the browser that made the request sees its confirmation (the uuid is not enough).
    if request.session.get("demarches_rappel") != str(uuid):
        raise Http404
    demande = get_object_or_404(selectors.demande_rappel_detail(uuid))
    return render(
        request,
        gabarit(request, "demarches/rappel_confirmation.html"),
        {
            "demande": demande,
            "telephone": phone_display(demande.telephone),
            "repli": services.repli_annonce(demande),
            **_common(),
        },
    )


@login_not_required
@ratelimit("difficulte")
def demarche_difficulte(request, slug):
    demarche = get_object_or_404(selectors.demarche_detail_public(slug))
    form = DifficulteForm(
        request.POST if request.method == "POST" else None, dispositifs=dispositif_choices()
    )
    if request.method == "POST" and not refused(request) and form.is_valid():
        try:
            services.difficulte_record(
                demarche=demarche,
                blocages=form.cleaned_data["blocages"],
                dispositif=form.cleaned_data["dispositif"],
                arrondissement=form.cleaned_data["arrondissement"],
            )
        except Exception:  # recording is for statistics: the citizen still gets the help
            logger.exception("Observation de difficulté non enregistrée")
        return redirect("demarches:difficulte_merci", slug=demarche.slug)
    return render(request, "demarches/difficulte.html", {"demarche": demarche, "form": form, **_common()})


@login_not_required
def demarche_difficulte_merci(request, slug):
    demarche = get_object_or_404(selectors.demarche_detail_public(slug))
    return render(request, "demarches/difficulte_merci.html", {"demarche": demarche, **_common()})


# --- Agents (téléconseillers) ---------------------------------------------------------------


@role_required(*AGENTS)
def rappel_file(request):
    langue = request.GET.get("langue", "")
    langue = langue if langue in dict(langue_choices()) else ""
    page_obj = Paginator(selectors.demande_rappel_file(langue=langue), 50).get_page(request.GET.get("page"))
    courriers = list(selectors.courriers_a_envoyer()[:50])
    return render(
        request,
        "demarches/rappel_file.html",
        {
            "demandes": page_obj.object_list,
            "page_obj": page_obj,
            "now": timezone.now(),
            "courriers": courriers,
            "langue": langue,
            "langues_personne": langue_choices(),
            "query_string": f"langue={langue}" if langue else "",
            **_common(),
        },
    )


@role_required(*AGENTS)
def rappel_agent_nouvelle(request):
    form = DemandeRappelForm(request.POST if request.method == "POST" else None, par_agent=True)
    demarches = Demarche.objects.publiees().order_by("titre")
    if request.method == "POST" and form.is_valid():
        demarche = (
            demarches.filter(pk=request.POST.get("demarche") or None).first()
            if request.POST.get("demarche", "").isdigit()
            else None
        )
        demande = services.demande_rappel_create(
            demarche=demarche, canal=CanalRappel.AGENT, actor=request.user, **form.cleaned_data
        )
        messages.success(
            request,
            f"Demande {demande.reference} enregistrée : rappel promis au plus tard le {demande.promesse_texte}.",
        )
        return redirect("demarches:rappel_detail", uuid=demande.uuid)
    return render(
        request, "demarches/rappel_agent_nouvelle.html", {"form": form, "demarches": demarches, **_common()}
    )


@role_required(Role.PARTENAIRE)
@ratelimit("partenaire", per="compte")
def rappel_partenaire(request):
    """A partner asks a callback for the person they help: the citizen's form and service, the
    person's agreement; the confirmation goes to the person's own phone or email."""
    demarches = Demarche.objects.publiees().order_by("titre")

    def reserver(data) -> Reserve:
        slug = request.POST.get("demarche", "")[:80]
        demande = services.demande_rappel_create(
            demarche=demarches.filter(slug=slug).first() if slug else None,
            canal=CanalRappel.PARTENAIRE,
            actor=request.user,
            **data,
        )
        return Reserve(
            objet=demande,
            nature="rappel",
            reference=demande.reference,
            libelle=f"Rappel par Lyon en direct, promis au plus tard le {demande.promesse_texte}"
            + (f" ({demande.demarche.titre})" if demande.demarche else ""),
        )

    return pour_une_personne(
        request,
        form=DemandeRappelForm(request.POST if request.method == "POST" else None, pour_une_personne=True),
        reserver=reserver,
        template="demarches/rappel_partenaire.html",
        context={"demarches": demarches, **_common()},
    )


@role_required(*AGENTS)
def rappel_detail(request, uuid, form=None):
    demande = get_object_or_404(selectors.demande_rappel_detail(uuid))
    return render(
        request,
        "demarches/rappel_detail.html",
        {
            "demande": demande,
            "telephone": phone_display(demande.telephone),
            "form": form or TentativeForm(),
            "tentatives_max": settings.RAPPEL_TENTATIVES_MAX,
            "ecart_min": settings.RAPPEL_ECART_MIN_MINUTES,
            "non_comptees": {
                t.pk: raison for t, raison in ligne.echecs_comptes(demande.tentatives.all()) if raison
            },
            "notifications": notifications_about(demande),
            **_common(),
        },
        status=400 if form is not None else 200,
    )


@require_POST
@role_required(*AGENTS)
def rappel_prendre(request, uuid):
    demande = get_object_or_404(selectors.demande_rappel_detail(uuid))
    try:
        services.demande_rappel_take(demande=demande, agent=request.user)
        messages.success(request, f"Vous avez pris la demande {demande.reference}.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("demarches:rappel_detail", uuid=demande.uuid)


@require_POST
@role_required(*AGENTS)
def rappel_tentative(request, uuid):
    demande = get_object_or_404(selectors.demande_rappel_detail(uuid))
    form = TentativeForm(request.POST)
    if not form.is_valid():
        return rappel_detail(request, uuid, form=form)
    try:
        tentative = services.tentative_record(demande=demande, agent=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("demarches:rappel_detail", uuid=demande.uuid)
    demande.refresh_from_db()
    text = f"Appel enregistré : {tentative.get_resultat_display().lower()}."
    raison = dict(ligne.echecs_comptes(demande.tentatives.all())).get(tentative)
    if raison:
        text += (
            f" Il ne compte pas dans les {settings.RAPPEL_TENTATIVES_MAX} essais avant le repli ({raison})."
        )
    if demande.repli == "sms":
        text += " Nombre maximal de tentatives atteint : un SMS a été envoyé à la personne."
    elif demande.repli == "email":
        text += " Nombre maximal de tentatives atteint : un courriel a été envoyé à la personne."
    elif demande.repli == "courrier":
        text += " Nombre maximal de tentatives atteint : envoyez-lui un courrier (voir la file)."
    messages.success(request, text)
    return redirect("demarches:rappel_detail", uuid=demande.uuid)


@require_POST
@role_required(*AGENTS)
def rappel_courrier_envoye(request, uuid):
    demande = get_object_or_404(selectors.demande_rappel_detail(uuid))
    try:
        services.courrier_repli_mark_sent(demande=demande, agent=request.user)
        messages.success(request, f"Courrier noté comme envoyé pour {demande.reference}.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("demarches:rappel_file")


@role_required(*AGENTS, Role.COORDINATION, Role.ANALYSTE, Role.CONSEILLER)
def rappel_engagement(request):
    from pacte.charts import bar_chart

    mesure = selectors.rappel_promesse_mesure()
    taux = round(100 * mesure["tenues"] / mesure["total"]) if mesure["total"] else None
    chart = bar_chart(
        "Demandes de rappel échues",
        [
            ("Rappel fait dans le délai promis", mesure["tenues"]),
            ("Rappel fait en retard ou repli", mesure["total"] - mesure["tenues"] - mesure["en_retard"]),
            ("Encore en attente, délai dépassé", mesure["en_retard"]),
        ],
        chart_id="rappels-promesse",
    )
    return render(
        request,
        "demarches/rappel_engagement.html",
        {
            "mesure": mesure,
            "taux": taux,
            "chart": chart,
            "url_file": reverse("demarches:rappel_file"),
            **_common(),
        },
    )
