"""Stage 4: one env entry on the app's container, by Server-Side Apply.

Why an entry resource, not a `DeploymentPatch`: the Deployment belongs to the GitOps
controller, and this stack owns exactly one entry of one container's `env` (a list map keyed
by `name`). `components.deployment_env_provider` says why pulumi-kubernetes' patch showed a
change on every preview and did not wait on destroy; this stage's resource compares its own
inputs, applies under the pinned field manager (recognisable in `managedFields`), never forces
a conflict, and awaits the rollout whenever it writes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.deployment_env_provider import DeploymentEnvEntry
from stages.env_entry.deployments import EnvTarget
from stages.options import child_options


@dataclass(frozen=True)
class TokenEnvPatchArgs:
    """`secret_name` is an Output so the entry waits for the ExternalSecret's sync."""

    namespace: str
    deployment: str
    container: str
    env_name: str
    secret_name: pulumi.Input[str]
    secret_key: str
    rollout_timeout_seconds: int


class TokenEnvPatch(pulumi.ComponentResource):
    """Adds the env var to one container; the rollout is awaited by the resource itself."""

    def __init__(
        self, name: str, args: TokenEnvPatchArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("openclaw-cron-webhook:index:TokenEnvPatch", name, None, opts)
        self.entry = DeploymentEnvEntry(
            name,
            target=EnvTarget(args.namespace, args.deployment, args.container, args.env_name),
            secret_name=args.secret_name,
            secret_key=args.secret_key,
            rollout_timeout_seconds=args.rollout_timeout_seconds,
            opts=child_options(self, opts),
        )
        self.register_outputs({})
