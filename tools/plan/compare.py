"""Change types against an earlier plan: create, update, replace, delete or same — as Pulumi.

Why offline: a reviewer must see that rotating the token replaces the ExternalSecret pair
create-before-delete and rolls the pods exactly once, before anyone runs `pulumi preview`.
The decision follows each provider's `Diff` (see `stages/<stage>/plan.py`): a changed input
that names the object replaces it, any other changed input updates it. Secrets are never
shown, not even to this comparison; a secret computed from a resource that is created or
replaced gets a new value, which is how Pulumi itself sees it (the value is unknown until
that resource exists), so that input counts as changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.plan.kinds import kind_of
from tools.plan.masking import SECRET, secret_sources
from tools.plan.mock_runtime import Registration, flatten
from tools.plan.model import ACTIONS, Change, PlannedResource, Step

SYMBOLS = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": " "}
_ABSENT = object()


def input_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Leaf by leaf (dotted paths), in path order."""
    before, after = flatten(dict(old)), flatten(dict(new))
    changes: list[Change] = []
    for path in sorted(before.keys() | after.keys()):
        was, now = before.get(path, _ABSENT), after.get(path, _ABSENT)
        if was is _ABSENT:
            changes.append(Change(path, "add", None, now))
        elif now is _ABSENT:
            changes.append(Change(path, "delete", was, None))
        elif was != now or type(was) is not type(now):
            changes.append(Change(path, "update", was, now))
    return changes


def compare(
    resources: list[PlannedResource],
    previous: Mapping[str, Any],
    secret_sources: Mapping[str, Mapping[str, list[str]]],
) -> list[PlannedResource]:
    """Sets each resource's action and changes; returns those only the previous plan had.

    `resources` are in creation order, so a resource's sources are decided before it.
    `secret_sources`: per resource id, each secret input path → the ids it was computed from.
    """
    before = {r["id"]: r for r in previous["resources"] if r["action"] != "delete"}
    actions: dict[str, str] = {}
    for resource in resources:
        old = before.get(resource.id)
        if old is None:
            resource.action, resource.changes = "create", []
            actions[resource.id] = "create"
            continue
        kind = kind_of(resource.type)
        changes = [
            c for c in input_changes(old["inputs"], resource.inputs) if kind.compares(c.path)
        ]
        changed = {c.path for c in changes}
        for path, sources in secret_sources.get(resource.id, {}).items():
            renewed = [s for s in sources if actions.get(s) in ("create", "replace")]
            if renewed and path not in changed:
                why = f"a new value from the {actions[renewed[0]]}d {renewed[0]}"
                changes.append(Change(path, "update", SECRET, SECRET, why))
        paths = [c.path for c in changes]
        if not changes:
            resource.action = "same"
        elif kind.replaced_by(paths):
            resource.action = "replace"
            resource.replace_mode = kind.replace_mode(paths)
        else:
            resource.action = "update"
        resource.changes = changes
        actions[resource.id] = resource.action
    # One the previous plan already deleted is gone: not deleted again.
    return [_deleted(r) for r in before.values() if r["id"] not in {r.id for r in resources}]


def option_notes(resources: list[PlannedResource], previous: Mapping[str, Any]) -> list[str]:
    """Changed `retainOnDelete` options: Pulumi records them without an update step (the
    resource stays `same`), but they change what destroy does, so a reviewer must see them."""
    before = {r["id"]: r for r in previous["resources"]}
    return [
        f"{r.id}: retainOnDelete {str(before[r.id]['retain_on_delete']).lower()} → "
        f"{str(r.retain_on_delete).lower()} (a resource option: recorded in state, nothing "
        "changes in the cloud; it decides what destroy does)"
        for r in resources
        if r.id in before and before[r.id]["retain_on_delete"] != r.retain_on_delete
    ]


def _deleted(old: Mapping[str, Any]) -> PlannedResource:
    kind = kind_of(old["type"])
    return PlannedResource(
        id=old["id"],
        urn=None,
        type=old["type"],
        name=old["name"],
        action="delete",
        replace_mode=None,
        changes=[],
        target=old["target"],
        inputs=old["inputs"],
        depends_on=old["depends_on"],
        retain_on_delete=old["retain_on_delete"],
        waits=None,
        pods=kind.pods(old["inputs"]),
        kubernetes=None,
    )


def summary(resources: list[PlannedResource]) -> dict[str, int]:
    return {action: sum(r.action == action for r in resources) for action in ACTIONS}


def summary_line(counts: Mapping[str, int]) -> str:
    """Like `pulumi preview`'s: "+ 1 to create, ~ 1 to update, +- 1 to replace, 3 unchanged"."""
    parts = [
        f"{SYMBOLS[action]} {counts[action]} to {action}"
        for action in ("create", "update", "replace", "delete")
        if counts[action]
    ]
    parts.append(f"{counts['same']} unchanged")
    return ", ".join(parts)


def up_steps(
    resources: list[PlannedResource], previous: Mapping[str, Any] | None, order: list[str]
) -> list[Step]:
    """The operations of `pulumi up`, in the engine's order, each with what it does.

    Creates and updates run in creation order; a delete-before-create replacement deletes the
    old object right before creating the new one; every other delete — replaced objects and
    removed resources — runs at the end, in reverse creation order (`order`: the ids of both
    plans, in creation order).
    """
    old = {r["id"]: r for r in previous["resources"]} if previous else {}

    def delete(resource: PlannedResource) -> Step:
        was = old.get(resource.id, {"inputs": resource.inputs})
        does = kind_of(resource.type).on_destroy(was["inputs"], resource.retain_on_delete)
        return Step("delete", resource.id, does)

    def create(resource: PlannedResource) -> Step:
        replacement = "the replacement: " if resource.action == "replace" else ""
        waits = f"; {resource.waits}" if resource.waits else ""
        return Step("create", resource.id, f"creates {replacement}{resource.target}{waits}")

    steps: list[Step] = []
    at_end: list[PlannedResource] = []
    for resource in resources:
        if resource.action == "replace" and resource.replace_mode == "delete-before-create":
            steps += [delete(resource), create(resource)]
        elif resource.action in ("create", "replace"):
            steps.append(create(resource))
            if resource.action == "replace":
                at_end.append(resource)
        elif resource.action == "update":
            waits = f"; {resource.waits}" if resource.waits else ""
            does = f"updates {resource.target}; {resource.pods}{waits}"
            steps.append(Step("update", resource.id, does))
        elif resource.action == "delete":
            at_end.append(resource)
    at_end.sort(key=lambda r: order.index(r.id), reverse=True)
    return steps + [delete(r) for r in at_end]


def compared(
    resources: list[PlannedResource],
    previous: dict[str, Any],
    ordered: list[Registration],
    ids: Mapping[str, str],
) -> tuple[list[PlannedResource], list[str], list[str]]:
    """Every resource with its action (deleted ones last), the ids of both plans in creation
    order (deletes run in its reverse), and notes on changed resource options."""
    deleted = compare(resources, previous, {ids[r.urn]: secret_sources(r, ids) for r in ordered})
    earlier = [r["id"] for r in previous["resources"]]
    order = earlier + [r.id for r in resources if r.id not in earlier]
    return resources + deleted, order, option_notes(resources, previous)
