"""Property values as the engine puts them on the wire: a protobuf Struct with sentinels.

Why by hand (and not `pulumi.runtime.rpc`): the SDK's (de)serialisers are asyncio coroutines
built for a program's side of the protocol (Outputs, Resources); a provider only needs to read
plain JSON-like values and keep two markers intact: secrets, which the engine sends wrapped in
an object because Configure accepted secrets, and unknowns, which arrive during previews. Doing it
here keeps the provider logic synchronous, typed and testable without an event loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

# The same constants as pulumi.runtime.rpc (`_special_sig_key`, `_special_secret_sig`, `UNKNOWN`);
# the tests compare them, so a change in the SDK is noticed.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

Props = dict[str, Any]


def from_struct(struct: struct_pb2.Struct | None) -> Props:
    """A request's properties as plain Python values (numbers come back as floats)."""
    if struct is None:
        return {}
    return dict(json_format.MessageToDict(struct))


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """The inverse of `from_struct`; None becomes a JSON null, which the engine reads as unset."""
    struct = struct_pb2.Struct()
    struct.update(dict(props))
    return struct


def is_secret(value: Any) -> bool:
    """Whether `value` is the engine's secret wrapper."""
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def is_unknown(value: Any) -> bool:
    """Whether `value` is not known yet (previews only), directly or inside a secret."""
    return value == UNKNOWN or (is_secret(value) and value.get("value") == UNKNOWN)


def secret(value: Any) -> dict[str, Any]:
    """Wrap `value` so the engine stores it encrypted and shows it as [secret]."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def reveal(value: Any) -> tuple[Any, bool]:
    """`value` with every secret wrapper removed, and whether there was one anywhere inside."""
    if is_secret(value):
        inner, _ = reveal(value.get("value"))
        return inner, True
    if isinstance(value, dict):
        pairs = {key: reveal(item) for key, item in value.items()}
        return {key: plain for key, (plain, _) in pairs.items()}, any(
            hidden for _, hidden in pairs.values()
        )
    if isinstance(value, list):
        items = [reveal(item) for item in value]
        return [plain for plain, _ in items], any(hidden for _, hidden in items)
    return value, False


def reveal_props(props: Mapping[str, Any]) -> tuple[Props, set[str]]:
    """Plain properties to compute with, and the top-level keys that carried a secret.

    Why top-level keys: a provider returns whole properties; marking the property secret when
    anything inside it was secret is the conservative way to never lose the secret bit.
    """
    plain: Props = {}
    secret_keys: set[str] = set()
    for key, value in props.items():
        plain[key], hidden = reveal(value)
        if hidden:
            secret_keys.add(key)
    return plain, secret_keys


def conceal(props: Mapping[str, Any], keys: Iterable[str]) -> Props:
    """`props` with each of `keys` that is present (and not null) wrapped as a secret."""
    wanted = set(keys)
    return {
        key: secret(value) if key in wanted and value is not None else value
        for key, value in props.items()
    }
