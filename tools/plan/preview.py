"""What `pulumi preview` counts beside the plan's resources: the stack and the components.

Why: the pull request carries two summaries of the same change, the plan's ("+ 5 to create")
and, a few comments below, `pulumi preview`'s ("+ 12 to create"). A reviewer must be able to
see that they agree. The plan counts the resources a provider acts on (what changes in AWS or
the cluster); the preview also counts the stack's own resource (`pulumi:pulumi:Stack`: created
with the stack, unchanged after) and every component resource the program registers
(`CronWebhookDelivery` and one per stage), none of which is a cloud object. Default providers
it does not count. So the difference is computed here from the same program run and the
compared plan.json's `components`, never as a fixed number: a new `section.target` swaps a
stage's component (`CronConfigSection` for `CronGitSection`), which the preview counts as one
create and one delete.

The program's components register no inputs, and the engine diffs a resource without a
provider by its inputs: a component in both plans is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.plan.model import ACTIONS, ComponentPlan, Plan

STACK_TYPE = "pulumi:pulumi:Stack"
# How a preview's summary words each action (as `summary_line`).
_WORDS = {
    "create": "to create",
    "update": "to update",
    "replace": "to replace",
    "delete": "to delete",
    "same": "unchanged",
}
OLD_PLAN_NOTE = (
    "the compared plan.json records no component resources (written before plans recorded "
    "them): the count for `pulumi preview` takes this plan's components as unchanged"
)


def compare_components(
    current: list[str], previous: Mapping[str, Any] | None
) -> tuple[list[ComponentPlan], list[str]]:
    """Each component (by id, in registration order) with its action against the compared
    plan, then those only that plan had; and a note when that plan has no record of them."""
    if previous is None:
        return [ComponentPlan(c, "create") for c in current], []
    recorded = previous.get("components")
    if recorded is None:
        return [ComponentPlan(c, "same") for c in current], [OLD_PLAN_NOTE]
    before = [c["id"] for c in recorded if c["action"] != "delete"]
    kept = [ComponentPlan(c, "same" if c in before else "create") for c in current]
    return kept + [ComponentPlan(c, "delete") for c in before if c not in current], []


def stack_action(plan: Plan) -> str:
    """The stack's own resource: created with the first `up`, the same in every later one (a
    compared plan is the stack as it stands)."""
    return "same" if plan.compared_with else "create"


def preview_summary(plan: Plan) -> dict[str, int]:
    """The counts `pulumi preview` prints for this change: the plan's, the stack, the
    components."""
    counts = dict(plan.summary)
    counts[stack_action(plan)] += 1
    for component in plan.components:
        counts[component.action] += 1
    return counts


def _short(component_id: str) -> str:
    return component_id.split("::", 1)[0].rsplit(":", 1)[-1]


def extra_counted(plan: Plan) -> str:
    """What the preview counts beyond the plan, in words: "7 more than this plan: the stack
    itself (pulumi:pulumi:Stack) and the program's 6 component resources, none of them a cloud
    object (to create: the stack, CronWebhookDelivery, …)"."""
    extra = [("the stack", stack_action(plan))]
    extra += [(_short(c.id), c.action) for c in plan.components]
    groups = [
        f"{_WORDS[action]}: {', '.join(names)}"
        for action in ACTIONS
        if (names := [name for name, done in extra if done == action])
    ]
    return (
        f"{len(extra)} more than this plan: the stack itself ({STACK_TYPE}) and the program's "
        f"{len(plan.components)} component resources, none of them a cloud object "
        f"({'; '.join(groups)})"
    )
