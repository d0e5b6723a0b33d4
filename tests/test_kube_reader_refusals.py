"""verify's Kubernetes reads (stages.kube_reader.ClusterReader) refused or unanswered.

Each refusal must say which verb on which object was refused, what is likely wrong and the one
command that helps, in our words: the API server's message and the client library's text are
never repeated (they may quote anything); the `Status` reason is. A proxy's answer that is not
a Kubernetes `Status` comes from a raw HTTP server.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fake_kube_objects import FakeKubeObjects
from kubernetes.client import ApiClient, Configuration

from stages.hop import CannotRead
from stages.kube_reader import ClusterReader
from stages.redaction import Redactor

NS, STORE, R2 = "openclaw", "parameterstore", "openclaw-cron-webhook-r2"
PERMISSIONS_FIX = "./bin/verify --stack dev --print-permissions"
KUBECTL = "kubectl --kubeconfig ~/.kube/prod --context prod"
CLUSTER_STORE = 'clustersecretstores.external-secrets.io "parameterstore" (cluster-wide)'
NAMESPACED_STORE = 'secretstores.external-secrets.io "parameterstore" in namespace openclaw'

# Each read verify makes: the call, its RBAC verb, what it reads, the kubectl read that shows
# the API server's own message.
READS = [
    pytest.param(
        lambda reader: reader.secret_store("ClusterSecretStore", NS, STORE),
        "get",
        CLUSTER_STORE,
        f"{KUBECTL} get clustersecretstores.external-secrets.io parameterstore",
        id="cluster store",
    ),
    pytest.param(
        lambda reader: reader.secret_store("SecretStore", NS, STORE),
        "get",
        NAMESPACED_STORE,
        f"{KUBECTL} get secretstores.external-secrets.io parameterstore -n openclaw",
        id="store",
    ),
    pytest.param(
        lambda reader: reader.external_secret(NS, R2),
        "get",
        f'externalsecrets.external-secrets.io "{R2}" in namespace openclaw',
        f"{KUBECTL} get externalsecrets.external-secrets.io {R2} -n openclaw",
        id="external secret",
    ),
    pytest.param(
        lambda reader: reader.secret(NS, R2, "KEY"),
        "get",
        f'secrets "{R2}" in namespace openclaw',
        f"{KUBECTL} get secrets {R2} -n openclaw",
        id="secret",
    ),
    pytest.param(
        lambda reader: reader.config_map(NS, "openclaw-config"),
        "get",
        'configmaps "openclaw-config" in namespace openclaw',
        f"{KUBECTL} get configmaps openclaw-config -n openclaw",
        id="config map",
    ),
    pytest.param(
        lambda reader: reader.deployment(NS, "openclaw"),
        "get",
        'deployments.apps "openclaw" in namespace openclaw',
        f"{KUBECTL} get deployments.apps openclaw -n openclaw",
        id="deployment",
    ),
    pytest.param(
        lambda reader: reader.pods(NS, "app=openclaw"),
        "list",
        "pods in namespace openclaw",
        f"{KUBECTL} get pods -n openclaw",
        id="pods",
    ),
]


def reader_of(host: str) -> ClusterReader:
    return ClusterReader(ApiClient(Configuration(host=host)), Redactor(), PERMISSIONS_FIX, KUBECTL)


def refusal(read: Callable[[ClusterReader], Any], status: int) -> tuple[str, str, str]:
    cluster = FakeKubeObjects()
    with cluster:
        cluster.fail_next("GET", status)
        with pytest.raises(CannotRead) as refused:
            read(reader_of(cluster.host))
    return refused.value.summary, refused.value.cause, refused.value.fix


@pytest.mark.parametrize(("read", "verb", "what", "kubectl"), READS)
def test_a_denied_read_names_the_verb_the_object_and_the_command_that_prints_the_role(
    read: Callable[[ClusterReader], Any], verb: str, what: str, kubectl: str
) -> None:
    assert refusal(read, 403) == (
        f"Kubernetes denies `{verb}` on {what} (403 Forbidden)",
        f"verify's Kubernetes identity may not `{verb}` {what}",
        f"{PERMISSIONS_FIX}   (grant the Role it prints)",
    )


@pytest.mark.parametrize(("read", "verb", "what", "kubectl"), READS)
def test_a_failing_read_gives_the_status_reason_and_the_kubectl_read_that_shows_the_message(
    read: Callable[[ClusterReader], Any], verb: str, what: str, kubectl: str
) -> None:
    assert refusal(read, 500) == (
        f"`{verb}` {what} failed: 500 InternalError",
        "the API server answered 500 InternalError",
        f"{kubectl}   (the same read with kubectl shows the API server's message)",
    )


def test_without_the_stacks_kube_options_the_kubectl_read_is_plain_kubectl() -> None:
    """A reader given no kubectl spelling prints plain `kubectl`: KUBECONFIG's current context,
    as verify spells it for a stack that names no --context or --kubeconfig."""
    cluster = FakeKubeObjects()
    with cluster:
        cluster.fail_next("GET", 500)
        reader = ClusterReader(ApiClient(Configuration(host=cluster.host)), Redactor(), "x")
        with pytest.raises(CannotRead) as failed:
            reader.config_map(NS, "openclaw-config")
    assert failed.value.fix == (
        "kubectl get configmaps openclaw-config -n openclaw   (the same read with kubectl shows "
        "the API server's message)"
    )


def test_rejected_credentials_send_the_user_to_renew_them() -> None:
    assert refusal(lambda reader: reader.config_map(NS, "openclaw-config"), 401) == (
        "Kubernetes rejects the credentials (401 Unauthorized)",
        "the kubeconfig's credentials are invalid or expired",
        "kubectl auth whoami   (then renew the credentials of that context)",
    )


def test_an_api_server_that_does_not_answer_is_named_by_its_address() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        host = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(CannotRead) as unreachable:
        reader_of(host).deployment(NS, "openclaw")
    assert (unreachable.value.summary, unreachable.value.cause, unreachable.value.fix) == (
        f"cannot reach the Kubernetes API at {host} (MaxRetryError)",
        "the cluster is unreachable: wrong kube context or kubeconfig, VPN, or the API server is "
        "down",
        "pulumi config get kubernetes:context   (the context verify uses; else KUBECONFIG's "
        "current one)",
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
        ("504 Gateway Timeout", b'"upstream request timeout"', "504 Gateway Timeout"),
        ("503 Service Unavailable", b'["no healthy upstream"]', "503 Service Unavailable"),
    ],
)
def test_an_answer_that_is_not_a_kubernetes_status_is_named_by_its_http_reason(
    status_line: str, body: bytes, answered: str
) -> None:
    """Without a `Status` reason, the HTTP reason phrase names the answer; without either, the
    code stands alone (nothing is made up). A JSON body need not be an object."""
    with raw_server(status_line, body) as host, pytest.raises(CannotRead) as failed:
        reader_of(host).config_map(NS, "openclaw-config")
    what = 'configmaps "openclaw-config" in namespace openclaw'
    assert (failed.value.summary, failed.value.cause) == (
        f"`get` {what} failed: {answered}",
        f"the API server answered {answered}",
    )
