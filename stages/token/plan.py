"""How the offline plan explains the token (pulumi-random's RandomBytes: every input forces a
new value, so its replace rule is the identity's) and its rotation guard (state only; a new
rotation updates it, one that goes back is refused by its `check`: stages/token/rotation.py)."""

from __future__ import annotations

from stages.explanation import NO_RESTART, Inputs, Kind
from stages.token.identity import GUARD_TYPE, REPLACE_ON, TYPE


def _target(_: Inputs) -> str:
    return "a generated token, in Pulumi state only (no cloud object)"


def _destroy(_: Inputs, __: bool) -> str:
    return "forgets the generated token (state only; nothing in AWS or the cluster)"


def _hop(_: Inputs, name: str) -> str:
    return f"token (RandomBytes {name}, Pulumi state only)"


def _guard_target(inputs: Inputs) -> str:
    return (
        f"the rotation guard at rotation {inputs.get('rotation')}, in Pulumi state only: "
        "`pulumi preview` and `pulumi up` refuse a rotation used before or lower, before "
        "anything changes"
    )


def _guard_destroy(_: Inputs, __: bool) -> str:
    return "forgets the rotations used (state only; nothing in AWS or the cluster)"


def _guard_hop(inputs: Inputs, name: str) -> str:
    return f"rotation guard ({name}, rotation {inputs.get('rotation')}, Pulumi state only)"


KINDS = {
    GUARD_TYPE: Kind(
        target=_guard_target,
        pods=lambda _: NO_RESTART,
        on_destroy=_guard_destroy,
        hop=_guard_hop,
    ),
    TYPE: Kind(
        target=_target,
        pods=lambda _: NO_RESTART,
        on_destroy=_destroy,
        hop=_hop,
        replace_on=REPLACE_ON,
    ),
}
