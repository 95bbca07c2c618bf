"""What the repository holds: source and documentation, no databases or binary artefacts."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DATABASE_SUFFIXES = (".sqlite3", ".sqlite", ".db", ".dump", ".sqlite3-journal", ".sqlite3-wal")
SQLITE_MAGIC = b"SQLite format 3\x00"
# Binary files are allowed only as small static assets (images, fonts) under static/.
STATIC_BINARY_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".woff", ".woff2")
STATIC_BINARY_MAX_BYTES = 256 * 1024
TEXT_MAX_BYTES = 1024 * 1024


def tracked_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout
    return [ROOT / name for name in out.decode().split("\0") if name and (ROOT / name).is_file()]


def artefacts(paths: list[Path]) -> list[str]:
    """Return the problems found in `paths`: databases, binaries, oversized files."""
    problems = []
    for path in paths:
        rel = path.relative_to(ROOT).as_posix()
        head = path.read_bytes()[:8192]
        size = path.stat().st_size
        if rel.lower().endswith(DATABASE_SUFFIXES) or head.startswith(SQLITE_MAGIC):
            problems.append(f"{rel}: database file")
        elif b"\0" in head:
            allowed = rel.startswith("static/") and rel.lower().endswith(STATIC_BINARY_SUFFIXES)
            if not allowed or size > STATIC_BINARY_MAX_BYTES:
                problems.append(f"{rel}: binary file ({size} bytes)")
        elif size > TEXT_MAX_BYTES:
            problems.append(f"{rel}: {size} bytes, too large for a source file")
    return problems


def test_tree_holds_no_database_or_binary_artefact():
    """Every tracked file is source or documentation: no database, no binary, nothing huge."""
    assert artefacts(tracked_files()) == []


def test_artefact_check_catches_a_database_and_a_binary(tmp_path, monkeypatch):
    """The check itself fails on a SQLite file (whatever its name), a binary and a huge text file."""
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "static").mkdir()
    files = {
        "trial.sqlite3": b"anything",
        "demo.bin": SQLITE_MAGIC + b"\0" * 100,
        "blob.dat": b"\x7fELF\0\0\0",
        "static/logo.png": b"\x89PNG\r\n\x1a\n\0\0",
        "huge.json": b"x" * (TEXT_MAX_BYTES + 1),
        "ok.py": b"print('ok')\n",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    problems = artefacts([tmp_path / name for name in files])
    assert [p.split(":")[0] for p in problems] == ["trial.sqlite3", "demo.bin", "blob.dat", "huge.json"]


def test_sqlite_files_are_ignored():
    """`*.sqlite3` (the `make run` database and any copy of it) is git-ignored."""
    for name in ("trial.sqlite3", "data/demo.sqlite3", "db.sqlite3-journal"):
        result = subprocess.run(["git", "check-ignore", "--no-index", "-q", name], cwd=ROOT, timeout=30)
        assert result.returncode == 0, name


def test_readme_is_short_and_links_every_module_page():
    """The README stays a newcomer's page (~120 lines) and links one docs/ page per module."""
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 130
    links = set(re.findall(r"\]\((docs/[\w-]+\.md)\)", readme))
    for page in (
        "tracker",
        "demarches",
        "booking",
        "ecrivains",
        "mediation",
        "arrondissements",
        "nonrecours",
        "exploitation",
    ):
        assert f"docs/{page}.md" in links, page
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert missing == []
