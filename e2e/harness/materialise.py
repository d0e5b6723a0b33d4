"""A pod, materialised: the environment and the config file the kubelet would give OpenClaw.

Why: kwok fakes pods, so no container runs in the control plane. The proof that the whole path
works is to do what the kubelet does for the `openclaw` container — resolve its env from the
Deployment's pod template (literal values, `secretKeyRef` read from the cluster's Secrets,
`configMapKeyRef` from its ConfigMaps) and take `openclaw.json` from the ConfigMap the sidecar
copies — and start the real gateway with exactly that.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e2e.harness.observe import ClusterView
from e2e.harness.openclaw_gateway import OpenClawHome, running
from e2e.harness.webhook_receiver import Received, WebhookReceiver
from openclaw_runtime.install import OpenClawInstall


@dataclass(frozen=True)
class MaterialisedPod:
    """What one container of the Deployment would run with."""

    env: dict[str, str]
    document: str
    unresolved: tuple[str, ...]  # env names a kubelet would resolve but we cannot (fieldRef)


def materialise(
    view: ClusterView,
    container: str = "openclaw",
    config_map: str = "openclaw-config",
    key: str = "openclaw.json",
) -> MaterialisedPod:
    """Resolve `container`'s env as the kubelet would; a missing Secret key is an error, too."""
    env: dict[str, str] = {}
    unresolved: list[str] = []
    for item in view.container_env(container):
        name = item["name"]
        source: dict[str, Any] = item.get("valueFrom") or {}
        if "value" in item:
            env[name] = item["value"]
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            data = view.secret_data(ref["name"])
            if data is None or ref["key"] not in data:
                raise LookupError(
                    f"CreateContainerConfigError: env {name} needs Secret {ref['name']} key "
                    f"{ref['key']}"
                )
            env[name] = data[ref["key"]]
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            env[name] = view.config_map(ref["name"])["data"][ref["key"]]
        else:
            unresolved.append(name)
    return MaterialisedPod(env, view.document(config_map, key), tuple(unresolved))


def deliver_from_materialised_pod(
    view: ClusterView, openclaw: OpenClawInstall, root: Path
) -> tuple[MaterialisedPod, Received | None, dict[str, Any]]:
    """Starts OpenClaw as the pod would run, runs one cron job, returns what arrived."""
    pod = materialise(view)
    home = OpenClawHome(openclaw, root, pod.env)
    with (
        WebhookReceiver() as receiver,
        running(home, secrets.token_hex(16), pod.document) as gateway,
    ):
        job_id = gateway.add_webhook_job("proof", receiver.url("/proof"))
        entry = gateway.run_job(job_id)
        received = receiver.received("/proof")
    return pod, (received[0] if received else None), entry
