"""The least verify needs to run: a read-only Kubernetes Role and an IAM policy, for one stack.

Why print them: verify is meant to run where nobody holds the rights `pulumi up` needs (an
on-call laptop, a CI job after deploy). Every call the readers make is listed here and nothing
else, with the stack's own names as resourceNames, so a 403 that verify reports (naming the verb
and resource) is fixed by granting exactly this. `get` on the store is needed only to explain an
ExternalSecret that is not Ready; without it verify still runs and says the store was unreadable.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from stack.settings import PROJECT, Settings
from stages.external_secret.identity import GROUP, PLURAL, STORE_PLURALS
from stages.parameter.ssm_reader import ACTIONS

ROLE_NAME = f"{PROJECT}-verify"


def _rule(group: str, resource: str, verb: str, names: list[str] | None) -> dict[str, Any]:
    rule: dict[str, Any] = {"apiGroups": [group], "resources": [resource]}
    if names:
        rule["resourceNames"] = names
    rule["verbs"] = [verb]
    return rule


def rbac(settings: Settings) -> list[dict[str, Any]]:
    """The Role (and for a ClusterSecretStore a ClusterRole) to bind verify's identity to."""
    ns, e = settings.namespace, settings.external_secret
    rules = [
        _rule("", "configmaps", "get", [settings.config.config_map]),
        _rule("", "secrets", "get", [settings.secret_name]),
        _rule(GROUP, PLURAL, "get", [settings.external_secret_name]),
        _rule("apps", "deployments", "get", [settings.deployment.name]),
        _rule("", "pods", "list", None),
    ]
    role: dict[str, Any] = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": ROLE_NAME, "namespace": ns},
        "rules": rules,
    }
    if e.store_kind == "SecretStore":
        rules.append(_rule(GROUP, STORE_PLURALS["SecretStore"], "get", [e.store_name]))
        return [role]
    store_role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": ROLE_NAME},
        "rules": [_rule(GROUP, STORE_PLURALS["ClusterSecretStore"], "get", [e.store_name])],
    }
    return [role, store_role]


def parameter_arn(settings: Settings, region: str | None, known: str | None) -> str:
    """The stack's `parameterArn` output, else the ARN with the account left open."""
    if known:
        return known
    return f"arn:aws:ssm:{region or '*'}:*:parameter{settings.token.parameter_name}"


def iam(settings: Settings, region: str | None, known_arn: str | None) -> dict[str, Any]:
    """The IAM policy: read this parameter, describe parameters (which takes no resource), and
    decrypt with a customer key through SSM. The AWS-managed key aws/ssm needs no statement:
    its key policy already lets every principal of the account use it through SSM."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadTheTokenParameter",
            "Effect": "Allow",
            "Action": [ACTIONS["GetParameter"], ACTIONS["ListTagsForResource"]],
            "Resource": parameter_arn(settings, region, known_arn),
        },
        {
            "Sid": "DescribeParameters",
            "Effect": "Allow",
            "Action": ACTIONS["DescribeParameters"],
            "Resource": "*",
        },
    ]
    key = settings.token.kms_key_id
    if key:
        via = {"kms:ViaService": f"ssm.{region or '*'}.amazonaws.com"}
        decrypt: dict[str, Any] = {"Sid": "DecryptThroughSsm", "Effect": "Allow"}
        decrypt["Action"] = "kms:Decrypt"
        if key.startswith("arn:") and ":key/" in key:
            decrypt["Resource"], decrypt["Condition"] = key, {"StringEquals": via}
        elif "alias/" in key:
            alias = key[key.index("alias/") :]
            decrypt["Resource"] = "*"
            decrypt["Condition"] = {
                "StringEquals": via,
                "ForAnyValue:StringEquals": {"kms:ResourceAliases": alias},
            }
        else:
            decrypt["Resource"] = f"arn:aws:kms:{region or '*'}:*:key/{key}"
            decrypt["Condition"] = {"StringEquals": via}
        statements.append(decrypt)
    return {"Version": "2012-10-17", "Statement": statements}


def render(settings: Settings, stack: str, region: str | None, known_arn: str | None) -> str:
    """Both, as text a person pastes: YAML for kubectl, JSON for IAM."""
    documents = yaml.safe_dump_all(rbac(settings), sort_keys=False)
    return (
        f"# Kubernetes: what ./bin/verify --stack {stack} reads. kubectl apply -f it, then\n"
        "# bind it to verify's identity (RoleBinding, ClusterRoleBinding). The Secret and the\n"
        f"# ExternalSecret carry the rotation (-r{settings.token.rotation}): update their names\n"
        "# after each rotation, or drop their resourceNames.\n"
        f"{documents}"
        "\n# AWS IAM policy for verify's identity:\n"
        f"{json.dumps(iam(settings, region, known_arn), indent=2)}\n"
    )
