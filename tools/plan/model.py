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
from pathlib import Path
from typing import Any

from tools.plan.errors import PlanError
from tools.plan.inputs import MANIFEST_LIMIT, read_text

SCHEMA_VERSION = 2
# Earlier versions `--compare` still reads (their resources have today's shape).
READABLE_VERSIONS = (1, 2)
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
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> str:
        data = asdict(self)
        ordered = {"schema_version": data.pop("schema_version"), **data}
        return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


_ISSUES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["path", "message"],
        "additionalProperties": False,
        "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
    },
}
_ID_LIST = {"type": "array", "items": {"type": "string"}}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_BOOLEAN = {"type": ["boolean", "null"]}

PLAN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "openclaw-cron-webhook offline plan",
    **_object(
        {
            "schema_version": {"const": SCHEMA_VERSION},
            "stack": STRING,
            "project": STRING,
            "stack_file": STRING,
            "compared_with": {
                "oneOf": [{"type": "null"}, _object({"file": STRING, "stack": STRING})]
            },
            "summary": _object({a: {"type": "integer", "minimum": 0} for a in ACTIONS}),
            "resources": {
                "type": "array",
                "items": _object(
                    {
                        "id": STRING,
                        "urn": NULLABLE_STRING,
                        "type": STRING,
                        "name": STRING,
                        "action": {"enum": list(ACTIONS)},
                        "replace_mode": {"enum": [None, *REPLACE_MODES]},
                        "changes": {
                            "type": "array",
                            "items": _object(
                                {
                                    "path": STRING,
                                    "kind": {"enum": ["add", "delete", "update"]},
                                    "old": {},
                                    "new": {},
                                    "why": NULLABLE_STRING,
                                }
                            ),
                        },
                        "target": STRING,
                        "inputs": {"type": "object"},
                        "depends_on": _ID_LIST,
                        "retain_on_delete": {"type": "boolean"},
                        "waits": NULLABLE_STRING,
                        "pods": STRING,
                        "kubernetes": {
                            "oneOf": [
                                {"type": "null"},
                                _object({"file": STRING, "validation": STRING}),
                            ]
                        },
                    }
                ),
            },
            "steps": {
                "type": "array",
                "items": _object(
                    {
                        "operation": {"enum": ["create", "update", "delete"]},
                        "id": STRING,
                        "does": STRING,
                    }
                ),
            },
            "destroy": {"type": "array", "items": _object({"id": STRING, "does": STRING})},
            "outputs": {"type": "object"},
            "document": _object(
                {
                    "base": STRING,
                    "configmap": STRING,
                    "key": STRING,
                    "section": STRING,
                    "result": {"enum": ["written", "adopted"]},
                    "file": STRING,
                    "diff": STRING,
                }
            ),
            "openclaw": _object(
                {
                    "version": NULLABLE_STRING,
                    "skipped": {"type": "boolean"},
                    "valid": NULLABLE_BOOLEAN,
                    "base_valid": NULLABLE_BOOLEAN,
                    "issues": _ISSUES,
                    "already_in_base": _ISSUES,
                    "warnings": _ISSUES,
                    "pod": {
                        "oneOf": [
                            {"type": "null"},
                            _object(
                                {
                                    "image": STRING,
                                    "container": STRING,
                                    "deployment": STRING,
                                    "source": STRING,
                                    "same_release": NULLABLE_BOOLEAN,
                                    "note": STRING,
                                }
                            ),
                        ]
                    },
                }
            ),
            "commit": {
                "oneOf": [
                    {"type": "null"},
                    _object(
                        {
                            "repo": STRING,
                            "branch": STRING,
                            "file": STRING,
                            "base": STRING,
                            "sample": {"type": "boolean"},
                            "author": STRING,
                            "message": STRING,
                            "result": {"enum": ["commit", "adopted"]},
                            "diff": STRING,
                            "waits": STRING,
                        }
                    ),
                ]
            },
            "tracked": {
                "oneOf": [
                    {"type": "null"},
                    _object({"by": STRING, "warning": STRING, "ignore_differences": STRING}),
                ]
            },
            "components": {
                "type": "array",
                "items": _object({"id": STRING, "action": {"enum": ["create", "same", "delete"]}}),
            },
            "notes": {"type": "array", "items": STRING},
        }
    ),
}
# Added to version 2 later: a version-2 plan.json written before them has none of them.
ADDED_IN_2 = ("commit", "tracked", "components")
PLAN_SCHEMA["required"] = [key for key in PLAN_SCHEMA["required"] if key not in ADDED_IN_2]
PLAN_SCHEMA["properties"]["openclaw"]["required"].remove("skipped")  # so was openclaw.skipped


# Version 1: the same, but for the verdict on the result alone.
PLAN_SCHEMA_V1: dict[str, Any] = {
    **PLAN_SCHEMA,
    "properties": {
        **PLAN_SCHEMA["properties"],
        "schema_version": {"const": 1},
        "openclaw": _object(
            {
                "version": NULLABLE_STRING,
                "valid": NULLABLE_BOOLEAN,
                "issues": _ISSUES,
                "warnings": _ISSUES,
            }
        ),
    },
}


def schema_errors(document: Any, schema: dict[str, Any] = PLAN_SCHEMA) -> list[str]:
    """Every way `document` departs from `schema` (today's), as `path: message` lines."""
    import jsonschema  # only `--compare` and the tests need it: keep a plain plan fast

    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    ]


def load_previous(path: Path) -> dict[str, Any]:
    """An earlier plan's plan.json (or the folder holding it), checked against the schema."""
    if path.is_dir():
        path = path / "plan.json"
    text = read_text(path, "--compare", MANIFEST_LIMIT, "too large to be a plan.json")
    try:
        previous = json.loads(text)
    except ValueError as exc:
        raise PlanError(f"--compare {path}: not JSON ({exc})") from None
    if isinstance(previous, list):
        raise PlanError(
            f"--compare {path}: written by an older plan (a bare list); re-run that plan "
            "with this version to compare against it"
        )
    version = previous.get("schema_version") if isinstance(previous, dict) else None
    if isinstance(previous, dict) and version not in READABLE_VERSIONS:
        raise PlanError(
            f"--compare {path}: schema_version {version!r}, this plan reads "
            f"{' or '.join(map(str, READABLE_VERSIONS))}"
        )
    errors = schema_errors(previous, PLAN_SCHEMA_V1 if version == 1 else PLAN_SCHEMA)
    if errors:
        raise PlanError(f"--compare {path}: not a plan.json: {'; '.join(errors[:3])}")
    return dict(previous)
