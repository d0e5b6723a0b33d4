"""The fix commands verify prints, spelled for this stack and the cluster verify reached.

Why one builder: every stage's hop ends a failure with one command, and the same `pulumi up`
or `kubectl` spelling (with the stack's --context / --kubeconfig) must appear in each, so a
printed fix acts on the stack and cluster that were checked (docs/operations.md's table).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Commands:
    """The fix commands, spelled for this stack and the cluster verify reached."""

    stack: str
    kubectl: str = "kubectl"  # with --context / --kubeconfig when the stack names them

    @property
    def up(self) -> str:
        return f"pulumi up --stack {self.stack}"

    @property
    def up_refresh(self) -> str:
        """Refresh first: every resource of the stack reads the live object, so what was
        changed or removed behind Pulumi's back is found and put back."""
        return f"pulumi up --refresh --stack {self.stack}"

    @property
    def permissions(self) -> str:
        return f"./bin/verify --stack {self.stack} --print-permissions"

    def force_sync(self, namespace: str, external_secret: str) -> str:
        return (
            f"{self.kubectl} -n {namespace} annotate externalsecret {external_secret} "
            "force-sync=$(date +%s) --overwrite"
        )

    def rollout_status(self, namespace: str, deployment: str) -> str:
        return f"{self.kubectl} -n {namespace} rollout status deployment/{deployment}"

    def restart(self, namespace: str, deployment: str) -> str:
        return f"{self.kubectl} -n {namespace} rollout restart deployment/{deployment}"
