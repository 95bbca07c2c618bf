"""The letters to post: list, the day's PDF, « postés » (agents and the médiateur's team)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .courriers import courriers_a_poster_for, courriers_pdf, courriers_poster, references
from .roles import Role, has_role

ROLES_COURRIER = (Role.AGENT, Role.MEDIATEUR, Role.ADMIN)


def _courriers(request):
    # Other roles have no letters to post: the pages do not exist for them.
    if not has_role(request.user, *ROLES_COURRIER):
        raise Http404
    return courriers_a_poster_for(request.user)


@require_safe
def courrier_liste(request):
    courriers = list(_courriers(request).order_by("created_at", "pk")[:200])
    refs = references(courriers)
    for courrier in courriers:
        courrier.reference = refs.get(courrier.pk, "")
    return render(request, "pacte/courriers.html", {"courriers": courriers})


@require_safe
def courrier_pdf(request):
    courriers = list(_courriers(request).order_by("created_at", "pk")[:200])
    if not courriers:
        messages.info(request, "Il n'y a aucun courrier à imprimer.")
        return redirect("courrier_liste")
    response = HttpResponse(courriers_pdf(courriers=courriers), content_type="application/pdf")
    nom = f"courriers-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{nom}"'
    return response


@require_POST
def courrier_poster(request):
    try:
        nombre = courriers_poster(
            courriers=_courriers(request), uuids=request.POST.getlist("courrier"), actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            f"C'est noté : {nombre} courrier{'s' if nombre > 1 else ''} posté{'s' if nombre > 1 else ''}.",
        )
    return redirect("courrier_liste")
