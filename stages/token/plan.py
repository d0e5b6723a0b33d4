"""How the offline plan explains the token (pulumi-random's RandomBytes: every input forces a
new value, so its replace rule is the identity's)."""

from __future__ import annotations

from stages.explanation import NO_RESTART, Inputs, Kind
from stages.token.identity import REPLACE_ON, TYPE


def _target(_: Inputs) -> str:
    return "a generated token, in Pulumi state only (no cloud object)"


def _destroy(_: Inputs, __: bool) -> str:
    return "forgets the generated token (state only; nothing in AWS or the cluster)"


def _hop(_: Inputs, name: str) -> str:
    return f"token (RandomBytes {name}, Pulumi state only)"


KINDS = {
    TYPE: Kind(
        target=_target,
        pods=lambda _: NO_RESTART,
        on_destroy=_destroy,
        hop=_hop,
        replace_on=REPLACE_ON,
    ),
}
