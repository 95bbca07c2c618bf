# syntax=docker/dockerfile:1
# The portal's image: gunicorn (web), Celery worker and beat all run from it (docker-compose.yml).
# Two stages: `build` resolves the production lock into a virtualenv (hashes required, no test
# tools); `runtime` adds only WeasyPrint's system libraries and fonts and GNU gettext (the list of
# `deploy/system-deps run`), the code (root-owned, read-only to the app) and a non-root user.
ARG PYTHON_IMAGE=python:3.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock

FROM ${PYTHON_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin pacte \
    && mkdir -p /data/media \
    && chown pacte:pacte /data/media
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=pacte.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The build context is filtered by .dockerignore: code, templates, static files, reference data.
COPY . /app
# Hashed static files for the manifest storage, collected once per image (no database needed).
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0
# The translations' .mo files (never committed), compiled from locale/*/LC_MESSAGES/django.po.
RUN DEBUG=1 python manage.py compilemessages --verbosity 0
# The code's bytecode, compiled once here: PYTHONDONTWRITEBYTECODE and the read-only code would
# otherwise have every process compile it again at each start (the venv's is compiled by pip).
RUN python -m compileall -q /app
USER pacte
VOLUME ["/data/media"]
EXPOSE 8000
CMD ["gunicorn", "pacte.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4", "--worker-class", "gthread", "--timeout", "60", "--access-logfile", "-", "--no-control-socket"]
