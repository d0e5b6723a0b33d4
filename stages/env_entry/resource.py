"""Stage 4: one env entry on the app's container, by Server-Side Apply.

Why an entry resource, not a `DeploymentPatch`: the Deployment belongs to the GitOps
controller, and this stack owns exactly one entry of one container's `env` (a list map keyed
by `name`). `stages.env_entry.provider` says why pulumi-kubernetes' patch showed a
change on every preview and did not wait on destroy; this stage's resource compares its own
inputs, applies under the stack's own field manager (`field_manager`, named by the program from
its project and stack: recognisable in `managedFields`, and no other stack's apply takes this
stack's entry away; stages.env_entry.handover), never forces a conflict, and awaits the
rollout whenever it writes.
"""

from __future__ import annotations

import pulumi

from stack.settings import Settings
from stages.env_entry.dynamic_resource import EnvEntryResource
from stages.env_entry.identity import COMPONENT_TYPE
from stages.env_entry.pod_spec import EnvTarget
from stages.options import child_options


class EnvEntry(pulumi.ComponentResource):
    """Adds the env var to one container; the rollout is awaited by the resource itself.
    `secret_name` is the ExternalSecret stage's Output, so the entry waits for its sync."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        secret_name: pulumi.Input[str],
        field_manager: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        deployment = settings.deployment
        self.entry = EnvEntryResource(
            name,
            target=EnvTarget(
                settings.namespace, deployment.name, deployment.container, deployment.env_name
            ),
            secret_name=secret_name,
            secret_key=settings.external_secret.secret_key,
            field_manager=field_manager,
            rollout_timeout_seconds=settings.timeouts.rollout_seconds,
            opts=child_options(self, opts),
        )
        self.register_outputs({})
