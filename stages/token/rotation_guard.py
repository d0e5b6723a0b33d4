"""The rotation guard as Pulumi registers it: the dynamic resource `RotationGuard`.

Why a module of its own: its default provider is the pinned
`components.rotation_guard_provider.RotationGuardProvider`, which imports the rule
(stages/token/rotation.py), so the resource cannot live beside the rule. Unlike the provider
it is not pickled; its type string is what the state holds (`identity.GUARD_TYPE`).
"""

from __future__ import annotations

import pulumi
from pulumi.dynamic import Resource

from components.rotation_guard_provider import RotationGuardProvider
from stages.identity import DYNAMIC_MODULE
from stages.token.identity import GUARD_NAME


class RotationGuardResource(Resource, module=DYNAMIC_MODULE, name=GUARD_NAME):
    """The rotation the token is kept by, and every earlier one (`used`, set by `check`)."""

    rotation: pulumi.Output[str]
    used: pulumi.Output[list[str]]

    def __init__(self, name: str, rotation: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__(RotationGuardProvider(), name, {"rotation": rotation, "used": None}, opts)
