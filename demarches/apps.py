from django.apps import AppConfig


class DemarchesConfig(AppConfig):
    name = "demarches"
    verbose_name = "Démarches et alternatives garanties"

    def ready(self):
        from pacte.booking.models import Agenda
        from pacte.cache_reference import invalidate_on_change
        from pacte.models import Arrondissement, Direction, Lieu

        from .models import Alternative, Demarche
        from .selectors import DETAIL_PAGE

        # A démarche's page is reference content rendered once (views.demarche_detail): any edit
        # of what it shows, links between alternatives and lieux or agendas included, shows at once.
        invalidate_on_change(
            DETAIL_PAGE,
            Demarche,
            Alternative,
            Lieu,
            Agenda,
            Direction,
            Arrondissement,
            Alternative.lieux.through,
            Alternative.agendas.through,
        )

        from pacte.booking.hooks import register_booking_caps

        from .selectors import PLAFONDS, plafonds_of_agenda

        # Fair access (#19.3): a démarche's « rendez-vous à venir par personne », enforced by the
        # engine; cached per agenda, any edit of the démarches' caps or counters shows at once.
        register_booking_caps("demarches", plafonds_of_agenda)
        invalidate_on_change(PLAFONDS, Demarche, Alternative, Agenda, Alternative.agendas.through)
