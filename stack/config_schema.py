"""The stack config's JSON Schema, and the one translator from its errors to `ConfigIssue`s.

Why a translator: jsonschema's own messages name schema keywords and Python reprs; this one
reads the schema instead: a key's `errorMessage`, or its type, enum or range in plain words,
and its `examples` or `default` for the fix. Keys under `cron` are OpenClaw's, checked against
its vendored schema, and said to be so.
"""

from __future__ import annotations

import functools
import json
import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from stack.config_issues import (
    PROJECT,
    ConfigIssue,
    ConfigPath,
    Found,
    config_parts,
    config_path,
    issue_at,
    rm_command,
    set_command,
)
from stages.section.git.repo_url import hide_credentials

# Every key of the stack config: type, default, limits, description, the words of its error.
SCHEMA_FILE = Path(__file__).with_name("stack_config_schema.json")
# The file name `cron`'s `$ref` in it points at: OpenClaw's schema, vendored.
CRON_REF = "openclaw_cron_schema.json"


@functools.cache
def stack_schema() -> dict[str, Any]:
    """stack_config_schema.json, read once per process."""
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    return schema


def _ecma_pattern(validator: Any, pattern: str, instance: Any, _: Any) -> Iterator[Any]:
    """`pattern` as JSON Schema means it (ECMA-262): `$` ends the text. Python's `$` also
    matches before a final newline, which would let `"openclaw\\n"` through."""
    if validator.is_type(instance, "string") and not re.search(
        re.sub(r"(?<!\\)\$", r"\\Z", pattern), instance
    ):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"pattern": _ecma_pattern}
)


def schema_issues(config: Mapping[str, Any], cron: Mapping[str, Any], env_name: str) -> Found:
    """Every problem the schema finds, by key: one each, the first found (fix it, and the next
    shows). `cron` is OpenClaw's schema; `env_name` words the refusal of `webhookToken`."""
    registry = Registry().with_resource(CRON_REF, Resource.from_contents(cron, DRAFT7))
    found: Found = {}
    for error in _Validator(stack_schema(), registry=registry).iter_errors(config):
        for parts, issue in _translated(error, env_name):
            found.setdefault(issue.key, (parts, issue))
    return found


def in_report_order(found: Found) -> list[ConfigIssue]:
    """Top-level keys in the schema's order (unknown ones first); inside a section, the order
    the schema finds them, except `cron`, sorted by path as OpenClaw's keys have no order of
    ours. Keys and indexes never share a level under one parent, so the pairs always compare."""
    tops = list(stack_schema()["properties"])

    def order(parts: ConfigPath) -> tuple[Any, ...]:
        rank = tops.index(parts[0]) if parts[0] in tops else -1
        inner = tuple((isinstance(p, int), p) for p in parts[1:]) if parts[0] == "cron" else ()
        return (rank, inner)

    return [issue for parts, issue in sorted(found.values(), key=lambda item: order(item[0]))]


def hint(parts: ConfigPath) -> Mapping[str, Any]:
    """Our schema's node at a config path, following `properties` and `items` but not into
    OpenClaw's schema: the defaults, examples and refusals the stack adds to its keys."""
    node: Any = stack_schema()
    for part in parts:
        node = node.get("items") if isinstance(part, int) else node.get("properties", {}).get(part)
        if not isinstance(node, Mapping):
            return {}
    return node


def _refused(parts: ConfigPath) -> bool:
    """A key our schema refuses whatever its value (`"not": {}`): `cron.webhookToken`."""
    return hint(parts).get("not") == {}


def _translated(error: Any, env_name: str) -> Iterator[tuple[ConfigPath, ConfigIssue]]:
    """One jsonschema error in words: the key, the value, what is wrong, the fix."""
    parts: ConfigPath = tuple(error.absolute_path)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    openclaws = parts[:1] == ("cron",)  # our overlay on `cron` only annotates (and refuses)
    if error.validator == "additionalProperties":
        members = schema.get("properties", {})
        known = ", ".join(key for key in members if not _refused((*parts, key)))
        if openclaws:
            where = f"a key of `{config_path(parts)}` in OpenClaw's schema"
        elif parts:
            where = f"a setting of '{config_path(parts)}'"
        else:
            where = "a setting of this stack"
        for extra in sorted(set(error.instance) - set(members)):
            key = (*parts, extra)
            nested = _flat_path(extra) if not parts else None
            if nested is not None:
                yield _without_path(extra, nested, error.instance[extra])
                continue
            problem = f"is not {where} (known: {known})"
            yield issue_at(key, error.instance[extra], problem, rm_command(key))
    elif _refused(parts):
        # Decision: the token lives only in SSM and the dedicated Secret; the section carries
        # the placeholder of the env entry the stack injects, never a value of its own.
        problem = (
            f'is set by the stack itself: it always writes "${{{env_name}}}", the env var it '
            "injects from the token's Secret, so the token never appears in the ConfigMap "
            "(rename the variable with deployment.envName)"
        )
        yield issue_at(parts, error.instance, problem, rm_command(parts))
    elif "propertyNames" in error.absolute_schema_path:  # a bad key: the fix removes it
        key = (*parts, error.instance)
        yield issue_at(key, error.instance, schema["errorMessage"], rm_command(key))
    else:
        problem = schema.get("errorMessage") or _words(error, schema)
        if len(parts) == 1 and schema.get("type") == "object":
            fix = rm_command(parts)  # a whole section: every key in it has a default
        else:
            member, example = _leaf(parts, schema)
            fix = set_command(member, example)
            if member != parts:
                # A list or an object is set one member at a time, once the wrong value is gone.
                fix = f"{rm_command(parts)} && {fix}"
        yield issue_at(parts, error.instance, problem, fix)


