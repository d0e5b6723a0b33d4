"""The env entry as Pulumi registers it: the dynamic resource `EnvEntry` and its properties.

Why a module of its own: the resource's default provider is the pinned
`components.deployment_env_provider.EnvEntryProvider`, which imports this stage's logic
(stages/env_entry/provider.py), so the resource cannot live beside that logic. Unlike the
provider it is not pickled; its type string is what the state holds (`identity.TYPE`).
"""

from __future__ import annotations

import pulumi
from pulumi.dynamic import Resource

from components.deployment_env_provider import EnvEntryProvider
from stages.env_entry.handover import MANAGER_PROP
from stages.env_entry.identity import NAME
from stages.env_entry.pod_spec import EnvTarget
from stages.env_entry.provider import TIMEOUT_PROP
from stages.env_entry.rollout import ROLLOUT_TIMEOUT_SECONDS
from stages.identity import DYNAMIC_MODULE

_PYTHON_NAMES = {
    "envName": "env_name",
    "secretName": "secret_name",
    "secretKey": "secret_key",
    TIMEOUT_PROP: "rollout_timeout_seconds",
    MANAGER_PROP: "field_manager",
}
_PULUMI_NAMES = {python: pulumi for pulumi, python in _PYTHON_NAMES.items()}


class EnvEntryResource(Resource, module=DYNAMIC_MODULE, name=NAME):
    """One env entry (`secretKeyRef`) in one container of an existing Deployment."""

    namespace: pulumi.Output[str]
    deployment: pulumi.Output[str]
    container: pulumi.Output[str]
    env_name: pulumi.Output[str]
    secret_name: pulumi.Output[str]
    secret_key: pulumi.Output[str]
    rollout_timeout_seconds: pulumi.Output[int]
    field_manager: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        target: EnvTarget,
        secret_name: pulumi.Input[str],
        secret_key: str,
        field_manager: str,
        rollout_timeout_seconds: int = int(ROLLOUT_TIMEOUT_SECONDS),
        opts: pulumi.ResourceOptions | None = None,
        provider: EnvEntryProvider | None = None,
    ) -> None:
        props = {
            "namespace": target.namespace,
            "deployment": target.deployment,
            "container": target.container,
            "env_name": target.env_name,
            "secret_name": secret_name,
            "secret_key": secret_key,
            "rollout_timeout_seconds": rollout_timeout_seconds,
            "field_manager": field_manager,
        }
        super().__init__(provider or EnvEntryProvider(), name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        return _PULUMI_NAMES.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return _PYTHON_NAMES.get(prop, prop)
