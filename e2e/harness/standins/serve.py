"""Serve a stand-in the way the engine expects a provider plugin to start.

The engine runs `pulumi-resource-<pkg> [--logtostderr] [-v=N] [--tracing URL] ENGINE_ADDRESS`,
reads one line from stdout (the port of a gRPC server on loopback) and then talks gRPC. Of the
arguments a stand-in uses only the engine's address, to report through its Log service (see
`report`); it accepts and ignores the others.
"""

from __future__ import annotations

import os
import signal
import threading
from concurrent import futures
from types import FrameType

import grpc
from pulumi.runtime.proto import provider_pb2_grpc

from e2e.harness.standins.report import Reporter, engine_address
from e2e.harness.standins.service import Factory, StandinService, sdk_version


def serve(factory: Factory, argv: list[str]) -> int:
    """Start on 127.0.0.1 with a free port, print it, and serve until told to stop."""
    report = Reporter(factory.label, engine_address(argv))
    standin = factory(os.environ, report)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(StandinService(standin), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(port, flush=True)
    package, version = factory.package, sdk_version(factory.distribution)
    report.log(f"pulumi-resource-{package} stand-in for pulumi-{package} {version} on port {port}")
    stopped.wait()
    server.stop(grace=1).wait()
    return 0
