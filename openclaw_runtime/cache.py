"""Where the project's caches live, and folders keyed by the versions they hold.

One root for every cache (the OpenClaw installs, the plan's verdicts, the Go toolchain of the
e2e) so that CI and a laptop find them in one place; a folder keyed by its versions can never
serve a stale install after a pin changes.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

PINS_FILE = Path(__file__).with_name("pins.toml")


def pins() -> dict[str, str]:
    """The `[openclaw]` pins: `node` and `openclaw`."""
    with PINS_FILE.open("rb") as handle:
        return dict(tomllib.load(handle)["openclaw"])


def cache_root() -> Path:
    """Outside the repo (a fresh clone must not carry builds) but stable across runs and CI."""
    base = os.environ.get("OPENCLAW_CRON_WEBHOOK_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "openclaw-cron-webhook"


def keyed_dir(kind: str, versions: dict[str, str]) -> Path:
    """``<cache>/<kind>-<short hash of the versions>``: a changed pin is a new folder."""
    digest = hashlib.sha256(repr(sorted(versions.items())).encode()).hexdigest()[:12]
    return cache_root() / f"{kind}-{digest}"
