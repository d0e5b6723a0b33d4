"""What each identity that runs this stack may do, stated by the stage whose calls need it.

Why per stage (`stages/<stage>/permissions.py`): a permission is a fact about a call — the AWS
provider's reads and writes of the parameter, pulumi-kubernetes' create and await of the
ExternalSecret, the env entry's Server-Side Apply, the section's ConfigMap or Git writes — so it
is stated beside the code that makes the call, with that code as its evidence, and a new call
is one rule in the same folder. This module holds the shape of a rule and the walk over
`stages.ORDER`; `stack.permissions` turns the rules into documents (Roles and bindings, IAM
policies, the repository credential's access), for `./bin/permissions` and for verify.

The three roles, by what they run:
- `preview`: `pulumi preview` (and `--refresh`): reads what refresh and diff read, writes
  nothing. pulumi-kubernetes' server-side dry runs are refused to it, and the provider then
  previews client-side (it treats a Forbidden dry run as "cannot preview", not as a failure).
- `deployer`: `pulumi up`, a rotation, `destroy`: preview's reads and every write.
- `verify`: `./bin/verify`: the reads `stages.kube_reader` and `stages.parameter.ssm_reader`
  make, on the current rotation's names.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import stages
from stack.settings import Settings

Role = Literal["preview", "deployer", "verify"]
ROLES: tuple[Role, ...] = ("preview", "deployer", "verify")
# Kubernetes verbs in the order RBAC documents list them, so merged rules read the same always.
VERBS = ("get", "list", "watch", "create", "update", "patch", "delete")


@dataclass(frozen=True)
class Scope:
    """Where the rules are stated: the stack's settings, and what AWS ARNs need beyond them.

    `region` is the stack's `aws:region` (`*` when unset); `account` the AWS account id when the
    caller knows it (`*` otherwise); `parameter_arn` the stack's `parameterArn` output when
    read from a deployed stack (verify), which then wins over the ARN built here.
    """

    settings: Settings
    region: str = "*"
    account: str = "*"
    parameter_arn: str | None = None

    @property
    def token_parameter_arn(self) -> str:
        if self.parameter_arn:
            return self.parameter_arn
        name = self.settings.token.parameter_name
        return f"arn:aws:ssm:{self.region}:{self.account}:parameter{name}"


@dataclass(frozen=True)
class KubeRule:
    """One RBAC rule. `namespace` None: a cluster-scoped resource (a ClusterRole's rule)."""

    group: str
    resource: str
    verbs: tuple[str, ...]
    namespace: str | None
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class AwsStatement:
    """One IAM policy statement, as IAM spells it (`Action` a string when it is one)."""

    sid: str
    actions: tuple[str, ...]
    resource: str
    condition: Mapping[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        statement: dict[str, Any] = {"Sid": self.sid, "Effect": "Allow"}
        statement["Action"] = self.actions[0] if len(self.actions) == 1 else list(self.actions)
        statement["Resource"] = self.resource
        if self.condition:
            statement["Condition"] = dict(self.condition)
        return statement


@dataclass(frozen=True)
class GitAccess:
    """What the GitOps repository's credential must be allowed: `read` or `push` a branch."""

    access: Literal["read", "push"]
    repository: str
    branch: str
    path: str


Rule = KubeRule | AwsStatement | GitAccess


def rules(scope: Scope, role: Role) -> list[Rule]:
    """Every stage's rules for `role`, in the order the token travels."""
    found: list[Rule] = []
    for stage in stages.ORDER:
        found += importlib.import_module(f"stages.{stage}.permissions").rules(scope, role)
    return found


def kube(
    group: str, resource: str, verbs: Iterable[str], namespace: str | None, *names: str
) -> KubeRule:
    """A rule with its verbs in RBAC's order; `names` empty: every object of the resource."""
    wanted = set(verbs)
    unknown = wanted - set(VERBS)
    if unknown:
        raise ValueError(f"not an RBAC verb this module orders: {sorted(unknown)}")
    return KubeRule(group, resource, tuple(v for v in VERBS if v in wanted), namespace, names)
