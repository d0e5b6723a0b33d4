"""Smoke test of the control-plane and world layers, on their own control plane.

It checks what every scenario takes for granted: the world is seeded the way the reference
deployment looks (ESO really synced the app's Secret from moto's Parameter Store, the
Deployment really rolled out on kwok's node, the fixtures are consistent with the document),
Argo CD really synced the app from its Git repository), and stopping leaves no process behind.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from e2e.harness import argocd
from e2e.harness.control_plane import KWOK_NODE, get, started
from e2e.harness.world import (
    APPLICATION,
    CONFIGMAP,
    DEPLOYMENT,
    EXTERNAL_SECRET,
    FIXTURES,
    GITOPS_FIELD_MANAGER,
    NAMESPACE,
    OPENCLAW_DOCUMENT,
    SECRET,
    World,
    seed,
    snapshot,
)

pytestmark = pytest.mark.e2e

PROCESSES = {
    "moto",
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
    "external-secrets",
}
ARGOCD_PROCESSES = {"redis", "argocd-repo-server", "argocd-application-controller"}


def test_world_is_seeded_and_stop_leaves_nothing(go_bin_dir: Path, tmp_path: Path) -> None:
    with started(go_bin_dir, tmp_path / "control-plane") as plane:
        assert set(plane.pids) == PROCESSES
        gitops = argocd.start(plane, go_bin_dir)
        pids = dict(plane.pids)
        assert set(pids) == PROCESSES | ARGOCD_PROCESSES
        world = seed(plane, gitops)
        with plane.api_client() as api:
            assert_synced_by_argocd(api, world)
            assert_credentials_synced_from_moto(api, world)
            assert_rolled_out_on_kwok(api)
            assert_document_variables_come_from_env(api)
            assert snapshot(api) == world.seeded
            assert world.document == OPENCLAW_DOCUMENT.read_bytes().decode("utf-8")
        ssm = plane.ssm_client()
        name, value = next(iter(world.parameters.items()))
        stored = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
        assert (stored["Type"], stored["Value"]) == ("SecureString", value)

    left = {name: pid for name, pid in pids.items() if Path(f"/proc/{pid}").exists()}
    assert left == {}


def assert_synced_by_argocd(api: Any, world: World) -> None:
    """Argo CD synced the seeded commit, and tracks what it applied (annotation tracking, the
    3.x default): the ConfigMap Phase 2 edits is a GitOps-owned object, as in the reference."""
    assert world.argocd.status(api, APPLICATION) == ("Synced", "Healthy", world.revision)
    configmap = get(api, f"/api/v1/namespaces/{NAMESPACE}/configmaps/{CONFIGMAP}")
    tracking = configmap["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"]
    assert tracking.startswith(f"{APPLICATION}:/ConfigMap:{NAMESPACE}/{CONFIGMAP}")
    assert world.repo.log() == [
        f"{world.revision[:7]} e2e GitOps maintainer: " + ("openclaw: the app before Phase 2")
    ]


def assert_credentials_synced_from_moto(api: Any, world: World) -> None:
    """Every key of openclaw-credentials holds its parameter's value, and the Secret is
    owned (controller reference) by openclaw-es: creationPolicy Owner, as in the reference."""
    spec = yaml.safe_load((FIXTURES / "external-secret-openclaw-es.yaml").read_text())["spec"]
    expected = {e["secretKey"]: world.parameters[e["remoteRef"]["key"]] for e in spec["data"]}
    secret = get(api, f"/api/v1/namespaces/{NAMESPACE}/secrets/{SECRET}")
    actual = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert actual == expected
    (owner,) = secret["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["controller"]) == (
        "ExternalSecret",
        EXTERNAL_SECRET,
        True,
    )


def assert_rolled_out_on_kwok(api: Any) -> None:
    """One pod, Ready on the fake node with all its containers; the Deployment's fields are
    owned by the GitOps field manager through Server-Side Apply."""
    deployment = get(api, f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{DEPLOYMENT}")
    assert deployment["status"]["availableReplicas"] == 1
    managers = {(m["manager"], m["operation"]) for m in deployment["metadata"]["managedFields"]}
    assert (GITOPS_FIELD_MANAGER, "Apply") in managers
    selector = "app.kubernetes.io/name=openclaw"
    pods = get(api, f"/api/v1/namespaces/{NAMESPACE}/pods?labelSelector={selector}")["items"]
    assert len(pods) == 1
    pod = pods[0]
    assert pod["spec"]["nodeName"] == KWOK_NODE
    assert pod["status"]["phase"] == "Running"
    containers = {c["name"] for c in pod["spec"]["containers"]}
    ready = {c["name"] for c in pod["status"]["containerStatuses"] if c["ready"]}
    assert ready == containers
    assert len(containers) >= 3


def assert_document_variables_come_from_env(api: Any) -> None:
    """Every ``${VAR}`` in the seeded document is an env entry of container openclaw, and each
    secretKeyRef names a key that exists: a pod materialised from the template starts."""
    now = snapshot(api)
    containers = now["deployment_template"]["spec"]["containers"]
    (openclaw,) = (c for c in containers if c["name"] == "openclaw")
    env = {entry["name"]: entry for entry in openclaw["env"]}
    document = now["configmap_data"]["openclaw.json"]
    assert set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", document)) <= set(env)
    secrets = {SECRET: set(get(api, f"/api/v1/namespaces/{NAMESPACE}/secrets/{SECRET}")["data"])}
    for entry in env.values():
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            assert ref["key"] in secrets.get(ref["name"], set()), entry["name"]
