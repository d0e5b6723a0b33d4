"""plan.md's detail sections: what each changed resource changes, and the openclaw.json diff.

Why in the comment and not only in plan.txt: a reviewer approves the pull request from the
comment, and nobody downloads an artifact to learn that a rotation moves the env entry's
`secretName` from `-r1` to `-r2`, or what the document will hold. So each changed resource
names its fields, old → new (a secret stays `[secret]`, as in every plan file: the inputs were
masked before they reached the plan), and the document's diff is shown in both modes: in
cluster mode it is what the section resource writes to the live ConfigMap; in git mode the
document inside the repository's manifest, beside the commit that carries it (the manifest
file's own diff).
"""

from __future__ import annotations

import json
from typing import Any

from stages.section import identity as section_identity
from tools.plan.markdown_text import code, fenced, text
from tools.plan.masking import SECRET
from tools.plan.model import Change, CommitPlan, Plan, PlannedResource


def _value(value: Any) -> str:
    """An input value as the plan shows it: JSON, or `[secret]` unquoted (as in plan.txt)."""
    return code(value if value == SECRET else json.dumps(value, ensure_ascii=False))


def _change(change: Change) -> str:
    old = "(none)" if change.kind == "add" else _value(change.old)
    new = "(none)" if change.kind == "delete" else _value(change.new)
    why = f" ({text(change.why)})" if change.why else ""
    return f"  - {code(change.path)}: {old} → {new}{why}"


def _resource(resource: PlannedResource) -> list[str]:
    mode = f" ({resource.replace_mode})" if resource.replace_mode else ""
    short = resource.type.rsplit(":", 1)[-1]
    return [
        f"- {resource.action}{mode} {code(short)} {code(resource.name)}:",
        *map(_change, resource.changes),
    ]


def field_changes(plan: Plan) -> list[str]:
    """Every compared resource with changed inputs, field by field (nothing without any)."""
    changed = [r for r in plan.resources if r.changes]
    if not changed:
        return []
    lines = ["#### What changes, field by field", ""]
    for resource in changed:
        lines += _resource(resource)
    return [*lines, ""]


def document_diff(plan: Plan) -> list[str]:
    """The openclaw.json the section leaves behind, as a diff of the base document; when the
    section resource is unchanged, `pulumi up` does not run it, and the text says so."""
    document, commit = plan.document, plan.commit
    where = (
        f"{code(document.section)} in {code(f'data[{json.dumps(document.key)}]')} of ConfigMap "
        f"{code(document.configmap)}"
    )
    lines = ["#### The change to openclaw.json", ""]
    if commit is not None:
        lines += [
            f"{where}, the document inside {code(document.base)}: the commit below carries "
            "it to the repository.",
            "",
        ]
    else:
        lines += [f"{where}, against {code(document.base)}:", ""]
    if document.result == "adopted":
        return [
            *lines,
            "Nothing is written: the base already holds an equal section (adopted).",
            "",
        ]
    if any(r.type in section_identity.TYPES and r.action == "same" for r in plan.resources):
        lines += [
            "The section resource is unchanged, so `pulumi up` writes nothing: this is the diff "
            "of a base that does not hold the section as the stack has it (a sample, or a "
            "document edited since the last `up`, which `pulumi refresh` finds).",
            "",
        ]
    return [*lines, *fenced("diff", document.diff), ""]


def commit_section(commit: CommitPlan) -> list[str]:
    """Git mode: where the commit goes, what `pulumi up` then waits for, the file's diff."""
    lines = ["#### The commit to the GitOps repository", ""]
    if commit.result == "adopted":
        lines += [
            "No commit: the file already holds an equal section (adopted). "
            f"`pulumi up` only {text(commit.waits)}.",
            "",
        ]
    else:
        lines += [f"`pulumi up` pushes it after the env rollout, then {text(commit.waits)}.", ""]
    lines += [
        "| repository | branch | file | author |",
        "|---|---|---|---|",
        "| "
        + " | ".join(
            code(value, table=True)
            for value in (commit.repo, commit.branch, commit.file, commit.author)
        )
        + " |",
        "",
    ]
    if commit.sample:
        lines += [
            f"⚠️ Against {text(commit.base)}, not the repository's file: give that with "
            "`--base-config` for the real diff.",
            "",
        ]
    else:
        lines += [f"Diff against {code(commit.base)}:", ""]
    if commit.result == "adopted":
        return lines
    return [
        *lines,
        *fenced("diff", commit.diff),
        "",
        "<details><summary>Commit message</summary>",
        "",
        *fenced("text", commit.message),
        "",
        "</details>",
        "",
    ]
