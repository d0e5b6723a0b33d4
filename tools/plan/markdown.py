"""plan.md: the plan as a reviewer reads it in a pull-request comment.

Why a third rendering of the same `Plan`: a PR comment has room for the answers, not every
detail — what changes (one table, and how its count relates to `pulumi preview`'s), each
changed field and the openclaw.json diff (`tools.plan.markdown_changes`), what OpenClaw says
about the change (and what it says about the base document, apart), which OpenClaw judged
against which image the pod runs, and a picture of the token's path with every hop's action
and effect on pods, folded (it is long, and the table says the same). plan.txt keeps the
rest, and the footer says where to get it. Everything taken from the plan is escaped for
Markdown (`tools.plan.markdown_text`) and for Mermaid, so a name or an OpenClaw message can
never break the comment or the diagram.
"""

from __future__ import annotations

from typing import Any

from openclaw_runtime.verdict import ALREADY_HEADING
from tools.plan.compare import summary_line
from tools.plan.kinds import kind_of
from tools.plan.markdown_changes import commit_section, document_diff, field_changes
from tools.plan.markdown_text import code, fenced, link_target, text
from tools.plan.model import Plan, PlannedResource, TrackedPlan
from tools.plan.preview import extra_counted, preview_summary
from tools.plan.text import verdict_headline

# One look per action; a hop that restarts pods gets a thick border on top.
ACTION_STYLE = {
    "create": "fill:#dafbe1,stroke:#1a7f37,color:#0d3a17",
    "update": "fill:#fff8c5,stroke:#9a6700,color:#3d2a00",
    "replace": "fill:#ffe7d1,stroke:#bc4c00,color:#4a1e00",
    "delete": "fill:#ffebe9,stroke:#cf222e,color:#5c0a0f",
    "same": "fill:#f6f8fa,stroke:#8c959f,color:#24292f",
}
RESTART_STYLE = "stroke-width:4px"
# The name the PR workflow gives the uploaded output folder (.github/workflows/pull-request.yml).
ARTIFACT_NAME = "offline-plan"


def mermaid_label(value: str) -> str:
    """Text for a quoted Mermaid label: quotes, markup and entity starts as entity codes."""
    codes = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "`": "#96;"}
    return "".join(codes.get(c, c) for c in " ".join(value.split()))


def _short_type(resource: PlannedResource) -> str:
    return resource.type.rsplit(":", 1)[-1]


def _hop(resource: PlannedResource) -> str:
    """What a hop of the path is, in the words of the objects it acts on (its stage's)."""
    return kind_of(resource.type).hop(resource.inputs, resource.name)


def _restarts(resource: PlannedResource) -> bool:
    return resource.action != "same" and resource.pods.startswith("restarts")


def _effect(resource: PlannedResource) -> str:
    if _restarts(resource):
        return "restarts pods: " + resource.pods.split(": ", 1)[-1]
    return "no pod restart"


def _action(resource: PlannedResource) -> str:
    if resource.replace_mode:
        return f"{resource.action} ({resource.replace_mode})"
    return resource.action


def flowchart(plan: Plan) -> str:
    """The token's path as a Mermaid flowchart: one node per resource (the hop, its action,
    its effect on pods), edges where one depends on another; deleted ones dashed."""
    ids = {r.id: f"n{i}" for i, r in enumerate(plan.resources, 1)}
    lines = ["flowchart TD"]
    for resource in plan.resources:
        label = "<br/>".join(
            mermaid_label(part) for part in (_hop(resource), _action(resource), _effect(resource))
        )
        lines.append(f'  {ids[resource.id]}["{label}"]')
    deleted = {r.id for r in plan.resources if r.action == "delete"}
    for resource in plan.resources:
        for dependency in resource.depends_on:
            if dependency in ids:
                arrow = "-.->" if deleted & {dependency, resource.id} else "-->"
                lines.append(f"  {ids[dependency]} {arrow} {ids[resource.id]}")
    used = sorted({r.action for r in plan.resources})
    lines += [f"  classDef {action} {ACTION_STYLE[action]}" for action in used]
    for action in used:
        members = [ids[r.id] for r in plan.resources if r.action == action]
        lines.append(f"  class {','.join(members)} {action}")
    lines += [f"  style {ids[r.id]} {RESTART_STYLE}" for r in plan.resources if _restarts(r)]
    return "\n".join(lines) + "\n"


def _changes_table(plan: Plan) -> list[str]:
    lines = [
        "| # | action | resource | acts on | pods |",
        "|---|---|---|---|---|",
    ]
    for number, resource in enumerate(plan.resources, 1):
        lines.append(
            f"| {number} | {text(_action(resource))} | "
            f"{code(_short_type(resource), table=True)} {code(resource.name, table=True)} | "
            f"{text(resource.target)} | {text(_effect(resource))} |"
        )
    return lines


