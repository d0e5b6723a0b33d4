"""The Layout section of docs/development.md, held to the tree.

Why a test: the layout is where a person who changes the repository finds each piece of code,
and the tree moves (issue 26 cut it by stage) while a map written by hand does not. So every path
the section names must exist, and every folder a reader could land in must be named there: each
top-level folder git tracks, and each package folder of the product. A module may be named by its
folder alone.

The section is a Markdown list, one item a folder or file: `` - `path` what it holds``; any other
backquoted name in an item that ends in `/` or a file suffix is a path too, found under the item's
folder or one above it (`real_plan/` beside `tests/real_openclaw/`, `stack/settings.py` from the
root).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "development.md"
PRODUCT = ("components", "stack", "stages", "tools", "openclaw_runtime", "policy")
SUFFIXES = (".py", ".toml", ".json", ".yaml", ".yml", ".md", ".mjs", ".txt")
ITEM = re.compile(r"^\s*- `(?P<head>[^`]+)`")
NAME = re.compile(r"`([^`\s]+)`")


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(f"## {title}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def items(lines: list[str]) -> Iterator[tuple[str, list[str]]]:
    """(head, every path-like name of the item, the head included); an item's continuation
    lines belong to it."""
    head: str | None = None
    names: list[str] = []
    for line in lines:
        match = ITEM.match(line)
        if match:
            if head is not None:
                yield head, names
            head, names = match["head"], []
        if head is not None:
            names += [n for n in NAME.findall(line) if n.endswith(("/", *SUFFIXES))]
    if head is not None:
        yield head, names


def layout() -> list[tuple[str, list[str]]]:
    return list(items(section(DOC.read_text(), "Layout")))


def exists(name: str, head: str) -> bool:
    """Found under the item's folder or one of the folders above it, up to the root."""
    folder = ROOT / head if head.endswith("/") else (ROOT / head).parent
    bases = [base for base in [folder, *folder.parents] if base.is_relative_to(ROOT)]
    return any((base / name).exists() for base in bases)


def named_folders() -> set[str]:
    return {head.rstrip("/") for head, _ in layout() if head.endswith("/")}


def tracked_top_level_folders() -> set[str]:
    git = shutil.which("git")
    assert git is not None, "the layout test asks git which folders it tracks"
    listed = subprocess.run([git, "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True)
    files = listed.stdout.decode().split("\0")
    return {name.split("/")[0] for name in files if "/" in name}


def product_package_folders() -> set[str]:
    return {
        init.parent.relative_to(ROOT).as_posix()
        for package in PRODUCT
        for init in (ROOT / package).rglob("__init__.py")
    }


def test_every_path_the_layout_names_exists() -> None:
    missing = [
        f"{head}: {name}" for head, names in layout() for name in names if not exists(name, head)
    ]

    assert missing == [], "\n".join(missing)


def test_every_top_level_folder_is_in_the_layout() -> None:
    assert sorted(tracked_top_level_folders() - named_folders()) == []


def test_every_package_folder_of_the_product_is_in_the_layout() -> None:
    assert sorted(product_package_folders() - named_folders()) == []


def test_the_layout_is_read_item_by_item() -> None:
    """The reader's own check: heads, continuation lines, and which backquoted names are paths."""
    lines = [
        "- `stages/token/` the token: `identity.py`, `resource.py`;",
        "  in `stages.ORDER`, planned by `plan.py`",
        "- `bin/` the commands (`./bin/plan`)",
    ]

    assert list(items(lines)) == [
        ("stages/token/", ["stages/token/", "identity.py", "resource.py", "plan.py"]),
        ("bin/", ["bin/"]),
    ]
