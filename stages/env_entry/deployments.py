"""The Kubernetes I/O of the env stage: one env entry applied, relinquished, and its rollout.

Why Server-Side Apply under a pinned field manager: `env` is a list map keyed by `name`, so
applying an object that holds just our entry makes this stack the owner of exactly that entry;
applying an object without it relinquishes it, and the API server removes it unless someone
else owns it too. Every other entry and container stays theirs. Conflicts are never forced:
if another manager owns the same env name with another value, the write fails and says so.

Why the rollout is awaited here (and on delete too): the ExternalSecret pair that the entry
points at is created before it and deleted after it. Until the Deployment has replaced every
old pod, a restarting old container would look up a Secret that is about to vanish and fail
with CreateContainerConfigError; and a new `${VAR}` in openclaw.json must not reach pods that
lack the variable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import urllib3
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from stages.kube_connection import api_errors
from stages.kubernetes_meta import FIELD_MANAGER

APPLY_PATCH = "application/apply-patch+yaml"
ROLLOUT_TIMEOUT_SECONDS = 600.0
POLL_SECONDS = 1.0


class DeploymentNotFound(LookupError):
    """The Deployment does not exist."""


class ApplyConflict(RuntimeError):
    """Another field manager owns the env entry with a different value."""


class RolloutFailed(RuntimeError):
    """The rollout did not complete (deadline exceeded, or our own timeout)."""


@dataclass(frozen=True)
class EnvTarget:
    """One env entry of one container of one Deployment."""

    namespace: str
    deployment: str
    container: str
    env_name: str

    @property
    def where(self) -> str:
        return f"Deployment {self.namespace}/{self.deployment} container {self.container}"


class DeploymentApi(Protocol):
    """What the env provider needs from a cluster; tests may substitute it."""

    def read(self, namespace: str, name: str) -> dict[str, Any]:
        """The live Deployment as a dict; DeploymentNotFound if it does not exist."""
        ...

    def apply(self, namespace: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        """Server-Side Apply `body` as FIELD_MANAGER, unforced; returns the object."""
        ...

    def pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        """Pods matching a label selector, as dicts."""
        ...


def entry(env_name: str, secret_name: str, secret_key: str) -> dict[str, Any]:
    """The single env entry; a secretKeyRef, never a literal value, so the token stays out."""
    return {
        "name": env_name,
        "valueFrom": {"secretKeyRef": {"name": secret_name, "key": secret_key}},
    }


def apply_body(target: EnvTarget, env: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole intent of this stack for the Deployment: `env` in one container, or nothing.

    An empty `env` leaves the container out too, so applying it relinquishes everything this
    field manager held (the entry, and its claim on the container's `name` key).
    """
    body: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": target.deployment, "namespace": target.namespace},
    }
    if env:
        containers = [{"name": target.container, "env": env}]
        body["spec"] = {"template": {"spec": {"containers": containers}}}
    return body


def containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    spec = deployment.get("spec", {}).get("template", {}).get("spec", {})
    return list(spec.get("containers") or [])


def live_entry(deployment: dict[str, Any], target: EnvTarget) -> dict[str, Any] | None:
    """Our entry as the cluster holds it, or None if the container or entry is missing."""
    for container in containers(deployment):
        if container.get("name") == target.container:
            for item in container.get("env") or []:
                if item.get("name") == target.env_name:
                    return dict(item)
    return None


def secret_ref(env_entry: dict[str, Any] | None) -> dict[str, Any]:
    """The entry's `valueFrom.secretKeyRef` ({} for a missing entry or a literal value)."""
    ref: dict[str, Any] = ((env_entry or {}).get("valueFrom") or {}).get("secretKeyRef") or {}
    return ref


def pods_referencing(pods: list[dict[str, Any]], secret_name: str) -> list[str]:
    """Names of pods whose containers still take a variable from `secret_name`."""
    return [
        pod.get("metadata", {}).get("name", "?")
        for pod in pods
        if any(
            secret_ref(item).get("name") == secret_name
            for container in pod.get("spec", {}).get("containers") or []
            for item in container.get("env") or []
        )
    ]


def require_container(deployment: dict[str, Any], target: EnvTarget) -> None:
    """Refuse a container name that is not there: applying it would ADD a container.

    Server-Side Apply merges containers by name, so a misspelt name would create a second,
    image-less container; the API server rejects that at best.
    """
    names = [c.get("name") for c in containers(deployment)]
    if target.container not in names:
        raise LookupError(
            f"Deployment {target.namespace}/{target.deployment} has no container "
            f"{target.container!r} (its containers: {', '.join(map(str, names)) or 'none'}). "
            "Nothing was written. Fix it with `pulumi config set --path "
            "'openclaw-cron-webhook:deployment.container' <one of those>`."
        )


