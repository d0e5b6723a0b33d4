"""plan.json: the plan as one documented, versioned object — for machines, and for `--compare`.

Why a fixed, schema-checked shape: CI and reviewers' tools read it, and the next plan reads it
back to say what changes. The shape, `schema_version` 2 (a change of shape bumps it):

    {
      "schema_version": 2,
      "stack": "dev", "project": "openclaw-cron-webhook", "stack_file": "Pulumi.dev.yaml",
      "compared_with": null | {"file": "<previous plan.json>", "stack": "dev"},
      "summary": {"create": 0, "update": 2, "replace": 2, "delete": 0, "same": 1},
      "resources": [                       # creation order; then deleted ones (compare only)
        {"id": "<type>::<name>",           # unique and stack-independent: what compare matches
         "urn": "urn:pulumi:…" | null,     # null for a resource only the previous plan had
         "type": "…", "name": "…",
         "action": "create" | "update" | "replace" | "delete" | "same",
         "replace_mode": null | "create-before-delete" | "delete-before-create",
         "changes": [{"path": "metadata.name", "kind": "add" | "delete" | "update",
                      "old": …, "new": …, "why": null | "…"}],
         "target": "<the real object, in words>",
         "inputs": {…},                    # as registered; every secret is "[secret]"
         "depends_on": ["<id>", …], "retain_on_delete": false,
         "waits": null | "waits until …", "pods": "restarts pods: …" | "no pod restart…",
         "kubernetes": null | {"file": "kubernetes/….yaml", "validation": "…"}}],
      "steps": [{"operation": "create" | "update" | "delete", "id": "<id>",   # `pulumi up`
                 "does": "creates …; waits until …"}],
      "destroy": [{"id": "<id>", "does": "…"}],                        # `pulumi destroy`
      "outputs": {"<name>": <value> | "[secret]"},
      "document": {"base": "<path>", "configmap": "ns/name", "key": "openclaw.json",
                   "section": "cron", "result": "written" | "adopted",
                   "file": "openclaw.json", "diff": "<unified diff, empty when adopted>"},
      "openclaw": {"version": "2026.9.6" | null,   # the OpenClaw that judged both documents
                   "skipped": false | true,  # true: --no-openclaw, nobody judged (all null)
                   "valid": true | false | null,     # its verdict on the result
                   "base_valid": true | false | null,  # ... and on the base document
                   "issues": [{"path", "message"}],  # the result's, not the base's: the
                                                     # change's doing (any: exit 2)
                   "already_in_base": [{"path", "message"}],  # the result's and the base's
                   "warnings": [{"path", "message"}],         # the result's
                   "pod": null | {                   # null without --base-deployment
                     "image": "ghcr.io/…:tag", "container": "openclaw",
                     "deployment": "ns/name", "source": "<the --base-deployment file>",
                     "same_release": true | false | null,  # the tag names the judging
                                                           # release / another / no release
                     "note": "<the same, in words>"}},
      "commit": null | {                   # section.target git: the commit `pulumi up` makes
        "repo": "<URL, userinfo redacted>", "branch": "main",
        "file": "<section.git.path>",      # the ConfigMap manifest in the repository
        "base": "<the --base-config file>" | "<the sample's description>",
        "sample": false | true,            # true: no --base-config, a manifest built from
                                           # examples/openclaw.json stands in for the file
        "author": "Name <email>", "message": "<the commit message, as the provider writes it>",
        "result": "commit" | "adopted",    # adopted: an equal section is there, no commit
        "diff": "<unified diff of the file; empty when adopted>",
        "waits": "waits until the live ConfigMap … carries the section …"},
      "tracked": null | {                  # cluster mode, a base manifest a GitOps controller
                                           # tracks, written anyway (section.writeTrackedConfigMap)
        "by": "Argo CD Application openclaw (annotation argocd.argoproj.io/tracking-id)",
        "warning": "<what happens without the stanza>",
        "ignore_differences": "<the Application stanza that makes the edit stick, YAML>"},
      "components": [                      # component resources: no cloud object, but
        {"id": "<type>::<name>",           # `pulumi preview` counts them (and the stack):
         "action": "create" | "same" | "delete"}],  # see tools.plan.preview
      "notes": ["…"]
    }

Without `--compare`, every resource is `create`: the plan is relative to an empty stack.

`commit`, `tracked` and `components` were added to version 2 (no existing field changed its
meaning, so the number did not change); a version-2 plan.json written before them lacks them,
and `--compare` reads it as well. In git mode `document` is the openclaw.json inside the
manifest: `base` is the manifest, `diff` the document's own diff (the file's is `commit.diff`).

Version 2 (was 1): `openclaw.issues` holds only the issues the change adds (1: every issue of
the result), beside the new `base_valid`, `already_in_base` and `pod`. A reader of 1 would
take a pre-existing issue for the change's, so the number changed. `--compare` still reads a
version-1 plan.json: it compares resources, whose shape is the same in both.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 2
ACTIONS = ("create", "update", "replace", "delete", "same")
REPLACE_MODES = ("create-before-delete", "delete-before-create")


@dataclass
class Change:
    """One input that differs from the previous plan (`old`/`new` is null when absent)."""

    path: str
    kind: str
    old: Any
    new: Any
    why: str | None = None


@dataclass
class PlannedResource:
    """One resource: what it is, what happens to it, and what it sets."""

    id: str
    urn: str | None
    type: str
    name: str
    action: str
    replace_mode: str | None
    changes: list[Change]
    target: str
    inputs: dict[str, Any]
    depends_on: list[str]
    retain_on_delete: bool
    waits: str | None
    pods: str
    kubernetes: dict[str, str] | None


@dataclass
class Step:
    """One operation of `pulumi up` (a replacement is a create and a delete)."""

    operation: str
    id: str
    does: str


@dataclass
class DestroyStep:
    """One operation of `pulumi destroy`, with what it does to the cluster or AWS."""

    id: str
    does: str


@dataclass
class DocumentPlan:
    """The openclaw.json result: where it goes, and its diff against the base."""

    base: str
    configmap: str
    key: str
    section: str
    result: str
    file: str
    diff: str


@dataclass
class CommitPlan:
    """Git mode: the commit `pulumi up` would push, and what it then waits for."""

    repo: str
    branch: str
    file: str
    base: str
    sample: bool
    author: str
    message: str
    result: str
    diff: str
    waits: str


@dataclass
class TrackedPlan:
    """Cluster mode: the base ConfigMap is a GitOps controller's, and the stack writes anyway."""

    by: str
    warning: str
    ignore_differences: str


@dataclass
class ComponentPlan:
    """A component resource: it groups resources and owns nothing, yet `pulumi preview` counts
    it, so the plan records it to say how the two summaries relate."""

    id: str
    action: str


@dataclass
class Plan:
    """Everything plan.json holds (see the module docstring for the shape)."""

    stack: str
    project: str
    stack_file: str
    compared_with: dict[str, str] | None
    summary: dict[str, int]
    resources: list[PlannedResource]
    steps: list[Step]
    destroy: list[DestroyStep]
    outputs: dict[str, Any]
    document: DocumentPlan
    openclaw: dict[str, Any]
    commit: CommitPlan | None = None
    tracked: TrackedPlan | None = None
    components: list[ComponentPlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # A rollback switch that is off (tools.plan.switches): what the next `up` removes.
    switch: str | None = None
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> str:
        data = asdict(self)
        ordered = {"schema_version": data.pop("schema_version"), **data}
        return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
