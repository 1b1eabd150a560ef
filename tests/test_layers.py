"""The layering rule: flows -> core + extractors -> libraries. Only flows/ may import Prefect."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


# The CLI lives in the core package (as the design card asks) but is the entry
# point above the flows: it is the one core module allowed to start them.
ENTRY_POINTS = {REPO / "whoclaims" / "cli.py"}


def test_core_and_extractors_never_import_prefect_or_flows():
    offenders = [
        f"{path.relative_to(REPO)} imports {sorted(_imports(path) & {'prefect', 'prefect_dask', 'flows'})}"
        for package in ("whoclaims", "extractors")
        for path in (REPO / package).rglob("*.py")
        if path not in ENTRY_POINTS and _imports(path) & {"prefect", "prefect_dask", "flows"}
    ]
    assert offenders == []


def test_extractors_do_not_import_the_cli_or_storage():
    offenders = []
    for path in (REPO / "extractors").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in {"whoclaims.cli", "whoclaims.storage"}:
                offenders.append(f"{path.name}: {node.module}")
    assert offenders == []


def test_flow_tasks_are_thin():
    """Every task body in flows/ is a single statement: one call into plain Python."""
    fat = []
    for path in (REPO / "flows").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "id", "") == "task" for d in node.decorator_list
            ):
                body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
                if len(body) != 1:
                    fat.append(f"{path.name}:{node.name}")
    assert fat == []