def rollout_status(deployment: dict[str, Any]) -> tuple[bool, str]:
    """(done, what is left), by the same rules as `kubectl rollout status`."""
    meta, spec = deployment.get("metadata", {}), deployment.get("spec", {})
    status = deployment.get("status") or {}
    name = f"{meta.get('namespace')}/{meta.get('name')}"
    if status.get("observedGeneration", 0) < meta.get("generation", 0):
        return False, f"Deployment {name}: waiting for the controller to observe the change"
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Progressing" and (
            condition.get("reason") == "ProgressDeadlineExceeded"
        ):
            raise RolloutFailed(
                f"Deployment {name} exceeded its progress deadline: {condition.get('message')}"
            )
    wanted = spec.get("replicas", 1)
    updated = status.get("updatedReplicas", 0)
    if updated < wanted:
        return False, f"Deployment {name}: {updated} of {wanted} replicas updated"
    if status.get("replicas", 0) > updated:
        return False, f"Deployment {name}: {status['replicas'] - updated} old replicas terminating"
    if status.get("availableReplicas", 0) < updated:
        available = status.get("availableReplicas", 0)
        return False, f"Deployment {name}: {available} of {updated} updated replicas available"
    return True, f"Deployment {name}: rolled out"


def selector_of(deployment: dict[str, Any]) -> str:
    labels = deployment.get("spec", {}).get("selector", {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


# Answers of an API server that is restarting or overloaded, not a verdict on the request.
_PASSING_STATUSES = frozenset({429, 500, 502, 503, 504})


def through_outages(check: Callable[[], tuple[bool, str]]) -> Callable[[], tuple[bool, str]]:
    """`check`, except that an API server that cannot be reached, or answers 429 or 5xx, is
    waited out like a rollout still in progress, until the wait's own deadline.

    Why: the rollout goes on in the cluster whether or not this process can watch it, so a
    control-plane restart of a few seconds must not fail a wait of up to ten minutes (and, on
    create, take the entry back out). What `check` last said is kept, so a wait that gives up
    during an outage still says how far the rollout had got, and that the API was away.
    """
    last = ["no answer from the API server yet"]

    def checked() -> tuple[bool, str]:
        try:
            done, waiting_for = check()
        except (urllib3.exceptions.HTTPError, ApiException) as error:
            if isinstance(error, ApiException) and error.status not in _PASSING_STATUSES:
                raise
            return False, f"{last[0]} (then the API server did not answer: {_cause(error)})"
        last[0] = waiting_for
        return done, waiting_for

    return checked


def _cause(error: Exception) -> str:
    """A failed read in one line: the status, or what the connection said (urllib3 names the
    host and port, e.g. `HTTPSConnection(host='10.0.0.1', port=6443): ... Connection refused`)."""
    if isinstance(error, ApiException):
        return f"{error.status} {error.reason}"
    return str(getattr(error, "reason", None) or error)


def wait_until(
    check: Callable[[], tuple[bool, str]],
    timeout: float = ROLLOUT_TIMEOUT_SECONDS,
    poll: float = POLL_SECONDS,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> None:
    """Poll `check` until done; on timeout, fail with the last thing it was waiting for."""
    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    deadline = clock() + timeout
    while True:
        done, waiting_for = check()
        if done:
            return
        if clock() >= deadline:
            raise RolloutFailed(f"gave up after {timeout:.0f} s: {waiting_for}")
        sleep(poll)


class KubernetesDeploymentApi:
    """DeploymentApi over the official Kubernetes client."""

    def __init__(self, api_client: client.ApiClient) -> None:
        self._client = api_client
        self._apps = client.AppsV1Api(api_client)
        self._core = client.CoreV1Api(api_client)

    def read(self, namespace: str, name: str) -> dict[str, Any]:
        with _errors(namespace, name):
            return self._dict(self._apps.read_namespaced_deployment(name, namespace))

    def apply(self, namespace: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        with _errors(namespace, name):
            result = self._apps.patch_namespaced_deployment(
                name,
                namespace,
                body,
                field_manager=FIELD_MANAGER,
                force=False,
                _content_type=APPLY_PATCH,
            )
        return self._dict(result)

    def pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        result = self._core.list_namespaced_pod(namespace, label_selector=selector)
        return [self._dict(pod) for pod in result.items]

    def _dict(self, obj: Any) -> dict[str, Any]:
        """camelCase dicts, as the API server speaks and as the pure functions above read."""
        converted: dict[str, Any] = self._client.sanitize_for_serialization(obj)
        return converted


def _errors(namespace: str, name: str) -> AbstractContextManager[None]:
    """404 and 409 are decisions for the caller; every other status fails the operation."""
    where = f"Deployment {namespace}/{name}"
    return api_errors(
        on_404=lambda _: DeploymentNotFound(f"{where} not found"),
        on_409=lambda error: ApplyConflict(
            f"{where}: another field manager owns a field this stack applies (Server-Side "
            f"Apply conflict, not forced): {error.body}"
        ),
    )
