from django.urls import path

from . import views

app_name = "mediation"

PUBLIC = [
    "accueil",
    "saisir",
    "saisie_envoyee",
    "suivi",
    "suivi_dossier",
    "suivi_message",
    "nouveau_lien",
    "propositions",
]

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("saisir/", views.saisir, name="saisir"),
    path("saisir/envoyee/", views.saisie_envoyee, name="saisie_envoyee"),
    path("suivi/<str:token>/", views.suivi, name="suivi"),
    path("mon-dossier/<uuid:uuid>/", views.suivi_dossier, name="suivi_dossier"),
    path("mon-dossier/<uuid:uuid>/message/", views.suivi_message, name="suivi_message"),
    path("nouveau-lien/", views.nouveau_lien, name="nouveau_lien"),
    path("propositions/", views.propositions, name="propositions"),
    path("equipe/saisines/", views.saisine_list, name="saisine_list"),
    path("equipe/saisines/nouvelle/", views.saisine_nouvelle, name="saisine_nouvelle"),
    path("equipe/saisines/export.csv", views.saisine_export, name="saisine_export"),
    path("equipe/saisines/<uuid:uuid>/", views.saisine_detail, name="saisine_detail"),
    path("equipe/saisines/<uuid:uuid>/statut/", views.saisine_transition_view, name="saisine_transition"),
    path("equipe/saisines/<uuid:uuid>/dossier/", views.saisine_qualification, name="saisine_qualification"),
    path("equipe/saisines/<uuid:uuid>/message/", views.saisine_message, name="saisine_message"),
    path("equipe/saisines/<uuid:uuid>/courrier/", views.saisine_courrier, name="saisine_courrier"),
    path("equipe/saisines/<uuid:uuid>/document/", views.saisine_document, name="saisine_document"),
    path(
        "equipe/saisines/<uuid:uuid>/demande-position/",
        views.saisine_demande_position,
        name="saisine_demande_position",
    ),
    path("equipe/saisines/<uuid:uuid>/non-recours/", views.saisine_nonrecours, name="saisine_nonrecours"),
    path("equipe/documents/<uuid:uuid>/", views.document_download, name="document"),
    path("equipe/propositions/", views.proposition_list, name="proposition_list"),
    path("direction/", views.direction_accueil, name="direction"),
    path("direction/demandes/<uuid:uuid>/", views.demande_detail, name="demande_detail"),
    path("direction/propositions/<uuid:uuid>/", views.proposition_detail, name="proposition_detail"),
]
