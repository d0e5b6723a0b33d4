"""`random:index/randomBytes:RandomBytes` as plain functions: check, diff, generate.

Why so little: random_bytes has no remote side. What matters to the stack is which changes make
new bytes (any change of `length` or `keepers`: both ForceNew in terraform-provider-random, so
never an in-place update), that `base64` and `hex` are secret, and that the bytes are really
random (`secrets.token_bytes`, the same source the runbook's `openssl rand` stands for).
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from e2e.harness.standins.model import Diff
from e2e.harness.standins.values import UNKNOWN, Props, is_unknown

REPLACE_ON = ("length", "keepers")
SECRET_OUTPUTS = ("base64", "hex")


def failures(news: Props) -> list[tuple[str, str]]:
    """What the real schema would reject, as (property, reason); unknown values pass."""
    length = news.get("length")
    found: list[tuple[str, str]] = []
    if length is None:
        found.append(("length", "missing required property 'length'"))
    elif not is_unknown(length) and not _positive_int(length):
        found.append(("length", f"expected an integer of at least 1, got {length!r}"))
    keepers = news.get("keepers")
    if keepers is not None and not is_unknown(keepers) and not isinstance(keepers, dict):
        found.append(("keepers", f"expected a map of strings, got {keepers!r}"))
    return found


def _positive_int(value: Any) -> bool:
    # Struct numbers arrive as floats: 32 comes back as 32.0.
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and float(value).is_integer()
        and value >= 1
    )


def diff(old_inputs: Props, old_outputs: Props, news: Props) -> Diff:
    """Every change replaces; old outputs stand in for old inputs from old engines or imports."""
    base = old_inputs or old_outputs
    kinds: dict[str, str] = {}
    for key in REPLACE_ON:
        old, new = _normal(base.get(key)), _normal(news.get(key))
        if old != new:
            kinds[key] = "add" if old is None else "delete" if new is None else "update"
    return Diff(replaces=tuple(kinds), kinds=kinds)


def _normal(value: Any) -> Any:
    """No keepers and empty keepers are the same thing (Terraform has no empty map)."""
    return None if value in (None, {}) else value


def outputs(inputs: Props, data: bytes | None) -> Props:
    """State for `data` (None in a preview: the bytes are not known until created)."""
    rendered = (base64.b64encode(data).decode("ascii"), data.hex()) if data is not None else None
    b64, hexed = rendered or (UNKNOWN, UNKNOWN)
    return {
        "length": inputs.get("length"),
        "keepers": inputs.get("keepers"),
        "base64": b64,
        "hex": hexed,
    }


def generate(length: Any) -> bytes:
    return secrets.token_bytes(int(length))


def new_id() -> str:
    """Any unique id will do (the real provider's is opaque too); it names no secret."""
    return secrets.token_hex(8)
