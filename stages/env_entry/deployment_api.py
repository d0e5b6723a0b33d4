"""The Kubernetes API of the env entry: read and apply the Deployment, list its pods.

Why Server-Side Apply under the stack's own field manager (stages.env_entry.handover): `env`
is a list map keyed by `name`, so applying an object that holds just our entry makes this stack
the owner of exactly that entry; applying an object without it relinquishes it, and the API
server removes it unless someone else owns it too. Every other entry and container stays
theirs. Conflicts are never forced: if another manager owns the same env name with another
value, the write fails and says so.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from kubernetes import client

from stages.kube_connection import api_errors

APPLY_PATCH = "application/apply-patch+yaml"


class DeploymentNotFound(LookupError):
    """The Deployment does not exist."""


class ApplyConflict(RuntimeError):
    """Another field manager owns the env entry with a different value."""


class DeploymentApi(Protocol):
    """What the env provider needs from a cluster; tests may substitute it."""

    def read(self, namespace: str, name: str) -> dict[str, Any]:
        """The live Deployment as a dict; DeploymentNotFound if it does not exist."""
        ...

    def apply(
        self, namespace: str, name: str, body: dict[str, Any], manager: str
    ) -> dict[str, Any]:
        """Server-Side Apply `body` as field manager `manager`, unforced; returns the object."""
        ...

    def pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        """Pods matching a label selector, as dicts."""
        ...


class KubernetesDeploymentApi:
    """DeploymentApi over the official Kubernetes client."""

    def __init__(self, api_client: client.ApiClient) -> None:
        self._client = api_client
        self._apps = client.AppsV1Api(api_client)
        self._core = client.CoreV1Api(api_client)

    def read(self, namespace: str, name: str) -> dict[str, Any]:
        with _errors(namespace, name):
            return self._dict(self._apps.read_namespaced_deployment(name, namespace))

    def apply(
        self, namespace: str, name: str, body: dict[str, Any], manager: str
    ) -> dict[str, Any]:
        with _errors(namespace, name):
            result = self._apps.patch_namespaced_deployment(
                name,
                namespace,
                body,
                field_manager=manager,
                force=False,
                _content_type=APPLY_PATCH,
            )
        return self._dict(result)

    def pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        result = self._core.list_namespaced_pod(namespace, label_selector=selector)
        return [self._dict(pod) for pod in result.items]

    def _dict(self, obj: Any) -> dict[str, Any]:
        """camelCase dicts, as the API server speaks and as stages.env_entry.pod_spec reads."""
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
