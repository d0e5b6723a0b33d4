"""Layer 3 of the e2e harness: the world as it is just before Phase 2, seeded from fixtures/.

Phase 2 lands on objects that someone else owns, and must leave them exactly as they were on
rollback. So the e2e starts from a world shaped like the reference deployment: parameters in
Parameter Store (moto), a ClusterSecretStore `parameterstore`, the app's own ExternalSecret
`openclaw-es` owning Secret `openclaw-credentials`, ConfigMap `openclaw-config` whose
`openclaw.json` has Phase 1 done, and Deployment `openclaw` (several containers and env
entries) rolled out on kwok's fake node.

The app's objects are not applied by the harness: they are committed to a GitOps repository
(a bare repo on disk, ``e2e.harness.git_remote``) under ``argoproj/openclaw/``, and a real Argo CD
Application with the reference's sync policy (automated, prune, self-heal, Server-Side Apply)
syncs them, as in the reference cluster. Their managedFields are Argo CD's
(``argocd-controller``), and Argo CD keeps reconciling them while Phase 2 comes and goes. Only
the ClusterSecretStore (cluster infrastructure, not the app) is applied by the harness.

``snapshot(api)`` captures what must survive Phase 2's rollback; ``seed()`` records it right
after seeding as ``World.seeded``, so a scenario asserts ``snapshot(api) == world.seeded``.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client

from e2e.harness.argocd import SYNC_POLICY, ArgoCD
from e2e.harness.control_plane import REPO, ControlPlane, apply, get, wait_until
from e2e.harness.git_remote import GitRemote
from e2e.harness.identities import EXTERNAL_SECRETS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The one document every layer tests: valid for the pinned OpenClaw (2026.9.6), Phase 1 done.
OPENCLAW_DOCUMENT = REPO / "tests" / "fixtures" / "openclaw-2026.9.6.json"

NAMESPACE = "openclaw"
DEPLOYMENT = "openclaw"
CONFIGMAP = "openclaw-config"
DOCUMENT_KEY = "openclaw.json"
EXTERNAL_SECRET = "openclaw-es"
SECRET = "openclaw-credentials"
STORE = "parameterstore"
GITOPS_FIELD_MANAGER = "argocd-controller"
APPLICATION = "openclaw"
# Where the reference repo keeps the app's manifests (argoproj/openclaw/ in boxp/lolice).
REPO_PATH = "argoproj/openclaw"
CONFIGMAP_FILE = f"{REPO_PATH}/configmap-openclaw.yaml"
DEPLOYMENT_FILE = f"{REPO_PATH}/deployment-openclaw.yaml"
WAIT_TIMEOUT = 90.0  # seconds, per wait; each takes a few seconds when things work

# Where each kind lives in the API (the only kinds the fixtures use).
PLURALS = {
    "Namespace": "namespaces",
    "Secret": "secrets",
    "ConfigMap": "configmaps",
    "Deployment": "deployments",
    "ClusterSecretStore": "clustersecretstores",
    "ExternalSecret": "externalsecrets",
}


@dataclass(frozen=True)
class World:
    """What ``seed`` put in place."""

    parameters: dict[str, str]  # SSM parameter name -> value, as seeded in moto
    seeded: dict[str, Any]  # snapshot() taken right after seeding
    seconds: float
    repo: GitRemote  # the GitOps repository Argo CD syncs from
    revision: str  # the commit Argo CD synced the seeded world from
    argocd: ArgoCD

    @property
    def document(self) -> str:
        """The seeded ``openclaw.json``, exactly as stored in the ConfigMap."""
        text: str = self.seeded["configmap_data"][DOCUMENT_KEY]
        return text


def seed(plane: ControlPlane, argocd: ArgoCD) -> World:
    """Put the pre-Phase-2 world into a fresh control plane and wait until it has settled:
    store Ready, the app's manifests committed and synced by Argo CD (Synced and Healthy),
    ``openclaw-es`` synced into ``openclaw-credentials``, the Deployment rolled out."""
    began = time.monotonic()
    print("seeding the world before Phase 2", flush=True)
    parameters: dict[str, str] = _load(FIXTURES / "ssm-parameters.yaml")[0]
    with _step(f"{len(parameters)} SecureString parameters put into moto"):
        ssm = plane.ssm_client()
        for name, value in parameters.items():
            ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)

    with plane.api_client() as api:
        with _step(f"ClusterSecretStore {STORE} Ready"):
            for manifest in _store_manifests(plane):
                apply_manifest(api, manifest)
            wait_ready(api, f"/apis/external-secrets.io/v1/clustersecretstores/{STORE}")

        repo = GitRemote.create(plane.run_dir / "gitops.git")
        with _step(f"Application {APPLICATION} Synced and Healthy (Argo CD {argocd.version})"):
            revision = repo.commit(gitops_files(), "openclaw: the app before Phase 2")
            argocd.put_application(api, APPLICATION, repo.url, REPO_PATH, NAMESPACE)
            argocd.wait_synced(api, APPLICATION, revision)
        with _step(f"ExternalSecret {EXTERNAL_SECRET} synced, Deployment {DEPLOYMENT} rolled out"):
            wait_external_secret_synced(api, NAMESPACE, EXTERNAL_SECRET)
            wait_rollout(api, NAMESPACE, DEPLOYMENT)

        seeded = snapshot(api)
    seconds = time.monotonic() - began
    print(f"world seeded in {seconds:.1f} s", flush=True)
    return World(
        parameters=parameters,
        seeded=seeded,
        seconds=seconds,
        repo=repo,
        revision=revision,
        argocd=argocd,
    )


def put_application(world: World, api: client.ApiClient, extra: dict[str, Any]) -> None:
    """The reference Application, with ``extra`` spec fields merged (syncOptions appended)."""
    extra = dict(extra)
    options = extra.pop("syncPolicy", {}).get("syncOptions", [])
    policy = {**SYNC_POLICY, "syncOptions": [*SYNC_POLICY["syncOptions"], *options]}
    spec = {**extra, "syncPolicy": policy}
    world.argocd.put_application(api, APPLICATION, world.repo.url, REPO_PATH, NAMESPACE, spec)


def gitops_files() -> dict[str, str]:
    """The app's manifests as its GitOps repository holds them (path -> file text)."""
    return {
        f"{REPO_PATH}/namespace-openclaw.yaml": (FIXTURES / "namespace-openclaw.yaml").read_text(),
        CONFIGMAP_FILE: configmap_manifest_text(),
        DEPLOYMENT_FILE: (FIXTURES / "deployment-openclaw.yaml").read_text(),
        f"{REPO_PATH}/external-secret.yaml": (
            FIXTURES / "external-secret-openclaw-es.yaml"
        ).read_text(),
    }


