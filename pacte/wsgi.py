import datetime as dt
import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Do once, before a web process takes its first request, what its first requests would
    otherwise do while citizens wait (#18.1: after a start, the first booking pages took 2–4 s
    under a burst, each of the process's threads doing it at the same time): import every view
    (the URL resolver), every app's tasks and staff-space modules and what the pages load lazily,
    compile the site's templates, list the public holidays, bind the Celery tasks and load the
    broker's transport. Neither the database nor Redis is touched: a process starts even when they
    are away, and no connection is opened before gunicorn forks."""
    import time

    import phonenumbers
    from django.conf import settings
    from django.forms.renderers import get_default_renderer
    from django.template import engines
    from django.urls import get_resolver
    from django.utils import formats, translation
    from django.utils.module_loading import import_string

    from pacte.calendrier import is_holiday
    from pacte.celery import app as celery_app
    from pacte.discovery import app_modules

    get_resolver().reverse_dict  # noqa: B018 (imports every urls and views module, builds the tables)
    app_modules("tasks"), app_modules("espace")
    celery_app.tasks  # noqa: B018 (binds every task)
    celery_app.connection_for_write().transport, celery_app.events  # noqa: B018 (imports, does not connect)
    engine = engines["django"].engine
    engine.template_context_processors  # noqa: B018
    for folder in map(Path, engine.dirs):
        for template in sorted(folder.rglob("*.html")) + sorted(folder.rglob("*.txt")):
            engine.get_template(template.relative_to(folder).as_posix())
    get_default_renderer()
    import_string(settings.MESSAGE_STORAGE), import_string(settings.SESSION_SERIALIZER)
    with translation.override(settings.LANGUAGE_CODE):
        formats.get_format("DATE_FORMAT")
    phonenumbers.parse("+33612345678")
    time.strptime("2026-01-01", "%Y-%m-%d")
    today = dt.date.today()
    is_holiday(today), is_holiday(today.replace(year=today.year + 1, day=1))


warm_up()
