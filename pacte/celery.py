"""The Celery application. Each app may declare a `BEAT_SCHEDULE` dict in its `tasks.py`."""

import os
from importlib import import_module

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")

app = Celery("pacte")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker beats into Redis so that /sante/pret/ knows one is alive (pacte.sante).
app.steps["worker"].add("pacte.sante:WorkerHeartbeat")


@app.on_after_finalize.connect
def _collect_beat_schedules(sender, **kwargs):
    """Merge every app's BEAT_SCHEDULE into the beat configuration."""
    from django.apps import apps as django_apps

    schedule = dict(sender.conf.beat_schedule or {})
    for config in django_apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tasks":
                raise
            continue
        schedule.update(getattr(module, "BEAT_SCHEDULE", {}))
    sender.conf.beat_schedule = schedule
