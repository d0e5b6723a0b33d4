"""Serve the stand-in the way the engine expects a provider plugin to start.

The engine runs `pulumi-resource-aws [--logtostderr] [-v=N] [--tracing URL] ENGINE_ADDRESS`,
reads one line from stdout (the port of a gRPC server on loopback) and then talks gRPC. Of the
arguments the stand-in uses only the engine's address, to report through its Log service (see
`report`); it accepts and ignores the others.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from concurrent import futures
from types import FrameType

import grpc
from pulumi.runtime.proto import provider_pb2_grpc

from e2e.aws_standin.report import Reporter, engine_address, log
from e2e.aws_standin.server import StandinProvider, sdk_version


def serve(argv: list[str]) -> int:
    """Start on 127.0.0.1 with a free port, print it, and serve until told to stop."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(
        StandinProvider(os.environ, Reporter(engine_address(argv))), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    log(f"pulumi-resource-aws stand-in for pulumi-aws {sdk_version()} listening on port {port}")
    stopped.wait()
    server.stop(grace=1).wait()
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:]))
