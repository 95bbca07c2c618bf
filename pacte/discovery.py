"""App discovery: how the kernel finds what feature apps declare, without naming them.

An app takes part in a kernel mechanism by defining a module with a conventional name; the kernel
collects these modules with `app_modules(name)`, in `INSTALLED_APPS` order (which is therefore the
order reference data and demo data are loaded in):

| module            | declares                                          | collected by                       |
|-------------------|---------------------------------------------------|------------------------------------|
| `tasks.py`        | Celery tasks, `BEAT_SCHEDULE`                     | `pacte/celery.py`                  |
| `reference.py`    | `load(stdout)`: idempotent reference data         | `manage.py load_reference`         |
| `demo.py`         | `seed(scale, stdout)`: fictional demo data        | `manage.py seed_demo`              |
| `indicateurs.py`  | `INDICATEURS`: the Pacte tracker's live figures   | `pacte/tracker/registry.py`        |
| `espace.py`       | `NAV`, `NAV_RANG`, `PLAN`, `liens(user)`          | `pacte/espace.py`                  |
|                   | `statuts_pour_partenaire(objet_type, ids)`        | `pacte/partenaires.py`             |
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def app_modules(name: str) -> list[ModuleType]:
    """The `<app>.<name>` module of every installed app that has one, in `INSTALLED_APPS` order.

    An app without such a module is skipped; a module that exists but fails to import raises (an
    error inside an app's module is never mistaken for its absence).
    """
    return [
        import_module(f"{config.name}.{name}")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, name)
    ]
