"""Stage 1: the webhook bearer token.

Why `RandomBytes` and not `RandomPassword`: the runbook's `openssl rand -hex 32` is 32 random
bytes rendered as 64 lowercase hex characters, which receivers may already validate; `hex`
reproduces that format exactly. The `rotation` keeper is the only way the token changes, so
a re-run with unchanged config never rotates it. The token depends on the rotation guard
(stages/token/rotation.py), registered first, so a rotation that goes back is refused before
the token, or anything after it, changes.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random

from stack.settings import TokenSettings
from stages.options import child_options
from stages.token.identity import COMPONENT_TYPE
from stages.token.rotation_guard import RotationGuardResource

TOKEN_BYTES = 32


class Token(pulumi.ComponentResource):
    """A 64-hex-character token, exposed only as a secret Output; any change of
    `token.rotation` replaces it (and, downstream, the ESO pair)."""

    value: pulumi.Output[str]

    def __init__(
        self, name: str, settings: TokenSettings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        guard = RotationGuardResource(
            f"{name}-rotation", settings.rotation, child_options(self, opts)
        )
        generated = random.RandomBytes(
            name,
            length=TOKEN_BYTES,
            keepers={"rotation": settings.rotation},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[guard]),
        )
        # The provider already marks `hex` secret; wrapping makes that a property of this
        # program rather than of a provider version, and the tests hold us to it.
        self.value = pulumi.Output.secret(generated.hex)
        self.register_outputs({"value": self.value})
