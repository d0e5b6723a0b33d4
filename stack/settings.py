"""Stack configuration, parsed once into typed, validated settings.

Why a module of its own: every rule here guards a failure that would otherwise surface
minutes into a `pulumi up`, half-applied (an SSM name AWS rejects, an env var name OpenClaw
never substitutes, a `cron` section the gateway refuses to load). All problems are collected
and raised together, as one `pulumi.RunError`, before a single resource is registered, and
each names the config key, the bad value and the command that fixes it.

What each key may hold is said once, in stack_config_schema.json: its type, default, limits,
description and the words of its error. Its `cron` is OpenClaw's own schema, vendored from the
pinned version (`python -m devtools.vendor_cron_schema`), so the stack accepts exactly what that
OpenClaw accepts. This module validates against both, turns every error into words with one
translator, keeps the few rules a schema cannot state, and builds what the components read.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pulumi
import pulumi.runtime
from pulumi.runtime import config as runtime_config

from stack.config_issues import PROJECT, ConfigError, ConfigIssue, given
from stack.config_rules import rule_issues
from stack.config_schema import hint, in_report_order, schema_issues

# The `cron` section's JSON Schema from the pinned OpenClaw: the authority on what the section
# may hold. Regenerate with `python -m devtools.vendor_cron_schema` after changing
# openclaw_runtime/pins.toml.
CRON_SCHEMA_FILE = Path(__file__).with_name("openclaw_cron_schema.json")


@dataclass(frozen=True)
class TokenSettings:
    """The token and the SSM SecureString that holds it."""

    parameter_name: str = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
    rotation: str = "1"
    kms_key_id: str | None = None
    retain_on_destroy: bool = False
    description: str = "Bearer token OpenClaw sends to cron webhook receivers (Pulumi-managed)"
    tags: Mapping[str, str] = field(
        default_factory=lambda: {
            "app": "openclaw",
            "component": "cron-webhook",
            "managed-by": "pulumi",
        }
    )


@dataclass(frozen=True)
class ExternalSecretSettings:
    """The dedicated ExternalSecret; its names are bases, suffixed with the rotation."""

    name: str = "openclaw-cron-webhook"
    secret_name: str = "openclaw-cron-webhook"
    secret_key: str = "OPENCLAW_CRON_WEBHOOK_TOKEN"
    store_name: str = "parameterstore"
    store_kind: str = "ClusterSecretStore"
    refresh_interval: str = "1h"


@dataclass(frozen=True)
class DeploymentSettings:
    """Where the env entry goes: one container of one existing Deployment."""

    name: str = "openclaw"
    container: str = "openclaw"
    env_name: str = "OPENCLAW_CRON_WEBHOOK_TOKEN"


@dataclass(frozen=True)
class ConfigSettings:
    """The ConfigMap and data key holding openclaw.json."""

    config_map: str = "openclaw-config"
    key: str = "openclaw.json"


@dataclass(frozen=True)
class GitSettings:
    """The GitOps repository the `cron` section is committed to (target `git`)."""

    repo: str
    path: str
    branch: str = "main"
    author: str = "openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>"
    delivery_timeout_seconds: int = 600
    application: str = ""
    application_namespace: str = "argocd"


@dataclass(frozen=True)
class SectionSettings:
    """Where the `cron` section is written: the live ConfigMap, or the GitOps repository."""

    target: Literal["cluster", "git"] = "cluster"
    # False: the section is not written (and an existing one is removed): a rollback of the
    # section alone, which leaves the token, the Secret and the env entry (no rollout).
    present: bool = True
    write_tracked_config_map: bool = False
    git: GitSettings | None = None


@dataclass(frozen=True)
class TimeoutSettings:
    """How long the stack waits for the cluster: ESO's sync, and each rollout."""

    external_secret_seconds: int = 300
    rollout_seconds: int = 600


@dataclass(frozen=True)
class Settings:
    """Everything the stack needs, validated; derived names live here so they agree."""

    # False: Phase 2 is switched off and the program registers nothing, so the next `up`
    # deletes what the state holds, as a destroy would; a revert of the change that switched it
    # on is exactly this.
    enabled: bool = True
    namespace: str = "openclaw"
    token: TokenSettings = field(default_factory=TokenSettings)
    external_secret: ExternalSecretSettings = field(default_factory=ExternalSecretSettings)
    deployment: DeploymentSettings = field(default_factory=DeploymentSettings)
    config: ConfigSettings = field(default_factory=ConfigSettings)
    # OpenClaw's keys as given, with the schema's two defaults of ours: `enabled` written
    # explicitly (so pausing is a one-value change) and a week of sessions (the runbook's).
    cron: Mapping[str, Any] = field(
        default_factory=lambda: {"enabled": True, "sessionRetention": "7d"}
    )
    section: SectionSettings = field(default_factory=SectionSettings)
    timeouts: TimeoutSettings = field(default_factory=TimeoutSettings)

    @property
    def rotation_suffix(self) -> str:
        """Why a suffix: a rotation must create a NEW ExternalSecret/Secret pair (see README)."""
        return f"-r{self.token.rotation}"

    @property
    def external_secret_name(self) -> str:
        return self.external_secret.name + self.rotation_suffix

    @property
    def secret_name(self) -> str:
        return self.external_secret.secret_name + self.rotation_suffix

    def cron_section(self) -> dict[str, Any]:
        """The whole `cron` section written into openclaw.json: every key that is set, in the
        order of OpenClaw's schema, so the same settings always give the same bytes."""
        token = "${" + self.deployment.env_name + "}"
        section: dict[str, Any] = _in_schema_order(
            {**self.cron, "webhookToken": token}, cron_schema()
        )
        return section


