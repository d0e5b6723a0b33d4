"""How the offline plan explains the env entry: one entry of one container, applied with
Server-Side Apply; its provider replaces delete-first (two entries cannot share a name) and
awaits the rollout, which restarts the app's pods."""

from __future__ import annotations

from typing import Any

from stages.env_entry.handover import MANAGER_PROP
from stages.env_entry.identity import REPLACE_ON, TYPE
from stages.env_entry.pod_spec import EnvTarget, apply_body, entry
from stages.env_entry.rollout import ROLLOUT_TIMEOUT_SECONDS
from stages.explanation import Inputs, Kind, seconds


def _env_target(inputs: Inputs) -> EnvTarget:
    return EnvTarget(
        str(inputs.get("namespace")),
        str(inputs.get("deployment")),
        str(inputs.get("container")),
        str(inputs.get("envName")),
    )


def _target(inputs: Inputs) -> str:
    target = _env_target(inputs)
    return (
        f"env {target.env_name} of container {target.container} in apps/v1 Deployment "
        f"{target.namespace}/{target.deployment} (Server-Side Apply, one entry)"
    )


def _pods(inputs: Inputs) -> str:
    target = _env_target(inputs)
    return f"restarts pods: one rollout of Deployment {target.namespace}/{target.deployment}"


def _waits(inputs: Inputs) -> str:
    target = _env_target(inputs)
    return (
        f"waits until Deployment {target.namespace}/{target.deployment} has rolled out (every "
        f"replica updated and available) and, when the secretKeyRef changed, until no pod reads "
        f"the previous Secret, up to "
        f"{seconds(inputs.get('rolloutTimeoutSeconds', int(ROLLOUT_TIMEOUT_SECONDS)))} s"
    )


def _destroy(inputs: Inputs, _: bool) -> str:
    target = _env_target(inputs)
    return (
        f"relinquishes env {target.env_name} of container {target.container} in Deployment "
        f"{target.namespace}/{target.deployment}: one rollout, waited until no pod reads Secret "
        f"{inputs.get('secretName')}; every other entry and container stays"
    )


def _manifest(inputs: Inputs) -> dict[str, Any]:
    """The very object the provider applies (`stages.env_entry.pod_spec.apply_body`)."""
    wanted = entry(
        str(inputs.get("envName")), str(inputs.get("secretName")), str(inputs.get("secretKey"))
    )
    return apply_body(_env_target(inputs), [wanted])


def _hop(inputs: Inputs, _: str) -> str:
    return (
        f"env {inputs.get('envName')} of Deployment "
        f"{inputs.get('namespace')}/{inputs.get('deployment')}"
    )


KINDS = {
    TYPE: Kind(
        target=_target,
        pods=_pods,
        on_destroy=_destroy,
        hop=_hop,
        waits=_waits,
        replace_on=REPLACE_ON,
        delete_first=True,
        manifest=_manifest,
        into_deployment=True,
        # The stack's field manager moves at the next write (stages.env_entry.handover).
        not_compared=(MANAGER_PROP,),
    ),
}
