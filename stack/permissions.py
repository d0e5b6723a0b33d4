"""The permissions of each role that runs the stack, as the documents a person grants them with.

Why documents, from the stages' rules (`stages.permissions`): least privilege only holds if
what is granted is exactly what the code calls, and a grant written by hand drifts from the
code. So each role's Kubernetes Roles and bindings (kubectl apply), IAM policy (JSON) and the
repository credential's access are generated here from the stack's settings alone: no Pulumi
CLI and no state, so they can be granted before the first `pulumi up`. `./bin/permissions`
prints every role's; `./bin/verify --print-permissions` prints verify's, from the same rules.

Kubernetes: one Role a namespace (the stack's, and Argo CD's for the Application), a
ClusterRole only for a cluster-scoped kind (a ClusterSecretStore), each with its binding to the
Group `openclaw-cron-webhook:<role>`: map the identity that runs the role to that group (an EKS
access entry's kubernetesGroups, an OIDC groups claim), or replace the subject.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from stack.settings import PROJECT
from stages.permissions import (
    ROLES,
    VERBS,
    AwsStatement,
    GitAccess,
    KubeRule,
    Role,
    Scope,
    rules,
)

RBAC = "rbac.authorization.k8s.io"
PARTS = ("kubernetes", "iam", "git")


def role_name(role: Role) -> str:
    return f"{PROJECT}-{role}"


def group_name(role: Role) -> str:
    return f"{PROJECT}:{role}"


def kubernetes(scope: Scope, role: Role) -> list[dict[str, Any]]:
    """The role's Roles and ClusterRole, each followed by its binding; rules on one resource
    and one set of names merged into one rule."""
    merged: dict[tuple[str | None, str, str, tuple[str, ...]], set[str]] = {}
    for rule in rules(scope, role):
        if isinstance(rule, KubeRule):
            key = (rule.namespace, rule.group, rule.resource, rule.names)
            merged.setdefault(key, set()).update(rule.verbs)
    namespaces = list(dict.fromkeys(namespace for namespace, *_ in merged))
    manifests: list[dict[str, Any]] = []
    for namespace in sorted(namespaces, key=lambda n: (n is None, n != scope.settings.namespace)):
        body = [
            _rule(group, resource, names, verbs)
            for (ns, group, resource, names), verbs in merged.items()
            if ns == namespace
        ]
        manifests += _role_and_binding(role, namespace, body)
    return manifests


def _rule(group: str, resource: str, names: tuple[str, ...], verbs: set[str]) -> dict[str, Any]:
    rule: dict[str, Any] = {"apiGroups": [group], "resources": [resource]}
    if names:
        rule["resourceNames"] = list(names)
    rule["verbs"] = [verb for verb in VERBS if verb in verbs]
    return rule


def _role_and_binding(
    role: Role, namespace: str | None, body: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    kind = "Role" if namespace else "ClusterRole"
    metadata: dict[str, Any] = {"name": role_name(role)}
    if namespace:
        metadata["namespace"] = namespace
    granted = {"apiVersion": f"{RBAC}/v1", "kind": kind, "metadata": metadata, "rules": body}
    binding = {
        "apiVersion": f"{RBAC}/v1",
        "kind": f"{kind}Binding",
        "metadata": dict(metadata),
        "subjects": [{"kind": "Group", "apiGroup": RBAC, "name": group_name(role)}],
        "roleRef": {"apiGroup": RBAC, "kind": kind, "name": role_name(role)},
    }
    return [granted, binding]


def iam(scope: Scope, role: Role) -> dict[str, Any]:
    """The role's IAM policy document."""
    statements = [r.document() for r in rules(scope, role) if isinstance(r, AwsStatement)]
    return {"Version": "2012-10-17", "Statement": statements}


def git(scope: Scope, role: Role) -> dict[str, Any] | None:
    """What the GitOps repository's credential must be allowed (git mode), else None."""
    for rule in rules(scope, role):
        if isinstance(rule, GitAccess):
            allowed = (
                f"read the repository and push to branch {rule.branch} (no force push)"
                if rule.access == "push"
                else "read the repository (clone and fetch); no push"
            )
            return {
                "repository": rule.repository,
                "branch": rule.branch,
                "path": rule.path,
                "access": rule.access,
                "allowed": allowed,
            }
    return None


def render(
    scope: Scope, stack: str, roles: tuple[Role, ...] = ROLES, parts: tuple[str, ...] = PARTS
) -> str:
    """The chosen roles' chosen parts as one YAML stream, each document headed by a comment
    naming the stack, the role and the part. An IAM policy is its JSON (JSON is YAML)."""
    documents: list[str] = []
    for role in roles:
        where = f"stack {stack}, role {role}"
        if "kubernetes" in parts:
            for manifest in kubernetes(scope, role):
                head = f"# {where}: Kubernetes {manifest['kind']}\n"
                documents.append(head + yaml.safe_dump(manifest, sort_keys=False))
        if "iam" in parts:
            policy = json.dumps(iam(scope, role), indent=2)
            documents.append(f"# {where}: AWS IAM policy\n{policy}\n")
        access = git(scope, role) if "git" in parts else None
        if access is not None:
            head = f"# {where}: what the GitOps repository's credential must be allowed\n"
            documents.append(head + yaml.safe_dump(access, sort_keys=False))
    return "---\n".join(documents)
