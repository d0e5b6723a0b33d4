"""The Analyzer server a policy pack hides behind while it starts (sdk/policy_proxy.go).

Why a proxy: the engine starts a Python pack through the language host's `RunPlugin`, reads a
port from its stdout and then sends the stack (`ConfigureStack`). Packs written for
`pulumi_policy` expect that stack in their environment before they start (`PULUMI_PROJECT`,
`PULUMI_STACK`, `PULUMI_CONFIG`…). So the real host serves this proxy first, prints *its* port,
waits for `ConfigureStack`, only then starts the pack with that environment, reads the pack's
port, forwards the configuration, and relays every other Analyzer call to the pack unchanged.

Calls are relayed as raw bytes (every Analyzer method is unary), so the proxy does not depend
on which Analyzer messages this SDK's protobufs know.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent import futures
from typing import IO, Any

import grpc
from pulumi.runtime.proto import analyzer_pb2

SERVICE = "/pulumirpc.Analyzer/"
WORKERS = 8
STOP_GRACE_SECONDS = 2  # calls in flight finish; new ones are refused at once


class PolicyProxy(grpc.GenericRpcHandler):
    """One pack's proxy: serve at once, `await_configuration`, `attach` the pack, `close`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._configured = threading.Event()
        self._config: analyzer_pb2.AnalyzerStackConfigureRequest | None = None
        self._settled = threading.Event()  # the pack is attached, or will never be
        self._channel: grpc.Channel | None = None
        self._failure = ""
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKERS))
        self._server.add_generic_rpc_handlers((self,))
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()

    # --- what the engine sees ---------------------------------------------------------------

    def service(self, handler_call_details: Any) -> grpc.RpcMethodHandler | None:
        method: str = handler_call_details.method
        if method == SERVICE + "ConfigureStack":
            return grpc.unary_unary_rpc_method_handler(
                self._configure_stack,
                request_deserializer=analyzer_pb2.AnalyzerStackConfigureRequest.FromString,
                response_serializer=analyzer_pb2.AnalyzerStackConfigureResponse.SerializeToString,
            )
        if method == SERVICE + "Handshake":
            return grpc.unary_unary_rpc_method_handler(
                lambda request, context: analyzer_pb2.AnalyzerHandshakeResponse(),
                request_deserializer=analyzer_pb2.AnalyzerHandshakeRequest.FromString,
                response_serializer=analyzer_pb2.AnalyzerHandshakeResponse.SerializeToString,
            )
        if method.startswith(SERVICE):
            return grpc.unary_unary_rpc_method_handler(self._relay(method))
        return None

    def _configure_stack(
        self, request: analyzer_pb2.AnalyzerStackConfigureRequest, context: Any
    ) -> analyzer_pb2.AnalyzerStackConfigureResponse:
        self._fulfil(request)
        return analyzer_pb2.AnalyzerStackConfigureResponse()

    def _relay(self, method: str) -> Callable[[bytes, grpc.ServicerContext], bytes]:
        def relay(request: bytes, context: grpc.ServicerContext) -> bytes:
            # A call before ConfigureStack (e.g. `pulumi policy publish`) means: no stack.
            self._fulfil(None)
            self._settled.wait()
            channel = self._channel
            if channel is None:
                context.abort(grpc.StatusCode.UNKNOWN, f"policy pack not started: {self._failure}")
                raise AssertionError("context.abort returned")  # pragma: no cover
            call = channel.unary_unary(method)
            try:
                answer: bytes = call(request)
            except grpc.RpcError as error:
                context.abort(error.code(), error.details() or "")
            return answer

        return relay

    def _fulfil(self, config: analyzer_pb2.AnalyzerStackConfigureRequest | None) -> None:
        """The first answer wins, as with the real proxy's promise."""
        with self._lock:
            if not self._configured.is_set():
                self._config = config
                self._configured.set()

    # --- what RunPlugin does ----------------------------------------------------------------

    def await_configuration(
        self, still_wanted: Callable[[], bool]
    ) -> tuple[bool, analyzer_pb2.AnalyzerStackConfigureRequest | None]:
        """(whether it came, the stack or None); gives up when the request is no longer wanted."""
        while not self._configured.wait(timeout=0.2):
            if not still_wanted():
                return False, None
        return True, self._config

    def attach(self, pack_stdout: IO[bytes]) -> None:
        """Read the pack's port (its first stdout line), connect, forward the configuration.

        Raises AttachError with the real proxy's words when the pack never prints a port or
        refuses its configuration; every waiting Analyzer call then fails with them.
        """
        line = pack_stdout.readline()
        try:
            port = int(line.strip())
        except ValueError:
            reason = "EOF" if not line else f"expected integer, got {line!r}"
            raise self._fail(f"could not read policy pack port: {reason}") from None
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        if self._config is not None:
            configure = channel.unary_unary(
                SERVICE + "ConfigureStack",
                request_serializer=analyzer_pb2.AnalyzerStackConfigureRequest.SerializeToString,
                response_deserializer=analyzer_pb2.AnalyzerStackConfigureResponse.FromString,
            )
            try:
                configure(self._config, wait_for_ready=True, timeout=30)
            except grpc.RpcError as error:
                # Packs older than ConfigureStack answer Unimplemented; that is fine.
                if error.code() != grpc.StatusCode.UNIMPLEMENTED:
                    channel.close()
                    raise self._fail(
                        f"policy pack configuration failed: {error.details()}"
                    ) from None
        self._channel = channel
        self._settled.set()

    def _fail(self, reason: str) -> AttachError:
        self._failure = reason
        self._settled.set()
        return AttachError(reason)

    def close(self, reason: str = "policy pack stopped") -> None:
        """Stop serving; calls still waiting for the pack fail with `reason`.

        The grace lets a call that has just been answered (e.g. with the attach failure) get
        its answer out; without it the stop races the answer and the engine sees
        "Cancelling all calls" instead of the reason (seen under load in CI).
        """
        if not self._settled.is_set():
            self._fail(reason)
        self._server.stop(grace=STOP_GRACE_SECONDS)
        if self._channel is not None:
            self._channel.close()


class AttachError(RuntimeError):
    """The pack could not be attached; the message is the real proxy's."""
