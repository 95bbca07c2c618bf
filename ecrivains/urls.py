from django.urls import path

from pacte.booking.views import attente_merci, attente_offre

from . import views

app_name = "ecrivains"

urlpatterns = [
    path("", views.recherche, name="recherche"),
    path("mon-espace/", views.mon_espace, name="mon_espace"),
    path("mon-espace/rendez-vous/<uuid:uuid>/", views.rendez_vous_marquer, name="rendez_vous_marquer"),
    path("mon-espace/fiche/", views.fiche_create, name="fiche_create"),
    path("mon-espace/<uuid:uuid>/passage/", views.passage_create, name="passage_create"),
    path("mon-espace/<uuid:uuid>/annuler-seance/", views.seance_annuler, name="seance_annuler"),
    path("liste-attente/", views.liste_attente, name="liste_attente"),
    path("liste-attente/<uuid:uuid>/inscrire/", views.inscription_agent, name="inscription_agent"),
    path("liste-attente/offre/<uuid:uuid>/", views.offre_agent, name="offre_agent"),
    path("liste-attente/merci/<uuid:uuid>/", attente_merci, name="inscription_merci"),
    # The engine's offer page (one waiting list), under the URL the écrivains' links already carry.
    path("offre/<str:token>/", attente_offre, name="offre"),
    path("coordination/", views.coordination, name="coordination"),
    path("<uuid:uuid>/", views.permanence_detail, name="permanence"),
    path("<uuid:uuid>/liste-attente/", views.inscription_create, name="inscription"),
]

# Views reachable without an account (tests/test_project.py checks this list).
PUBLIC = ["recherche", "permanence", "inscription", "inscription_merci", "offre"]
