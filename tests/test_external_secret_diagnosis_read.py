"""The diagnosis's reads (`read_and_explain`) against the fake API server over HTTP: which
cluster it asks (the stack's kubeconfig and context), which ExternalSecret and store it reads (a
SecretStore in the namespace, a ClusterSecretStore at cluster scope), which events it lists
(the ExternalSecret's own, by its uid), and that only a 404 means "does not exist".

Why through HTTP: the message is only as good as the objects it was built from. A store read
at the wrong scope, or the namespace's events listed without the uid selector, still gives a
fluent message, naming another store's state or another object's warning, and the user then
fixes the wrong thing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from fake_kube_api import LoggedRequest
from fake_kube_objects import FakeKubeObjects

from stages.external_secret.diagnosis import read_and_explain
from stages.kube_connection import KubeTarget

NS, NAME, UID = "openclaw", "openclaw-cron-webhook-r1", "0d6c2f9e-r1"
ESO = "/apis/external-secrets.io/v1"
ES_PATH = f"{ESO}/namespaces/{NS}/externalsecrets/{NAME}"
CLUSTER_STORE = f"{ESO}/clustersecretstores/parameterstore"
NAMESPACED_STORE = f"{ESO}/namespaces/{NS}/secretstores/parameterstore"
EVENTS = f"/api/v1/namespaces/{NS}/events"
TIMED_OUT = "failed to fully initialize or become live: timed out waiting for the condition"
MISSING_KEY = 'could not fetch SecretAccessKey secret: cannot find secret data for key: "key"'
FIX = (
    "Nothing after this stage was changed (no env entry, no section, no pod restarted). Fix the "
    f"store or the parameter (`kubectl -n {NS} describe externalsecret {NAME}`), then run "
    "`pulumi up` again."
)


def ready(status: str, reason: str, message: str, **metadata: Any) -> dict[str, Any]:
    conditions = [{"type": "Ready", "status": status, "reason": reason, "message": message}]
    return {"metadata": metadata, "status": {"conditions": conditions}}


def event(uid: str, type_: str, reason: str, message: str, last: str) -> dict[str, Any]:
    """A core/v1 Event as ESO's recorder writes it."""
    return {
        "metadata": {"name": f"{NAME}.{reason}.{last}", "namespace": NS},
        "involvedObject": {"kind": "ExternalSecret", "namespace": NS, "name": NAME, "uid": uid},
        "type": type_,
        "reason": reason,
        "message": message,
        "lastTimestamp": f"2026-12-07T10:00:0{last}Z",
    }


class Cluster(FakeKubeObjects):
    """The shared fake with objects served by path (the ESO objects), chosen paths answered 403,
    and the namespace's events, filtered by `fieldSelector` as the API server does."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []
        self.forbidden: set[str] = set()

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: dict[str, Any] | None,
        content_type: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        if path in self.forbidden or (method == "GET" and path == EVENTS):
            self.requests.append(LoggedRequest(method, path, query, body, content_type))
        if path in self.forbidden:
            message = f'user "ci" cannot get {path}'
            return 403, {"kind": "Status", "reason": "Forbidden", "code": 403, "message": message}
        if method == "GET" and path == EVENTS:
            selector = (query.get("fieldSelector") or [""])[0]
            terms = [term.split("=", 1) for term in selector.split(",") if term]
            items = [
                copy.deepcopy(e)
                for e in self.events
                if all(e["involvedObject"][key.split(".")[1]] == value for key, value in terms)
            ]
            return 200, {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": items}
        return super().handle(method, path, query, body, content_type)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A failed ExternalSecret with ESO's warnings about it, and a warning about another object
    in the same namespace, newer than all of them."""
    fake = Cluster()
    fake.objects[ES_PATH] = ready(
        "False", "SecretSyncedError", "could not get secret data from provider", uid=UID
    )
    fake.events = [
        event(UID, "Warning", "UpdateFailed", "an older warning", "1"),
        event(UID, "Warning", "UpdateFailed", MISSING_KEY, "3"),
        event(UID, "Normal", "Created", "created", "4"),
        event("other-uid", "Warning", "UpdateFailed", "about another object", "5"),
    ]
    with fake:
        yield fake


