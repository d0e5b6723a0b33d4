"""verify's Kubernetes reads (stages.kube_reader.ClusterReader) over HTTP, object by object.

Why here and not only end to end (tests/process/test_verify_live.py): each read must ask the API
server for exactly its object (the namespaced SecretStore and the cluster-wide store live at
different paths), and each refusal must say which verb on which object was refused, what is
likely wrong and the one command that helps, in our words, never the client library's text.
The fake API server is tests/fake_kube_api.py, extended here with the ESO objects and Secrets;
a proxy's answer that is not a Kubernetes `Status` comes from a raw HTTP server.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fake_kube_api import FakeKubeApi, LoggedRequest
from kubernetes.client import ApiClient, Configuration

from stages.hop import CannotRead
from stages.kube_reader import ClusterReader
from stages.redaction import Redactor

NS, STORE = "openclaw", "parameterstore"
ESO = "/apis/external-secrets.io/v1"
CLUSTER_STORE_PATH = f"{ESO}/clustersecretstores/{STORE}"
NAMESPACED_STORE_PATH = f"{ESO}/namespaces/{NS}/secretstores/{STORE}"
PERMISSIONS_FIX = "./bin/verify --stack dev --permissions"
KUBECTL = "kubectl --kubeconfig ~/.kube/prod --context prod"


class Cluster(FakeKubeApi):
    """The shared fake, plus objects served by path (ESO's objects, Secrets); an error queued
    with `fail_next` still comes first."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, dict[str, Any]] = {}

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: dict[str, Any] | None,
        content_type: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            failing = any(failure[0] == method for failure in self._failures)
            if method == "GET" and path in self.objects and not failing:
                self.requests.append(LoggedRequest(method, path, query, None))
                return 200, copy.deepcopy(self.objects[path])
        return super().handle(method, path, query, body, content_type)


def reader_of(host: str, redactor: Redactor | None = None) -> ClusterReader:
    return ClusterReader(
        ApiClient(Configuration(host=host)), redactor or Redactor(), PERMISSIONS_FIX, KUBECTL
    )


def store(name: str, message: str) -> dict[str, Any]:
    condition = {"type": "Ready", "status": "True", "reason": "Valid", "message": message}
    return {"metadata": {"name": name}, "status": {"conditions": [condition]}}


def test_each_store_kind_is_read_at_its_own_path() -> None:
    """A SecretStore lives in the ExternalSecret's namespace, a ClusterSecretStore in none: the
    two of the same name are different objects, and each kind must get its own."""
    cluster = Cluster()
    with cluster:
        cluster.objects[CLUSTER_STORE_PATH] = store(STORE, "the cluster-wide one")
        cluster.objects[NAMESPACED_STORE_PATH] = store(STORE, "the namespace's one")
        reader = reader_of(cluster.host)
        assert reader.secret_store("ClusterSecretStore", NS, STORE) == store(
            STORE, "the cluster-wide one"
        )
        assert reader.secret_store("SecretStore", NS, STORE) == store(STORE, "the namespace's one")
        assert [r.path for r in cluster.requests] == [CLUSTER_STORE_PATH, NAMESPACED_STORE_PATH]


def test_a_missing_store_of_either_kind_is_none() -> None:
    cluster = Cluster()
    with cluster:
        reader = reader_of(cluster.host)
        assert reader.secret_store("ClusterSecretStore", NS, STORE) is None
        assert reader.secret_store("SecretStore", NS, STORE) is None
        assert [r.path for r in cluster.requests] == [CLUSTER_STORE_PATH, NAMESPACED_STORE_PATH]


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        (
            "ClusterSecretStore",
            'clustersecretstores.external-secrets.io "parameterstore" (cluster-wide)',
        ),
        ("SecretStore", 'secretstores.external-secrets.io "parameterstore" in namespace openclaw'),
    ],
)
def test_a_denied_store_read_names_the_verb_the_store_and_where_it_lives(
    kind: str, what: str
) -> None:
    cluster = Cluster()
    with cluster:
        cluster.fail_next("GET", 403)
        with pytest.raises(CannotRead) as denied:
            reader_of(cluster.host).secret_store(kind, NS, STORE)
    assert (denied.value.summary, denied.value.cause, denied.value.fix) == (
        f"Kubernetes denies `get` on {what} (403 Forbidden)",
        f"verify's Kubernetes identity may not `get` {what}",
        f"{PERMISSIONS_FIX}   (grant the Role it prints)",
    )