def _flat_path(key: str) -> ConfigPath | None:
    """`section.target` as one top-level key is a nested key set without `--path`: Pulumi then
    stores a flat key of that name (`pulumi config set P:section.target git`), which the program
    never reads. The parts it meant, when our schema has them; None for any other unknown key
    (a plain one too: it is one part, and not one of our schema's top-level keys)."""
    parts = config_parts(key)
    return parts if hint(parts) else None


def _without_path(flat: str, parts: ConfigPath, value: Any) -> tuple[ConfigPath, ConfigIssue]:
    """The flat key removed as Pulumi stored it, then the same value set with `--path`."""
    problem = (
        f"was set without --path, so Pulumi stored one key named '{flat}' that the stack never "
        "reads; nested keys need --path"
    )
    shown = hide_credentials(value if isinstance(value, str) else json.dumps(value))
    fix = f"pulumi config rm '{PROJECT}:{flat}' && {set_command(parts, _shell(shown))}"
    return issue_at((flat,), value, problem, fix)


def _words(error: Any, schema: Mapping[str, Any]) -> str:
    """What is wrong, for a key whose schema has no `errorMessage` (OpenClaw's, and ours whose
    type, enum or range says it all)."""
    if error.validator in ("type", "anyOf", "oneOf", "const", "enum"):
        return "must be " + _expected(schema)
    if error.validator == "minimum":
        return f"must be at least {error.validator_value}"
    if error.validator == "maximum":
        return f"must be at most {error.validator_value}"
    return f"is refused by OpenClaw's schema: {error.message}"


def _expected(schema: Mapping[str, Any]) -> str:
    """What a schema fragment accepts, in words."""
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        return " or ".join(_expected(alternative) for alternative in alternatives)
    kind = schema.get("type")
    if kind == "boolean":
        return "true or false"
    if kind == "integer":
        return "a whole number"
    if kind == "array":
        return "a list of " + _expected(schema.get("items", {})).removeprefix("a ") + "s"
    if kind == "object":
        return "an object"
    return f"a {kind}" if kind else "a valid value"


def _leaf(parts: ConfigPath, schema: Mapping[str, Any]) -> tuple[ConfigPath, str]:
    """The first scalar inside a list or object schema (`allowedHostnames[0]`), preferring a
    member we give an example for, and a value for it; a scalar schema is its own leaf."""
    if schema.get("type") == "array":
        return _leaf((*parts, 0), schema.get("items", {}))
    members: dict[str, Any] = schema.get("properties", {})
    if schema.get("type") == "object" and members:
        name = next((key for key in members if hint((*parts, key))), next(iter(members)))
        return _leaf((*parts, name), members[name])
    if schema.get("type") == "object" and schema.get("examples"):  # a map (token.tags)
        name, value = next(iter(schema["examples"][0].items()))
        return (*parts, name), _shell(value)
    return parts, example(parts, schema)


def example(parts: ConfigPath, schema: Mapping[str, Any]) -> str:
    """A value that satisfies `schema`, written as `pulumi config set --path` wants it."""
    ours = hint(parts)
    for source in (ours, schema):
        if source.get("examples"):
            return _shell(source["examples"][0])
    for source in (ours, schema):
        if "default" in source:
            return _shell(source["default"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("anyOf"):
        return example(parts, schema["anyOf"][0])
    if schema.get("type") == "boolean":
        return "true"
    if schema.get("type") == "integer":
        return str(schema.get("minimum", 1))
    return "'<text>'"


def _shell(value: Any) -> str:
    return shlex.quote(value) if isinstance(value, str) else json.dumps(value)
