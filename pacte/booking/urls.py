from django.urls import path, register_converter

from pacte.parsing import SlotConverter

from . import views

register_converter(SlotConverter, "creneau")

app_name = "booking"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("agent/", views.agent_accueil, name="agent_accueil"),
    path("agent/planning/", views.planning, name="planning"),
    path("agent/mon-calendrier/", views.agent_calendrier, name="agent_calendrier"),
    path("agenda-agent/<str:token>.ics", views.flux_agenda, name="flux_agenda"),
    path("agent/rendez-vous/<uuid:uuid>/", views.agent_reservation, name="agent_reservation"),
    path("agent/rendez-vous/<uuid:uuid>/presence/", views.marquer, name="marquer"),
    path("agent/rendez-vous/<uuid:uuid>/annuler/", views.agent_annuler, name="agent_annuler"),
    path("agent/rendez-vous/<uuid:uuid>/retablir/", views.agent_retablir, name="agent_retablir"),
    path("agent/<uuid:uuid>/reserver/", views.agent_reserver, name="agent_reserver"),
    path("partenaire/", views.partenaire_agendas, name="partenaire_agendas"),
    path("partenaire/<uuid:uuid>/", views.partenaire_reserver, name="partenaire_reserver"),
    path("agent/liste-attente/", views.attente_agent, name="attente_agent"),
    path(
        "agent/liste-attente/<uuid:uuid>/inscrire/",
        views.attente_inscription_agent,
        name="attente_inscription_agent",
    ),
    path("agent/liste-attente/offre/<uuid:uuid>/", views.attente_offre_agent, name="attente_offre_agent"),
    path("liste-attente/merci/<uuid:uuid>/", views.attente_merci, name="attente_merci"),
    path("liste-attente/offre/<str:token>/", views.attente_offre, name="attente_offre"),
    path("gerer/<str:token>/", views.gerer, name="gerer"),
    path("mon-rendez-vous/<uuid:uuid>/", views.rendez_vous, name="rendez_vous"),
    path("mon-rendez-vous/<uuid:uuid>/rendez-vous.ics", views.ics, name="ics"),
    path("nouveau-lien/", views.nouveau_lien, name="nouveau_lien"),
    path("retrouver/", views.retrouver, name="retrouver"),
    path("confirmation/<uuid:uuid>/", views.confirmation, name="confirmation"),
    path("<uuid:uuid>/", views.agenda, name="agenda"),
    path("<uuid:uuid>/liste-attente/", views.attente_inscription, name="attente_inscription"),
    path("<uuid:uuid>/<creneau:creneau>/", views.formulaire, name="formulaire"),
]

# Views reachable without an account (tests/test_project.py checks this list).
PUBLIC = [
    "accueil",
    "agenda",
    "formulaire",
    "gerer",
    "rendez_vous",
    "ics",
    "nouveau_lien",
    "confirmation",
    "attente_inscription",
    "attente_merci",
    "attente_offre",
    "flux_agenda",
    "retrouver",
]
