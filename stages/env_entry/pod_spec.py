"""The env entry in Deployment and pod objects: built, found and read, as pure functions.

Why apart from the client and the waits: the provider, the plan (which shows the very object
the provider applies), verify and the e2e all read the entry, its Secret reference and the pods
still holding it by these same rules, on dicts as the API server speaks them (camelCase), with
no cluster in reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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


def selector_of(deployment: dict[str, Any]) -> str:
    labels = deployment.get("spec", {}).get("selector", {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
