"""A minimal package schema: enough to say what this plugin is and its one resource.

Why have one at all: `pulumi` may ask a plugin for its schema (e.g. `pulumi package
get-schema`), and what it shows must say plainly that this is a stand-in.
"""

from __future__ import annotations

from typing import Any

from e2e.harness.standins.aws import LABEL, PARAMETER_TYPE


def schema(version: str) -> dict[str, Any]:
    text: dict[str, Any] = {"type": "string"}
    strings: dict[str, Any] = {"type": "object", "additionalProperties": text}
    names = "allowedPattern dataType description insecureValue keyId name region tier type"
    inputs: dict[str, dict[str, Any]] = {key: text for key in names.split()}
    inputs |= {"value": text | {"secret": True}, "tags": strings, "overwrite": {"type": "boolean"}}
    outputs = inputs | {"arn": text, "version": {"type": "integer"}, "tagsAll": strings}
    return {
        "name": "aws",
        "displayName": f"AWS — {LABEL}",
        "version": version,
        "description": f"{LABEL}: not pulumi-aws; only {PARAMETER_TYPE}, against moto.",
        "config": {"variables": {"region": text, "endpoints": {"type": "array"}}},
        "resources": {
            PARAMETER_TYPE: {
                "inputProperties": inputs,
                "requiredInputs": ["type"],
                "properties": outputs,
                "required": ["arn", "dataType", "name", "tier", "type", "version"],
            }
        },
    }
