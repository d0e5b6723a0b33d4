"""Stage 1: the webhook bearer token.

Why `RandomBytes` and not `RandomPassword`: the runbook's `openssl rand -hex 32` is 32 random
bytes rendered as 64 lowercase hex characters, which receivers may already validate; `hex`
reproduces that format exactly. The `rotation` keeper is the only way the token changes, so
a re-run with unchanged config never rotates it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_random as random

from stages.options import child_options

TOKEN_BYTES = 32


@dataclass(frozen=True)
class WebhookTokenArgs:
    """rotation: any change replaces the token (and, downstream, the ESO pair)."""

    rotation: str


class WebhookToken(pulumi.ComponentResource):
    """A 64-hex-character token, exposed only as a secret Output."""

    value: pulumi.Output[str]

    def __init__(
        self, name: str, args: WebhookTokenArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("openclaw-cron-webhook:index:WebhookToken", name, None, opts)
        generated = random.RandomBytes(
            name,
            length=TOKEN_BYTES,
            keepers={"rotation": args.rotation},
            opts=child_options(self, opts),
        )
        # The provider already marks `hex` secret; wrapping makes that a property of this
        # program rather than of a provider version, and the tests hold us to it.
        self.value = pulumi.Output.secret(generated.hex)
        self.register_outputs({"value": self.value})
