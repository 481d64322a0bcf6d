"""Apps depend one way: compliance <- contacts <- dataquality <- crm. The summary columns
live on the contact, so nothing below dataquality needs to import it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(app: str) -> set[str]:
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


def test_lower_apps_never_import_dataquality():
    for app in ("core", "compliance", "contacts"):
        assert "dataquality" not in _imports(app), app


def test_dataquality_never_imports_crm():
    assert "crm" not in _imports("dataquality")
