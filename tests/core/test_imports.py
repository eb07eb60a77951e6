"""The core's modules import each other without a cycle, counting imports made only for type checking."""

from __future__ import annotations

import ast
from pathlib import Path

import losses

PACKAGE = Path(losses.__file__).parent


def _graph() -> dict[str, set[str]]:
    """Module -> the core modules it names in any import statement (TYPE_CHECKING blocks included)."""
    modules = {p.stem: p for p in PACKAGE.glob("*.py")}
    name = {stem: "losses" if stem == "__init__" else f"losses.{stem}" for stem in modules}
    graph: dict[str, set[str]] = {}
    for stem, path in modules.items():
        deps = graph.setdefault(name[stem], set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.split(".")[0] == "losses")
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "losses":
                if node.module == "losses":  # from losses import validation (a module) or get (a name)
                    deps.update(f"losses.{a.name}" if a.name in modules else "losses" for a in node.names)
                else:
                    deps.add(node.module)
        deps.discard(name[stem])
    return graph


def test_the_core_has_no_import_cycle():
    graph = _graph()
    assert "losses.validation" in graph["losses.spec"]  # the test sees the imports it should
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for dep in sorted(graph.get(module, ())):
            assert state.get(dep) != "open", " -> ".join([*path, module, dep])
            if dep not in state:
                visit(dep, [*path, module])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_validation_sits_below_the_spec():
    assert _graph()["losses.validation"] <= {"losses._numeric", "losses.errors"}
