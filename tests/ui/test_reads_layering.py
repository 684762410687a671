"""No module of the UI reaches past the farm layer for data: screens poll farm views, and only
`cuetui.gateway.models` / `cuetui.gateway.errors` are imported from the gateway (type hints included)."""

from __future__ import annotations

import ast
from pathlib import Path

import cuetui.ui

UI = Path(cuetui.ui.__file__).parent
ALLOWED = {"cuetui.gateway.models", "cuetui.gateway.errors"}


def gateway_imports(path: Path) -> set[str]:
    """Every cuetui.gateway module `path` imports, wherever the import is (function bodies and
    TYPE_CHECKING blocks too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "cuetui.gateway":
                found.update(f"cuetui.gateway.{alias.name}" for alias in node.names)
            elif node.module.startswith("cuetui.gateway."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("cuetui.gateway"))
    return found


def test_the_ui_imports_only_models_and_errors_from_the_gateway() -> None:
    offenders = {
        str(path.relative_to(UI)): sorted(gateway_imports(path) - ALLOWED)
        for path in sorted(UI.rglob("*.py"))
        if gateway_imports(path) - ALLOWED
    }
    assert offenders == {}


def test_the_check_sees_an_import_of_the_client(tmp_path: Path) -> None:
    module = tmp_path / "screen.py"
    module.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cuetui.gateway.client import GatewayClient\n"
        "def f():\n    from cuetui.gateway import requests\n"
    )
    assert gateway_imports(module) == {"cuetui.gateway.client", "cuetui.gateway.requests"}
