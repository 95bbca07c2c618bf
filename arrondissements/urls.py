from django.urls import path

from . import views

app_name = "arrondissements"

PUBLIC: list[str] = []

urlpatterns = [
    path("", views.demande_list, name="demande_list"),
    path("direction/", views.demande_direction_list, name="demande_direction_list"),
    path("nouvelle/", views.demande_create, name="demande_create"),
    path("demandes/<uuid:uuid>/", views.demande_detail, name="demande_detail"),
    path("demandes/<uuid:uuid>/message/", views.message_create, name="message_create"),
    path("demandes/<uuid:uuid>/action/<slug:action>/", views.demande_action, name="demande_action"),
    path("pieces/<uuid:uuid>/", views.piece_jointe, name="piece_jointe"),
    path("reponses-types/", views.reponse_type_list, name="reponse_type_list"),
    path("reponses-types/<uuid:uuid>/", views.reponse_type_edit, name="reponse_type_edit"),
    path("rapport/", views.rapport, name="rapport"),
    path("rapport/export.csv", views.rapport_csv, name="rapport_csv"),
    path("rapport/export.pdf", views.rapport_pdf, name="rapport_pdf"),
]
