"""Stage 4: one env entry on the app's container, by Server-Side Apply.

Why a `DeploymentPatch`: the Deployment belongs to the GitOps controller. With Server-Side
Apply, `env` is a list map keyed by `name`, so this stack owns exactly one entry; on destroy
pulumi-kubernetes relinquishes it and every other env entry and container stays. The field
manager is pinned so the owner of that entry is recognisable in `managedFields` (a random
per-resource manager would be unreadable there and would change if the resource were
recreated). Conflicts are not forced: if someone else owns this env name, `pulumi up` stops
and says so rather than taking the field.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes_meta import FIELD_MANAGER
from components.options import child_options


@dataclass(frozen=True)
class TokenEnvPatchArgs:
    """`secret_name` is an Output so the patch waits for the ExternalSecret's sync."""

    namespace: str
    deployment: str
    container: str
    env_name: str
    secret_name: pulumi.Input[str]
    secret_key: str


def env_entry(env_name: str, secret_name: str, secret_key: str) -> dict[str, object]:
    """The single env entry; a secretKeyRef, never a literal value, so the token stays out."""
    return {
        "name": env_name,
        "valueFrom": {"secretKeyRef": {"name": secret_name, "key": secret_key}},
    }


class TokenEnvPatch(pulumi.ComponentResource):
    """Adds the env var to one container; the rollout is awaited by the provider."""

    def __init__(
        self, name: str, args: TokenEnvPatchArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("openclaw-cron-webhook:index:TokenEnvPatch", name, None, opts)
        entry = pulumi.Output.from_input(args.secret_name).apply(
            lambda secret_name: env_entry(args.env_name, secret_name, args.secret_key)
        )
        self.patch = k8s.apps.v1.DeploymentPatch(
            name,
            metadata={
                "name": args.deployment,
                "namespace": args.namespace,
                "annotations": {"pulumi.com/patchFieldManager": FIELD_MANAGER},
            },
            spec={
                "template": {
                    "spec": {"containers": [{"name": args.container, "env": [entry]}]},
                },
            },
            opts=child_options(self, opts),
        )
        self.register_outputs({})
