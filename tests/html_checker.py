"""The W3C Nu HTML checker (vnu-jar from npm, run with the machine's Java), one JVM for many pages."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def validate_html(pages: dict[str, str]) -> list[str]:
    """Validate {name: html} and return the error messages ('name: line N: message'); [] when valid."""
    if not VNU_JAR.exists():
        raise RuntimeError(f"HTML checker missing: {VNU_JAR} (run `make install`).")
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("Java is required for the HTML checker (apt-get install default-jre-headless).")
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for index, (name, html) in enumerate(pages.items()):
            path = Path(tmp) / f"page{index:03d}.html"
            path.write_text(html, encoding="utf-8")
            files[path.as_uri()] = name
            files[str(path)] = name
        result = subprocess.run(
            [
                java,
                "-Xss1m",
                "-jar",
                str(VNU_JAR),
                "--format",
                "json",
                "--errors-only",
                *sorted({str(Path(tmp) / f"page{i:03d}.html") for i in range(len(pages))}),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        report = json.loads(result.stderr or '{"messages": []}')
    errors = []
    for message in report.get("messages", []):
        if message.get("type") in ("error", "non-document-error"):
            name = files.get(message.get("url", ""), message.get("url", "?"))
            errors.append(f"{name}: line {message.get('lastLine')}: {message.get('message')}")
    return errors
