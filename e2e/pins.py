"""The pinned versions (``e2e/pins.toml``) and the cache folders keyed by them.

One file holds every pin so that a version bump is one reviewed line, and every cache path is
derived from the pins so that a bump can never reuse a stale build.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

PINS_FILE = Path(__file__).with_name("pins.toml")


def load() -> dict[str, dict[str, str]]:
    """Every section of ``pins.toml`` as plain dicts."""
    with PINS_FILE.open("rb") as handle:
        return tomllib.load(handle)


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
