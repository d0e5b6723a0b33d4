"""plan.json's JSON Schema, and reading an earlier plan.json back for `--compare`.

Why checked against a schema: CI and reviewers' tools read plan.json, and `--compare` must
refuse a file that is not one (or of a version it cannot read) with one message, not compare
garbage. The shape itself is documented in `tools.plan.model`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stack.yaml_input import MANIFEST_LIMIT
from tools.plan.errors import PlanError
from tools.plan.model import ACTIONS, REPLACE_MODES, SCHEMA_VERSION
from tools.plan.reading import read_text

# Earlier versions `--compare` still reads (their resources have today's shape).
READABLE_VERSIONS = (1, 2)

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
                    "result": {"enum": ["written", "adopted", "removed"]},
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
            "switch": NULLABLE_STRING,
        }
    ),
}
# Added to version 2 later: a version-2 plan.json written before them has none of them.
ADDED_IN_2 = ("commit", "tracked", "components", "switch")
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
