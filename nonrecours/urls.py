from django.urls import path

from . import views

app_name = "nonrecours"

PUBLIC = ["statistiques", "statistiques_csv"]

urlpatterns = [
    path("", views.statistiques_page, name="statistiques"),
    path("statistiques.csv", views.statistiques_csv, name="statistiques_csv"),
    path("signaler/", views.signaler, name="signaler"),
    path("mes-signalements/", views.mes_signalements, name="mes_signalements"),
    path("mes-signalements/<int:pk>/suivi/", views.suivi, name="suivi"),
    path("analyse/", views.analyse, name="analyse"),
    path("analyse/chiffres-bruts.csv", views.analyse_csv, name="analyse_csv"),
    path("dispositifs/", views.dispositifs, name="dispositifs"),
    path("dispositifs/ajouter/", views.dispositif_edit, name="dispositif_ajouter"),
    path("dispositifs/<int:pk>/modifier/", views.dispositif_edit, name="dispositif_modifier"),
    path("dispositifs/<int:pk>/activer/", views.dispositif_activer, name="dispositif_activer"),
]
