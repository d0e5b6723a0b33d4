"""The token stage needs no permission: pulumi-random's RandomBytes is computed by the provider
on the machine that runs Pulumi, and lives only in the state (stages.token.resource)."""

from __future__ import annotations

from stages.permissions import Role, Rule, Scope


def rules(scope: Scope, role: Role) -> list[Rule]:
    return []
