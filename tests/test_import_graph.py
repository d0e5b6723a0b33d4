"""Dependencies point one way: the product (components/, tools/) never imports its test harness.

Why a test: the offline plan is the product's main command; when `openclaw_runtime/verdict.py`
imported `e2e.harness.pins`, the plan could not run without the e2e folder, and a change to the
harness could break the product. The OpenClaw install moved to `openclaw_runtime/`, which both
sides import. This reads every import statement (and every `importlib.import_module("...")`
with a literal name) of the repository's own modules, follows them transitively, and fails if
an `e2e` module is reachable from `components/` or `tools/`.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "components",
    "stack",
    "stages",
    "tools",
    "devtools",
    "openclaw_runtime",
    "policy",
    "e2e",
)
PRODUCT = ("components", "stack", "stages", "tools", "openclaw_runtime")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, is_package: bool) -> Iterator[str]:
    """Every module name `source` imports, relative imports resolved against `module`."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*(anchor if node.level else []), *filter(None, [node.module])])
            yield base
            yield from (".".join(filter(None, [base, alias.name])) for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


@functools.cache
def modules() -> dict[str, Path]:
    """{first-party module name: its file}."""
    files = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    return {module_name(path): path for path in files}


@functools.cache
def edges_of(name: str) -> frozenset[str]:
    """The first-party modules `name` imports; each file is read when the walk first reaches
    it (a product that imports no e2e module never has the e2e folder read)."""
    path = modules()[name]
    names = imported(path.read_text(), name, path.name == "__init__.py")
    return frozenset(other for other in names if other in modules())


def reachable(start: str) -> dict[str, str]:
    """{module reachable from `start`: the module that imports it on the way}."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo:
        current = todo.pop()
        for other in edges_of(current):
            if other not in seen and other != start:
                seen[other] = current
                todo.append(other)
    return seen


def chain(via: dict[str, str], start: str, end: str) -> str:
    path = [end]
    while path[-1] != start:
        path.append(via[path[-1]])
    return " -> ".join(reversed(path))


def test_nothing_in_components_or_tools_reaches_e2e() -> None:
    product = [name for name in modules() if name.split(".")[0] in PRODUCT]

    leaks = [
        chain(via, start, module)
        for start in product
        for via in [reachable(start)]
        for module in sorted(via)
        if module.split(".")[0] == "e2e"
    ]

    assert leaks == []


def test_the_graph_sees_the_imports_that_exist() -> None:
    """The walk is real: known edges, in both directions of the rule, are in it."""
    assert "stack.settings" in edges_of("stack.delivery")
    assert "openclaw_runtime.install" in reachable("tools.plan.app")
    assert any(m.startswith("stages.") for m in reachable("e2e.harness.observe"))


def test_an_import_of_e2e_in_any_form_is_seen() -> None:
    source = (
        "import e2e.harness.pins\n"
        "from e2e import toolchain_openclaw\n"
        "from . import inputs\n"
        "importlib.import_module('e2e.harness.world')\n"
    )

    found = set(imported(source, "tools.plan.x", is_package=False))

    assert {
        "e2e.harness.pins",
        "e2e.toolchain_openclaw",
        "e2e.harness.world",
        "tools.plan.inputs",
    } <= found
