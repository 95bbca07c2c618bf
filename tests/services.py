"""Private, real servers for the tests that break them: a redis-server and a PostgreSQL cluster of
our own on free ports, so that stopping or filling them disturbs nobody else on the machine."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

# Variables given on make's command line (`make test DATABASE_URL=…`) reach every nested make
# through MAKEFLAGS, whatever the environment says: a newcomer's shell has none of these.
_MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}


def newcomer_env(drop: set[str], **extra: str) -> dict[str, str]:
    """This process's environment without `drop` nor make's inherited variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in drop | _MAKE_VARIABLES}
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


class PrivateRedis:
    """A real redis-server of our own on a free port (no persistence)."""

    def __init__(self, tmp: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is required (deploy/system-deps test installs it)")
        self.binary, self.tmp, self.port = binary, tmp, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, "redis-server")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb in a temporary folder, trust auth, a free port).

    PostgreSQL refuses to run as root: when the tests are root (CI), the cluster runs as the
    `postgres` system user that the Debian server package creates.
    """

    def __init__(self, *, max_connections: int):
        bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bindirs:
            raise RuntimeError("PostgreSQL server binaries are required (/usr/lib/postgresql/*/bin)")
        self.bindir = Path(bindirs[-1])
        self.port = free_port()
        self.max_connections = max_connections
        self.dir = Path(tempfile.mkdtemp(prefix="pacte-pg-"))
        self.dir.chmod(0o777)
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self._run(
            self.bindir / "initdb",
            "-D",
            self.dir / "data",
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
        )

    def _run(self, *args) -> None:
        subprocess.run([*self._as, *map(str, args)], check=True, capture_output=True, timeout=120)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            f"-c max_connections={self.max_connections} -c fsync=off -c superuser_reserved_connections=0"
        )
        self._run(
            self.bindir / "pg_ctl",
            "-D",
            self.dir / "data",
            "-o",
            options,
            "-l",
            self.dir / "log",
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(self.bindir / "pg_ctl", "-D", self.dir / "data", "-m", "immediate", "-w", "stop")

    def copy_database(self, source_url: str, name: str) -> str:
        """Create `name` here as a copy of the database at `source_url` (schema and rows)."""
        self._run(self.bindir / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", name)
        dump = subprocess.Popen(
            [self.bindir / "pg_dump", "--no-owner", "-d", source_url], stdout=subprocess.PIPE
        )
        subprocess.run(
            [self.bindir / "psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(name)],
            stdin=dump.stdout,
            check=True,
            capture_output=True,
            timeout=300,
        )
        dump.stdout.close()
        assert dump.wait(timeout=60) == 0
        return self.url(name)

    def cleanup(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
