"""Views of the booking engine (work in progress)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


accueil = agent_accueil = planning = agent_reservation = agent_reserver = gerer = ics = _todo
confirmation = agenda = formulaire = _todo
