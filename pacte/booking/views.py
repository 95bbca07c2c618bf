"""Views of the booking engine: the citizen journey (public, no account, no JS required) and the
agent side (book for a caller or a walk-in, planning, attendance)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pacte import secret_links
from pacte.cache_reference import reading_versions_once
from pacte.calendrier import holiday_name, is_holiday
from pacte.decorators import role_required
from pacte.facile import gabarit
from pacte.forms import apply_errors, blank_fields
from pacte.htmx import render_page
from pacte.langues import dans_la_langue
from pacte.models import Canal as CanalMessage
from pacte.models import Notification
from pacte.notifications import canaux, canaux_phrase, notifications_about, tache_action
from pacte.parsing import parse_date, parse_int, parse_slot
from pacte.partenaires import Reserve, organisation_of, pour_une_personne
from pacte.phones import phone_display
from pacte.ratelimit import client_ip, hit, parse_rate, rate_for, ratelimit, refused
from pacte.rendu import rendered_once
from pacte.roles import Role, profil_of
from pacte.sessions import visitor_transaction
from pacte.site import absolute_url
from pacte.workflows import TransitionInterdite

from . import attente, selectors
from .forms import (
    AgentReservationForm,
    AnnulationForm,
    IdentiteForm,
    InscriptionAttenteForm,
    RechercheForm,
    ReservationForm,
    RetrouverForm,
)
from .hooks import attente_of
from .ics import flux_bytes, ics_bytes
from .messages import personne
from .models import Agenda, Canal, CanalInscription, InscriptionAttente, OffreCreneau, Reservation, Statut
from .services import (
    CreneauIndisponible,
    PlafondAtteint,
    flux_agenda_create,
    flux_agenda_read,
    flux_agenda_revoke,
    new_idempotency_key,
    reservation_cancel,
    reservation_create,
    reservation_mark,
    reservation_move,
    reservation_restore,
    retenue_release,
    retenue_take,
)
from .workflows import correction_ouverte, presence_ouverte

STAFF = (Role.AGENT, Role.ECRIVAIN, Role.ADMIN)
LIEN = "reservation"  # the link type, for pacte.secret_links
SESSION_CONFIRMED = "booking_confirmes"
SESSION_RETENUE = "booking_retenue"
SESSION_RETENUE_CRENEAU = "booking_retenue_creneau"
CHAMPS_RESERVATION = "booking/includes/champs_reservation.html"
NOUVEAU = "confirme"  # the query parameter of the booking's page right after the booking


# --- helpers -------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _parse_creneau(value: str) -> dt.datetime:
    naive = parse_slot(value)
    if naive is None:
        raise Http404
    return naive.replace(tzinfo=selectors.local_tz())


def _week_context(request, agenda: Agenda, *, pour_agent: bool, slot_url, extra_query: str = "") -> dict:
    """Days of the chosen week with their free slots, and the chosen day's slots.

    `slot_url(creneau)` gives the link (or form value) of each slot. 3 queries (+3 when the
    week is empty, to point to the next free slot).
    """
    today = _today()
    monday0 = today - dt.timedelta(days=today.weekday())
    max_weeks = agenda.horizon_jours // 7 + 1
    jour = parse_date(request.GET.get("jour"))
    if jour is not None and not (today <= jour <= today + dt.timedelta(days=agenda.horizon_jours)):
        jour = None
    if jour is not None:
        semaine = (jour - monday0).days // 7
    else:
        semaine = parse_int(request.GET.get("semaine"), 0, 0, max_weeks)
    monday = monday0 + dt.timedelta(weeks=semaine)
    sunday = monday + dt.timedelta(days=6)
    dispo = selectors.creneaux_disponibles(agenda, debut=monday, fin=sunday, pour_agent=pour_agent)
    if not dispo and jour is None and "semaine" not in request.GET:
        # Nothing left this week: open directly on the week of the next free slot.
        prochain = selectors.prochain_creneau(agenda, pour_agent=pour_agent)
        if prochain is not None:
            semaine = (timezone.localtime(prochain.debut).date() - monday0).days // 7
            monday = monday0 + dt.timedelta(weeks=semaine)
            sunday = monday + dt.timedelta(days=6)
            dispo = selectors.creneaux_disponibles(agenda, debut=monday, fin=sunday, pour_agent=pour_agent)
    jours = []
    for i in range(7):
        day = monday + dt.timedelta(days=i)
        creneaux = dispo.get(day, [])
        if i >= 5 and not creneaux:
            continue  # weekends only when open
        jours.append(
            {
                "date": day,
                "nombre": len(creneaux),
                "passe": day < today,
                "ferie": holiday_name(day) if is_holiday(day) else "",
                "choisi": day == jour,
                "query": f"?semaine={semaine}&jour={day.isoformat()}{extra_query}",
            }
        )
    if jour is None and len(dispo) == 1:
        jour = next(iter(dispo))
    # The hour is the end of the slot's key (local YYYY-MM-DDTHH:MM), worked out once per slot.
    creneaux_jour = [{"creneau": c, "url": slot_url(c), "heure": c.cle[11:]} for c in dispo.get(jour, [])]
    prochain = None
    if not dispo:
        prochain = next(
            iter(selectors.prochains_creneaux(agenda, pour_agent=pour_agent, nombre=1, apres=None)), None
        )
        if prochain is not None:
            pday = timezone.localtime(prochain.debut).date()
            prochain = {
                "creneau": prochain,
                "query": f"?semaine={(pday - monday0).days // 7}&jour={pday.isoformat()}{extra_query}",
            }
    return {
        "semaine": semaine,
        "semaine_debut": monday,
        "semaine_fin": sunday,
        "semaine_precedente": f"?semaine={semaine - 1}{extra_query}" if semaine > 0 else "",
        "semaine_suivante": f"?semaine={semaine + 1}{extra_query}" if semaine < max_weeks else "",
        "jours": jours,
        "jour": jour,
        "creneaux_jour": creneaux_jour,
        "prochain": prochain,
        "semaine_vide": not dispo,
    }


def _render_week(request, template: str, context: dict):
    """The week page, or only the chosen day's slots when htmx follows a day link."""
    return render_page(request, template, context, partial="creneaux" if request.GET.get("jour") else None)