def _in_schema_order(value: Any, schema: Any) -> Any:
    """Objects with their keys in the schema's order, nested objects too."""
    members = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(value, Mapping) or not members:
        return value
    return {key: _in_schema_order(value[key], members[key]) for key in members if key in value}


@functools.cache
def cron_schema() -> dict[str, Any]:
    """The vendored schema, read once per process."""
    schema: dict[str, Any] = json.loads(CRON_SCHEMA_FILE.read_text())
    return schema


def parse_settings(raw: Mapping[str, Any]) -> Settings:
    """Builds Settings from the project's config namespace ({top-level key: decoded value}).

    Unknown keys are errors, not ignored: a typo such as `sessionRetension` would otherwise
    silently deploy the default. Each key reports its first problem only.
    """
    # Decision: a top-level key set to null (YAML `cron:` with nothing under it) is not set.
    config = {key: value for key, value in raw.items() if value is not None}
    rotation = given(config, ("token", "rotation"))
    if isinstance(rotation, int) and not isinstance(rotation, bool):
        # Decision: YAML turns `rotation: 2` into a number; a rotation is a label, its digits.
        config["token"] = {**config["token"], "rotation": str(rotation)}
    env_name = given(config, ("deployment", "envName"), DeploymentSettings.env_name)
    found = schema_issues(config, cron_schema(), env_name)
    for parts, issue in rule_issues(config, found):
        found.setdefault(issue.key, (parts, issue))
    if found:
        raise ConfigError(in_report_order(found))
    return _settings(config)


def _fields(config: Mapping[str, Any], parts: tuple[str, ...]) -> dict[str, Any]:
    """{field name: value} of one section of a valid config: the value given, else the
    schema's default."""
    values = {}
    for key, node in hint(parts)["properties"].items():
        value = given(config, (*parts, key), node.get("default"))
        # JSON Schema counts 600.0 as an integer; the settings hold 600.
        values[re.sub("(?<!^)(?=[A-Z])", "_", key).lower()] = (
            int(value) if node.get("type") == "integer" else value
        )
    return values


def _settings(config: Mapping[str, Any]) -> Settings:
    """Typed settings from a config the schema and the rules accepted."""
    cron_defaults = hint(("cron",))["properties"]
    section = _fields(config, ("section",))
    git = section["target"] == "git"
    section["git"] = GitSettings(**_fields(config, ("section", "git"))) if git else None
    return Settings(
        enabled=config.get("enabled", hint(("enabled",))["default"]),
        namespace=config.get("namespace", hint(("namespace",))["default"]),
        token=TokenSettings(**_fields(config, ("token",))),
        external_secret=ExternalSecretSettings(**_fields(config, ("externalSecret",))),
        deployment=DeploymentSettings(**_fields(config, ("deployment",))),
        config=ConfigSettings(**_fields(config, ("config",))),
        cron={
            **{key: node["default"] for key, node in cron_defaults.items() if "default" in node},
            **config.get("cron", {}),
        },
        section=SectionSettings(**section),
        timeouts=TimeoutSettings(**_fields(config, ("timeouts",))),
    )


def decoded(top: str, value: Any) -> Any:
    """Pulumi hands every config value over as a string; structured ones are JSON. (Also how
    verify and ./bin/permissions read a stack's values: the program's own decoding.)"""
    if top == "namespace" or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def raw_config(namespace: str = PROJECT) -> dict[str, Any]:
    """The project's config namespace as decoded values, including keys nobody asked for.

    `pulumi.Config` can only fetch keys it is told about; listing them all is what lets
    `parse_settings` reject a misspelt key instead of ignoring it.
    """
    prefix = namespace + ":"
    keys = set(runtime_config.CONFIG.get()) | set(pulumi.runtime.get_config_env())
    raw: dict[str, Any] = {}
    for full in sorted(keys):
        if full.startswith(prefix):
            top = full[len(prefix) :]
            raw[top] = decoded(top, pulumi.runtime.get_config(full))
    return raw


def secret_config_issues(raw: Mapping[str, Any], namespace: str = PROJECT) -> list[ConfigIssue]:
    """A value set with `--secret` is refused: no setting of this stack is sensitive.

    Our decision, not a rule of any downstream system: the only secret, the token, is generated,
    never configured, and every setting ends up in plain resource inputs (names, tags, the
    `cron` section), so honouring `--secret` would mean masking names in every plan and diff.
    Refusing says so at once, instead of quietly storing a "secret" in plain text.
    """
    return [
        ConfigIssue(
            top,
            "[secret]",
            "is set as a secret, but no setting of this stack is sensitive (the token is "
            "generated, never configured) and every setting is written in plain text to the "
            "resources it configures",
            f"pulumi config set --path '{namespace}:{top}' <value>   (without --secret)",
        )
        for top in sorted(raw)
        if pulumi.runtime.is_config_secret(f"{namespace}:{top}")
    ]


def load_settings() -> Settings:
    """The stack's settings, from the running program's config."""
    raw = raw_config()
    issues = secret_config_issues(raw)
    if issues:
        raise ConfigError(issues)
    return parse_settings(raw)