@pytest.mark.parametrize(
    ("kind", "what", "kubectl"),
    [
        (
            "ClusterSecretStore",
            'clustersecretstores.external-secrets.io "parameterstore" (cluster-wide)',
            f"{KUBECTL} get clustersecretstores.external-secrets.io parameterstore",
        ),
        (
            "SecretStore",
            'secretstores.external-secrets.io "parameterstore" in namespace openclaw',
            f"{KUBECTL} get secretstores.external-secrets.io parameterstore -n openclaw",
        ),
    ],
)
def test_a_failing_store_read_gives_the_kubectl_command_that_shows_the_servers_message(
    kind: str, what: str, kubectl: str
) -> None:
    """The API server's own message is not repeated (it may quote anything); its `Status`
    reason is, and the same read with kubectl shows the rest."""
    cluster = Cluster()
    with cluster:
        cluster.fail_next("GET", 500)
        with pytest.raises(CannotRead) as failed:
            reader_of(cluster.host).secret_store(kind, NS, STORE)
    assert (failed.value.summary, failed.value.cause, failed.value.fix) == (
        f"`get` {what} failed: 500 InternalError",
        "the API server answered 500 InternalError",
        f"{kubectl}   (the same read with kubectl shows the API server's message)",
    )


def test_rejected_credentials_send_the_user_to_renew_them() -> None:
    cluster = Cluster()
    with cluster:
        cluster.fail_next("GET", 401)
        with pytest.raises(CannotRead) as rejected:
            reader_of(cluster.host).config_map(NS, "openclaw-config")
    assert (rejected.value.summary, rejected.value.cause, rejected.value.fix) == (
        "Kubernetes rejects the credentials (401 Unauthorized)",
        "the kubeconfig's credentials are invalid or expired",
        "kubectl auth whoami   (then renew the credentials of that context)",
    )


@contextmanager
def raw_server(status_line: str, body: bytes) -> Iterator[str]:
    """An HTTP server that answers every request with this status line and body, as a proxy or
    load balancer in front of the API server may (an HTML error page, a JSON of its own)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.wfile.write(f"HTTP/1.1 {status_line}\r\n".encode())
            self.wfile.write(f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode())
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output clean."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.002})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize(
    ("status_line", "body", "answered"),
    [
        ("502 Bad Gateway", b"<html><body>upstream connect error</body></html>", "502 Bad Gateway"),
        ("503 Service Unavailable", b'{"error": "no healthy upstream"}', "503 Service Unavailable"),
        ("502 ", b"<html>upstream connect error</html>", "502 "),
        ("503 ", b'{"error": "no healthy upstream"}', "503 "),
    ],
)
def test_an_answer_that_is_not_a_kubernetes_status_is_named_by_its_http_reason(
    status_line: str, body: bytes, answered: str
) -> None:
    """Without a `Status` reason, the HTTP reason phrase names the answer; without either, the
    code stands alone (nothing is made up)."""
    with raw_server(status_line, body) as host, pytest.raises(CannotRead) as failed:
        reader_of(host).config_map(NS, "openclaw-config")
    what = 'configmaps "openclaw-config" in namespace openclaw'
    assert (failed.value.summary, failed.value.cause) == (
        f"`get` {what} failed: {answered}",
        f"the API server answered {answered}",
    )
