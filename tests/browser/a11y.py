"""`assert_accessible(page)`: axe-core over the page in a real browser, WCAG 2.1 A/AA rules (GB/T 37668-2019).

Any app's browser test can call it after a page has loaded:

    from a11y import assert_accessible   # tests/browser is on pytest's pythonpath (pyproject.toml)
    assert_accessible(page)

axe-core comes bundled in the `axe-playwright-python` package (the test extra); nothing is fetched.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

__all__ = ["WCAG_TAGS", "assert_accessible", "violations"]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE = Axe()


def violations(page, *, exclude: list[str] | None = None) -> list[dict]:
    """axe's violations of the WCAG 2.1 AA rules on the current page (`exclude`: CSS selectors to skip)."""
    context = {"exclude": [[sel] for sel in exclude]} if exclude else None
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return _AXE.run(page, context=context, options=options).response["violations"]


def assert_accessible(page, *, exclude: list[str] | None = None) -> None:
    """Fail with a readable report (rule, impact, the offending elements) if axe finds any violation."""
    found = violations(page, exclude=exclude)
    if found:
        lines = [f"{len(found)} accessibility violation(s) on {page.url}:"]
        for v in found:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            lines += [f"    {' '.join(n['target'])}: {n['html'][:160]}" for n in v["nodes"][:5]]
        raise AssertionError("\n".join(lines))
