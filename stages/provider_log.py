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
import socket
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


def _own_engine() -> str | None:
    main = sys.modules.get("__main__")
    return engine_address(sys.argv, getattr(getattr(main, "__spec__", None), "name", None))


def engine_gone(timeout: float = 2.0) -> bool:
    """True when this is a provider process whose engine no longer answers.

    The engine kills its plugins when it ends normally, even on a second Ctrl-C; a CLI killed
    outright (SIGKILL, OOM, a cancelled CI job) leaves them running. Whatever such an orphan
    would still do to the cluster, nobody asked for any more, and a newer run may be doing it.
    """
    address = _own_engine()
    if address is None:
        return False
    host, port = address.rsplit(":", 1)
    # A TCP connect, not a gRPC channel: a dead engine's port refuses at once, where a channel
    # would retry with backoff until the timeout.
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            return False
    except OSError:
        return True


def warn(message: str) -> None:
    """One warning line in the operation's output (nothing outside a provider process)."""
    address = _own_engine()
    if address is None:
        return
    request = engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message)
    try:
        with grpc.insecure_channel(address) as channel:
            engine_pb2_grpc.EngineStub(channel).Log(request, timeout=TIMEOUT_SECONDS)
    except grpc.RpcError:
        return
