"""The stack config's schema is the one statement of every key: valid, worded, and tabled.

stack/stack_config_schema.json validates the config, words its errors (`errorMessage`),
gives the defaults the settings are built from and the examples the printed fixes use; the
docs/configuration.md's table is generated from it. These tests hold the three readers to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from devtools import config_table
from stack.config_schema import stack_schema
from stack.settings import (
    ConfigError,
    GitSettings,
    SectionSettings,
    Settings,
    TimeoutSettings,
    cron_schema,
    parse_settings,
)


def nodes(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema of ours with where it sits (`$defs` included, OpenClaw's not)."""
    if not isinstance(node, dict):
        return
    yield path, node
    for keyword, value in node.items():
        if keyword in ("properties", "$defs"):
            for name, member in value.items():
                yield from nodes(member, f"{path}/{keyword}/{name}")
        elif keyword in ("items", "additionalProperties", "propertyNames", "not"):
            yield from nodes(value, f"{path}/{keyword}")
        elif keyword == "allOf":
            for index, member in enumerate(value):
                yield from nodes(member, f"{path}/allOf/{index}")


def test_the_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(stack_schema())
    jsonschema.Draft7Validator.check_schema(cron_schema())


def test_every_pattern_of_ours_has_words_of_its_own() -> None:
    """Without an `errorMessage`, a refused pattern would read as jsonschema's repr of it."""
    unworded = [
        path
        for path, node in nodes(stack_schema())
        if ("pattern" in node or "not" in node or "maxLength" in node)
        and "errorMessage" not in node
        and not path.endswith("/not")
        and node.get("not") != {}
    ]

    assert unworded == []


def keys(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every config key under `node` (through `properties` only), with its dotted path."""
    for name, member in node.get("properties", {}).items():
        yield f"{path}.{name}", member
        if not path.startswith(".cron"):  # below `cron.<key>`, the keys are OpenClaw's
            yield from keys(member, f"{path}.{name}")


def test_every_key_says_what_it_is() -> None:
    """The table's rule column is each key's description; OpenClaw's own keys inside `cron`
    are described by OpenClaw (only the ones the stack adds to carry words of ours)."""
    found = dict(keys(stack_schema(), ""))
    assert ".section.git.repo" in found
    assert ".cron.sessionRetention" in found

    assert [path for path, node in found.items() if "description" not in node] == []


def test_the_readme_table_is_generated_from_the_schema() -> None:
    readme = config_table.TABLE_DOC.read_text()

    assert config_table.with_table(readme) == readme, (
        "docs/configuration.md's configuration table is stale: "
        "run python3 -m devtools.config_table --write"
    )


def test_the_settings_defaults_are_the_schemas() -> None:
    schema = stack_schema()["properties"]
    git = schema["section"]["properties"]["git"]["properties"]
    built = parse_settings(
        {"section": {"target": "git", "git": {"repo": "/srv/gitops.git", "path": "cm.yaml"}}}
    )

    assert parse_settings({}) == Settings()
    assert built.section == SectionSettings(
        target="git", git=GitSettings(repo="/srv/gitops.git", path="cm.yaml")
    )
    assert (GitSettings("r", "p").branch, GitSettings("r", "p").application_namespace) == (
        git["branch"]["default"],
        git["applicationNamespace"]["default"],
    )
    assert TimeoutSettings() == TimeoutSettings(
        external_secret_seconds=schema["timeouts"]["properties"]["externalSecretSeconds"][
            "default"
        ],
        rollout_seconds=schema["timeouts"]["properties"]["rolloutSeconds"]["default"],
    )


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"namespace": "openclaw\n"}, "namespace"),
        ({"deployment": {"envName": "TOKEN\n"}}, "deployment.envName"),
        ({"externalSecret": {"refreshInterval": "1h\n"}}, "externalSecret.refreshInterval"),
    ],
)
def test_a_value_with_a_trailing_newline_is_refused(raw: dict[str, Any], key: str) -> None:
    """JSON Schema patterns are ECMA-262: `$` ends the text; Python's `$` alone would let a
    final newline through, to be refused by Kubernetes or ignored by OpenClaw later."""
    with pytest.raises(ConfigError) as raised:
        parse_settings(raw)

    assert [issue.key for issue in raised.value.issues] == [key]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("repo", "git@github.com:example/gitops.git"),
        ("repo", "ssh://git@git.example.com:2222/platform/gitops.git"),
        ("repo", "https://github.com/example/gitops.git"),
        ("repo", "file:///srv/git/gitops.git"),
        ("repo", "/srv/git/gitops.git"),
        ("path", "apps/openclaw/configmap.yaml"),
        ("path", "configmap.yml"),
        ("path", "apps/.hidden/openclaw..cm.yaml"),
        ("branch", "release/2026.11"),
        ("branch", "feature-x_1"),
        ("author", "Platform Bot <platform-bot@example.com>"),
        ("application", "openclaw"),
        ("application", ""),
        ("deliveryTimeoutSeconds", 3600),
    ],
)
def test_what_git_accepts_is_accepted(key: str, value: Any) -> None:
    git: dict[str, Any] = {"repo": "/srv/gitops.git", "path": "cm.yaml", key: value}

    settings = parse_settings({"section": {"target": "git", "git": git}})

    assert settings.section.git is not None
    field = "delivery_timeout_seconds" if key == "deliveryTimeoutSeconds" else key
    assert getattr(settings.section.git, field) == value


@pytest.mark.parametrize(
    "branch",
    [
        "-main",
        "main.lock",
        "a b",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[b",
        "a\\b",
        "/main",
        "main/",
        "a//b",
        "a/.b",
        "main.",
        "@",
        "a@{1}",
        ".main",
        "",
    ],
)
def test_what_git_check_ref_format_refuses_is_refused(branch: str) -> None:
    git = {"repo": "/srv/gitops.git", "path": "cm.yaml", "branch": branch}

    with pytest.raises(ConfigError) as raised:
        parse_settings({"section": {"target": "git", "git": git}})

    assert [issue.key for issue in raised.value.issues] == ["section.git.branch"]


@pytest.mark.parametrize("path", ["/abs/cm.yaml", "../cm.yaml", "a/../cm.yaml", "cm.json", "a/.."])
def test_a_manifest_path_outside_the_repo_or_not_yaml_is_refused(path: str) -> None:
    git = {"repo": "/srv/gitops.git", "path": path}

    with pytest.raises(ConfigError) as raised:
        parse_settings({"section": {"target": "git", "git": git}})

    assert [issue.key for issue in raised.value.issues] == ["section.git.path"]


def test_whole_seconds_written_as_decimals_are_whole_numbers() -> None:
    """JSON Schema counts 600.0 as an integer; the ESO annotation must still read "600"."""
    settings = parse_settings({"timeouts": {"externalSecretSeconds": 600.0}})

    assert settings.timeouts == TimeoutSettings(external_secret_seconds=600)
    assert type(settings.timeouts.external_secret_seconds) is int
