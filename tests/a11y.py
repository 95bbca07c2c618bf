"""Accessibility assertions shared by browser tests: axe-core (WCAG 2.1 A/AA) at 1280 and 320 px."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from tests.html_checker import validate_html

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def axe_violations(page) -> list[str]:
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


def assert_accessible(page, *, widths=(1280, 320)) -> None:
    """0 axe-core violations at each width (the page is re-laid out, not reloaded)."""
    problems = []
    original = page.viewport_size
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"[{width}px] {p}" for p in axe_violations(page)]
        if width <= 320:
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 1:
                problems.append(f"[{width}px] horizontal scrolling of {overflow}px (reflow, WCAG 1.4.10)")
    page.set_viewport_size(original)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


def assert_valid_html(pages: dict[str, str]) -> None:
    """0 errors from the W3C Nu HTML checker for every page (one JVM run)."""
    errors = validate_html(pages)
    assert not errors, "\n".join(errors)
