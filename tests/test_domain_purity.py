"""yingji.domain is pure Python: it must import nothing from Django, the API layer or our apps."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import yingji.domain

FORBIDDEN = ("django", "ninja", "yingji.core", "yingji.config", "yingji.resources", "yingji.incidents",
             "yingji.plans", "yingji.monitoring", "yingji.warnings", "yingji.alerts", "yingji.risk", "yingji.drills",
             "yingji.people", "yingji.supervision", "yingji.public", "yingji.analytics")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_forbidden_import_statements():
    root = Path(yingji.domain.__file__).parent
    offenders = {
        str(p.relative_to(root)): sorted(n for n in _imports(p) if n.split(".")[0] in ("django", "ninja")
                                         or n.startswith(FORBIDDEN))
        for p in root.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_domain_module_loads_no_django():
    modules = [m.name for m in pkgutil.walk_packages(yingji.domain.__path__, "yingji.domain.")]
    assert len(modules) > 3
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
