"""The plan's side of the OpenClaw judge (`openclaw_runtime.judge`, `openclaw_runtime.verdict`):
which OpenClaw the command line asks for, the judging of both documents, and plan.json's
`openclaw`.

Why the judge's own errors are turned into the plan's at the command's edge (`tools.plan.app`)
and not here: the judge is shared with verify, which reports a document it could not have
judged and goes on; for the plan, no verdict is an input problem like any other (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openclaw_runtime.judge import Skipped, given, pinned, requested
from openclaw_runtime.verdict import BeforeAndAfter, OpenClaw, Verdict, verdict_cache
from tools.plan import image as plan_image
from tools.plan.image import PodImage


def chosen(path: Path | None, version: str | None, no_openclaw: bool) -> OpenClaw | None:
    """--openclaw PATH, --openclaw-version X, --no-openclaw (None), else the pinned release
    (installed on first use)."""
    if no_openclaw:
        return None
    if path:
        return given(path)
    if version:
        return requested(version)
    return pinned()


def judging(
    openclaw: OpenClaw | None, base: str, result: str, variables: set[str]
) -> BeforeAndAfter | Skipped:
    """Both documents judged in the background (the app's `variables` set to a placeholder),
    or nobody judging with --no-openclaw."""
    if openclaw is None:
        return Skipped()
    return BeforeAndAfter(openclaw, base, result, variables, verdict_cache())


def openclaw_verdict(verdict: Verdict, pod: PodImage | None) -> dict[str, Any]:
    """plan.json's `openclaw`: the verdicts, and the image the pod runs beside the judge."""
    return {
        "version": verdict.version,
        "skipped": verdict.version is None,  # only --no-openclaw leaves a plan unjudged
        "valid": verdict.valid,
        "base_valid": verdict.base_valid,
        "issues": [vars(i) for i in verdict.added],
        "already_in_base": [vars(i) for i in verdict.already],
        "warnings": [vars(w) for w in verdict.warnings],
        "pod": None
        if pod is None
        else {
            **vars(pod),
            "same_release": plan_image.same_release(pod.image, verdict.version),
            "note": plan_image.note(pod.image, verdict.version),
        },
    }
