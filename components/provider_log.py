"""What a dynamic provider tells the user, as a line in `pulumi up`'s (or destroy's) output.

Why not `pulumi.log`: it reaches the engine through the program's runtime settings, which the
dynamic provider's process does not have (the engine starts it as a plugin, `python -m
pulumi.dynamic ENGINE_ADDRESS`), and a plugin's stdout and stderr only reach the debug log. Every
provider plugin reports through the engine's Log service instead, at the address the engine
passes as the plugin's argument; its lines show as warnings in the operation's diagnostics.

Best effort by design: a report must never fail the operation it reports on, and outside a
provider process (unit tests, the offline plan) there is no engine to tell.
"""

from __future__ import annotations

import re
import sys

import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

TIMEOUT_SECONDS = 5.0
_ADDRESS = re.compile(r"^[\w.\-]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$")


def engine_address(argv: list[str], main_module: str | None) -> str | None:
    """The engine's address when this process is a dynamic provider (its last argument)."""
    if main_module != "pulumi.dynamic.__main__" or len(argv) < 2:
        return None
    return argv[-1] if _ADDRESS.match(argv[-1]) else None


def warn(message: str) -> None:
    """One warning line in the operation's output (nothing outside a provider process)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    address = engine_address(sys.argv, getattr(spec, "name", None))
    if address is None:
        return
    request = engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message)
    try:
        with grpc.insecure_channel(address) as channel:
            engine_pb2_grpc.EngineStub(channel).Log(request, timeout=TIMEOUT_SECONDS)
    except grpc.RpcError:
        return
