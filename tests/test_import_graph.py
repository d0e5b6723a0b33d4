"""Dependencies point one way, checked on the source: each rule below is a named test.

Why tests: the offline plan is the product's main command; when `openclaw_runtime/verdict.py`
imported `e2e.harness.pins`, the plan could not run without the e2e folder, and a change to the
harness could break the product. Issue 26 cut the product by stage, with plan and verify as thin
apps over the stages; the cut holds only while the stages know nothing of the apps, neither app
of the other, and nothing the product ships of the harness or of developer-only helpers. This
reads every import statement (and every `importlib.import_module("...")` with a literal name) of
the repository's own modules, follows them transitively, and a failure names each import that
crosses a rule's boundary with the chain that reaches it from where the rule starts.
"""

from __future__ import annotations

import ast
import functools
from collections import deque
from collections.abc import Iterable, Iterator
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
# What ships: the program (`__main__`), its packages, the two apps and the policy pack.
PRODUCT = ("__main__", "components", "stack", "stages", "tools", "openclaw_runtime", "policy")


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
    files = [ROOT / "__main__.py"]
    files += [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    return {module_name(path): path for path in files}


@functools.cache
def edges_of(name: str) -> frozenset[str]:
    """The first-party modules `name` imports; each file is read when the walk first reaches
    it (a product that imports no e2e module never has the e2e folder read)."""
    path = modules()[name]
    names = imported(path.read_text(), name, path.name == "__init__.py")
    return frozenset(other for other in names if other in modules())


def within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == prefix or name.startswith(f"{prefix}.") for prefix in prefixes)


def reachable(start: str, stop: Iterable[str] = ()) -> dict[str, str]:
    """{module reachable from `start`: the module that imports it on the shortest way}; the
    walk does not go on from a module `within` `stop`."""
    stop = tuple(stop)
    seen: dict[str, str] = {}
    todo = deque([start])
    while todo:
        current = todo.popleft()
        if current != start and within(current, stop):
            continue
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


def crossings(sources: Iterable[str], forbidden: Iterable[str]) -> list[str]:
    """One chain per import that crosses into `forbidden`: the shortest way from a module of
    `sources`, outside `forbidden`, to the importer, then the forbidden module it imports
    (sorted, so a failure reads the same every run)."""
    forbidden = tuple(forbidden)
    found: dict[tuple[str, str], str] = {}
    for start in (name for name in modules() if within(name, sources)):
        via = reachable(start, stop=forbidden)
        for module in (module for module in via if within(module, forbidden)):
            path = chain(via, start, module)
            crossing = (via[module], module)
            found[crossing] = min(found.get(crossing, path), path, key=lambda p: (len(p), p))
    return sorted(found.values())


def test_stages_never_import_the_apps_devtools_or_the_harness() -> None:
    leaks = crossings(["stages"], ["tools", "devtools", "e2e"])

    assert leaks == [], "\n".join(leaks)


def test_the_plan_never_imports_verify() -> None:
    leaks = crossings(["tools.plan"], ["tools.verify"])

    assert leaks == [], "\n".join(leaks)


def test_verify_never_imports_the_plan() -> None:
    leaks = crossings(["tools.verify"], ["tools.plan"])

    assert leaks == [], "\n".join(leaks)


def test_the_product_never_imports_the_harness_or_devtools() -> None:
    leaks = crossings(PRODUCT, ["e2e", "devtools"])

    assert leaks == [], "\n".join(leaks)


def test_openclaw_runtime_never_imports_the_apps() -> None:
    leaks = crossings(["openclaw_runtime"], ["tools"])

    assert leaks == [], "\n".join(leaks)


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


def test_a_crossing_is_named_with_the_chain_that_reaches_it() -> None:
    """The rules' own check: the program reaches `stages` only through `stack`, so each chain
    printed for it starts at `__main__`, goes through `stack` and ends at the first `stages`
    module it meets."""
    leaks = crossings(["__main__"], ["stages"])

    assert leaks
    for leak in leaks:
        *before, crossed = leak.split(" -> ")
        assert before[0] == "__main__"
        assert all(within(step, ["__main__", "stack"]) for step in before), leak
        assert within(crossed, ["stages"]), leak
