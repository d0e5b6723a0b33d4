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