def _choisir_creneau(request, agenda: Agenda, url_name: str, template: str, *, pour_agent: bool):
    """The week page where staff (an agent, a partner) choose a slot; each slot links to
    `url_name` with `?creneau=`."""
    base_url = reverse(url_name, args=[agenda.uuid])
    context = _week_context(
        request, agenda, pour_agent=pour_agent, slot_url=lambda c: f"{base_url}?creneau={c.cle}"
    )
    context.update(agenda=agenda, lieu=agenda.lieu)
    return _render_week(request, template, context)


def _indisponible(request, agenda: Agenda, prochains, *, pour_agent=False, partenaire=False, status=409):
    items = []
    for c in prochains:
        if partenaire:
            url = reverse("booking:partenaire_reserver", args=[agenda.uuid]) + f"?creneau={c.cle}"
        elif pour_agent:
            url = reverse("booking:agent_reserver", args=[agenda.uuid]) + f"?creneau={c.cle}"
        else:
            url = reverse("booking:formulaire", args=[agenda.uuid, c.cle])
        items.append({"creneau": c, "url": url})
    return render(
        request,
        "booking/indisponible.html",
        {"agenda": agenda, "prochains": items, "pour_agent": pour_agent, "partenaire": partenaire},
        status=status,
    )


# --- citizen journey ----------------------------------------------------------------------------


@login_not_required
@require_safe
def accueil(request):
    """Public list of the agendas open to online booking, by lieu."""
    agendas = (
        Agenda.objects.actifs()
        .select_related("lieu__arrondissement")
        .order_by("lieu__arrondissement__numero", "lieu__nom", "titre")
    )
    return render(request, "booking/accueil.html", {"agendas": agendas})


@login_not_required
@require_safe
@reading_versions_once(selectors.AGENDAS_PUBLICS, selectors.CALENDRIER)
def agenda(request, uuid):
    """What is booked, where (with accessibility), and the free days and slots of a week."""
    agenda = selectors.agenda_public(uuid)
    if agenda is None:
        raise Http404
    # One reverse() per page, not one per slot: a slot's form is at the agenda's URL + its key.
    base = reverse("booking:agenda", args=[agenda.uuid])
    context = _week_context(request, agenda, pour_agent=False, slot_url=lambda c: f"{base}{c.cle}/")
    context["agenda"] = agenda
    context["lieu"] = agenda.lieu
    # No free slot in the whole horizon: the page offers the waiting list instead.
    context["complet"] = context["semaine_vide"] and context["prochain"] is None
    # The week's days and the day's slots, rendered once per process for what they show: a place
    # taken, held or freed changes what they show, hence their key (pacte.rendu, #18.2).
    context["semaine_html"] = rendered_once(
        "booking/includes/semaine.html", _semaine_cle(context), lambda: context
    )
    context["creneaux_html"] = rendered_once(
        "booking/includes/creneaux.html",
        (context["jour"], tuple((item["url"], item["heure"]) for item in context["creneaux_jour"])),
        lambda: context,
    )
    return _render_week(request, gabarit(request, "booking/agenda.html"), context)


