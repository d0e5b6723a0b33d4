"""managedFields for the fake API server's Deployments, from who owns which env entry.

The fake judges Server-Side Apply per field manager and env entry (`_Deployments.owners`);
this renders that record as the API server shows it, so code that reads managedFields (who
else declares the env entry) reads it from the fake as from a cluster. Only the env entries'
items are rendered (`.` and `f:name`): enough to say who owns an entry, and nothing that names
a secretKeyRef's owner, which verify's take-back advice reads and tests set by hand.
"""

from __future__ import annotations

import json
from typing import Any


def _key(name: str) -> str:
    return "k:" + json.dumps({"name": name}, separators=(",", ":"))


def managed_fields(
    owners: dict[tuple[str, str, str, str], set[str]], namespace: str, name: str
) -> list[dict[str, Any]]:
    """One Apply entry per manager, holding the env items it owns in that Deployment."""
    trees: dict[str, dict[str, Any]] = {}
    for (ns, deployment, container, env), managers in sorted(owners.items()):
        if (ns, deployment) != (namespace, name):
            continue
        for manager in managers:
            containers = trees.setdefault(manager, {})
            item = containers.setdefault(_key(container), {".": {}, "f:name": {}, "f:env": {}})
            item["f:env"][_key(env)] = {".": {}, "f:name": {}}
    return [
        {
            "manager": manager,
            "operation": "Apply",
            "apiVersion": "apps/v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": containers}}}},
        }
        for manager, containers in sorted(trees.items())
    ]


def config_map_update(
    managed: list[dict[str, Any]], manager: str, old: dict[str, str], new: dict[str, str]
) -> list[dict[str, Any]]:
    """A ConfigMap's managedFields after `manager`'s Update (a PUT) from data `old` to `new`,
    as the API server keeps them: each data key whose value changed is taken from every other
    manager and owned by this one under operation Update; a key that went is nobody's; a key
    written unchanged stays whose it was. Managers left owning nothing are dropped."""
    changed = {key for key in new if old.get(key) != new[key]}
    kept = set(new)
    entries: list[dict[str, Any]] = []
    for entry in managed:
        data = entry.get("fieldsV1", {}).get("f:data", {})
        owned = {f: v for f, v in data.items() if f[2:] in kept and f[2:] not in changed}
        if entry["manager"] == manager and entry.get("operation") == "Update":
            changed |= {f[2:] for f in owned}
            continue
        if owned or set(entry.get("fieldsV1", {})) - {"f:data"}:
            fields = {**entry.get("fieldsV1", {}), "f:data": owned}
            entries.append({**entry, "fieldsV1": {k: v for k, v in fields.items() if v}})
    if changed:
        entries.append(
            {
                "manager": manager,
                "operation": "Update",
                "apiVersion": "v1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:data": {"f:" + key: {} for key in sorted(changed)}},
            }
        )
    return entries
