"""`make worker` and `make beat` start from a plain shell (no DEBUG, no SECRET_KEY exported): the
development targets share one environment (the Makefile's DEV_ENV), and say what they need."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.services import PrivateRedis, newcomer_env

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.worker


def _plain_env(tmp_path: Path, **extra) -> dict:
    drop = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return newcomer_env(drop, SQLITE_NAME=str(tmp_path / "dev.sqlite3"), **extra)


def _started(target: str, env: dict, ready: str, tmp_path: Path) -> str:
    log = tmp_path / f"{target}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["make", target], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and ready not in log.read_text():
            assert process.poll() is None, log.read_text()[-3000:]
            time.sleep(0.5)
        assert ready in log.read_text(), log.read_text()[-3000:]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    return log.read_text()


@pytest.mark.parametrize(
    ("target", "ready"), [("worker", "ready."), ("beat", "beat: Starting...")], ids=["worker", "beat"]
)
def test_worker_and_beat_start_from_a_plain_shell(target, ready, tmp_path):
    """With only REDIS_URL set (as beside `make run`), the target starts; no « SECRET_KEY must be set »."""
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        output = _started(target, _plain_env(tmp_path, REDIS_URL=redis.url), ready, tmp_path)
    finally:
        redis.stop()
    assert "SECRET_KEY must be set" not in output


@pytest.mark.parametrize("target", ["worker", "beat"])
def test_worker_and_beat_without_redis_say_so_in_one_line(target, tmp_path):
    """Without REDIS_URL there is nothing to consume: one line says what to set, and the target fails."""
    result = subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=ROOT,
        env=_plain_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"make {target} needs REDIS_URL" in result.stderr
