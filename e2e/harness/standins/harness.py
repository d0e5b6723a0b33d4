"""Start a stand-in exactly as the engine does, for the stand-ins' own tests.

Why it lives beside the stand-ins: each stand-in is tested over its real gRPC interface before
any `pulumi up` (so that a failing stack run can be pinned on the stand-in or cleared of it),
and those tests all need the same things: the launcher script run from a foreign cwd with the
engine's address, the port read from stdout, the engine's Log service faked to see what
`pulumi up` would show, and the process stopped by pid with every stderr line naming it.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2_grpc

BIN = Path(__file__).resolve().parent / "bin"
START_TIMEOUT = 30.0


class FakeEngine(engine_pb2_grpc.EngineServicer):
    """The engine's Log service, which stand-ins report to: what a `pulumi up` would show."""

    def __init__(self) -> None:
        self.logs: list[engine_pb2.LogRequest] = []

    def Log(self, request: engine_pb2.LogRequest, context: Any) -> empty_pb2.Empty:
        self.logs.append(request)
        return empty_pb2.Empty()


@contextmanager
def fake_engine() -> Iterator[tuple[FakeEngine, str]]:
    """A FakeEngine served on loopback, and its address."""
    fake = FakeEngine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(fake, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield fake, f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None)


@dataclass
class Plugin:
    stub: provider_pb2_grpc.ResourceProviderStub
    process: subprocess.Popen[str]


def start_plugin(package: str, env: dict[str, str], cwd: Path, engine_address: str) -> Plugin:
    """As the engine does: run `bin/pulumi-resource-<package>` with its address, read the port."""
    process = subprocess.Popen(
        [str(BIN / f"pulumi-resource-{package}"), "--logtostderr", "-v=9", engine_address],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    port = int(process.stdout.readline().strip())
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    grpc.channel_ready_future(channel).result(timeout=START_TIMEOUT)
    return Plugin(provider_pb2_grpc.ResourceProviderStub(channel), process)


def stop(process: subprocess.Popen[Any]) -> None:
    """By pid: TERM, then KILL if it does not go."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def stop_plugin(plugin: Plugin, label: str) -> list[str]:
    """Stop it by pid; its stderr lines, each of which must name the stand-in."""
    stop(plugin.process)
    assert plugin.process.stderr is not None
    lines = plugin.process.stderr.read().splitlines()
    assert lines, "the stand-in announces itself on stderr"
    assert all(line.startswith(label) for line in lines), lines
    return lines