def configmap_manifest_text() -> str:
    """fixtures/configmap-openclaw.yaml with the document appended as the literal block
    scalar a person writes in a GitOps repo, byte for byte from its file (checked)."""
    document = OPENCLAW_DOCUMENT.read_bytes().decode("utf-8")
    assert document.endswith("}\n"), "the block scalar below keeps exactly one final newline"
    block = "".join(f"    {line}" if line.strip() else line for line in document.splitlines(True))
    text = (FIXTURES / "configmap-openclaw.yaml").read_text() + f"  {DOCUMENT_KEY}: |\n{block}"
    assert yaml.safe_load(text)["data"][DOCUMENT_KEY] == document
    return text


def snapshot(api: client.ApiClient) -> dict[str, Any]:
    """What Phase 2's rollback must leave exactly as seeded, as the API server returns it:
    the Deployment's pod template, the ConfigMap's data (every key, byte for byte), the app's
    ExternalSecret's spec and its Secret's data. Status, managedFields and resourceVersions
    are left out: they legitimately change when Phase 2 comes and goes."""
    deployment = get(api, f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{DEPLOYMENT}")
    configmap = get(api, f"/api/v1/namespaces/{NAMESPACE}/configmaps/{CONFIGMAP}")
    external_secret = get(api, _external_secret_path(NAMESPACE, EXTERNAL_SECRET))
    secret = get(api, f"/api/v1/namespaces/{NAMESPACE}/secrets/{SECRET}")
    return {
        "deployment_template": deployment["spec"]["template"],
        "configmap_data": configmap["data"],
        "external_secret_spec": external_secret["spec"],
        "secret_data": secret["data"],
    }


# --- applying and waiting (also what scenarios use) ------------------------------------------


def object_path(manifest: dict[str, Any]) -> str:
    """The API path of the object a manifest describes."""
    api_version = manifest["apiVersion"]
    base = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
    namespace = manifest["metadata"].get("namespace")
    scope = f"/namespaces/{namespace}" if namespace else ""
    return f"{base}{scope}/{PLURALS[manifest['kind']]}/{manifest['metadata']['name']}"


def apply_manifest(api: client.ApiClient, manifest: dict[str, Any]) -> dict[str, Any]:
    """Server-Side Apply of cluster infrastructure (the store), as its owner would."""
    return apply(api, object_path(manifest), manifest, GITOPS_FIELD_MANAGER)


def wait_ready(api: client.ApiClient, path: str, reason: str | None = None) -> dict[str, Any]:
    """Wait until the object's ``Ready`` condition is True (with ``reason``, if given)."""

    def ready() -> bool:
        condition = _condition(get(api, path), "Ready")
        return condition.get("status") == "True" and reason in (None, condition.get("reason"))

    _wait_reporting_status(api, path, f"{path} Ready" + (f"/{reason}" if reason else ""), ready)
    return get(api, path)


def wait_external_secret_synced(api: client.ApiClient, namespace: str, name: str) -> dict[str, Any]:
    """Wait for ESO's ``Ready``/``SecretSynced``: the target Secret holds every key."""
    return wait_ready(api, _external_secret_path(namespace, name), reason="SecretSynced")


def wait_rollout(api: client.ApiClient, namespace: str, name: str) -> dict[str, Any]:
    """Wait like ``kubectl rollout status``: the controller saw the latest spec, every replica
    runs the new template and is available, and no old replica is left."""
    path = f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}"

    def complete() -> bool:
        deployment = get(api, path)
        status = deployment.get("status", {})
        want = deployment["spec"].get("replicas", 1)
        return (
            status.get("observedGeneration", 0) >= deployment["metadata"]["generation"]
            and status.get("updatedReplicas", 0) == want
            and status.get("replicas", 0) == want
            and status.get("availableReplicas", 0) == want
        )

    _wait_reporting_status(api, path, f"rollout of Deployment {namespace}/{name}", complete)
    return get(api, path)


