"""Who else declares the env entry, and why destroy then stops instead of deleting its Secret.

Server-Side Apply removes a relinquished list item only when no other field manager owns it.
When another one still declares `env[name=<envName>]` in the container (a GitOps controller
that applies the same entry from Git, a second tool), the entry stays in the pod template after
the env stage lets go of it, still taking its value from the stack's Secret. `pulumi destroy`
then deletes the ExternalSecret, Kubernetes garbage-collects the Secret, and the next pod start
fails with CreateContainerConfigError. Failing the env entry's delete stops the destroy there:
Pulumi deletes in reverse dependency order, so the ExternalSecret, created before the entry, is
still there.

Why the check reads the Deployment the relinquishing apply returns (and the one read after the
rollout), not managedFields before it: that answer is what the API server actually kept, so the
check is never wrong about whether the entry survived, whatever partial ownership other managers
hold; a check before the apply would still need one after it for a manager that applies in
between. Relinquishing first costs nothing: an entry someone else declares with the same value
stays byte for byte (no rollout), and a later `pulumi destroy` has nothing left to let go of.
managedFields then only name who to talk to.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from stages.env_entry.pod_spec import EnvTarget, live_entry, secret_ref


class EntryStillDeclared(RuntimeError):
    """Another field manager keeps the env entry that points at the Secret destroy deletes."""


def _list_key(name: str) -> str:
    """How managedFields names an item of a list keyed by `name` (`k:{"name":"openclaw"}`)."""
    return "k:" + json.dumps({"name": name}, separators=(",", ":"))


def entry_owners(deployment: dict[str, Any], target: EnvTarget) -> list[tuple[str, str]]:
    """(manager, operation) of every managedFields record that holds anything of the entry."""
    path = (
        "f:spec",
        "f:template",
        "f:spec",
        "f:containers",
        _list_key(target.container),
        "f:env",
        _list_key(target.env_name),
    )
    owners = []
    for managed in (deployment.get("metadata") or {}).get("managedFields") or []:
        fields: Any = managed.get("fieldsV1") or {}
        for key in path:
            fields = fields.get(key) if isinstance(fields, dict) else None
        if fields is not None:
            owners.append((str(managed.get("manager")), str(managed.get("operation"))))
    return owners


def applies(deployment: dict[str, Any], target: EnvTarget, manager: str) -> bool:
    """Whether `manager`'s Server-Side Apply holds the entry (so an empty apply lets go of it)."""
    return (manager, "Apply") in entry_owners(deployment, target)


def other_managers(
    deployment: dict[str, Any], target: EnvTarget, ours: Collection[str]
) -> list[str]:
    """Field managers that own anything of the env entry, other than the stack's own Applies
    (`ours`: its manager, and the legacy one that wrote the entry before it had its own)."""
    return sorted(
        {
            manager
            for manager, operation in entry_owners(deployment, target)
            if not (manager in ours and operation == "Apply")
        }
    )


def still_declared(
    deployment: dict[str, Any], target: EnvTarget, secret: str | None, ours: Collection[str]
) -> EntryStillDeclared | None:
    """The refusal when the entry, after the stack let go of it under `ours`, still reads
    `secret`."""
    if secret is None or secret_ref(live_entry(deployment, target)).get("name") != secret:
        return None
    owners = other_managers(deployment, target, ours)
    by = (
        f"field manager{'s' if len(owners) > 1 else ''} {', '.join(owners)}"
        if owners
        else "a writer that managedFields does not record"
    )
    return EntryStillDeclared(
        f"{target.where}: env {target.env_name} is still declared by {by}, so it stays in the "
        f"pod template after this stack let go of it, taking its value from Secret {secret}, "
        "which this destroy would delete next with its ExternalSecret: every pod started after "
        "that would fail with CreateContainerConfigError. The destroy stops here; the "
        "ExternalSecret and its Secret are kept. Remove the entry from the source of that "
        "writer (for a GitOps controller, the Deployment's manifest in Git) and let it sync, "
        "then run `pulumi destroy` again."
    )
