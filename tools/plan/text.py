"""plan.txt: the reviewer's reading of plan.json, in the order the questions come.

Why rendered from the same `Plan` object as plan.json: the two can never disagree. Order:
each resource (what it targets, waits for and sets; what changed), the change summary with
its effect on pods, the `pulumi up` order, what `pulumi destroy` does, the Kubernetes files,
the openclaw.json diff, outputs, and OpenClaw's own verdict.
"""

from __future__ import annotations

import json
from typing import Any

from openclaw_runtime.judge import SKIPPED
from openclaw_runtime.verdict import ALREADY_HEADING
from tools.plan.compare import SYMBOLS, summary_line
from tools.plan.masking import SECRET
from tools.plan.mock_runtime import flatten
from tools.plan.model import Change, CommitPlan, Plan, PlannedResource
from tools.plan.preview import extra_counted, preview_summary


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _label(resource: PlannedResource) -> str:
    return f'{resource.type} "{resource.name}"'


def _change(change: Change) -> str:
    if change.kind == "add":
        text = f"{change.path}: (none) → {_json(change.new)}"
    elif change.kind == "delete":
        text = f"{change.path}: {_json(change.old)} → (none)"
    elif change.why:
        text = f"{change.path}: {change.old} → {change.new} ({change.why})"
    else:
        text = f"{change.path}: {_json(change.old)} → {_json(change.new)}"
    return text


def _resource(number: int, resource: PlannedResource, numbers: dict[str, int]) -> list[str]:
    after = sorted(numbers[d] for d in resource.depends_on if d in numbers)
    lines = [
        f"{number}. {resource.action:<7} {_label(resource)}",
        f"   target: {resource.target}",
        f"   after:  {', '.join(map(str, after)) if after else '-'}",
    ]
    if resource.waits:
        lines.append(f"   waits:  {resource.waits}")
    lines.append(f"   pods:   {resource.pods}")
    if resource.changes:
        mode = f" ({resource.replace_mode})" if resource.replace_mode else ""
        lines.append(f"   {resource.action}{mode} because:")
        lines.extend(f"     {_change(c)}" for c in resource.changes)
    lines.append("   sets:")
    lines.extend(f"     {path} = {_json(v)}" for path, v in flatten(resource.inputs).items())
    return [*lines, ""]


def _short(resource: PlannedResource) -> str:
    return f'{resource.action} {resource.type.rsplit(":", 1)[-1]} "{resource.name}"'


def _changes(plan: Plan) -> list[str]:
    changed = [r for r in plan.resources if r.action != "same"]
    lines: list[str] = []
    if plan.compared_with is None:
        lines.append("Changes: against an empty stack (no --compare given), everything is created")
    else:
        compared = plan.compared_with
        lines.append(f"Changes against {compared['file']} (stack '{compared['stack']}'):")
        for resource in changed:
            mode = f" ({resource.replace_mode})" if resource.replace_mode else ""
            symbol = SYMBOLS[resource.action]
            lines.append(f"  {symbol:<2} {resource.action}{mode} {_label(resource)}")
            lines.extend(f"       {_change(c)}" for c in resource.changes)
    restarts = [r for r in changed if r.pods.startswith("restarts")]
    quiet = [r for r in changed if not r.pods.startswith("restarts")]
    for resource in restarts:
        effect = resource.pods.split(": ", 1)[-1]
        if resource.replace_mode == "delete-before-create":
            effect += ", twice: the old object goes first, then the new one is applied"
        lines.append(f"  restarts pods: {_short(resource)}: {effect}")
    if not restarts:
        lines.append("  restarts pods: nothing")
    if quiet:
        lines.append(f"  no pod restart: {', '.join(map(_short, quiet))}")
    lines += [
        f"Summary: {summary_line(plan.summary)}",
        f"  pulumi preview: {summary_line(preview_summary(plan))}; {extra_counted(plan)}",
        *([f"  rollback switch: {plan.switch}"] if plan.switch else []),
    ]
    return [*lines, ""]


def verdict_headline(openclaw: dict[str, Any]) -> str:
    """Who judged openclaw.json, and whether the change (not the base) passes."""
    version, already = openclaw["version"], len(openclaw["already_in_base"])
    if version is None:
        return SKIPPED
    judged = f"openclaw.json judged by OpenClaw {version}: "
    if openclaw["valid"] is not False:
        return judged + "valid"
    if openclaw["issues"] or openclaw["base_valid"] is not False:
        return judged + f"INVALID, this change adds {len(openclaw['issues'])} issue(s)"
    return judged + (
        f"this change adds no issue (the result is INVALID only by the {already} issue(s) "
        "already in the base document)"
    )


