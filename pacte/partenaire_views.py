"""A partner's pages (`pacte.partenaires`): « Mes réservations pour des personnes » and each
booking they made, for PARTENAIRE_VISIBILITE_JOURS (then 404), never with the person's secret link."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .decorators import role_required
from .partenaires import consentements_for, organisation_of, statuts_annotate
from .roles import Role


@role_required(Role.PARTENAIRE)
@require_safe
def partenaire_accueil(request):
    """The partner's list of what they booked for people, and the three ways to book."""
    consentements = list(consentements_for(request.user)[:200])
    statuts_annotate(consentements)
    return render(
        request,
        "pacte/partenaire_accueil.html",
        {
            "consentements": consentements,
            "organisation": organisation_of(request.user),
            "jours": settings.PARTENAIRE_VISIBILITE_JOURS,
        },
    )


@role_required(Role.PARTENAIRE)
@require_safe
def partenaire_reservation(request, uuid):
    """One booking the partner made for a person: what, when, the agreement; 404 for anyone
    else's or once PARTENAIRE_VISIBILITE_JOURS have passed."""
    consentement = get_object_or_404(consentements_for(request.user), uuid=uuid)
    statuts_annotate([consentement])
    return render(
        request,
        "pacte/partenaire_reservation.html",
        {
            "c": consentement,
            "visible_jusqua": consentement.created_at
            + dt.timedelta(days=settings.PARTENAIRE_VISIBILITE_JOURS),
        },
    )