def target(fake: Cluster) -> KubeTarget:
    """The stack's kubeconfig (contents) and context: the current context is another cluster,
    which refuses connections, so only the stack's context reaches the fake."""
    servers = {"stage": fake.host, "prod": "http://127.0.0.1:9"}
    contents = yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "prod",
            "clusters": [{"name": n, "cluster": {"server": s}} for n, s in servers.items()],
            "users": [{"name": "ci", "user": {"token": "not-a-real-token"}}],
            "contexts": [{"name": n, "context": {"cluster": n, "user": "ci"}} for n in servers],
        }
    )
    return KubeTarget(kubeconfig=contents, context="stage")


def test_a_cluster_store_and_only_the_external_secret_s_own_warnings_are_read(
    cluster: Cluster,
) -> None:
    """A namespaced SecretStore of the same name exists too: the ClusterSecretStore the
    ExternalSecret names is the one described."""
    cluster.objects[CLUSTER_STORE] = ready("False", "InvalidProviderConfig", "no credentials")
    cluster.objects[NAMESPACED_STORE] = ready("True", "Valid", "store validated")

    message = read_and_explain(
        target(cluster), NS, NAME, "ClusterSecretStore", "parameterstore", 45, TIMED_OUT
    )

    assert message.splitlines() == [
        f"ExternalSecret {NS}/{NAME} was not synced within 45 s (timeouts.externalSecretSeconds): "
        "Ready=False, SecretSyncedError: could not get secret data from provider.",
        "Its store, ClusterSecretStore parameterstore: Ready=False, InvalidProviderConfig: no "
        "credentials.",
        f"ESO's last warning about it (UpdateFailed): {MISSING_KEY}",
        FIX,
    ]
    (listed,) = [r for r in cluster.requests if r.path == EVENTS]
    assert listed.query["fieldSelector"] == [f"involvedObject.uid={UID}"]


def test_a_secret_store_is_read_in_the_namespace_and_an_interrupted_wait_said(
    cluster: Cluster,
) -> None:
    cluster.objects[NAMESPACED_STORE] = ready("False", "InvalidProviderConfig", "no credentials")
    cluster.objects[CLUSTER_STORE] = ready("True", "Valid", "store validated")
    interrupted = "failed to fully initialize or become live: context canceled"

    message = read_and_explain(
        target(cluster), NS, NAME, "SecretStore", "parameterstore", 45, interrupted
    )

    assert message.splitlines()[:2] == [
        f"ExternalSecret {NS}/{NAME} was not synced when its wait was interrupted: Ready=False, "
        "SecretSyncedError: could not get secret data from provider.",
        "Its store, SecretStore parameterstore: Ready=False, InvalidProviderConfig: no "
        "credentials.",
    ]


def test_a_store_the_api_server_does_not_have_is_said_missing(cluster: Cluster) -> None:
    message = read_and_explain(target(cluster), NS, NAME, "SecretStore", "typo", 45, TIMED_OUT)

    assert message.splitlines()[1] == (
        "Its store, SecretStore typo, does not exist: check externalSecret.storeName and "
        "externalSecret.storeKind."
    )


def test_a_store_the_diagnosis_may_not_read_is_not_called_missing(cluster: Cluster) -> None:
    """Only a 404 means absent: a 403 (the stack's identity may not get the store) would
    otherwise send the user to fix a store name that is right."""
    cluster.forbidden.add(CLUSTER_STORE)

    message = read_and_explain(
        target(cluster), NS, NAME, "ClusterSecretStore", "parameterstore", 45, TIMED_OUT
    )

    said = f"ExternalSecret {NS}/{NAME} did not sync; reading why failed too: (403)\nReason: "
    assert message.startswith(said)
    assert f'user \\"ci\\" cannot get {CLUSTER_STORE}' in message


def test_an_external_secret_the_api_server_does_not_have_lists_no_events(
    cluster: Cluster,
) -> None:
    del cluster.objects[ES_PATH]

    message = read_and_explain(
        target(cluster), NS, NAME, "ClusterSecretStore", "parameterstore", 45, TIMED_OUT
    )

    assert message == (
        f"ExternalSecret {NS}/{NAME} does not exist: the API server did not accept it (see the "
        "error below)."
    )
    assert [r.path for r in cluster.requests] == [ES_PATH, CLUSTER_STORE]