def _issues(issues: list[dict[str, str]]) -> list[str]:
    return [f"- {code(i['path'] or '(document)')}: {text(i['message'])}" for i in issues]


def _tracked(tracked: TrackedPlan) -> list[str]:
    return [
        "#### ⚠️ A GitOps controller tracks the ConfigMap",
        "",
        text(tracked.warning),
        "",
        *fenced("yaml", tracked.ignore_differences),
        "",
    ]


def _verdict(openclaw: dict[str, Any]) -> list[str]:
    # A change OpenClaw rejects fails the plan (exit 2, nothing written): here it passed.
    mark = "✅" if openclaw["version"] else "(not judged)"
    lines = [f"{mark} {text(verdict_headline(openclaw))}", ""]
    if openclaw["already_in_base"]:
        count = len(openclaw["already_in_base"])
        heading = ALREADY_HEADING[0].upper() + ALREADY_HEADING[1:]
        lines += [f"**{text(heading)} ({count}):**", ""]
        lines += [*_issues(openclaw["already_in_base"]), ""]
    if openclaw["warnings"]:
        lines += ["Warnings:", "", *_issues(openclaw["warnings"]), ""]
    judged = (
        f"OpenClaw {code(openclaw['version'], table=True)}" if openclaw["version"] else "nobody"
    )
    pod = openclaw["pod"]
    runs = (
        f"{code(pod['image'], table=True)} (container {code(pod['container'], table=True)} of "
        f"Deployment {code(pod['deployment'], table=True)})"
        if pod
        else "not known (no `--base-deployment` given)"
    )
    lines += ["| judged by | the pod runs |", "|---|---|", f"| {judged} | {runs} |", ""]
    if pod:
        lines += [text(pod["note"][0].upper() + pod["note"][1:]) + ".", ""]
    return lines


def _summary(plan: Plan) -> list[str]:
    """The plan's counts, then `pulumi preview`'s for the same change and why they differ."""
    compared = plan.compared_with
    against = (
        f"Compared with {code(compared['file'])} (stack {code(compared['stack'])})"
        if compared
        else "Against an empty stack (no `--compare`): everything is created"
    )
    return [
        f"{against}: **{text(summary_line(plan.summary))}**",
        "",
        f"`pulumi preview` counts **{text(summary_line(preview_summary(plan)))}**, "
        f"{text(extra_counted(plan))}.",
        *(["", f"**Rollback switch:** {text(plan.switch)}"] if plan.switch else []),
    ]


def _diagram(plan: Plan) -> list[str]:
    """The path diagram, folded: GitHub renders a fenced block inside <details> only with a
    blank line on each side of it."""
    return [
        "<details><summary>The token's path: each hop, its action and whether it restarts "
        "pods (thick border)</summary>",
        "",
        "```mermaid",
        flowchart(plan).rstrip("\n"),
        "```",
        "",
        "</details>",
    ]


def _footer(artifact_url: str | None) -> str:
    """Where plan.txt, plan.json and the written objects are: the CI run that uploaded them,
    when the plan was told its address; otherwise beside this file."""
    files = "plan.txt, plan.json, `kubernetes/` and openclaw.json"
    where = (
        f"the artifact {code(ARTIFACT_NAME)} of [the workflow run]({link_target(artifact_url)})"
        if artifact_url
        else f"beside this plan.md (in the pull-request workflow: the run's artifact "
        f"{code(ARTIFACT_NAME)})"
    )
    return (
        "<sub>Written by `./bin/plan` (Pulumi mock runtime: nothing was contacted). "
        f"Details in {files}: {where}.</sub>"
    )


def markdown(plan: Plan, artifact_url: str | None = None) -> str:
    """plan.md: heading, the counts (the plan's and `pulumi preview`'s), change table, pod
    restarts, each changed field, the openclaw.json diff, the commit (git mode) or a tracked
    ConfigMap's warning, OpenClaw's verdict, the folded path diagram, and where the details
    are (`artifact_url`: the page the output folder can be downloaded from)."""
    restarts = [r for r in plan.resources if _restarts(r)]
    lines = [
        f"### Offline plan: stack {code(plan.stack)} of {code(plan.project)}",
        "",
        *_summary(plan),
        "",
        *_changes_table(plan),
        "",
        "**Restarts pods:** "
        + (
            "; ".join(f"{code(r.name)}: {text(_effect(r).split(': ', 1)[1])}" for r in restarts)
            if restarts
            else "nothing"
        ),
        "",
        *field_changes(plan),
        *document_diff(plan),
        *(commit_section(plan.commit) if plan.commit else []),
        *(_tracked(plan.tracked) if plan.tracked else []),
        "#### OpenClaw's verdict on openclaw.json",
        "",
        *_verdict(plan.openclaw),
        *_diagram(plan),
        "",
        _footer(artifact_url),
    ]
    return "\n".join(lines) + "\n"
