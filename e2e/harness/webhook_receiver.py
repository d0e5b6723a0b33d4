"""A webhook receiver on a free loopback port that records every request it gets.

Why our own: the assertion is about the exact bytes OpenClaw sends (`Authorization: Bearer
<token>`, once, nothing else), so the receiver keeps every header line as received instead of
a framework's normalised view. It runs in a thread of the test process and is closed by it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class Received:
    """One request: method, path, every header line in order, and the body."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> list[str]:
        """Every value sent under `name` (case-insensitive), in order."""
        return [value for key, value in self.headers if key.lower() == name.lower()]


class WebhookReceiver:
    """Answers 200 to every POST and remembers it; `wait_for` blocks until one arrives."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(
                    method="POST",
                    path=self.path,
                    headers=tuple(self.headers.items()),
                    body=self.rfile.read(length),
                )
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                with receiver._arrived:
                    receiver.requests.append(received)
                    receiver._arrived.notify_all()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: pytest shows what the assertions need."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self, path: str) -> list[Received]:
        with self._arrived:
            return [request for request in self.requests if request.path == path]

    def wait_for(self, path: str, timeout: float) -> Received:
        """The first request to `path`; fails after `timeout` seconds without one."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: self.received(path), timeout=timeout)
            if not arrived:
                raise TimeoutError(f"no request to {path} within {timeout} s")
            return arrived[0]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
