"""The least verify needs to run, for one stack: the `verify` role of stack.permissions.

Why print them: verify is meant to run where nobody holds the rights `pulumi up` needs (an
on-call laptop, a CI job after deploy). Every call the readers make is a rule of the stage that
makes it (stages/<stage>/permissions.py) and nothing else, with the stack's own names as
resourceNames, so a 403 that verify reports (naming the verb and resource) is fixed by granting
exactly this. Here the deployed stack is known: its `parameterArn` output scopes the IAM policy
to the real ARN. `get` on the store is needed only to explain an ExternalSecret that is not
Ready; without it verify still runs and says the store was unreadable. `./bin/permissions`
prints the same documents from the stack's file, before any stack exists.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from stack import permissions
from stack.settings import Settings
from stages.permissions import Scope


def _scope(settings: Settings, region: str | None, known_arn: str | None) -> Scope:
    return Scope(settings, region or "*", parameter_arn=known_arn)


def rbac(settings: Settings) -> list[dict[str, Any]]:
    """The Role (and for a ClusterSecretStore a ClusterRole), each with its binding."""
    return permissions.kubernetes(Scope(settings), "verify")


def iam(settings: Settings, region: str | None, known_arn: str | None) -> dict[str, Any]:
    """The IAM policy, on the stack's `parameterArn` when known."""
    return permissions.iam(_scope(settings, region, known_arn), "verify")


def render(settings: Settings, stack: str, region: str | None, known_arn: str | None) -> str:
    """Both, as text a person pastes: YAML for kubectl, JSON for IAM."""
    documents = yaml.safe_dump_all(rbac(settings), sort_keys=False)
    return (
        f"# Kubernetes: what ./bin/verify --stack {stack} reads. kubectl apply -f it; map\n"
        f"# verify's identity to the group {permissions.group_name('verify')} (or edit the\n"
        "# subjects). The Secret and the ExternalSecret carry the rotation\n"
        f"# (-r{settings.token.rotation}): update their names after each rotation, or drop\n"
        "# their resourceNames.\n"
        f"{documents}"
        "\n# AWS IAM policy for verify's identity:\n"
        f"{json.dumps(iam(settings, region, known_arn), indent=2)}\n"
    )