def _semaine_cle(context: dict) -> tuple:
    """Everything templates/booking/includes/semaine.html shows of `_week_context`."""
    prochain = context["prochain"]
    return (
        context["semaine_debut"],
        context["semaine_fin"],
        context["semaine_precedente"],
        context["semaine_suivante"],
        context["semaine_vide"],
        (prochain["query"], prochain["creneau"].debut) if prochain else None,
        tuple(tuple(jour.values()) for jour in context["jours"]),
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("reservation")
@reading_versions_once(selectors.AGENDAS_PUBLICS, selectors.CALENDRIER)
def formulaire(request, uuid, creneau):
    """The short form for one slot; POST books it (or shows the next free slots if just taken)."""
    agenda = selectors.agenda_public(uuid)
    if agenda is None:
        raise Http404
    debut = _parse_creneau(creneau)
    retenue = None
    plafond = False  # the person already has a booking for this démarche (#19.3)
    if request.method == "POST":
        form = ReservationForm(request.POST)
        if not refused(request) and form.is_valid():
            data = form.cleaned_data
            try:
                reservation, token = _reserver_en_ligne(request, agenda, debut, data)
            except CreneauIndisponible as exc:
                return _indisponible(request, agenda, exc.prochains)
            except ValidationError as exc:
                apply_errors(form, exc)
                plafond = isinstance(exc, PlafondAtteint)
                if plafond:  # a person over the cap does not keep the slot from others meanwhile
                    retenue_release(agenda=agenda, debut=debut, cle=_retenue_cle(request))
                    request.session.pop(SESSION_RETENUE_CRENEAU, None)
            else:
                request.session.pop(SESSION_RETENUE_CRENEAU, None)
                return _after_booking(request, reservation, token)
        retenue = selectors.retenue_of(agenda=agenda, debut=debut, cle=_retenue_cle(request), en_ligne=True)
    else:
        try:
            retenue = _retenir(request, agenda, debut)
        except CreneauIndisponible:
            return _indisponible(request, agenda, selectors.prochains_creneaux(agenda), status=200)
        form = ReservationForm(initial={"cle_idempotence": new_idempotency_key()})
    return render(
        request,
        gabarit(request, "booking/formulaire.html"),
        {
            "agenda": agenda,
            "lieu": agenda.lieu,
            "debut": debut,
            "fin": debut + dt.timedelta(minutes=agenda.duree_creneau),
            "form": form,
            "retenue": retenue if retenue is not None and retenue.is_live else None,
            "plafond": plafond,
            # A blank form: its fields rendered once per process (the same for every visitor).
            "champs_vierges": "" if form.is_bound else blank_fields(ReservationForm, CHAMPS_RESERVATION),
        },
    )


def _reserver(agenda: Agenda, debut: dt.datetime, data: dict, **options):
    """Book from a booking form's cleaned data (`ReservationForm` or a subclass); `options`: the
    channel, the agent, the hold, a partner booking for the person…"""
    return reservation_create(
        agenda=agenda,
        debut=debut,
        nom=data["nom"],
        prenom=data["prenom"],
        telephone=data["telephone"],
        email=data["email"],
        besoins=data["besoins"],
        besoins_precision=data["besoins_precision"],
        cle_idempotence=data["cle_idempotence"] or None,
        langue=data.get("langue"),  # chosen by an agent or a partner; else the request's
        **options,
    )


def _reserver_en_ligne(request, agenda: Agenda, debut: dt.datetime, data: dict, **extra):
    """Book from the citizen's form on the online places, converting the place held since the
    form opened; `extra`: a partner booking for the person."""
    return _reserver(agenda, debut, data, canal=Canal.EN_LIGNE, retenue_cle=_retenue_cle(request), **extra)


def _retenue_cle(request) -> str:
    """The visitor's holder key for slot holds, bound to their session (a cookie: no JavaScript
    needed). A random id, not the session key, which changes when someone signs in."""
    cle = request.session.get(SESSION_RETENUE)
    if not cle:
        cle = request.session[SESSION_RETENUE] = secrets.token_urlsafe(18)
    return f"visiteur:{cle}"


def _retenir(request, agenda: Agenda, debut: dt.datetime):
    """Hold the slot for the visitor while they fill the form (#19.2), and give back the place
    they held on another slot (one hold per visitor). Returns the hold, or None when the visitor
    has taken too many holds (`RATELIMITS["retenue"]` per IP: a bot opening every form cannot
    empty an agenda; the form still shows) or when BOOKING_RETENUE_MINUTES is 0 (holds off).
    Raises `CreneauIndisponible` when the slot is not free for them.

    The hold, the place given back and the session are written in one transaction
    (`pacte.sessions.visitor_transaction`), and a new visitor (no holder key yet) has no hold to
    look up (#18.2)."""
    nouveau = not request.session.get(SESSION_RETENUE)
    cle = _retenue_cle(request)
    retenue = None if nouveau else selectors.retenue_of(agenda=agenda, debut=debut, cle=cle, en_ligne=True)
    ici = [agenda.pk, debut.astimezone(dt.UTC).isoformat()]
    if retenue is not None and retenue.is_live and request.session.get(SESSION_RETENUE_CRENEAU) == ici:
        return retenue  # a reload: `retenue_take` would return it unchanged (one query fewer)
    too_many = retenue is None and (
        not settings.BOOKING_RETENUE_MINUTES  # 0: holds switched off
        or (settings.RATELIMIT_ENABLED and not hit("retenue", client_ip(request)))
    )
    if too_many:
        if selectors.creneau_at(agenda, debut=debut) is None:
            raise CreneauIndisponible()
        return None
    with visitor_transaction():
        retenue = retenue_take(
            agenda=agenda,
            debut=debut,
            cle=cle,
            en_ligne=True,
            duree=dt.timedelta(minutes=settings.BOOKING_RETENUE_MINUTES),
            existante=retenue,
        )
        avant = request.session.get(SESSION_RETENUE_CRENEAU)
        if avant and avant != ici:
            ancien = Agenda.objects.filter(pk=avant[0]).first()
            if ancien is not None:
                retenue_release(agenda=ancien, debut=dt.datetime.fromisoformat(avant[1]), cle=cle)
        request.session[SESSION_RETENUE_CRENEAU] = ici
        request.session.save()
    return retenue


def _after_booking(request, reservation: Reservation, token: str):
    confirmed = [u for u in request.session.get(SESSION_CONFIRMED, []) if u != str(reservation.uuid)][-19:]
    request.session[SESSION_CONFIRMED] = [*confirmed, str(reservation.uuid)]
    if token:
        # This browser holds the case without the token going through a URL: the link in the
        # confirmation stays live for its first use.
        secret_links.remember(
            request, kind=LIEN, obj=reservation, hashed=reservation.token_hash, verified=True
        )
        # « confirmé » said by the address, not by one more session write on the next page (#18.1).
        return redirect(reverse("booking:rendez_vous", args=[reservation.uuid]) + f"?{NOUVEAU}=1")
    # The same form was submitted twice: the first submission holds the secret link.
    return redirect("booking:confirmation", uuid=reservation.uuid)


@login_not_required
@never_cache
@require_safe
def confirmation(request, uuid):
    """Confirmation shown to the browser that submitted the form again (double click)."""
    if str(uuid) not in request.session.get(SESSION_CONFIRMED, []):
        raise Http404
    reservation = get_object_or_404(
        Reservation.objects.select_related("agenda__lieu__arrondissement"), uuid=uuid
    )
    return render(
        request,
        gabarit(request, "booking/confirmation.html"),
        {
            "reservation": reservation,
            "agenda": reservation.agenda,
            "envoi": canaux_phrase(personne(reservation)),
        },
    )


def _send_new_link(reservation: Reservation, token: str) -> None:
    with dans_la_langue(reservation.langue):
        secret_links.send_new_link(
            personne=personne(reservation),
            objet=gettext_lazy("votre rendez-vous"),
            reference=reservation.reference,
            lien=absolute_url(reverse("booking:gerer", args=[token])),
            obj=reservation,
        )


@login_not_required
@never_cache
@secret_links.private_referrer
@require_http_methods(["GET", "POST"])
def gerer(request, token):
    """The secret link sent by email/SMS: exchanged for this session (the token dies), then 303
    to the token-less page. A used or unknown link shows the recovery page."""
    return secret_links.open_link(
        request,
        kind=LIEN,
        token=token,
        obj=selectors.reservation_by_token(token),
        page_url=lambda uuid: reverse("booking:rendez_vous", args=[uuid]),
        invalid=lambda: lien_invalide(request),
    )


def lien_invalide(request, form=None, status=404):
    form = form or secret_links.NouveauLienForm()
    return render(
        request,
        "booking/lien_invalide.html",
        {"form": form, "action": reverse("booking:nouveau_lien")},
        status=status,
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
        find=selectors.reservation_by_reference,
        send=_send_new_link,
        invalid=lambda form, status: lien_invalide(request, form, status),
    )


@login_not_required
@never_cache
@secret_links.private_referrer
@require_http_methods(["GET", "POST"])
@ratelimit("identite")
def retrouver(request):
    """« Retrouver mon rendez-vous » without the reference: the phone or email given when booking.
    Each confirmed future booking of that contact gets a fresh link, sent to the contact on file
    (never shown here); the answer is the same whether or not there is one."""
    form = RetrouverForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refused(request) and form.is_valid():
        data = form.cleaned_data
        for reservation in selectors.reservations_a_venir_par_contact(
            telephone=data["telephone"], email=data["email"]
        ):
            if secret_links.renewal_allowed(LIEN, reservation.reference):
                secret_links.renew(obj=reservation, send=_send_new_link)
        return secret_links.new_link_sent(request, retour=reverse("booking:accueil"))
    return render(
        request,
        gabarit(request, "booking/retrouver.html"),
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_not_required
@never_cache
@secret_links.private_referrer
@require_http_methods(["GET", "POST"])
@ratelimit("identite")
def rendez_vous(request, uuid):
    """The booking this browser holds through its link: identity check, then details, cancel, move."""
    reservation = selectors.reservation_by_link(uuid)
    etat = reservation and secret_links.state(
        request, kind=LIEN, obj=reservation, hashed=reservation.token_hash
    )
    if not etat:
        return lien_invalide(request)
    if secret_links.new_link_asked(request, kind=LIEN, obj=reservation, send=_send_new_link):
        return secret_links.new_link_sent(request)
    agenda = reservation.agenda
    url = reverse("booking:rendez_vous", args=[reservation.uuid])
    base = {"reservation": reservation, "agenda": agenda, "lieu": agenda.lieu, "action_url": url}

    if etat != "verifie":
        form = IdentiteForm(request.POST if request.method == "POST" else None)
        if secret_links.identity_check(
            request,
            kind=LIEN,
            obj=reservation,
            form=form,
            field="debut_nom",
            expected_name=reservation.nom,
            error=_("Ces lettres ne correspondent pas au nom du rendez-vous. Vérifiez et réessayez."),
        ):
            return redirect(url)
        return render(
            request,
            gabarit(request, "booking/identite.html"),
            {**base, "form": form, "bloque": form.bloque},
            status=429 if form.bloque else 200,
        )

    action = request.POST.get("action") if request.method == "POST" else request.GET.get("action")
    futur = reservation.debut > timezone.now()
    modifiable = reservation.statut == Statut.CONFIRMEE and futur
    if request.method == "POST" and not refused(request):
        if not modifiable:
            messages.error(request, _("Ce rendez-vous ne peut plus être modifié."))
            return redirect(url)
        if action == "annuler":
            reservation_cancel(reservation=reservation, motif="Annulé par l'usager")
            messages.success(request, _("Votre rendez-vous est annulé. Merci de nous avoir prévenus."))
            return redirect(url)
        if action == "deplacer":
            try:
                nouveau = _parse_creneau(request.POST.get("creneau", ""))
                reservation_move(reservation=reservation, nouveau_debut=nouveau)
            except CreneauIndisponible:
                messages.error(request, _("Ce créneau vient d'être pris. Choisissez-en un autre."))
                return redirect(url + "?action=deplacer")
            phrase = canaux_phrase(personne(reservation))
            messages.success(
                request,
                _("Votre rendez-vous est déplacé. Un message de confirmation vous est envoyé %(envoi)s.")
                % {"envoi": phrase}
                if phrase
                else _("Votre rendez-vous est déplacé. Notez bien la nouvelle date."),
            )
            return redirect(url)
        raise Http404

    context = {**base, "modifiable": modifiable, "action": action}
    context["telephone_affiche"] = phone_display(reservation.telephone)
    context["envoi"] = canaux_phrase(personne(reservation))
    context["nouveau"] = request.GET.get(NOUVEAU) == "1" and reservation.statut == Statut.CONFIRMEE
    if action == "deplacer" and modifiable:
        context.update(
            _week_context(
                request, agenda, pour_agent=False, slot_url=lambda c: c.cle, extra_query="&action=deplacer"
            )
        )
        return _render_week(request, gabarit(request, "booking/deplacer.html"), context)
    if action == "annuler" and modifiable:
        return render(request, gabarit(request, "booking/annuler.html"), context)
    return render(request, gabarit(request, "booking/gerer.html"), context)


@login_not_required
@never_cache
@secret_links.private_referrer
@require_safe
def ics(request, uuid):
    """The appointment as an .ics file, after the identity check."""
    reservation = selectors.reservation_by_link(uuid)
    if reservation is None or (
        secret_links.state(request, kind=LIEN, obj=reservation, hashed=reservation.token_hash) != "verifie"
    ):
        raise Http404
    response = HttpResponse(ics_bytes(reservation), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rendez-vous-{reservation.reference}.ics"'
    return response


# --- partners booking for a person (pacte.partenaires) ------------------------------------------

#: The agendas a partner books on, by owning module: what each section is called.
PARTENAIRE_SECTIONS = {"demarches": "Rendez-vous au guichet", "ecrivains": "Écrivains publics"}


@role_required(Role.PARTENAIRE)
@require_safe
def partenaire_agendas(request):
    """The counters and écrivain public permanences a partner may book for a person."""
    agendas = list(
        Agenda.objects.actifs()
        .filter(kind__in=PARTENAIRE_SECTIONS)
        .select_related("lieu__arrondissement")
        .order_by("lieu__arrondissement__numero", "lieu__nom", "titre")
    )
    sections = [
        {"id": kind, "titre": titre, "agendas": [a for a in agendas if a.kind == kind]}
        for kind, titre in PARTENAIRE_SECTIONS.items()
    ]
    return render(request, "booking/partenaire_agendas.html", {"sections": sections})


@role_required(Role.PARTENAIRE)
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("partenaire", per="compte")
def partenaire_reserver(request, uuid):
    """A partner books a slot for the person they help: the citizen's form and the online places,
    the person's agreement, the confirmation and secret link to the person's own contact."""
    agenda = get_object_or_404(
        Agenda.objects.actifs().filter(kind__in=PARTENAIRE_SECTIONS).select_related("lieu"), uuid=uuid
    )
    creneau_param = request.GET.get("creneau") or request.POST.get("creneau")
    if not creneau_param:
        return _choisir_creneau(
            request,
            agenda,
            "booking:partenaire_reserver",
            "booking/partenaire_reserver.html",
            pour_agent=False,
        )
    debut = _parse_creneau(creneau_param)
    if request.method == "GET":
        try:
            _retenir(request, agenda, debut)
        except CreneauIndisponible:
            return _indisponible(
                request, agenda, selectors.prochains_creneaux(agenda), partenaire=True, status=200
            )
    nature = "ecrivain" if agenda.kind == "ecrivains" else "guichet"

    def reserver(data) -> Reserve:
        reservation, _token = _reserver_en_ligne(  # the token goes to the person only
            request,
            agenda,
            debut,
            data,
            prescripteur=request.user,
            prescripteur_organisation=organisation_of(request.user),
        )
        if reservation.prescripteur_id != request.user.pk:  # another's key (idempotency): not theirs
            raise ValidationError(
                "Ce formulaire a déjà servi pour une autre réservation. Rouvrez le créneau pour réserver.",
                code="cle_idempotence",
            )
        request.session.pop(SESSION_RETENUE_CRENEAU, None)
        return Reserve(
            objet=reservation,
            nature=nature,
            reference=reservation.reference,
            libelle=f"{agenda.titre} — {agenda.lieu.nom}",
            rendez_vous_at=reservation.debut,
        )

    form = ReservationForm(
        request.POST if request.method == "POST" else None,
        initial={"cle_idempotence": new_idempotency_key()},
        pour_une_personne=True,
    )
    try:
        return pour_une_personne(
            request,
            form=form,
            reserver=reserver,
            template="booking/partenaire_formulaire.html",
            context={
                "agenda": agenda,
                "lieu": agenda.lieu,
                "debut": debut,
                "creneau": creneau_param,
                "retenue": selectors.retenue_of(
                    agenda=agenda, debut=debut, cle=_retenue_cle(request), en_ligne=True
                ),
            },
        )
    except CreneauIndisponible as exc:
        return _indisponible(request, agenda, exc.prochains, partenaire=True)


# --- agent side -----------------------------------------------------------------------------------


@role_required(*STAFF)
@require_safe
def agent_accueil(request):
    """Find a booking (reference, name, phone) and choose an agenda to book on (own lieu first)."""
    form = RechercheForm(request.GET or None)
    resultats = None
    if form.is_valid() and form.cleaned_data["q"]:
        resultats = list(selectors.reservation_search(form.cleaned_data["q"], user=request.user)[:50])
    agendas = list(selectors.agendas_for_agent(request.user))
    return render(
        request,
        "booking/agent_accueil.html",
        {
            "form": form,
            "resultats": resultats,
            "agendas": agendas,
            "lieu_agent": profil_of(request.user).lieu,
            "a_appeler": list(selectors.reservations_a_appeler(request.user)[:50]),
        },
    )


@role_required(*STAFF)
@never_cache
@require_http_methods(["GET", "POST"])
def agent_reserver(request, uuid):
    """Book for a caller or a walk-in, including the places reserved for agents (G2)."""
    agenda = get_object_or_404(selectors.agendas_visible_to(request.user).filter(is_active=True), uuid=uuid)
    creneau_param = request.GET.get("creneau") or request.POST.get("creneau")
    if not creneau_param:
        return _choisir_creneau(
            request, agenda, "booking:agent_reserver", "booking/agent_reserver.html", pour_agent=True
        )

    debut = _parse_creneau(creneau_param)
    plafond = False  # the person already has the most bookings allowed: the override is offered
    if request.method == "POST":
        form = AgentReservationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                reservation, _token = _reserver(
                    agenda,
                    debut,
                    data,
                    adresse_postale=data["adresse_postale"],
                    canal=data["canal"],
                    agent=request.user,
                    plafond_motif=data["plafond_motif"] if data["depasser_plafond"] else "",
                )
            except CreneauIndisponible as exc:
                return _indisponible(request, agenda, exc.prochains, pour_agent=True)
            except ValidationError as exc:
                apply_errors(form, exc)
                plafond = isinstance(exc, PlafondAtteint)
            else:
                messages.success(
                    request,
                    f"Rendez-vous enregistré : référence {reservation.reference}. Donnez-la à la personne.",
                )
                return redirect("booking:agent_reservation", uuid=reservation.uuid)
    else:
        if selectors.creneau_at(agenda, debut=debut, pour_agent=True) is None:
            return _indisponible(
                request,
                agenda,
                selectors.prochains_creneaux(agenda, pour_agent=True),
                pour_agent=True,
                status=200,
            )
        form = AgentReservationForm(
            initial={"cle_idempotence": new_idempotency_key(), "canal": Canal.TELEPHONE}
        )
    return render(
        request,
        "booking/agent_formulaire.html",
        {
            "agenda": agenda,
            "lieu": agenda.lieu,
            "debut": debut,
            "creneau": creneau_param,
            "form": form,
            "plafond": plafond or form.data.get("depasser_plafond"),
        },
    )


_MARQUE = {
    Statut.HONOREE: "Présence enregistrée : arrivé.",
    Statut.ABSENT: "Présence enregistrée : absent.",
    Statut.CONFIRMEE: "Pointage retiré : le rendez-vous est de nouveau « Confirmé ».",
}


def _prevenue(reservation: Reservation) -> str:
    if CanalMessage.APPEL in canaux(personne(reservation), repli=CanalMessage.APPEL):
        return "appelez la personne pour la prévenir (voir « Messages envoyés »)"
    return "la personne est prévenue"


def _annoter(reservations: list[Reservation]) -> None:
    """Tell each row which actions its state allows today (attendance from the appointment's day,
    a mark undone that day only, a cancellation undone within its window). One query."""
    reversibles = selectors.annulations_reversibles(reservations)
    for r in reservations:
        r.presence_ouverte = presence_ouverte(r)
        r.correction_ouverte = correction_ouverte(r)
        r.reversible_jusqua = reversibles.get(r.pk)


def _suite(request, default: str) -> str:
    """The page to go back to: a planning or a booking page of the agent side, else `default`."""
    suite = request.POST.get("suite") or request.GET.get("suite") or ""
    allowed = (reverse("booking:planning"), reverse("booking:agent_accueil") + "rendez-vous/")
    if suite.startswith(allowed) and "//" not in suite:
        return suite
    return default


@role_required(*STAFF)
@never_cache
@require_http_methods(["GET", "POST"])
def agent_annuler(request, uuid):
    """Cancel on someone's behalf: the reason, then a confirmation (a page, no JS needed). The
    message to the person leaves after the undo window; until then « Rétablir » undoes it."""
    reservation = get_object_or_404(selectors.reservations_visible_to(request.user), uuid=uuid)
    retour = _suite(request, reverse("booking:agent_reservation", args=[reservation.uuid]))
    if reservation.statut != Statut.CONFIRMEE:
        messages.error(request, "Ce rendez-vous ne peut plus être annulé.")
        return redirect(retour)
    form = AnnulationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reservation_cancel(
                reservation=reservation, actor=request.user, motif=form.cleaned_data["motif"], reversible=True
            )
        except TransitionInterdite as exc:
            messages.error(request, str(exc))
            return redirect(retour)
        _annoter([reservation])
        messages.success(request, _annule_message(reservation))
        return redirect(retour)
    delai = settings.BOOKING_ANNULATION_DELAI_SECONDES
    return render(
        request,
        "booking/agent_annuler.html",
        {
            "reservation": reservation,
            "agenda": reservation.agenda,
            "lieu": reservation.agenda.lieu,
            "form": form,
            "retour": retour,
            "delai": f"{delai // 60} minutes" if delai % 60 == 0 and delai >= 120 else f"{delai} secondes",
            "envoi": canaux_phrase(personne(reservation), repli=CanalMessage.APPEL),
            "futur": reservation.debut > timezone.now(),
        },
    )


def _annule_message(reservation: Reservation) -> str:
    jusqua = reservation.reversible_jusqua
    if reservation.debut <= timezone.now() or jusqua is None:
        return "Le rendez-vous est annulé."
    heure = timezone.localtime(jusqua)
    return (
        f"Le rendez-vous de {reservation.nom_complet or reservation.reference} est annulé. "
        f"Vous pouvez le rétablir jusqu'à {heure:%H} h {heure:%M} ; ensuite, {_prevenue(reservation)}."
    )


@role_required(*STAFF)
@require_POST
def agent_retablir(request, uuid):
    """Undo a cancellation made on someone's behalf, within its window (the place was kept)."""
    reservation = get_object_or_404(selectors.reservations_visible_to(request.user), uuid=uuid)
    retour = _suite(request, reverse("booking:agent_reservation", args=[reservation.uuid]))
    try:
        reservation_restore(reservation=reservation, actor=request.user)
    except TransitionInterdite as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Le rendez-vous est rétabli ; aucun message d'annulation n'est parti.")
    return redirect(retour)


@role_required(*STAFF)
@never_cache
@require_http_methods(["GET", "POST"])
def agent_reservation(request, uuid):
    """One booking: details, notifications and their status (G5), move or cancel on behalf."""
    reservation = get_object_or_404(selectors.reservations_visible_to(request.user), uuid=uuid)
    agenda = reservation.agenda
    modifiable = reservation.statut == Statut.CONFIRMEE
    if request.method == "POST" and request.POST.get("tache"):
        try:
            tache = tache_action(
                taches=Notification.objects.about(reservation),
                uuid=request.POST["tache"],
                action=request.POST.get("tache_action", ""),
                actor=request.user,
            )
            messages.success(request, f"C'est noté : {tache.etat[0].lower()}{tache.etat[1:]}.")
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect("booking:agent_reservation", uuid=reservation.uuid)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "deplacer" and modifiable:
                reservation_move(
                    reservation=reservation,
                    nouveau_debut=_parse_creneau(request.POST.get("creneau", "")),
                    actor=request.user,
                )
                messages.success(request, f"Le rendez-vous est déplacé ; {_prevenue(reservation)}.")
            elif action in (Statut.HONOREE, Statut.ABSENT, Statut.CONFIRMEE):
                reservation_mark(reservation=reservation, statut=action, actor=request.user)
                messages.success(request, _MARQUE[action])
            else:
                raise Http404
        except (CreneauIndisponible, TransitionInterdite) as exc:
            messages.error(request, str(exc))
        return redirect("booking:agent_reservation", uuid=reservation.uuid)

    _annoter([reservation])
    context = {
        "reservation": reservation,
        "agenda": agenda,
        "lieu": agenda.lieu,
        "modifiable": modifiable,
        "futur": reservation.debut > timezone.now(),
        "notifications": notifications_about(reservation),
        "telephone_affiche": phone_display(reservation.telephone),
        "action_url": reverse("booking:agent_reservation", args=[reservation.uuid]),
        "action": request.GET.get("action"),
    }
    if context["action"] == "deplacer" and modifiable:
        context.update(
            _week_context(
                request, agenda, pour_agent=True, slot_url=lambda c: c.cle, extra_query="&action=deplacer"
            )
        )
        return _render_week(request, "booking/agent_deplacer.html", context)
    return render(request, "booking/agent_reservation.html", context)


@role_required(*STAFF)
@require_safe
def planning(request):
    """Day or week view of an agenda's bookings, with attendance buttons and a printable list."""
    agendas = list(selectors.agendas_for_agent(request.user))
    uuid = request.GET.get("agenda")
    agenda = None
    if uuid:
        agenda = next((a for a in agendas if str(a.uuid) == uuid), None)
        if agenda is None:
            raise Http404
    elif agendas:
        agenda = agendas[0]
    jour = parse_date(request.GET.get("jour")) or _today()
    vue = "semaine" if request.GET.get("vue") == "semaine" else "jour"
    context = {
        "agendas": agendas,
        "agenda": agenda,
        "jour": jour,
        "vue": vue,
        "imprimer": request.GET.get("imprimer") == "1",
        "veille": jour - dt.timedelta(days=1 if vue == "jour" else 7),
        "lendemain": jour + dt.timedelta(days=1 if vue == "jour" else 7),
        "aujourdhui": _today(),
        "suite": request.get_full_path(),
    }
    if agenda is not None:
        if vue == "semaine":
            debut = jour - dt.timedelta(days=jour.weekday())
            fin = debut + dt.timedelta(days=6)
        else:
            debut = fin = jour
        reservations = list(selectors.planning(agenda, debut=debut, fin=fin))
        _annoter(reservations)
        jours: dict[dt.date, list] = {}
        for r in reservations:
            jours.setdefault(timezone.localtime(r.debut).date(), []).append(r)
        context.update(
            debut=debut,
            fin=fin,
            reservations=reservations,
            jours=sorted(jours.items()),
            actives=sum(1 for r in reservations if r.statut != Statut.ANNULEE),
        )
    return render(request, "booking/planning.html", context)


@role_required(*STAFF)
@require_POST
def marquer(request, uuid):
    """Mark arrived / absent, or undo a mark (back to « Confirmé »), from the planning (htmx: the
    updated row). Cancelling is never one click: it goes through `agent_annuler`."""
    reservation = get_object_or_404(selectors.reservations_visible_to(request.user), uuid=uuid)
    statut = request.POST.get("statut")
    if statut not in (Statut.HONOREE, Statut.ABSENT, Statut.CONFIRMEE):
        raise Http404
    try:
        reservation = reservation_mark(reservation=reservation, statut=statut, actor=request.user)
    except TransitionInterdite as exc:
        if request.htmx:
            return HttpResponse(str(exc), status=409)
        messages.error(request, str(exc))
    if request.htmx:
        reservation = selectors.reservations_visible_to(request.user).get(pk=reservation.pk)
        _annoter([reservation])
        return render_page(
            request,
            "booking/planning.html",
            {"r": reservation, "imprimer": False, "suite": request.POST.get("suite", "")},
            partial="ligne",
        )
    return redirect(_suite(request, reverse("booking:planning")))


# --- the waiting list (every agenda) ---------------------------------------------------------------


def _attente_agenda_publique(uuid) -> Agenda:
    return get_object_or_404(Agenda.objects.actifs().select_related("lieu__arrondissement"), uuid=uuid)


def attente_contexte(agenda: Agenda) -> dict:
    """What the waiting-list pages show of an agenda: `agenda`, `lieu`, where « retour » and
    « me réinscrire » lead (the engine's pages, or the kind's own through `hooks.Attente.contexte`)."""
    genre = attente_of(agenda.kind)
    context = {
        "agenda": agenda,
        "lieu": agenda.lieu,
        "retour_url": reverse("booking:agenda", args=[agenda.uuid]),
        "reinscription_url": reverse("booking:attente_inscription", args=[agenda.uuid]),
    }
    if genre.contexte:
        context.update(genre.contexte(agenda))
    return context


def attente_inscription_page(request, agenda: Agenda, *, agent=None):
    """The waiting-list form of `agenda` (the person online, or `agent` for a caller): valid →
    registered, then the thanks page (online) or the agents' lists; errors next to the fields.
    Used by every agenda's waiting-list URL (the écrivains' keep theirs)."""
    form = InscriptionAttenteForm(
        request.POST or None, dates=attente.dates_proposees(agenda), par_agent=agent is not None
    )
    if request.method == "POST" and not refused(request) and form.is_valid():
        data = form.cleaned_data
        try:
            inscription = attente.inscription_create(
                agenda=agenda,
                nom=data["nom"],
                telephone=data["telephone"],
                email=data["email"],
                date_souhaitee=data["date_souhaitee"],
                canal=data.get("canal") or CanalInscription.EN_LIGNE,
                agent=agent,
                langue=data.get("langue"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if agent is None:
                return redirect("booking:attente_merci", uuid=inscription.uuid)
            envoi = canaux_phrase(attente.personne(inscription))
            messages.success(
                request,
                f"{inscription.nom} est inscrit(e) sur la liste d'attente. Quand une place se libère, "
                + (
                    f"la proposition lui est envoyée {envoi}."
                    if envoi
                    else "elle apparaît dans « Offres à appeler » : appelez la personne."
                ),
            )
            return None
    context = {**attente_contexte(agenda), "form": form, "par_agent": agent is not None}
    gabarit_page = "booking/agent_attente_inscription.html" if agent else "booking/attente_inscription.html"
    return render(request, gabarit_page, context)


@login_not_required
@ratelimit("reservation")
@require_http_methods(["GET", "POST"])
def attente_inscription(request, uuid):
    """Join the waiting list of an agenda (offered on its page when no slot is free in the
    horizon; no account, no JavaScript needed)."""
    return attente_inscription_page(request, _attente_agenda_publique(uuid))


@login_not_required
@require_safe
def attente_merci(request, uuid):
    """After joining: how the person will be contacted (SMS to a mobile, email, or a call)."""
    inscription = get_object_or_404(InscriptionAttente.objects.select_related("agenda__lieu"), uuid=uuid)
    if inscription.created_at < timezone.now() - dt.timedelta(hours=1):
        raise Http404
    personne_attente = attente.personne(inscription)
    return render(
        request,
        "booking/attente_merci.html",
        {
            **attente_contexte(inscription.agenda),
            "inscription": inscription,
            "appel": CanalMessage.APPEL in canaux(personne_attente, repli=CanalMessage.APPEL),
            "envoi": canaux_phrase(personne_attente),
        },
    )


@login_not_required
@secret_links.private_referrer
@ratelimit("identite")
@require_http_methods(["GET", "POST"])
def attente_offre(request, token):
    """A waiting-list offer through its secret link: accept (book) or decline. One page for every
    agenda (the écrivains mount it under their own URL)."""
    offre = attente.offre_by_token(token)
    if offre is None:
        raise Http404
    if request.method == "POST" and not refused(request):
        if not secret_links.attempt("offre", offre.token_hash):
            return render(request, "429.html", status=429)
        action = request.POST.get("action")
        if action == "accepter":
            resultat = attente.offre_accept(offre=offre)
            (messages.success if resultat.ok else messages.warning)(request, resultat.message)
        elif action == "refuser":
            attente.offre_decline(offre=offre)
            messages.info(request, _("C'est noté : vous restez sur la liste d'attente."))
        return redirect(request.path)
    offre.refresh_from_db()
    return render(
        request,
        "booking/attente_offre.html",
        {**attente_contexte(offre.agenda), "offre": offre, "token": token},
    )


@role_required(*STAFF)
@require_safe
def attente_agent(request):
    """The waiting lists of the agendas the agent may book on, and the offers to phone (every
    agenda in their scope, écrivains' permanences included)."""
    agendas = list(selectors.agendas_visible_to(request.user).filter(is_active=True))
    par_agenda = {a.pk: [] for a in agendas}
    for inscription in attente.inscriptions_actives([a.pk for a in agendas]):
        par_agenda[inscription.agenda_id].append(inscription)
    for a in agendas:
        a.attente = par_agenda[a.pk]
    return render(
        request,
        "booking/attente_agent.html",
        {
            "agendas": agendas,
            "offres": list(attente.offres_a_appeler(selectors.agendas_visible_to(request.user))),
        },
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def attente_inscription_agent(request, uuid):
    """An agent registers a caller (phone or counter) on an agenda's waiting list."""
    agenda = get_object_or_404(selectors.agendas_visible_to(request.user).filter(is_active=True), uuid=uuid)
    return attente_inscription_page(request, agenda, agent=request.user) or redirect("booking:attente_agent")


@require_POST
@role_required(*STAFF)
def attente_offre_agent(request, uuid):
    """The agent records the caller's answer to an offer (accepte, refuse) or that they called
    (scope: the agendas they may book on, else 404)."""
    offre = get_object_or_404(
        OffreCreneau.objects.filter(agenda__in=selectors.agendas_visible_to(request.user)), uuid=uuid
    )
    niveau, message = attente.offre_agent_answer(
        offre=offre, action=request.POST.get("action", ""), agent=request.user
    )
    messages.add_message(request, getattr(messages, niveau.upper()), message)
    return redirect("booking:attente_agent")


# --- staff calendar feed (ICS) ---------------------------------------------------------------------


def _texte(text: str, *, status: int) -> HttpResponse:
    """A short plain-text answer (a calendar app shows it, if anything, as the reason of a failure)."""
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@login_not_required
@require_safe
def flux_agenda(request, token):
    """A staff member's calendar feed, read by their calendar app through the secret link (calendar
    apps cannot sign in). Unknown, revoked or closed-account token: 404. Each link may be read
    `RATELIMITS["flux_agenda"]` times per window, whatever the IP (calendar services poll from
    shared servers): beyond, a 429 with Retry-After. Never cached, never indexed."""
    if secret_links.token_valid_form(token) and not hit("flux_agenda", secret_links.token_hash(token)):
        response = _texte("Ce lien d'agenda a été lu trop souvent : réessayez plus tard.", status=429)
        response["Retry-After"] = str(parse_rate(rate_for("flux_agenda"))[1])
    elif (flux := selectors.flux_agenda_by_token(token)) is None:
        response = _texte("Ce lien d'agenda n'existe pas ou a été supprimé.", status=404)
    else:
        response = HttpResponse(
            flux_bytes(selectors.flux_agenda_reservations(flux.user)),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = 'inline; filename="mes-rendez-vous.ics"'
        flux_agenda_read(flux=flux)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@role_required(*STAFF)
@never_cache
@require_http_methods(["GET", "POST"])
def agent_calendrier(request):
    """« Mon agenda dans mon calendrier »: how to subscribe, create the secret link (shown once, on
    the answer to the POST), replace it, or delete it after a confirmation step (works without JS)."""
    page = reverse("booking:agent_calendrier")
    action = request.POST.get("action") if request.method == "POST" else request.GET.get("action")
    flux = selectors.flux_agenda_of(request.user)
    context = {"flux": flux, "jours_passes": settings.BOOKING_FLUX_JOURS_PASSES}
    if request.method == "POST":
        if action == "creer":
            flux, token = flux_agenda_create(user=request.user)
            lien = absolute_url(reverse("booking:flux_agenda", args=[token]))
            context.update(flux=flux, lien=lien, webcal="webcal://" + lien.split("://", 1)[1])
        elif action == "supprimer":
            if flux_agenda_revoke(user=request.user):
                messages.success(
                    request, "Votre lien d'agenda est supprimé : aucune application ne peut plus le lire."
                )
            return redirect(page)
        else:
            return redirect(page)
    elif action == "supprimer" and flux is not None:
        context["confirmer"] = True
    agendas = list(selectors.agendas_for_agent(request.user)[:11])
    context.update(agendas=agendas[:10], autres_agendas=len(agendas) > 10)
    return render(request, "booking/agent_calendrier.html", context)
