"""verify's Kubernetes reads (stages.kube_reader.ClusterReader) over HTTP: what each returns.

Why here and not only end to end (tests/process/test_verify_live.py): each read must ask the API
server for exactly its object (the namespaced SecretStore and the cluster-wide store live at
different paths, pods are listed by the Deployment's selector), hand the stages the object as
the API server spells it (camelCase), and keep of a Secret only its keys, one value's digest
and length, and its controller: the value itself leaves only through the Redactor.
Refusals are tests/test_kube_reader_refusals.py.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from fake_kube_objects import FakeKubeObjects
from kubernetes.client import ApiClient, Configuration

from stages.kube_reader import ClusterReader, SecretFacts
from stages.redaction import Redactor

NS, STORE = "openclaw", "parameterstore"
R2, KEY = "openclaw-cron-webhook-r2", "OPENCLAW_CRON_WEBHOOK_TOKEN"
TOKEN = "5f" * 32
ESO = "/apis/external-secrets.io/v1"
CLUSTER_STORE_PATH = f"{ESO}/clustersecretstores/{STORE}"
NAMESPACED_STORE_PATH = f"{ESO}/namespaces/{NS}/secretstores/{STORE}"
ES_PATH = f"{ESO}/namespaces/{NS}/externalsecrets/{R2}"
SECRET_PATH = f"/api/v1/namespaces/{NS}/secrets/{R2}"


def reader_of(host: str, redactor: Redactor | None = None) -> ClusterReader:
    return ClusterReader(ApiClient(Configuration(host=host)), redactor or Redactor(), "x")


def store(message: str) -> dict[str, Any]:
    condition = {"type": "Ready", "status": "True", "reason": "Valid", "message": message}
    return {"metadata": {"name": STORE}, "status": {"conditions": [condition]}}


def test_each_store_kind_is_read_at_its_own_path() -> None:
    """A SecretStore lives in the ExternalSecret's namespace, a ClusterSecretStore in none: the
    two of the same name are different objects, and each kind must get its own."""
    cluster = FakeKubeObjects()
    with cluster:
        cluster.objects[CLUSTER_STORE_PATH] = store("the cluster-wide one")
        cluster.objects[NAMESPACED_STORE_PATH] = store("the namespace's one")
        reader = reader_of(cluster.host)
        assert reader.secret_store("ClusterSecretStore", NS, STORE) == store("the cluster-wide one")
        assert reader.secret_store("SecretStore", NS, STORE) == store("the namespace's one")
        assert [r.path for r in cluster.requests] == [CLUSTER_STORE_PATH, NAMESPACED_STORE_PATH]


def test_the_external_secret_the_config_map_and_the_deployment_as_the_api_server_spells_them() -> (
    None
):
    external_secret = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": R2, "namespace": NS},
        "spec": {"secretStoreRef": {"name": STORE, "kind": "ClusterSecretStore"}},
        "status": {"refreshTime": "2026-11-30T08:51:55Z"},
    }
    app = {"name": "openclaw", "image": "openclaw:1", "env": [{"name": "NODE_ENV", "value": "x"}]}
    cluster = FakeKubeObjects()
    with cluster:
        cluster.objects[ES_PATH] = external_secret
        cluster.add_config_map(NS, "openclaw-config", {"openclaw.json": '{"cron": {}}'})
        cluster.deployments.add(NS, "openclaw", [app], labels={"app": "openclaw"})
        reader = reader_of(cluster.host)
        assert reader.external_secret(NS, R2) == external_secret
        config_map = reader.config_map(NS, "openclaw-config")
        deployment = reader.deployment(NS, "openclaw")
        paths = [r.path for r in cluster.requests]
    assert config_map is not None
    assert config_map["data"] == {"openclaw.json": '{"cron": {}}'}
    assert config_map["metadata"]["resourceVersion"] == "1001"
    assert config_map["metadata"]["creationTimestamp"] == "2026-02-01T00:00:00+00:00"
    assert deployment is not None
    assert deployment["spec"]["template"]["spec"]["containers"] == [app]
    assert deployment["status"]["observedGeneration"] == 1
    assert paths == [
        ES_PATH,
        f"/api/v1/namespaces/{NS}/configmaps/openclaw-config",
        f"/apis/apps/v1/namespaces/{NS}/deployments/openclaw",
    ]


def test_pods_are_listed_by_the_selector_in_the_namespace() -> None:
    app = {"name": "openclaw", "image": "openclaw:1"}
    cluster = FakeKubeObjects()
    with cluster:
        cluster.deployments.add(NS, "openclaw", [app], labels={"app": "openclaw"}, replicas=2)
        cluster.deployments.add(NS, "other", [app], labels={"app": "other"})
        pods = reader_of(cluster.host).pods(NS, "app=openclaw")
        (request,) = cluster.requests
    assert [pod["metadata"]["name"][-2:] for pod in pods] == ["-0", "-1"]
    assert {pod["metadata"]["labels"]["app"] for pod in pods} == {"openclaw"}
    assert [pod["spec"]["containers"] for pod in pods] == [[app], [app]]
    assert (request.path, request.query) == (
        f"/api/v1/namespaces/{NS}/pods",
        {"labelSelector": ["app=openclaw"]},
    )


def test_what_does_not_exist_is_none_and_no_pods_are_an_empty_list() -> None:
    cluster = FakeKubeObjects()
    with cluster:
        reader = reader_of(cluster.host)
        assert reader.secret_store("ClusterSecretStore", NS, STORE) is None
        assert reader.secret_store("SecretStore", NS, STORE) is None
        assert reader.external_secret(NS, R2) is None
        assert reader.secret(NS, R2, KEY) is None
        assert reader.config_map(NS, "openclaw-config") is None
        assert reader.deployment(NS, "openclaw") is None
        assert reader.pods(NS, "app=openclaw") == []
        assert len(cluster.requests) == 7


def secret(data: dict[str, str] | None, owners: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret"}
    found["metadata"] = {"name": R2, "namespace": NS, "ownerReferences": owners}
    if data is not None:
        found["data"] = {
            key: base64.b64encode(value.encode()).decode() for key, value in data.items()
        }
    return found


def owner(kind: str, name: str, *, controller: bool) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": kind,
        "name": name,
        "uid": f"u-{name}",
        "controller": controller,
    }


def test_a_secret_is_its_sorted_keys_one_values_digest_and_length_and_its_controller() -> None:
    """Only the digest and length of the one key's value are kept; the value and its base64
    form are handed to the Redactor, so no output can quote either."""
    owners = [owner("Deployment", "a-bystander", controller=False)]
    owners.append(owner("ExternalSecret", R2, controller=True))
    cluster = FakeKubeObjects()
    redactor = Redactor()
    with cluster:
        cluster.objects[SECRET_PATH] = secret({"zz-other": "other value", KEY: TOKEN}, owners)
        facts = reader_of(cluster.host, redactor).secret(NS, R2, KEY)
    assert facts == SecretFacts(
        keys=(KEY, "zz-other"),
        digest=hashlib.sha256(TOKEN.encode()).hexdigest(),
        length=64,
        owner=f"ExternalSecret/{R2}",
    )
    encoded = base64.b64encode(TOKEN.encode()).decode()
    assert redactor.scrub(f"value {TOKEN}, data {encoded}, other value") == (
        "value [redacted], data [redacted], other value"
    )


def test_a_secret_without_the_key_or_a_controller_has_no_digest_and_no_owner() -> None:
    cluster = FakeKubeObjects()
    redactor = Redactor()
    with cluster:
        cluster.objects[SECRET_PATH] = secret(
            {"other": TOKEN}, [owner("ExternalSecret", R2, controller=False)]
        )
        facts = reader_of(cluster.host, redactor).secret(NS, R2, KEY)
    assert facts == SecretFacts(keys=("other",), digest=None, length=None, owner=None)
    assert redactor.scrub(TOKEN) == TOKEN, "a value verify did not judge is not registered"


def test_a_secret_without_data_has_no_keys() -> None:
    cluster = FakeKubeObjects()
    with cluster:
        cluster.objects[SECRET_PATH] = secret(None, [])
        facts = reader_of(cluster.host).secret(NS, R2, KEY)
    assert facts == SecretFacts(keys=(), digest=None, length=None, owner=None)
