"""Partners book for a person (#19.5, RDV Service Public « prescripteurs », Aidants Connect).

A partner (a CCAS social worker, an association, a France Services counter: `Role.PARTENAIRE`,
their organisation on their `Profil`) books for the person they are helping a counter or écrivain
public appointment (the booking engine) or a callback (démarches), through the citizen's own forms
and services. Every such booking carries the person's agreement (`Consentement`: who, when, for
what, until when, how, recorded by which partner), is journaled, and is limited per partner account
(`RATELIMITS["partenaire"]`). The confirmation and the secret link go to the person's own contact,
never to the partner's; the partner sees what they booked for PARTENAIRE_VISIBILITE_JOURS, without
the secret link (pages in `pacte.partenaire_views`).

Here, the one flow each app's partner view goes through: `pour_une_personne`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.shortcuts import redirect, render
from django.utils import timezone

from .forms import DateField, apply_errors
from .journal import journal_record
from .models import Consentement, FormeAccord
from .phones import phone_normalize
from .ratelimit import refused
from .roles import profil_of

#: The longest an agreement recorded by a partner may last.
ACCORD_DUREE_MAX = dt.timedelta(days=365)


class ConsentementForm(forms.Form):
    """The person's agreement, filled by the partner with the booking form (prefix « accord »)."""

    accord = forms.BooleanField(
        label=(
            "La personne est d'accord : je réserve en son nom, et la Ville lui écrit "
            "à ses propres coordonnées (téléphone ou courriel)."
        ),
        error_messages={
            "required": "Cochez cette case seulement si la personne est d'accord. "
            "Sans son accord, vous ne pouvez pas réserver pour elle."
        },
    )
    personne_nom = forms.CharField(
        label="Nom de la personne qui donne son accord",
        max_length=150,
        help_text="La personne elle-même, ou la personne qui la représente (tuteur, curateur).",
        error_messages={"required": "Indiquez le nom de la personne qui donne son accord."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    forme = forms.ChoiceField(
        label="Comment a-t-elle donné son accord ?",
        choices=FormeAccord.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez si l'accord a été donné à l'oral ou par écrit."},
    )
    accord_on = DateField(
        label="Date de l'accord",
        not_future=True,
        help_text="Aujourd'hui, ou le jour où la personne vous l'a dit ou écrit.",
        error_messages={
            "required": "Indiquez la date de l'accord.",
            "invalid": "Cette date n'est pas valide. Exemple : 01/12/2026.",
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expire_on = DateField(
        label="Accord valable jusqu'au",
        not_past=True,
        help_text="Par exemple le jour du rendez-vous. Au plus tard un an après l'accord.",
        error_messages={
            "required": "Indiquez jusqu'à quand l'accord est valable.",
            "invalid": "Cette date n'est pas valide. Exemple : 31/12/2026.",
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "accord")
        kwargs.setdefault("initial", {"accord_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        debut, fin = data.get("accord_on"), data.get("expire_on")
        if debut and fin:
            if fin < debut:
                self.add_error("expire_on", "Cette date est avant la date de l'accord.")
            elif fin - debut > ACCORD_DUREE_MAX:
                self.add_error("expire_on", "Un accord vaut au plus un an : choisissez une date plus proche.")
        return data


@dataclass(frozen=True)
class Reserve:
    """What a partner booked, as their list describes it (never the person's secret link)."""

    objet: models.Model
    nature: str  # Consentement.Nature
    reference: str
    libelle: str
    rendez_vous_at: dt.datetime | None = None


def organisation_of(user) -> str:
    """The partner's organisation name as the planning shows it (« réservé par … »)."""
    profil = profil_of(user)
    return (
        profil.organisation
        or profil.get_type_organisation_display()
        or user.get_full_name()
        or "un partenaire"
    )


def consentement_record(
    *,
    partenaire,
    reserve: Reserve,
    personne_nom: str,
    accord_on: dt.date,
    expire_on: dt.date,
    forme: str,
) -> Consentement:
    """Record the person's agreement to the booking `reserve` made for them by `partenaire`, and
    journal the booking on behalf (`partenaire.reservation_pour`, no personal data in the message).
    Call it in the booking's transaction. A booking already recorded (a form sent twice) keeps its
    first record, returned unchanged."""
    objet = reserve.objet
    consentement, created = Consentement.objects.get_or_create(
        objet_type=objet._meta.label_lower,
        objet_id=str(objet.pk),
        defaults=dict(
            partenaire=partenaire,
            organisation=organisation_of(partenaire),
            personne_nom=personne_nom.strip(),
            accord_on=accord_on,
            expire_on=expire_on,
            forme=forme,
            nature=reserve.nature,
            reference=reserve.reference,
            libelle=reserve.libelle[:300],
            rendez_vous_at=reserve.rendez_vous_at,
        ),
    )
    if created:
        consentement.full_clean()
        journal_record(
            action="partenaire.reservation_pour",
            actor=partenaire,
            obj=consentement,
            message=f"{consentement.get_nature_display()} {reserve.reference} pour une personne, "
            f"par {consentement.organisation} (accord {consentement.get_forme_display().lower()})",
            data={
                "objet_type": consentement.objet_type,
                "objet_id": consentement.objet_id,
                "organisation": consentement.organisation,
                "forme": forme,
                "expire_on": expire_on.isoformat(),
            },
        )
    return consentement


def _contact_du_partenaire(form: forms.Form, partenaire) -> None:
    """The person's confirmation and secret link go to their own contact: refuse the partner's
    own email or phone, next to the field."""
    data = form.cleaned_data
    email = (data.get("email") or "").strip().lower()
    if email and partenaire.email and email == partenaire.email.strip().lower():
        form.add_error(
            "email", "C'est votre adresse de courriel : indiquez celle de la personne, ou laissez vide."
        )
    telephone = data.get("telephone") or ""
    profil_tel = profil_of(partenaire).telephone
    if telephone and profil_tel and phone_normalize(telephone) == phone_normalize(profil_tel):
        form.add_error("telephone", "C'est votre numéro : indiquez celui de la personne.")


def _confirme(consentement: Consentement) -> str:
    """What the partner is told once booked: a callback has no personal link (the person is called)."""
    if consentement.nature == Consentement.Nature.RAPPEL:
        return (
            f"C'est demandé : référence {consentement.reference}. Lyon en direct rappelle la personne ; "
            "elle reçoit la confirmation sur son portable ou son courriel, si elle en a un."
        )
    return (
        f"C'est réservé : référence {consentement.reference}. La personne reçoit la "
        "confirmation et son lien personnel à ses coordonnées."
    )


def _accord_couvre(reserve: Reserve, expire_on: dt.date) -> None:
    """The agreement must last at least until the appointment's day (else the booking is rolled
    back and the message goes next to « Accord valable jusqu'au »)."""
    if reserve.rendez_vous_at and expire_on < timezone.localdate(reserve.rendez_vous_at):
        raise ValidationError(
            {
                "expire_on": "L'accord doit valoir au moins jusqu'au jour du rendez-vous, le "
                f"{timezone.localdate(reserve.rendez_vous_at):%d/%m/%Y}."
            }
        )


def pour_une_personne(
    request,
    *,
    form: forms.Form,
    reserver: Callable[[dict], Reserve],
    template: str,
    context: dict,
):
    """The partner's booking flow, shared by every app's « pour une personne » view.

    `form` is the citizen's own form (bound on POST), shown with the agreement form
    (`ConsentementForm`, required). On a valid POST within the partner's rate limit (the view is
    under `@ratelimit("partenaire", per="compte")`), `reserver(cleaned_data)` books through the
    app's own service and returns a `Reserve`; the agreement, which must last until the
    appointment's day, is recorded in the same transaction, then 302 to the partner's page of that
    booking. A service's `ValidationError` goes next to the
    fields; other exceptions (a slot just taken) are the view's to handle. Else the form again.
    """
    accord = ConsentementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refused(request):
        valides = [f.is_valid() for f in (form, accord)]  # both: every message shows at once
        if all(valides):
            _contact_du_partenaire(form, request.user)
        if all(valides) and not form.errors:
            try:
                with transaction.atomic():
                    reserve = reserver(form.cleaned_data)
                    _accord_couvre(reserve, accord.cleaned_data["expire_on"])
                    consentement = consentement_record(
                        partenaire=request.user,
                        reserve=reserve,
                        **{
                            k: accord.cleaned_data[k]
                            for k in ("personne_nom", "accord_on", "expire_on", "forme")
                        },
                    )
            except ValidationError as exc:
                champs_accord = getattr(exc, "error_dict", {}).keys() & accord.fields.keys()
                apply_errors(accord if champs_accord else form, exc)
            else:
                messages.success(request, _confirme(consentement))
                return redirect("partenaire_reservation", uuid=consentement.uuid)
    return render(request, template, {**context, "form": form, "accord": accord})


def consentements_for(user):
    """What `user` (a partner) booked for people and still sees: their own records, for
    PARTENAIRE_VISIBILITE_JOURS after booking, newest first (anything else is a 404)."""
    return Consentement.objects.visibles_par(user)


def statuts_annotate(consentements: list[Consentement]) -> None:
    """Give each record the status of its booking in words (`etat`), asked of the app that owns
    it: each app's `espace.statuts_pour_partenaire(objet_type, ids) -> {id: label}` (one query per
    app and kind, whatever the number of records)."""
    from collections import defaultdict

    from .discovery import app_modules

    par_type: dict[str, list[str]] = defaultdict(list)
    for c in consentements:
        par_type[c.objet_type].append(c.objet_id)
    trouves: dict[tuple[str, str], str] = {}
    for module in app_modules("espace"):
        fournir = getattr(module, "statuts_pour_partenaire", None)
        if fournir is None:
            continue
        for objet_type, ids in par_type.items():
            trouves.update({(objet_type, str(k)): v for k, v in fournir(objet_type, ids).items()})
    for c in consentements:
        c.etat = trouves.get((c.objet_type, c.objet_id), "")
