"""Rotation only goes forward: the rule the rotation guard applies, before anything changes.

Why a guard at all: going back to an earlier `token.rotation` (a revert of the rotation's
commit) looks like undoing the rotation, but pulumi-random cannot bring a token back. It would
generate a NEW token, create a new `-r<n>` ExternalSecret/Secret pair and roll the pods, and
every receiver holding the current token would get 401s. The program cannot read the state, so
the guard, a dynamic resource the token depends on, carries the rotations in its own inputs:
its provider's `check` sees the state's (`olds`) beside the config's (`news`) and refuses a
rotation used before, or a number lower than the current one, in `pulumi preview` and before
the first step of `pulumi up`.

Its inputs: `rotation`, the current label, and `used`, every earlier one, which `check` adds
(the engine stores the checked inputs, so the next check sees them as `olds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stack.config_issues import PROJECT

ROTATION = "rotation"
USED = "used"


def _lower(label: str, than: str) -> bool:
    return label.isdigit() and than.isdigit() and int(label) < int(than)


def refusal(olds: Mapping[str, Any], rotation: str) -> str | None:
    """Why `rotation` may not follow the state's (`olds`: the guard's inputs there), or None."""
    current = olds.get(ROTATION)
    if current is None or current == rotation:
        return None
    used = [str(label) for label in olds.get(USED) or []]
    if rotation not in used and not _lower(rotation, str(current)):
        return None
    earlier = [label for label in [*used, str(current)] if label.isdigit()]
    forward = str(max(int(label) for label in earlier) + 1) if earlier else "<a new label>"
    return (
        f"token.rotation {rotation!r} goes back from the current rotation {current!r}: a "
        "rotation only goes forward. Going back does not bring the earlier token back: it would "
        f"generate a NEW token, a new -r{rotation} ExternalSecret/Secret pair and a rollout, and "
        "every receiver holding the current token would get 401s. Nothing was changed. Keep "
        f"the current rotation (pulumi config set --path '{PROJECT}:token.rotation' "
        f"{current}), or rotate forward to a label never used "
        f"(pulumi config set --path '{PROJECT}:token.rotation' {forward})"
    )


def checked(olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs to store: the new rotation, and the earlier ones with the state's added."""
    current, used = olds.get(ROTATION), list(olds.get(USED) or [])
    if current is not None and current != news[ROTATION] and current not in used:
        used.append(current)
    return {**news, USED: used}


def changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    return any(olds.get(key) != news.get(key) for key in (ROTATION, USED))
