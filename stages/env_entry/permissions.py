"""The env entry stage's RBAC: the app's Deployment, and its pods during a rollout.

Evidence, call by call (`stages.env_entry.deployment_api`, `stages.env_entry.provider`):
- Deployment `get` (every role): refresh's read, and before and during every write (whose
  entry is live, who else declares it, the rollout's status) the provider reads it; verify
  reads it (`stages.kube_reader`).
- Deployment `patch` (deployer): the entry is written, handed over and removed by Server-Side
  Apply (`patch_namespaced_deployment`, apply-patch content type). No `create`: the program
  never creates the Deployment, and an apply that would is refused instead.
- pods `list` (deployer, verify): the wait until no pod still reads the previous rotation's
  Secret, and verify's pods hop, list the Deployment's pods by its label selector, which RBAC
  cannot narrow by name. Preview diffs offline (`provider.diff`) and reads no pod.
"""

from __future__ import annotations

from stages.permissions import Role, Rule, Scope, kube


def rules(scope: Scope, role: Role) -> list[Rule]:
    ns, deployment = scope.settings.namespace, scope.settings.deployment.name
    if role == "preview":
        return [kube("apps", "deployments", ["get"], ns, deployment)]
    verbs = ["get", "patch"] if role == "deployer" else ["get"]
    return [kube("apps", "deployments", verbs, ns, deployment), kube("", "pods", ["list"], ns)]
