"""The token stage's hop, `stack`: is the live path meant to match the current config?

Why the token's: the token and its rotation exist only in the stack (pulumi-random's value, the
`token.rotation` that names every object after it), so what the live path should hold is what
the stack's last update applied. If the config changed since (a rotation set, `pulumi up` not
run), every later hop is judged against the new config, and this hop says so first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stack.settings import Settings
from stages.fix_commands import Commands
from stages.hop import Hop, fail, ok
from stages.live import Live
from stages.section.document import json_equal


def applied_values(settings: Settings) -> dict[str, Any]:
    """The stack outputs the current config would produce (see __main__.py)."""
    return {
        "parameterName": settings.token.parameter_name,
        "externalSecretName": settings.external_secret_name,
        "secretName": settings.secret_name,
        "envName": settings.deployment.env_name,
        "cronSection": settings.cron_section() if settings.section.present else None,
    }


def stack_hop(stack: str, settings: Settings, outputs: Mapping[str, Any], c: Commands) -> Hop:
    """Is the live path meant to match the current config? Only if `pulumi up` ran since."""
    pending = [
        key
        for key, want in applied_values(settings).items()
        if key in outputs and not json_equal(outputs[key], want)
    ]
    rotation = f"rotation {settings.token.rotation}"
    if pending:
        changes = [
            f"{key}: the section's keys differ"
            if key == "cronSection"
            else f"{key}: {outputs[key]} → {applied_values(settings)[key]}"
            for key in pending
        ]
        return fail(
            "stack",
            f"stack {stack}'s config differs from its last update ({', '.join(pending)})",
            "the config was changed (for example token.rotation) and `pulumi up` has not run "
            "since; the hops below are checked against the new config",
            c.up,
            *changes,
        )
    return ok("stack", f"stack {stack}: the last update applied the current config ({rotation})")


def judge(live: Live, before: Mapping[str, Hop]) -> tuple[Hop, ...]:
    return (stack_hop(live.stack, live.settings, live.outputs, live.commands),)
