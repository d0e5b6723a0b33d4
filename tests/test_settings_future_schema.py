"""OpenClaw's schema is vendored and will change: every JSON Schema construct gets plain words.

The pinned version uses only part of JSON Schema (types, enums, ranges, `anyOf`, closed
objects). `devtools.vendor_cron_schema` may bring in the rest with the next pin — `const`, `oneOf`,
an integer without a minimum, an array without `items`, an object without properties, a
`false` subschema, a pattern, a required key — and a refused `cron` value must then still read
as a sentence with a fix, never as a traceback.
"""

from __future__ import annotations

from typing import Any

import pytest

from stack import settings
from stack.settings import ConfigError, parse_settings

P = "openclaw-cron-webhook"
FUTURE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "mode": {"const": "strict"},
        "level": {"type": "integer"},
        "limit": {"type": "integer", "minimum": 5, "maximum": 10},
        "kind": {"oneOf": [{"enum": ["a", "b"]}, {"type": "boolean"}]},
        "either": {"anyOf": [{"type": "boolean"}, {"type": "string"}]},
        "tags": {"type": "array"},
        "meta": {"type": "object"},
        "open": {"type": "object", "additionalProperties": False},
        "never": False,
        "name": {"type": "string", "pattern": "^[a-z]+$"},
        "ports": {"type": "array", "items": {"type": "integer", "minimum": 1024}},
    },
}


@pytest.fixture
def schema(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    current: dict[str, Any] = dict(FUTURE_SCHEMA)
    monkeypatch.setattr(settings, "cron_schema", lambda: current)
    return current


def issues(cron: dict[str, Any]) -> list[settings.ConfigIssue]:
    with pytest.raises(ConfigError) as raised:
        parse_settings({"cron": cron})
    return list(raised.value.issues)


def set_fix(key: str, value: str) -> str:
    return f"pulumi config set --path '{P}:{key}' {value}"


@pytest.mark.parametrize(
    ("key", "value", "problem", "fix"),
    [
        ("mode", "loose", 'must be "strict"', set_fix("cron.mode", '"strict"')),
        ("level", "x", "must be a whole number", set_fix("cron.level", "1")),
        ("limit", 11, "must be at most 10", set_fix("cron.limit", "5")),
        ("limit", 4, "must be at least 5", set_fix("cron.limit", "5")),
        ("kind", 3, 'must be one of "a", "b" or true or false', set_fix("cron.kind", "'<text>'")),
        ("either", 3, "must be true or false or a string", set_fix("cron.either", "true")),
        (
            "tags",
            "x",
            "must be a list of valid values",
            f"pulumi config rm --path '{P}:cron.tags' && " + set_fix("cron.tags[0]", "'<text>'"),
        ),
        (
            "ports",
            "x",
            "must be a list of whole numbers",
            f"pulumi config rm --path '{P}:cron.ports' && " + set_fix("cron.ports[0]", "1024"),
        ),
        (
            "name",
            "X",
            "is refused by OpenClaw's schema: 'X' does not match '^[a-z]+$'",
            set_fix("cron.name", "'<text>'"),
        ),
    ],
)
def test_each_construct_reads_as_words_with_a_fix(
    schema: dict[str, Any], key: str, value: Any, problem: str, fix: str
) -> None:
    (issue,) = issues({key: value})

    assert (issue.key, issue.value, issue.problem, issue.fix) == (
        f"cron.{key}",
        value,
        problem,
        fix,
    )


def test_a_closed_object_without_properties_knows_no_keys(schema: dict[str, Any]) -> None:
    (issue,) = issues({"open": {"x": 1}})

    assert (issue.key, issue.problem) == (
        "cron.open.x",
        "is not a key of `cron.open` in OpenClaw's schema (known: )",
    )


@pytest.mark.parametrize(
    ("cron", "problem"),
    [
        ({"meta": "x"}, "must be an object"),
        ({"never": 1}, "is refused by OpenClaw's schema: False schema does not allow 1"),
    ],
    ids=["object-without-properties", "false-subschema"],
)
def test_schemas_without_members_still_give_a_message(
    schema: dict[str, Any], cron: dict[str, Any], problem: str
) -> None:
    (issue,) = issues(cron)

    assert issue.problem == problem


def test_a_required_key_missing_from_cron_is_named(schema: dict[str, Any]) -> None:
    schema.clear()
    schema.update({"type": "object", "required": ["x"]})

    (issue,) = issues({})

    assert issue.problem == "is refused by OpenClaw's schema: 'x' is a required property"
