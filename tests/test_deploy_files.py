"""The Dockerfile and docker-compose.yml, validated statically (no Docker engine on these machines):
the compose file parses and everything it names exists; the Dockerfile's stages and copied paths
exist, it installs the production lock only and runs as a non-root user. `make stack`
(tests/test_stack.py) runs the same topology for real."""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings

from pacte import sante

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat", "proxy", "postgres", "redis", "mailpit")


def _settings_variables() -> set[str]:
    """Every environment variable pacte/settings.py reads."""
    source = (ROOT / "pacte" / "settings.py").read_text()
    return set(re.findall(r"env(?:_bool|_int|_list)?\(\s*\"([A-Z0-9_]+)\"", source))


def _interpolated(value) -> set[str]:
    text = yaml.safe_dump(value)
    return set(re.findall(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}", text))


def test_compose_names_only_existing_services_volumes_and_files():
    """Each depends_on target is a service, each named volume is declared, each bind mount exists."""
    declared = set(COMPOSE["volumes"])
    for name, service in SERVICES.items():
        for target in service.get("depends_on", {}):
            assert target in SERVICES, f"{name} depends on unknown {target}"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} mounts undeclared volume {source}"


def test_compose_variables_are_settings_the_portal_reads():
    """Every variable given to the app containers is read by pacte/settings.py, and every ${VAR}
    the file interpolates is documented in .env.example (or is the database password/proxy domain)."""
    known = _settings_variables()
    for name in APP_SERVICES:
        unknown = set(SERVICES[name]["environment"]) - known
        assert unknown == set(), f"{name}: {unknown} are read by nobody"
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert _interpolated(COMPOSE) - documented == set()


def test_start_order_waits_for_health_and_the_one_shot_migration():
    """postgres/redis healthy → migrate completes → web, worker, beat; proxy waits for a healthy web."""
    for name, service in SERVICES.items():
        for target, rule in service.get("depends_on", {}).items():
            condition = rule["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in SERVICES[target], f"{name} waits for {target}'s missing healthcheck"
            else:
                assert (target, condition) == ("migrate", "service_completed_successfully"), (name, target)
    assert SERVICES["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert SERVICES[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert SERVICES["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_healthchecks_use_the_real_probes():
    """web: /sante/pret/ (a path the portal answers); postgres: pg_isready; redis: redis-cli ping."""
    web = " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000" + sante.READINESS_PATH in web
    assert SERVICES["postgres"]["healthcheck"]["test"][1] == "pg_isready"
    assert SERVICES["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]
    assert "inspect ping" in " ".join(SERVICES["worker"]["healthcheck"]["test"])


def test_restart_policies_media_sharing_tls_and_mail():
    """Long-running services restart; web and worker share the media volume at MEDIA_ROOT; TLS ends
    at a proxy that reaches the web service; mail goes to the catcher by default."""
    for name in LONG_RUNNING:
        assert SERVICES[name]["restart"] in ("unless-stopped", "always"), name
    media = {name: SERVICES[name]["volumes"] for name in ("web", "worker")}
    root = SERVICES["web"]["environment"]["MEDIA_ROOT"]
    assert media["web"] == media["worker"] == [f"media:{root}"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile
    assert "8000" in SERVICES["web"]["expose"] and "ports" not in SERVICES["web"]
    assert SERVICES["web"]["environment"]["EMAIL_HOST"] == "${EMAIL_HOST:-mailpit}"
    assert "mailpit" in SERVICES
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_processes_match_make_stack():
    """The compose services run the same programs as deploy/Procfile (make stack)."""
    procfile = dict(
        line.split(":", 1)
        for line in (ROOT / "deploy" / "Procfile").read_text().splitlines()
        if line[:1].isalpha()
    )
    assert set(procfile) == {"web", "worker", "beat"}
    for name, line in procfile.items():
        program = shlex.split(line)[:4]
        command = SERVICES[name]["command"]
        assert command[0] == program[0], name
        if program[0] == "celery":
            assert command[:4] == program[:4], name


# --- Dockerfile --------------------------------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def _dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str) -> bool:
    return any(fnmatch.fnmatch(path, pattern) or path.split("/")[0] == pattern for pattern in _dockerignore())


def test_dockerfile_stages_and_copied_paths_exist():
    """Each COPY --from names an earlier stage, each copied source exists in the build context."""
    stages: list[str] = []
    for instruction, args in _instructions():
        if instruction == "FROM":
            match = re.search(r"\s+AS\s+(\S+)$", args, re.I)
            assert match, f"unnamed stage: {args}"
            stages.append(match.group(1))
        elif instruction == "COPY":
            words = args.split()
            options = [w for w in words if w.startswith("--")]
            paths = [w for w in words if not w.startswith("--")]
            sources = paths[:-1]
            origin = [o.split("=", 1)[1] for o in options if o.startswith("--from=")]
            if origin:
                assert origin[0] in stages, f"COPY --from={origin[0]} before that stage"
                continue
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: missing"
                assert source == "." or not _ignored(source), f"COPY {source}: excluded by .dockerignore"
    assert stages == ["build", "runtime"]


def test_image_installs_the_production_lock_only_and_runs_as_non_root():
    """pip installs requirements.lock with hashes; the dev lock and test folders never enter the image;
    the last USER is not root."""
    runs = " ".join(args for instruction, args in _instructions() if instruction == "RUN")
    assert "--require-hashes" in runs and "-r /tmp/requirements.lock" in runs
    assert not any("requirements-dev.lock" in args for _, args in _instructions())
    assert _ignored("requirements-dev.lock")
    users = [args for instruction, args in _instructions() if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")
    for path in ("tests", "bench", ".venv", "node_modules", ".git", "var", "demo.sqlite3", "docs"):
        assert _ignored(path), path


def test_image_holds_every_app_and_the_weasyprint_libraries():
    """Every local Django app, the templates, static files and reference data enter the image; the
    runtime stage installs the packages `deploy/system-deps run` checks (one list, two places)."""
    local = {c.name.split(".")[0] for c in apps.get_app_configs() if (ROOT / c.name.split(".")[0]).is_dir()}
    for path in sorted(local | {"templates", "static", "data", "manage.py"}):
        assert not _ignored(path), path
    runtime_apt = " ".join(args for instruction, args in _instructions() if instruction == "RUN")
    system_deps = (ROOT / "deploy" / "system-deps").read_text()
    run_block = re.search(r"RUN_REQUIREMENTS=\((.*?)\)", system_deps, re.S).group(1)
    packages = re.findall(r'"(\S+) ', run_block)
    assert packages
    for package in packages:
        assert package in runtime_apt, package


@pytest.mark.parametrize("name", ["Dockerfile", "docker-compose.yml", ".dockerignore", "deploy/Caddyfile"])
def test_deploy_files_are_tracked(name):
    """The files the deployment needs are in the repository (not only on someone's disk)."""
    assert (ROOT / name).is_file()
