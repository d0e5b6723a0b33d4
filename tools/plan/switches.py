"""The two rollbacks by config, as the plan shows them: `enabled: false` (Phase 2 switched off)
and `section.present: false` (the `cron` section alone).

Why a module of its own: either switch makes the program register less (nothing at all, or
everything but the section), and what was left out is what the next `pulumi up` deletes, as a
destroy would. With `--compare`, the earlier plan says what the stack holds, and the deletes
come out of the comparison like any other. Without it, the plan is against an empty stack,
where nothing is deleted; so the plan also runs the program with the switches on, to say
plainly what the next `up` removes from a stack that holds Phase 2 (the `switch` line of
plan.txt, plan.md and plan.json), and to show openclaw.json without the section.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stages.section.identity import TYPES
from tools.plan.mock_runtime import Recording
from tools.plan.model import DestroyStep

# What OpenClaw 2026.9.6 does with no `cron` section, as tests/real_openclaw measured it.
WITHOUT_SECTION = (
    "OpenClaw then runs on its defaults: the scheduler keeps running (`openclaw cron status`: "
    "enabled, with a next wake), and a job set to webhook delivery still runs but is not "
    'delivered to a private or cluster receiver (deliveryStatus "not-delivered": the SSRF '
    "guard blocks it without the section's webhookSsrfPolicy); switch such jobs to announce "
    "delivery first, or use cron.enabled: false to stop the scheduler instead"
)


def switched_off(recording: Recording) -> bool:
    """`enabled: false`: the program exported only that."""
    return recording.outputs.get("enabled") is False


def section_absent(recording: Recording) -> bool:
    return not any(r.type in TYPES for r in recording.resources)


def switched_on(values: Mapping[str, Any], project: str) -> dict[str, Any]:
    """The same config with both switches on: what the stack holds when Phase 2 is on."""
    on = {**values, f"{project}:enabled": "true"}
    key = f"{project}:section"
    section = values.get(key)
    parsed = json.loads(section) if isinstance(section, str) else dict(section or {})
    on[key] = json.dumps({**parsed, "present": True})
    return on


def switch_line(
    recording: Recording, removed: list[DestroyStep], compared: bool, retain_note: str
) -> str | None:
    """The plan's own summary line for a switch that is off; None when both are on."""
    steps = "; ".join(f"{step.id}: {step.does}" for step in removed)
    if switched_off(recording):
        head = "Phase 2 switched off (enabled: false): " + (
            "the next `pulumi up` removes it, like `pulumi destroy`, in this order"
            if compared
            else "nothing is created; on a stack that holds Phase 2 with this config, the "
            "next `pulumi up` removes it like `pulumi destroy`, in this order"
        )
        return f"{head}: {steps}. {retain_note}"
    if section_absent(recording):
        head = "the `cron` section is not written (section.present: false)"
        head += (
            ": the next `pulumi up` removes it, and only it (no rollout)"
            if compared
            else "; on a stack that holds it, the next `pulumi up` removes it, and only it "
            "(no rollout)"
        )
        return f"{head}: {steps}. {WITHOUT_SECTION}"
    return None


RETAIN_NOTE = (
    "The SSM parameter is kept or deleted as `token.retainOnDestroy` was at the last `pulumi up` "
    "(the state's retainOnDelete): change it with an `up` of its own first."
)
