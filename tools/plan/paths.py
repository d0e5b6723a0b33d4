"""The files a plan falls back on, and how a plan names any file.

Why relative to the repository: plan files are compared across machines and runs (a PR's plan
against the base branch's, CI's artifact against a laptop's), so a path inside the repository
is shown the same everywhere; one outside it is shown as given.
"""

from __future__ import annotations

from pathlib import Path

from tools.plan.mock_runtime import ROOT

DEFAULT_BASE = ROOT / "examples" / "openclaw.json"
SAMPLE_DEPLOYMENT = ROOT / "examples" / "deployment.yaml"


def shown(path: Path) -> str:
    """A path as plan files show it: relative to the repository when inside it, so that a
    plan reads the same on every machine."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
