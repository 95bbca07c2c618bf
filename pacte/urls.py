from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import courrier_views, otp_views, partenaire_views, views
from .auth_views import ConnexionView, MotDePasseOublieView, NouveauMotDePasseView

urlpatterns = [
    path("espace/", views.mon_espace, name="mon_espace"),
    path("espace/connexion/", ConnexionView.as_view(), name="connexion"),
    path("espace/deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path(
        "espace/mot-de-passe/oublie/",
        MotDePasseOublieView.as_view(),
        name="password_reset",
    ),
    path(
        "espace/mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "espace/mot-de-passe/nouveau/<uidb64>/<token>/",
        NouveauMotDePasseView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "espace/mot-de-passe/modifie/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("espace/mot-de-passe/changer/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "espace/mot-de-passe/change/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("espace/verification/", otp_views.verification, name="otp_verification"),
    path("espace/securite/", otp_views.securite_compte, name="securite_compte"),
    path("espace/securite/deux-etapes/", otp_views.configuration, name="otp_configuration"),
    path(
        "espace/securite/codes-de-secours/",
        otp_views.codes_secours_regenerer,
        name="securite_codes_secours",
    ),
    path("espace/securite/confirmer/", otp_views.confirmer_mot_de_passe, name="securite_confirmer"),
    path("espace/session/prolonger/", otp_views.prolonger_session, name="prolonger_session"),
    path("espace/courriers/", courrier_views.courrier_liste, name="courrier_liste"),
    path("espace/courriers/du-jour.pdf", courrier_views.courrier_pdf, name="courrier_pdf"),
    path("espace/courriers/postes/", courrier_views.courrier_poster, name="courrier_poster"),
    path("espace/partenaire/", partenaire_views.partenaire_accueil, name="partenaire_accueil"),
    path(
        "espace/partenaire/<uuid:uuid>/",
        partenaire_views.partenaire_reservation,
        name="partenaire_reservation",
    ),
    path("admin/", admin.site.urls),
    path("arrondissements/", include("arrondissements.urls")),
]

# The citizen pages, in every language of settings.LANGUAGES (#17): French without a prefix
# (the URLs as they always were), /en/…, /ar/…. The staff views these modules also hold stay in
# French under any prefix (pacte.langues.LangueMiddleware).
urlpatterns += i18n_patterns(
    path("", views.accueil, name="accueil"),
    path("accessibilite/", views.accessibilite, name="accessibilite"),
    path("mentions-legales/", views.mentions_legales, name="mentions_legales"),
    path("donnees-personnelles/", views.donnees_personnelles, name="donnees_personnelles"),
    path("plan-du-site/", views.plan_du_site, name="plan_du_site"),
    path("contact/", views.contact, name="contact"),
    path("reservation/", include("pacte.booking.urls")),
    path("pacte/", include("pacte.tracker.urls")),
    path("demarches/", include("demarches.urls")),
    path("ecrivains-publics/", include("ecrivains.urls")),
    path("mediateur/rapports/", include("mediation.rapport.urls")),
    path("mediateur/", include("mediation.urls")),
    path("non-recours/", include("nonrecours.urls")),
    prefix_default_language=False,
)

handler404 = "pacte.views.erreur_404"
handler403 = "pacte.views.erreur_403"
handler500 = "pacte.views.erreur_500"
