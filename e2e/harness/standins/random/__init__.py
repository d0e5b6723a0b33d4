"""A STAND-IN for the pulumi-random provider plugin: `random:index/randomBytes:RandomBytes` only.

Why it exists: the real pulumi-random provider cannot be built on these machines (the Go module
proxy answers 403 for every version of its module; see e2e/pins.toml [go] and
e2e/harness/toolchain_go.py), and the stack's webhook token (stages/token/resource.py) is a
RandomBytes.
The e2e has to run the real Pulumi engine over it, so this stand-in serves the engine's gRPC
ResourceProvider protocol (through `e2e.harness.standins.service`) for that one type.

It follows terraform-provider-random's `random_bytes` (what pulumi-random bridges) where the
stack can observe it: inputs `length` and `keepers`, outputs `base64` and `hex`, both always
secret, and any change of `length` or `keepers` replacing the resource (both are ForceNew), so
a new `rotation` keeper means a new token. Bytes come from `secrets.token_bytes`.

It is honest only while named as one: every line it writes says `random stand-in`, its schema
says so, and any other type or function is refused with a message naming it. Its plugin version
is the installed pulumi_random SDK's, the version the SDK's resources ask for.

Layout: `provider` (the logic, on plain values), `standin` (the `Standin` the shared servicer
drives), `__main__` (what `bin/pulumi-resource-random` runs).
"""

from __future__ import annotations

LABEL = "random stand-in"
BYTES_TYPE = "random:index/randomBytes:RandomBytes"
