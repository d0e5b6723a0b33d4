"""The env entry's field manager: the stack's own, and how an entry moves to it from an
earlier one without a rollout of its own.

Why each stack has its own: Server-Side Apply takes from a field manager whatever its latest
apply leaves out. With one name for every stack, a second stack's apply on the same Deployment
(another env name) removed the first stack's entry. The program names the manager
(`stages.kubernetes_meta.stack_field_manager`) and passes it in as `fieldManager`.

Why a hand-over: an entry written before that is owned by the legacy shared manager, and its
state records no manager; a renamed stack (`pulumi stack rename`) records its old one. The
diff never reports the manager (an upgrade or a rename alone must preview 0 changes), so the
entry moves at the stack's next write: first the stack's manager applies the entry exactly as
it is live (co-owned, same bytes: no conflict, no rollout), then each earlier manager lets go
of it (the entry stays, the new manager holds it), then the write applies what it wants (a
rotation's one rollout). Only a manager whose apply holds THIS entry is let go: the legacy
manager is shared, and an empty apply under it takes whatever it applied last, which is another
stack's entry when that stack was the last to write with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stages.env_entry.owners import applies
from stages.env_entry.pod_spec import EnvTarget, apply_body, entry, live_entry, secret_ref
from stages.kubernetes_meta import FIELD_MANAGER

if TYPE_CHECKING:  # verify reads the managers without the Kubernetes client
    from stages.env_entry.deployment_api import DeploymentApi

# The input and output that names the stack's field manager. Absent from entries written
# before it existed: the legacy manager wrote those.
MANAGER_PROP = "fieldManager"


def manager_of(props: dict[str, Any]) -> str:
    """The field manager that wrote (or is to write) the entry these properties describe."""
    return str(props.get(MANAGER_PROP) or FIELD_MANAGER)


def ours(manager: str) -> frozenset[str]:
    """Every field manager the stack may have written its entry with."""
    return frozenset({manager, FIELD_MANAGER})


def earlier_owners(
    deployment: dict[str, Any], target: EnvTarget, manager: str, recorded: str
) -> list[str]:
    """The stack's managers other than `manager` (the one its state recorded, the legacy one)
    whose apply still holds the entry."""
    return [
        old
        for old in dict.fromkeys((recorded, FIELD_MANAGER))
        if old != manager and applies(deployment, target, old)
    ]


def hand_over(
    api: DeploymentApi,
    target: EnvTarget,
    deployment: dict[str, Any],
    manager: str,
    earlier: list[str],
) -> None:
    """Move the entry from `earlier` managers to `manager`, leaving the pod template as is."""
    if not earlier:
        return
    ref = secret_ref(live_entry(deployment, target))
    if ref.get("name") and ref.get("key"):
        adopted = entry(target.env_name, ref["name"], ref["key"])
        api.apply(target.namespace, target.deployment, apply_body(target, [adopted]), manager)
    for old in earlier:
        api.apply(target.namespace, target.deployment, apply_body(target, []), old)
