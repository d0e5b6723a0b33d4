"""An in-process Kubernetes API server that knows GET and PUT of ConfigMaps, and nothing else.

The section provider's safety rests on how the real API server answers: a PUT carrying a stale
`metadata.resourceVersion` gets 409 Conflict, a missing object 404, both as `Status` JSON. The
tests drive the real `KubernetesConfigMapApi` and the official client over HTTP against this
server, so paths, query parameters and error mapping are exercised for real and only storage is
faked. Hooks let a test play the other writer (a GitOps sync, a human with `kubectl edit`) at
the worst moment: between the provider's read and its write.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

_CONFIG_MAP_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/configmaps/([^/]+)$")


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any] | None


class FakeKubeApi:
    """The server, its ConfigMaps, and the hooks; use it as a context manager.

    `inject_conflicts` answers that many upcoming PUTs with 409 without looking at them, and
    `before_next_put` runs once, just before the next PUT is judged, so that a change it makes
    through `edit_data` turns that PUT's resourceVersion stale, as a real concurrent writer would.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._objects: dict[tuple[str, str], dict[str, Any]] = {}
        self._last_version = 1000
        self.requests: list[LoggedRequest] = []
        self.inject_conflicts = 0
        self.before_next_put: Callable[[], None] | None = None
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> FakeKubeApi:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "fake API server did not stop"

    @property
    def host(self) -> str:
        address, port = self._server.server_address[:2]
        return f"http://{address!s}:{port}"

    def add_config_map(
        self,
        namespace: str,
        name: str,
        data: dict[str, str],
        *,
        labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None,
    ) -> None:
        metadata: dict[str, Any] = {
            "name": name,
            "namespace": namespace,
            "uid": f"uid-{namespace}-{name}",
            "creationTimestamp": "2026-02-01T00:00:00Z",
            "labels": labels or {},
            "annotations": annotations or {},
            "managedFields": [
                {
                    "manager": "argocd-controller",
                    "operation": "Apply",
                    "apiVersion": "v1",
                    "time": "2026-02-01T00:00:00Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:data": {"f:" + key: {} for key in data}},
                }
            ],
        }
        with self._lock:
            metadata["resourceVersion"] = self._next_version()
            self._objects[namespace, name] = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": metadata,
                "data": dict(data),
            }

    def get(self, namespace: str, name: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._objects[namespace, name])

    def edit_data(self, namespace: str, name: str, key: str, change: Callable[[str], str]) -> None:
        """Another writer's successful update of one data key."""
        with self._lock:
            stored = self._objects[namespace, name]
            stored["data"][key] = change(stored["data"][key])
            stored["metadata"]["resourceVersion"] = self._next_version()

    def delete_config_map(self, namespace: str, name: str) -> None:
        with self._lock:
            del self._objects[namespace, name]

    def puts(self) -> list[LoggedRequest]:
        return [request for request in self.requests if request.method == "PUT"]

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any] | None
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(LoggedRequest(method, path, query, body))
        match = _CONFIG_MAP_PATH.match(path)
        if match is None:
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        namespace, name = match.groups()
        if method == "PUT":
            assert body is not None
            hook, self.before_next_put = self.before_next_put, None
            if hook is not None:
                hook()
        with self._lock:
            stored = self._objects.get((namespace, name))
            if stored is None:
                return 404, _status(404, "NotFound", f'configmaps "{name}" not found', name)
            if method == "GET":
                return 200, copy.deepcopy(stored)
            assert body is not None
            return self._put(stored, body, name)

    def _put(
        self, stored: dict[str, Any], body: dict[str, Any], name: str
    ) -> tuple[int, dict[str, Any]]:
        sent_version = body.get("metadata", {}).get("resourceVersion")
        if self.inject_conflicts > 0:
            self.inject_conflicts -= 1
            return 409, _conflict(name)
        # Like the real server: no resourceVersion means an unconditional update.
        if sent_version and sent_version != stored["metadata"]["resourceVersion"]:
            return 409, _conflict(name)
        updated = copy.deepcopy(body)
        for server_owned in ("uid", "creationTimestamp"):
            updated["metadata"][server_owned] = stored["metadata"][server_owned]
        updated["metadata"]["resourceVersion"] = self._next_version()
        stored.clear()
        stored.update(updated)
        return 200, copy.deepcopy(stored)

    def _next_version(self) -> str:
        self._last_version += 1
        return str(self._last_version)


def _conflict(name: str) -> dict[str, Any]:
    message = (
        f'Operation cannot be fulfilled on configmaps "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    return _status(409, "Conflict", message, name)


def _status(code: int, reason: str, message: str, name: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if name is not None:
        status["details"] = {"name": name, "kind": "configmaps"}
    return status


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeKubeApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5  # a stuck client cannot hold a handler thread for longer

    def do_GET(self) -> None:
        self._respond("GET", None)

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self._respond("PUT", json.loads(self.rfile.read(length)))

    def _respond(self, method: str, body: dict[str, Any] | None) -> None:
        url = urlsplit(self.path)
        status, payload = self.server.fake.handle(method, url.path, parse_qs(url.query), body)
        encoded = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean; `FakeKubeApi.requests` is the log."""
