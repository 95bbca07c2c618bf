from django.urls import path

from . import views

app_name = "tracker"

PUBLIC = [
    "accueil",
    "liste",
    "liste_csv",
    "action",
    "historique",
    "suivre",
    "abonnement_envoye",
    "confirmer",
    "desabonner",
]

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("actions/", views.action_list, name="liste"),
    path("actions.csv", views.action_list_csv, name="liste_csv"),
    path("actions/<str:code>/", views.action_detail, name="action"),
    path("actions/<str:code>/suivre/", views.abonnement_create, name="suivre"),
    path("actions/<str:code>/suivre/envoye/", views.abonnement_envoye, name="abonnement_envoye"),
    path("historique/", views.historique, name="historique"),
    path("abonnement/confirmer/<str:token>/", views.abonnement_confirm, name="confirmer"),
    path("abonnement/desabonner/<str:token>/", views.abonnement_delete, name="desabonner"),
    path("gestion/", views.gestion, name="gestion"),
    path("gestion/import/", views.gestion_import, name="gestion_import"),
    path("gestion/import/confirmer/", views.gestion_import_confirm, name="gestion_import_confirm"),
    path("gestion/export.csv", views.gestion_export, name="gestion_export"),
    path("gestion/actions/<str:code>/", views.gestion_action, name="gestion_action"),
]
