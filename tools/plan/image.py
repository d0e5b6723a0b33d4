"""Which OpenClaw the pod runs, next to the one that judged: read from the Deployment's image.

Why: OpenClaw's schema changes between releases, so a verdict holds for the release that gave
it. The pinned release judges by default, but the pod runs whatever its image holds — for the
reference deployment, `ghcr.io/boxp/arch/openclaw:202602170222`, a February 2026 build that
accepted a key 2026.9.6 rejects. The plan cannot look inside an image offline; it reads the
tag and says in words what it can tell: the same release, another release, or a tag that is
no release at all (a build time, `latest`, a digest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openclaw_runtime.judge import OLDEST_JUDGING, OLDEST_JUDGING_RELEASE, release_numbers

# A release inside a tag: `2026.9.6`, `v2026.9.6`, `2026.9.6-slim`, `openclaw-2026.3.23-1`.
_RELEASE_IN_TAG = re.compile(r"(?<![\d.])(\d{4}\.\d{1,2}\.\d{1,2}(?:-\d+)?)(?![\d.])")
# A build time: YYYYMMDDhhmm or YYYYMMDDhhmmss (the reference image's `202602170222`).
_BUILD_TIME = re.compile(r"^(\d{12}|\d{14})$")


@dataclass(frozen=True)
class PodImage:
    """The image of the container the env entry lands on, and where it was read."""

    image: str
    container: str
    deployment: str
    source: str


def image_of(deployment: dict[str, Any], container: str, source: str) -> PodImage | None:
    """The named container's image in a Deployment manifest (None: no image given)."""
    spec = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
    for candidate in spec.get("containers") or []:
        if isinstance(candidate, dict) and candidate.get("name") == container:
            image = candidate.get("image")
            if not isinstance(image, str) or not image:
                return None
            meta = deployment.get("metadata") or {}
            where = f"{meta.get('namespace')}/{meta.get('name')}"
            return PodImage(image, container, where, source)
    return None


def tag_of(image: str) -> str | None:
    """The tag of an image reference (None: pinned by digest only, or no tag = `latest`)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def _build_time(tag: str) -> datetime | None:
    if not _BUILD_TIME.match(tag):
        return None
    try:
        return datetime.strptime(tag, "%Y%m%d%H%M%S" if len(tag) == 14 else "%Y%m%d%H%M")
    except ValueError:
        return None


def same_release(image: str, judging: str | None) -> bool | None:
    """True/False when the tag names an OpenClaw release; None when it cannot tell."""
    tag = tag_of(image)
    found = _RELEASE_IN_TAG.search(tag) if tag else None
    if found is None or judging is None:
        return None
    return found[1] == judging


def note(image: str, judging: str | None) -> str:
    """In words: what the tag says about the pod's OpenClaw, against the judging release."""
    tag = tag_of(image)
    if judging is None:
        return "no OpenClaw judged the document, so nothing was checked for any release"
    verdict_for = f"the verdict is for OpenClaw {judging}"
    if "@" in image and tag is None:
        return (
            f"pinned by digest, its OpenClaw release is not visible: it may differ from "
            f"{judging}; {verdict_for}"
        )
    if tag is None:
        tag = "latest"
    found = _RELEASE_IN_TAG.search(tag)
    if found is not None and found[1] == judging:
        return f"its tag names OpenClaw {judging}, the release that judged"
    if found is not None:
        return (
            f"its tag names OpenClaw {found[1]}, not the {judging} that judged: they may accept "
            f"different keys; {verdict_for} (judge with the pod's release: --openclaw-version "
            f"{found[1]})"
        )
    built = _build_time(tag)
    if built is not None:
        when = built.strftime("%Y-%m-%d %H:%M")
        numbers = release_numbers(judging)
        older = (
            f", so an OpenClaw of that date or earlier, older than {judging}"
            if numbers is not None and (built.year, built.month, built.day) < numbers
            else ""
        )
        oldest = numbers is not None and numbers <= OLDEST_JUDGING_RELEASE
        return (
            f"its tag {tag} is not an OpenClaw release (it reads as a build time, {when}{older})"
            f": the pod may accept keys {judging} rejects, or the reverse; {verdict_for} "
            + (
                f"({OLDEST_JUDGING} is the oldest release that can judge)"
                if oldest
                else f"(to judge with an older release: --openclaw-version X, {OLDEST_JUDGING} "
                "or later)"
            )
        )
    return (
        f"its tag {tag} is not an OpenClaw release: the pod may run another OpenClaw than "
        f"{judging}; {verdict_for}"
    )
