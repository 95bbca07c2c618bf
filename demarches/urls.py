from django.urls import path

from . import views

app_name = "demarches"

PUBLIC = [
    "catalogue",
    "engagement",
    "rappel_demande",
    "rappel_confirmation",
    "detail",
    "difficulte",
    "difficulte_merci",
]

urlpatterns = [
    path("", views.demarche_catalogue, name="catalogue"),
    path("engagement/", views.demarche_engagement, name="engagement"),
    path("rappel/", views.rappel_demande, name="rappel_demande"),
    path("rappel/<uuid:uuid>/confirmation/", views.rappel_confirmation, name="rappel_confirmation"),
    path("rappels/", views.rappel_file, name="rappel_file"),
    path("rappels/nouvelle/", views.rappel_agent_nouvelle, name="rappel_agent_nouvelle"),
    path("rappels/pour-une-personne/", views.rappel_partenaire, name="rappel_partenaire"),
    path("rappels/engagement/", views.rappel_engagement, name="rappel_engagement"),
    path("rappels/<uuid:uuid>/", views.rappel_detail, name="rappel_detail"),
    path("rappels/<uuid:uuid>/prendre/", views.rappel_prendre, name="rappel_prendre"),
    path("rappels/<uuid:uuid>/tentative/", views.rappel_tentative, name="rappel_tentative"),
    path("rappels/<uuid:uuid>/courrier/", views.rappel_courrier_envoye, name="rappel_courrier"),
    path("<slug:slug>/", views.demarche_detail, name="detail"),
    path("<slug:slug>/difficulte/", views.demarche_difficulte, name="difficulte"),
    path("<slug:slug>/difficulte/merci/", views.demarche_difficulte_merci, name="difficulte_merci"),
]
