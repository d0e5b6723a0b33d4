"""The harness's own pins (``e2e/pins.toml``: the Go toolchain) and where they are cached.

The OpenClaw pins belong to the product (``openclaw_runtime/pins.toml``); the cache root is
shared with it so every build and install lives under one folder.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from openclaw_runtime.cache import cache_root, keyed_dir

PINS_FILE = Path(__file__).resolve().parents[1] / "pins.toml"

__all__ = ["cache_root", "keyed_dir", "load"]


def load() -> dict[str, dict[str, str]]:
    """Every section of ``pins.toml`` as plain dicts."""
    with PINS_FILE.open("rb") as handle:
        return tomllib.load(handle)