def verdict_lines(openclaw: dict[str, Any]) -> list[str]:
    """OpenClaw's verdict as plan.txt ends (and a rejected plan's error says it): the issues
    the change adds, those already in the base under their own heading, the warnings, and
    the image the pod runs beside the release that judged."""
    lines = [verdict_headline(openclaw)]
    lines += [f"  {i['path']}: {i['message']}" for i in openclaw["issues"]]
    if openclaw["already_in_base"]:
        lines.append(f"  {ALREADY_HEADING} ({len(openclaw['already_in_base'])}):")
        lines += [f"    {i['path']}: {i['message']}" for i in openclaw["already_in_base"]]
    lines += [f"  warning: {w['path']}: {w['message']}" for w in openclaw["warnings"]]
    pod = openclaw["pod"]
    if pod is not None:
        judged = f"judged by OpenClaw {openclaw['version']}" if openclaw["version"] else "unjudged"
        lines += [
            f"  {judged}; the pod runs {pod['image']} (container {pod['container']} of "
            f"Deployment {pod['deployment']}):",
            f"    {pod['note']}",
        ]
    return lines


def commit_lines(commit: CommitPlan) -> list[str]:
    """Git mode: the commit `pulumi up` pushes (or adopts), what it then waits for, its diff."""
    if commit.result == "adopted":
        what = (
            "no commit: the file already holds an equal section (adopted); `pulumi up` only waits"
        )
    else:
        what = "`pulumi up` pushes this commit after the env rollout"
    lines = [
        f"Commit (section.target git): {what}",
        f"  repository: {commit.repo}",
        f"  branch:     {commit.branch}",
        f"  file:       {commit.file}",
        f"  base:       {commit.base}",
        f"  author:     {commit.author}",
        f"  then:       {commit.waits}",
    ]
    if commit.result == "adopted":
        return lines
    lines.append("  message:")
    lines += [f"    {line}" if line else "" for line in commit.message.rstrip("\n").split("\n")]
    return [*lines, commit.diff.rstrip("\n")]


def render(plan: Plan) -> str:
    ordered = [r for r in plan.resources if r.action != "delete"]
    numbers = {r.id: i for i, r in enumerate(ordered, 1)}
    by_id = {r.id: r for r in plan.resources}
    lines = [
        f"Offline plan for stack '{plan.stack}' of project {plan.project} ({plan.stack_file}; "
        "Pulumi mock runtime, nothing was contacted)",
        "",
    ]
    for number, resource in enumerate(ordered, 1):
        lines += _resource(number, resource, numbers)
    lines += [
        f"-. delete  {_label(r)} (only in the compared plan)\n   target: {r.target}\n"
        for r in plan.resources
        if r.action == "delete"
    ]
    lines += _changes(plan)
    lines.append("`pulumi up` runs, in this order:")
    lines += [
        f"  {i}. {s.operation} {_label(by_id[s.id])}: {s.does}" for i, s in enumerate(plan.steps, 1)
    ]
    lines += ["", "Destroy (`pulumi destroy`, in this order):"]
    lines += [f"  {i}. {_label(by_id[s.id])}: {s.does}" for i, s in enumerate(plan.destroy, 1)]
    lines += ["", "Kubernetes objects written:"]
    lines += [
        f"  {r.kubernetes['file']}: {r.kubernetes['validation']}" for r in ordered if r.kubernetes
    ]
    if plan.commit is not None:
        lines += ["", *commit_lines(plan.commit)]
    if plan.tracked is not None:
        lines += ["", f"WARNING: {plan.tracked.warning}"]
        lines += [f"    {line}" for line in plan.tracked.ignore_differences.splitlines()]
    document = plan.document
    lines += [
        "",
        f'openclaw.json: "{document.section}" in data["{document.key}"] of ConfigMap '
        f"{document.configmap} (base: {document.base}; result in {document.file})",
    ]
    if document.result == "adopted":
        lines.append("  adopted, nothing written: the base already holds an equal section")
    elif plan.commit is not None:
        lines.append("  the document inside the manifest: its change is the commit's diff above")
    else:
        lines.append(document.diff.rstrip("\n"))
    lines += ["", "Stack outputs:"]
    lines += [
        f"  {name} = {value if value == SECRET else _json(value)}"
        for name, value in plan.outputs.items()
    ]
    lines += ["", *verdict_lines(plan.openclaw)]
    if plan.notes:
        lines += ["", "Notes:"] + [f"  {note}" for note in plan.notes]
    return "\n".join(lines) + "\n"
