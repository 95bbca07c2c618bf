from django.apps import AppConfig


class PacteConfig(AppConfig):
    name = "pacte"
    verbose_name = "Pacte usagers — noyau"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401  (registers the upload-limit checks)
        from .securite import session_started

        # The idle clock starts at sign-in, so the first page does not have to write the session.
        user_logged_in.connect(session_started, dispatch_uid="pacte_session_started")
