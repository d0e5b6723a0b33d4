"""How a stage explains its resource type to the offline plan: the `Kind` each `plan` module
declares.

Why a shape every stage fills in: a reviewer's questions are per type — which real object does
it act on, what makes Pulumi replace it (and in which order), what does it wait for, does a
change restart the app's pods, what does destroy do to the cluster and to AWS. Each answer is
read from the provider that handles the type, so it lives in that stage's package
(`stages/<stage>/plan.py`) beside its identity, and the plan (tools/plan) only walks
`stages.ORDER` to collect them. The shape lives here, not in the plan, because stages never
import the tools that use them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Inputs = Mapping[str, Any]

NO_RESTART = "no pod restart"


@dataclass(frozen=True)
class Kind:
    """One resource type, as the plan explains it.

    `hop`: what the resource is on the token's path, from its inputs and name (plan.md's
    diagram). `replace_on`: input paths whose change makes the provider replace the resource
    (the stage identity's `REPLACE_ON`). `names`: input paths that name the real object; a
    replacement that keeps them must delete the old object first (two objects cannot share a
    name), one that changes them creates the new one first — the rule of pulumi-kubernetes' and
    the Terraform bridge's `Diff`. `delete_first`: the provider always replaces
    delete-before-create. `manifest`: the Kubernetes object it applies (None: not a Kubernetes
    object). `into_deployment`: that object is a partial Deployment, merged into the base to
    validate. `not_compared`: input paths the provider's diff never compares (a change of them
    alone is no step).
    """

    target: Callable[[Inputs], str]
    pods: Callable[[Inputs], str]
    on_destroy: Callable[[Inputs, bool], str]
    hop: Callable[[Inputs, str], str]
    waits: Callable[[Inputs], str | None] = lambda _: None
    replace_on: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    delete_first: bool = False
    manifest: Callable[[Inputs], dict[str, Any]] | None = None
    into_deployment: bool = False
    not_compared: tuple[str, ...] = ()

    def compares(self, path: str) -> bool:
        return not _under(path, self.not_compared)

    def replaced_by(self, changed: list[str]) -> bool:
        return any(_under(path, self.replace_on) for path in changed)

    def replace_mode(self, changed: list[str]) -> str:
        same_name = bool(self.names) and not any(_under(path, self.names) for path in changed)
        return "delete-before-create" if self.delete_first or same_name else "create-before-delete"


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in prefixes)


def seconds(value: Any) -> str:
    """A timeout as given in config: the wire format may carry an int as a float."""
    return f"{value:g}" if isinstance(value, float) else str(value)
