"""Whether this program last wrote the ConfigMap's document: read from its managedFields.

Why it matters: create adopts a `cron` section equal to the stack's, and destroy gives an
adopted section back (stages.section.adoption). That is right for a section someone wrote by
hand, but wrong for one this program wrote itself and then lost from the state, as the
documented upgrade from the DeploymentPatch version does (`pulumi state delete
--target-dependents` drops the section from the state, `pulumi up` finds it equal): given
back, it would outlive `pulumi destroy`. The API server records who last changed each data
key: a PUT (operation Update) or an apply (Apply) takes the key `f:data`/`f:<key>` from
every other manager. So the section is the program's own when that key belongs to one of its
field managers: the name every ConfigMap write of every version has used (`FIELD_MANAGER`),
or a per-stack name beginning with it (`stack_field_manager`). The manager destroy gives an
adopted section back with (`GIVE_BACK_FIELD_MANAGER`) is deliberately not one of them.

What it cannot tell: the key holds the whole document, so a hand edit of any other section
since the program's last write makes the section look hand-written (adopted: given back on
destroy, as before this check); and all stacks write ConfigMaps under the one shared name, so
a section another stack of this program wrote counts as this program's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from kubernetes import client

from stages.kubernetes_meta import FIELD_MANAGER

_OPERATIONS = ("Update", "Apply")


def is_this_programs(manager: str | None) -> bool:
    """A field manager this program writes with: the legacy name or a stack's own."""
    return manager is not None and (
        manager == FIELD_MANAGER or manager.startswith(FIELD_MANAGER + "/")
    )


def written_by_this_program(config_map: client.V1ConfigMap, key: str) -> bool:
    """The data key `key` was last written by this program (no managedFields: it was not)."""
    metadata = config_map.metadata
    entries: Iterable[client.V1ManagedFieldsEntry] = (
        (metadata.managed_fields or []) if metadata is not None else []
    )
    return any(
        is_this_programs(entry.manager)
        and entry.operation in _OPERATIONS
        and f"f:{key}" in ((entry.fields_v1 or {}).get("f:data") or {})
        for entry in entries
    )
