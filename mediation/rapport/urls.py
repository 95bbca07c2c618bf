"""URLs of the annual report, mounted at /mediateur/rapports/ (see pacte/urls.py)."""

from django.urls import path

from . import views

app_name = "rapport"

PUBLIC = ["public"]

urlpatterns = [
    path("", views.rapport_liste, name="liste"),
    path("conseil/", views.rapports_conseil, name="conseil"),
    path("public/<uuid:public_uuid>/", views.rapport_public, name="public"),
    path("versions/<uuid:version_uuid>/pdf/", views.version_telecharger, name="telecharger"),
    path("<int:annee>/", views.rapport_preparer, name="preparer"),
    path("<int:annee>/generer/", views.rapport_generer, name="generer"),
    path("<int:annee>/lien-public/", views.rapport_lien_public, name="lien_public"),
    path("<int:annee>/vignettes/", views.vignette_ajouter, name="vignette_ajouter"),
    path("<int:annee>/vignettes/<uuid:vignette_uuid>/", views.vignette_modifier, name="vignette_modifier"),
    path(
        "<int:annee>/vignettes/<uuid:vignette_uuid>/retirer/",
        views.vignette_supprimer,
        name="vignette_supprimer",
    ),
    path(
        "<int:annee>/versions/<uuid:version_uuid>/reessayer/",
        views.version_reessayer,
        name="version_reessayer",
    ),
    path("<int:annee>/versions/<uuid:version_uuid>/publier/", views.version_publier, name="version_publier"),
]
