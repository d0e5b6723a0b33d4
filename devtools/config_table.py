"""docs/configuration.md's configuration table, generated from the stack config's schema.

Why generated: the keys, their defaults and their rules are stated once, in
stack/stack_config_schema.json, which also validates the config; a table written by hand
drifted from it (tests/test_settings_schema.py fails when that table is stale).

    python -m devtools.config_table           print the table
    python -m devtools.config_table --write   replace the table in docs/configuration.md (from its
                                           header row `| key | default | rule |` to the next
                                           blank line)
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from stack.config_schema import stack_schema
from stack.settings import cron_schema

TABLE_DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
HEADER = "| key | default | rule |"


def rows() -> Iterator[tuple[str, str, str]]:
    """(key, default, rule) for every key of the schema, in its order."""
    for key, node in stack_schema()["properties"].items():
        if key == "cron":
            yield from _cron_rows(node)
        else:
            yield from _rows(key, node)


def _rows(path: str, node: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    members = node.get("properties")
    if members is None:
        yield f"`{path}`", _default(node), node["description"]
        return
    for key, member in members.items():
        yield from _rows(f"{path}.{key}", member)


def _cron_rows(ours: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """One row per key of OpenClaw's `cron`: our words where the stack adds some."""
    for key, theirs in cron_schema()["properties"].items():
        overlay = ours["properties"].get(key, {})
        members = list(theirs.get("properties", {}))
        path = f"`cron.{key}`" if not members else f"`cron.{key}.*`"
        if overlay.get("not") == {}:
            yield path, "—", overlay["description"]
            continue
        title = f" ({theirs['title']})" if "title" in theirs else ""
        rule = overlay.get("description") or f"As OpenClaw's schema says{title}."
        if members:
            rule += " Keys: " + ", ".join(f"`{member}`" for member in members) + "."
        default = _default(overlay) if "default" in overlay else "unset (OpenClaw's default)"
        yield path, default, rule


def _default(node: Mapping[str, Any]) -> str:
    if "default" not in node:
        return "—"
    value = node["default"]
    if value is None:
        return "unset"
    return f"`{value}`" if isinstance(value, str) and value else f"`{json.dumps(value)}`"


def table() -> str:
    lines = [HEADER, "|---|---|---|"]
    lines += [f"| {key} | {default} | {rule} |" for key, default, rule in rows()]
    return "\n".join(lines) + "\n"


def with_table(text: str) -> str:
    """`text` (docs/configuration.md) with its configuration table replaced by the generated one."""
    start = text.index(HEADER)
    end = text.index("\n\n", start) + 1
    return text[:start] + table() + text[end:]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--write", action="store_true", help="update the table in docs/configuration.md"
    )
    if parser.parse_args(argv).write:
        TABLE_DOC.write_text(with_table(TABLE_DOC.read_text()))
    else:
        print(table(), end="")


if __name__ == "__main__":
    main()