def _wait_reporting_status(
    api: client.ApiClient, path: str, what: str, check: Callable[[], bool]
) -> None:
    """``wait_until``, but a timeout shows the object's status: the reason is usually there."""
    try:
        wait_until(what, check, WAIT_TIMEOUT)
    except TimeoutError as error:
        status = json.dumps(get(api, path).get("status"), indent=2)
        raise TimeoutError(f"{error}; last status:\n{status}") from None


def _condition(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    for condition in obj.get("status", {}).get("conditions") or []:
        if condition.get("type") == kind:
            found: dict[str, Any] = condition
            return found
    return {}


def _external_secret_path(namespace: str, name: str) -> str:
    return f"/apis/external-secrets.io/v1/namespaces/{namespace}/externalsecrets/{name}"


# --- fixtures, with what only the running control plane knows filled in -----------------------


def _store_manifests(plane: ControlPlane) -> list[dict[str, Any]]:
    """The store's namespace, credentials Secret (the keys of External Secrets' own IAM user in
    moto) and the ClusterSecretStore (the control plane's region)."""
    manifests = _load(FIXTURES / "secret-store.yaml")
    user = plane.identities[EXTERNAL_SECRETS]
    for manifest in manifests:
        if manifest["kind"] == "Secret":
            manifest["data"] = {
                "access-key-id": _b64(user.access_key_id),
                "secret-access-key": _b64(user.secret_access_key),
            }
        elif manifest["kind"] == "ClusterSecretStore":
            manifest["spec"]["provider"]["aws"]["region"] = plane.region
    return manifests


def _load(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@contextmanager
def _step(what: str) -> Iterator[None]:
    began = time.monotonic()
    yield
    print(f"  {what} in {time.monotonic() - began:.1f} s", flush=True)
