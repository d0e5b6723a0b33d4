"""How a stand-in says what it does, always under its own name.

Why two channels: the engine keeps a resource plugin's stderr out of `pulumi up`'s output (it
goes to the debug log, or is dumped if the plugin dies), so stderr alone would leave a reader of
the output unaware that a provider was a stand-in. Providers may also report through the engine's
Log service, whose address the engine passes as the plugin's argument; lines sent there show in
the output as info diagnostics, next to the resource they concern.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

LOG_TIMEOUT_SECONDS = 5.0


def engine_address(argv: Sequence[str]) -> str | None:
    """The engine's address among `[--logtostderr] [-v=N] [--tracing URL] ADDRESS`."""
    positional: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--tracing":
            skip = True
        elif not arg.startswith("-"):
            positional.append(arg)
    return positional[-1] if positional else None


class Reporter:
    """Reports on stderr, and to the engine when there is one (best effort: a report must never
    fail the operation it reports on). Every line starts with `label`."""

    def __init__(self, label: str, address: str | None) -> None:
        self.label = label
        channel = grpc.insecure_channel(address) if address else None
        self._engine = engine_pb2_grpc.EngineStub(channel) if channel else None

    def log(self, message: str) -> None:
        """One line on stderr only (what the engine does not need to show)."""
        sys.stderr.write(f"{self.label}: {message}\n")
        sys.stderr.flush()

    def __call__(self, message: str, urn: str = "") -> None:
        self.log(message)
        if self._engine is None:
            return
        request = engine_pb2.LogRequest(
            severity=engine_pb2.INFO, message=f"{self.label}: {message}", urn=urn
        )
        try:
            self._engine.Log(request, timeout=LOG_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            self.log(f"could not report to the engine at its address: {error.code()}")
            self._engine = None
