"""What each role is granted in the e2e (issue 29, item 3): exactly what `./bin/permissions`
prints for the stack's file, applied as the administrator; and the same less one rule, to show
the step that needs the rule fails without it.

Why the printed documents and not the rules in-process: the command is what a platform team
runs to grant the identities, so the e2e grants what it prints, as they would.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from kubernetes.client.exceptions import ApiException

from e2e.harness.control_plane import REPO, ControlPlane, apply, request
from e2e.harness.identities import ACCOUNT, POLICY_NAME, kubeconfig_as
from e2e.harness.stack_driver import StackDriver
from stack.permissions import RBAC, role_name
from stages.permissions import ROLES

FIELD_MANAGER = "e2e-permissions"
RBAC_KINDS = {"Role": "roles", "RoleBinding": "rolebindings"}
RBAC_KINDS |= {"ClusterRole": "clusterroles", "ClusterRoleBinding": "clusterrolebindings"}


@dataclass
class Grants:
    """What `./bin/permissions` printed for one stack file: per role, the Kubernetes objects
    and the IAM policy. `without_*` give the same grants less one rule (the other direction)."""

    stack_file: Path
    kubernetes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    iam: dict[str, dict[str, Any]] = field(default_factory=dict)
    removed: str | None = None

    @classmethod
    def printed(cls, stack_file: Path) -> Grants:
        argv = ["./bin/permissions", "--stack-file", str(stack_file), "--aws-account-id", ACCOUNT]
        done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
        grants = cls(stack_file)
        for chunk in done.stdout.split("---\n"):
            head, _, body = chunk.partition("\n")
            role = head.split("role ", 1)[1].split(":", 1)[0]  # "# stack S, role R: part"
            if head.endswith("AWS IAM policy"):
                grants.iam[role] = json.loads(body)
            elif ": Kubernetes " in head:
                grants.kubernetes.setdefault(role, []).append(yaml.safe_load(body))
        return grants

    def without_verb(self, role: str, resource: str, verb: str) -> Grants:
        """Less `verb` on `resource` in the role's Kubernetes rules."""
        manifests = json.loads(json.dumps(self.kubernetes[role]))
        found = False
        for manifest in manifests:
            for rule in manifest.get("rules", []):
                if resource in rule["resources"] and verb in rule["verbs"]:
                    rule["verbs"].remove(verb)
                    found = True
            if "rules" in manifest:
                manifest["rules"] = [r for r in manifest["rules"] if r["verbs"]]
        if not found:
            raise ValueError(f"role {role} has no {verb} on {resource} to remove")
        removed = f"{role}: Kubernetes {verb} {resource}"
        return Grants(self.stack_file, {**self.kubernetes, role: manifests}, self.iam, removed)

    def without_action(self, role: str, action: str) -> Grants:
        """Less `action` in the role's IAM policy."""
        policy = json.loads(json.dumps(self.iam[role]))
        kept = []
        for statement in policy["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            left = [a for a in actions if a != action]
            if left:
                kept.append({**statement, "Action": left[0] if len(left) == 1 else left})
        if kept == policy["Statement"]:
            raise ValueError(f"role {role}'s policy has no {action} to remove")
        removed = f"{role}: IAM {action}"
        return Grants(
            self.stack_file,
            self.kubernetes,
            {**self.iam, role: {**policy, "Statement": kept}},
            removed,
        )

    def grant(self, plane: ControlPlane) -> None:
        """Make these the roles' only rights: apply the objects, delete the roles' other RBAC
        objects (a previous stack's, in another namespace), put each role's policy."""
        with plane.api_client() as api:
            self._grant_kubernetes(api)
        iam = plane.iam_client()
        for role in ROLES:
            policy = self.iam.get(role, {"Version": "2012-10-17", "Statement": []})
            user = plane.identities[role].name
            if policy["Statement"]:
                document = json.dumps(policy)
                iam.put_user_policy(UserName=user, PolicyName=POLICY_NAME, PolicyDocument=document)
            elif POLICY_NAME in iam.list_user_policies(UserName=user)["PolicyNames"]:
                iam.delete_user_policy(UserName=user, PolicyName=POLICY_NAME)

    def _grant_kubernetes(self, api: Any) -> None:
        wanted: set[str] = set()
        for manifests in self.kubernetes.values():
            for manifest in manifests:
                path = _path(manifest)
                apply(api, path, manifest, FIELD_MANAGER)
                wanted.add(path)
        for role in ROLES:
            for plural in RBAC_KINDS.values():
                query = [("fieldSelector", f"metadata.name={role_name(role)}")]
                listed = request(api, "GET", f"/apis/{RBAC}/v1/{plural}", query=query)
                for item in listed["items"]:
                    path = _path({**item, "kind": _kind(plural), "apiVersion": f"{RBAC}/v1"})
                    if path not in wanted:
                        try:
                            request(api, "DELETE", path)
                        except ApiException as error:
                            if error.status != 404:
                                raise

    def report(self) -> dict[str, Any]:
        """Each role's rules as granted, for report.json."""
        return {
            role: {"kubernetes": self.kubernetes.get(role, []), "iam": self.iam.get(role)}
            for role in ROLES
        }


def _kind(plural: str) -> str:
    return next(kind for kind, p in RBAC_KINDS.items() if p == plural)


def _path(manifest: dict[str, Any]) -> str:
    namespace = manifest["metadata"].get("namespace")
    scope = f"/namespaces/{namespace}" if namespace else ""
    plural = RBAC_KINDS[manifest["kind"]]
    return f"/apis/{RBAC}/v1{scope}/{plural}/{manifest['metadata']['name']}"


def run_by_roles(driver: StackDriver, plane: ControlPlane, kubeconfig: Path) -> dict[str, Any]:
    """From now on, `driver` runs each operation as its role (`stack_driver.ROLE_OF`), through
    `kubeconfig`'s contexts with the role's token, the roles granted what is printed for the
    stack file as it is at each operation. The record for report.json: {roles, runs}."""
    record: dict[str, Any] = {"runs": driver.ran_as}
    roles: dict[str, dict[str, str]] = {
        role: {
            "KUBECONFIG": str(kubeconfig_as(plane.identities[role], kubeconfig)),
            **plane.identities[role].aws_env(),
        }
        for role in ROLES
    }

    def grant(stack_file: Path) -> None:
        grants = Grants.printed(stack_file)
        grants.grant(plane)
        record["roles"] = grants.report()

    driver.run_by_roles(roles, grant)
    return record


@contextmanager
def less_one_rule(driver: StackDriver, plane: ControlPlane, less: Grants) -> Iterator[None]:
    """`less` granted for the block (the driver does not grant in it), and what is printed for
    the stack file granted again after, by the driver's own grant, whatever happened."""
    grant, driver.grant = driver.grant, None
    if grant is None:
        raise ValueError("the stack does not run by roles (grants.run_by_roles)")
    less.grant(plane)
    try:
        yield
    finally:
        driver.grant = grant
        grant(driver.stack_file)
