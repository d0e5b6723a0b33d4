"""The pinned OpenClaw's CLI, isolated in a folder the caller owns (standard library only).

Why isolated: OpenClaw reads and writes under HOME, its state dir and TMPDIR, and honours
OPENCLAW_* variables of the shell; a test or a script must neither see the user's OpenClaw nor
leave anything of its own outside the folder. So all of them point into the folder, and
inherited OPENCLAW_* variables are dropped.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openclaw_runtime.install import OpenClawInstall


def isolated_env(
    install: OpenClawInstall, root: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment for one isolated OpenClaw under `root`, plus `extra` variables."""
    env = {k: v for k, v in install.env().items() if not k.startswith("OPENCLAW_")}
    for folder in ("home", "state", "tmp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(root / "home"),
        OPENCLAW_STATE_DIR=str(root / "state"),
        OPENCLAW_CONFIG_PATH=str(root / "openclaw.json"),
        # OpenClaw keeps state lock files under os.tmpdir().
        TMPDIR=str(root / "tmp"),
        NO_COLOR="1",
        # OpenClaw keeps Node's compile cache under TMPDIR unless told otherwise: per folder,
        # every start compiled cold. Beside the install it is shared and keyed by version.
        NODE_COMPILE_CACHE=str(install.root / "compile-cache"),
        # A configured plugin that is not bundled (the reference's diagnostics-otel) is
        # "repaired" with npm at every gateway start: ~16 s of registry lookups here. A pod
        # reaches no registry either; refused at once, the repair fails as it would there.
        npm_config_registry="http://127.0.0.1:9/",
        npm_config_fetch_retries="0",
    )
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Validation:
    """`openclaw config validate --json`: the verdict and what OpenClaw said, verbatim."""

    valid: bool
    issues: list[dict[str, str]]
    warnings: list[dict[str, str]]


class OpenClawHome:
    """One isolated OpenClaw: a config file, a state dir and a HOME under `root`."""

    def __init__(
        self, install: OpenClawInstall, root: Path, env: Mapping[str, str] | None = None
    ) -> None:
        self.install = install
        self.root = root
        self.env = isolated_env(install, root, env)
        self.config_path = root / "openclaw.json"

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """`openclaw ARGS` in this home; the caller checks the exit code."""
        return subprocess.run(
            self.install.command(*args),
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def validate(self, document: str) -> Validation:
        """Writes `document` as this home's config and asks OpenClaw whether it is valid."""
        self.config_path.write_text(document)
        result = self.run("config", "validate", "--json")
        if result.returncode not in (0, 1):
            raise RuntimeError(f"openclaw config validate failed to run:\n{result.stderr}")
        verdict: dict[str, Any] = json.loads(result.stdout)
        return Validation(
            valid=verdict["valid"] is True,
            issues=verdict.get("issues", []),
            warnings=verdict.get("warnings", []),
        )
