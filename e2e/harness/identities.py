"""Who runs what in the e2e (issue 29, item 3): one identity per role, known to the API server and
to moto, granted exactly what `./bin/permissions` prints for the stack, and nothing else.

Why real identities: the permissions are generated from the stack's settings, and only running
`pulumi preview`, `up`, a rotation, `destroy` and `./bin/verify` under them shows they are
enough; only removing a rule and watching the step that needs it fail shows they are not more.
An administrator's kubeconfig and keys moto does not check would show neither.

- Kubernetes: the API server's static token file (`--token-auth-file`) holds a user per role, in
  the group the generated bindings name (`stack.permissions.group_name`); the API server's RBAC
  (`--authorization-mode=RBAC`) then answers each call. A kubeconfig per role is the scenario's
  own with the user's token swapped in, so its contexts are the same.
- AWS: moto runs with its IAM access control on (`e2e.harness.standins.moto_iam`, which also
  gives SSM calls their resource), with an IAM user per role, created with the keys chosen
  here so they survive a moto restart; each role's inline policy is the printed one.
- The administrator (the harness's own reads and writes, and every stack not run by role) keeps
  `system:masters` and an allow-all policy; External Secrets reads parameters with its own user.

The secret keys and tokens are fresh each session, so the secrets scan searches for them too.
What each role is granted, and the grants less one rule: `e2e.harness.grants`.
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stack.permissions import group_name, role_name
from stages.permissions import ROLES

ACCOUNT = "123456789012"  # moto's default account: the one ./bin/permissions is told
POLICY_NAME = "openclaw-cron-webhook"  # the roles' inline IAM policy
ADMIN, EXTERNAL_SECRETS = "e2e-admin", "external-secrets"
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
# The platform team's store reads every parameter (not this project's to narrow).
STORE_READS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["ssm:GetParameter*", "ssm:DescribeParameters", "ssm:ListTagsForResource"],
            "Resource": "*",
        }
    ],
}


@dataclass(frozen=True)
class Identity:
    """One user of the cluster and of AWS, with the same name in both."""

    name: str
    kube_token: str
    kube_groups: tuple[str, ...]
    access_key_id: str
    secret_access_key: str
    policy: dict[str, Any] | None = None  # granted at creation (the roles': by `grant`)

    def aws_env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }


def new(admin_token: str) -> dict[str, Identity]:
    """The session's identities: the administrator, External Secrets' store user, one per role."""

    def make(name: str, token: str, groups: tuple[str, ...], policy: Any = None) -> Identity:
        alphabet = string.ascii_uppercase + string.digits
        key_id = "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16))
        return Identity(name, token, groups, key_id, secrets.token_urlsafe(30), policy)

    made = {
        ADMIN: make(ADMIN, admin_token, ("system:masters",), ALLOW_ALL),
        EXTERNAL_SECRETS: make(EXTERNAL_SECRETS, secrets.token_hex(24), (), STORE_READS),
    }
    for role in ROLES:
        made[role] = make(role_name(role), secrets.token_hex(24), (group_name(role),))
    return made


def token_file(identities: Iterable[Identity]) -> str:
    """The API server's `--token-auth-file`: token, user, uid, "groups"."""
    return "".join(
        f'{i.kube_token},{i.name},{i.name},"{",".join(i.kube_groups)}"\n' for i in identities
    )


def moto_users(identities: Iterable[Identity]) -> str:
    """What `e2e.harness.standins.moto_iam` creates before it serves (MOTO_IAM_USERS)."""
    users = [
        {
            "name": i.name,
            "access_key_id": i.access_key_id,
            "secret_access_key": i.secret_access_key,
            "policy": i.policy,
        }
        for i in identities
    ]
    return json.dumps({"account": ACCOUNT, "policy_name": POLICY_NAME, "users": users})


def kubeconfig_as(identity: Identity, source: Path) -> Path:
    """`source` with every user's token replaced by the identity's: same clusters and contexts."""
    document = yaml.safe_load(source.read_text())
    for user in document["users"]:
        user["user"] = {"token": identity.kube_token}
    path = source.with_name(f"{source.name}.{identity.name}")
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    path.chmod(0o600)
    return path
