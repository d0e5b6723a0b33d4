"""Stack configuration, parsed once into typed, validated settings.

Why a module of its own: every rule here guards a failure that would otherwise surface
minutes into a `pulumi up`, half-applied (an SSM name AWS rejects, an env var name OpenClaw
never substitutes, a `sessionRetention` of zero that prunes every session). All problems are
collected and raised together, as one `pulumi.RunError`, before a single resource is
registered, and each names the config key, the bad value and the command that fixes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi.runtime
from pulumi.runtime import config as runtime_config

PROJECT = "openclaw-cron-webhook"

# Kubernetes object names (DNS-1123). Labels are for namespaces and container names.
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# Keys of Secret/ConfigMap data.
_DATA_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
# OpenClaw substitutes `${VAR}` only for names of this shape; others stay literal.
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# A fully qualified SSM parameter name: the hierarchy ESO's `remoteRef.key` points at.
_SSM_NAME = re.compile(r"^(/[A-Za-z0-9_.\-]+)+$")
_KMS_KEY = re.compile(
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|mrk-[0-9a-f]{32}"
    r"|alias/[A-Za-z0-9/_\-]+"
    r"|arn:aws[a-z\-]*:kms:[a-z0-9\-]+:\d{12}:(key/[A-Za-z0-9\-]+|alias/[A-Za-z0-9/_\-]+))$"
)
# Go's time.ParseDuration grammar, which ESO uses for `refreshInterval`.
_GO_DURATION = re.compile(r"^(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$")
# OpenClaw's `cron.sessionRetention`: a number with an optional unit; a bare number is hours.
_RETENTION = re.compile(r"^(\d+(\.\d+)?)(ms|s|m|h|d)?$")
_TAG_TEXT = re.compile(r"^[\w .:/=+\-@]*$")

STORE_KINDS = ("ClusterSecretStore", "SecretStore")


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
class CronSettings:
    """The `cron` section's own values (the token is only ever a `${VAR}` placeholder)."""

    enabled: bool = True
    session_retention: str | Literal[False] = "7d"


@dataclass(frozen=True)
class Settings:
    """Everything the stack needs, validated; derived names live here so they agree."""

    namespace: str = "openclaw"
    token: TokenSettings = field(default_factory=TokenSettings)
    external_secret: ExternalSecretSettings = field(default_factory=ExternalSecretSettings)
    deployment: DeploymentSettings = field(default_factory=DeploymentSettings)
    config: ConfigSettings = field(default_factory=ConfigSettings)
    cron: CronSettings = field(default_factory=CronSettings)

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
        """The exact `cron` section written into openclaw.json, in OpenClaw's key order."""
        return {
            "enabled": self.cron.enabled,
            "webhookToken": "${" + self.deployment.env_name + "}",
            "sessionRetention": self.cron.session_retention,
        }


@dataclass(frozen=True)
class ConfigIssue:
    """One bad config value: which key, what value, what is wrong, how to fix it."""

    key: str
    value: Any
    problem: str
    fix: str

    def render(self) -> str:
        return (
            f"{PROJECT}:{self.key} = {json.dumps(self.value)}: {self.problem}.\n    fix: {self.fix}"
        )


class ConfigError(pulumi.RunError):
    """Raised before any resource exists; `pulumi.RunError` prints without a traceback."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        lines = "\n  - ".join(issue.render() for issue in issues)
        super().__init__(
            f"invalid stack configuration ({len(issues)} problem(s)); "
            f"nothing was registered or changed:\n  - {lines}"
        )


# The schema: top-level key -> (Settings field, its dataclass, {config key: field name}).
_SECTIONS: dict[str, tuple[str, type, dict[str, str]]] = {
    "token": (
        "token",
        TokenSettings,
        {
            "parameterName": "parameter_name",
            "rotation": "rotation",
            "kmsKeyId": "kms_key_id",
            "retainOnDestroy": "retain_on_destroy",
            "description": "description",
            "tags": "tags",
        },
    ),
    "externalSecret": (
        "external_secret",
        ExternalSecretSettings,
        {
            "name": "name",
            "secretName": "secret_name",
            "secretKey": "secret_key",
            "storeName": "store_name",
            "storeKind": "store_kind",
            "refreshInterval": "refresh_interval",
        },
    ),
    "deployment": (
        "deployment",
        DeploymentSettings,
        {"name": "name", "container": "container", "envName": "env_name"},
    ),
    "config": ("config", ConfigSettings, {"configMap": "config_map", "key": "key"}),
    "cron": ("cron", CronSettings, {"enabled": "enabled", "sessionRetention": "session_retention"}),
}
_TOP_LEVEL = ("namespace", *_SECTIONS)


def _set_cmd(key: str, example: str) -> str:
    return f"pulumi config set --path '{PROJECT}:{key}' {example}"


class _Checker:
    """Collects issues so one run reports every bad key, not just the first."""

    def __init__(self) -> None:
        self.issues: list[ConfigIssue] = []

    def fail(self, key: str, value: Any, problem: str, fix: str) -> None:
        self.issues.append(ConfigIssue(key, value, problem, fix))

    def string(
        self, key: str, value: Any, ok: Callable[[str], bool], problem: str, example: str
    ) -> None:
        if not isinstance(value, str) or not ok(value):
            self.fail(key, value, problem, _set_cmd(key, example))


def _matches(pattern: re.Pattern[str], max_len: int) -> Callable[[str], bool]:
    return lambda v: len(v) <= max_len and pattern.fullmatch(v) is not None


def _normalise_rotation(value: Any) -> Any:
    """YAML turns `rotation: 2` into an int; the rotation is a label, so accept and stringify."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _check_ssm_name(c: _Checker, key: str, value: Any) -> None:
    example = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
    if not isinstance(value, str) or not _SSM_NAME.fullmatch(value) or len(value) > 1011:
        c.fail(
            key,
            value,
            "must be a fully qualified SSM parameter name: '/'-separated segments of "
            "letters, digits, '_', '.', '-' (at most 1011 characters)",
            _set_cmd(key, example),
        )
        return
    segments = value.strip("/").split("/")
    if len(segments) > 15:
        c.fail(key, value, "SSM allows at most 15 hierarchy levels", _set_cmd(key, example))
    if segments[0].lower().startswith(("aws", "ssm")):
        c.fail(
            key,
            value,
            "SSM reserves names that begin with 'aws' or 'ssm'",
            _set_cmd(key, example),
        )


def _check_tags(c: _Checker, key: str, value: Any) -> None:
    fix = _set_cmd(f"{key}.team", "platform")
    if not isinstance(value, Mapping):
        c.fail(key, value, "must be a map of tag names to string values", fix)
        return
    for tag, text in value.items():
        if (
            not isinstance(tag, str)
            or not 1 <= len(tag) <= 128
            or not _TAG_TEXT.fullmatch(tag)
            or tag.lower().startswith("aws:")
        ):
            c.fail(
                f"{key}.{tag}",
                tag,
                "tag names are 1-128 letters, digits, spaces or _.:/=+-@ and may not start "
                "with 'aws:'",
                fix,
            )
        elif not isinstance(text, str) or len(text) > 256 or not _TAG_TEXT.fullmatch(text):
            c.fail(
                f"{key}.{tag}",
                text,
                "tag values are strings of at most 256 letters, digits, spaces or _.:/=+-@",
                _set_cmd(f"{key}.{tag}", "value"),
            )


def _check_retention(c: _Checker, key: str, value: Any) -> None:
    fix = _set_cmd(key, "7d") + "   (or `false` to keep sessions forever)"
    if value is False:
        return
    if not isinstance(value, str):
        c.fail(
            key,
            value,
            'must be a duration string such as "7d", "36h", "90m" (quoted), or false',
            fix,
        )
        return
    match = _RETENTION.fullmatch(value)
    if match is None:
        c.fail(
            key,
            value,
            "is not an OpenClaw duration: a number with an optional unit ms, s, m, h or d "
            "(a bare number means hours)",
            fix,
        )
    elif float(match.group(1)) == 0:
        c.fail(key, value, "a zero retention makes OpenClaw prune every session at once", fix)


def _validate(s: Settings, c: _Checker, rotation_raw: Any) -> None:
    """Each rule mirrors what the system downstream (AWS, Kubernetes, ESO, OpenClaw) accepts."""
    label = _matches(_DNS_LABEL, 63)
    subdomain = _matches(_DNS_SUBDOMAIN, 253)
    data_key = _matches(_DATA_KEY, 253)
    label_msg = "must be a DNS-1123 label: lowercase letters, digits and '-', at most 63"
    name_msg = "must be a DNS-1123 name: lowercase letters, digits, '-' and '.', at most 253"
    key_msg = "must be a data key: letters, digits, '-', '_' and '.', at most 253"

    c.string("namespace", s.namespace, label, label_msg, "openclaw")

    t = s.token
    _check_ssm_name(c, "token.parameterName", t.parameter_name)
    rotation_ok = _matches(_DNS_LABEL, 20)
    # A bad rotation is reported once, as itself, not again through the names it suffixes.
    suffix = (
        s.rotation_suffix if isinstance(rotation_raw, str) and rotation_ok(rotation_raw) else "-r1"
    )
    c.string(
        "token.rotation",
        rotation_raw,
        rotation_ok,
        "must be a short DNS label (lowercase letters, digits, '-', at most 20) because it "
        "becomes part of the ExternalSecret and Secret names",
        "2",
    )
    if t.kms_key_id is not None:
        c.string(
            "token.kmsKeyId",
            t.kms_key_id,
            _matches(_KMS_KEY, 2048),
            "must be a KMS key id, multi-region key id (mrk-...), alias/NAME or key/alias ARN",
            "alias/openclaw",
        )
    if not isinstance(t.retain_on_destroy, bool):
        c.fail(
            "token.retainOnDestroy",
            t.retain_on_destroy,
            "must be true or false",
            _set_cmd("token.retainOnDestroy", "true"),
        )
    c.string(
        "token.description",
        t.description,
        lambda v: len(v) <= 1024,
        "must be a string of at most 1024 characters",
        "'OpenClaw cron webhook token'",
    )
    _check_tags(c, "token.tags", t.tags)

    e = s.external_secret
    for key, value in (
        ("externalSecret.name", e.name),
        ("externalSecret.secretName", e.secret_name),
    ):
        c.string(
            key,
            value,
            lambda v: subdomain(v + suffix),
            name_msg + " including the rotation suffix '-r<rotation>'",
            "openclaw-cron-webhook",
        )
    c.string(
        "externalSecret.secretKey", e.secret_key, data_key, key_msg, "OPENCLAW_CRON_WEBHOOK_TOKEN"
    )
    c.string("externalSecret.storeName", e.store_name, subdomain, name_msg, "parameterstore")
    c.string(
        "externalSecret.storeKind",
        e.store_kind,
        lambda v: v in STORE_KINDS,
        "must be one of " + " or ".join(STORE_KINDS),
        "ClusterSecretStore",
    )
    c.string(
        "externalSecret.refreshInterval",
        e.refresh_interval,
        _matches(_GO_DURATION, 64),
        "must be a Go duration such as 1h, 30m or 1h30m (0 disables periodic refresh)",
        "1h",
    )

    d = s.deployment
    c.string("deployment.name", d.name, subdomain, name_msg, "openclaw")
    c.string("deployment.container", d.container, label, label_msg, "openclaw")
    c.string(
        "deployment.envName",
        d.env_name,
        _matches(_ENV_NAME, 253),
        "must match ^[A-Z_][A-Z0-9_]*$, or OpenClaw leaves ${...} unsubstituted",
        "OPENCLAW_CRON_WEBHOOK_TOKEN",
    )

    c.string("config.configMap", s.config.config_map, subdomain, name_msg, "openclaw-config")
    c.string("config.key", s.config.key, data_key, key_msg, "openclaw.json")

    if not isinstance(s.cron.enabled, bool):
        c.fail(
            "cron.enabled",
            s.cron.enabled,
            "must be true or false",
            _set_cmd("cron.enabled", "false"),
        )
    _check_retention(c, "cron.sessionRetention", s.cron.session_retention)


def parse_settings(raw: Mapping[str, Any]) -> Settings:
    """Builds Settings from the project's config namespace ({top-level key: decoded value}).

    Unknown keys are errors, not ignored: a typo such as `sessionRetension` would otherwise
    silently deploy the default.
    """
    c = _Checker()
    for key in raw:
        if key not in _TOP_LEVEL:
            c.fail(
                key,
                raw[key],
                "is not a setting of this stack (known: " + ", ".join(_TOP_LEVEL) + ")",
                f"pulumi config rm '{PROJECT}:{key}'",
            )
    namespace = raw.get("namespace", Settings.namespace)
    sections: dict[str, Any] = {}
    rotation_raw: Any = TokenSettings.rotation
    for top, (attr, section_type, fields_) in _SECTIONS.items():
        given = raw.get(top, {})
        if given is None:
            given = {}
        if not isinstance(given, Mapping):
            c.fail(top, given, "must be an object", f"pulumi config rm '{PROJECT}:{top}'")
            given = {}
        kwargs: dict[str, Any] = {}
        for key, value in given.items():
            if key not in fields_:
                c.fail(
                    f"{top}.{key}",
                    value,
                    f"is not a setting of '{top}' (known: " + ", ".join(fields_) + ")",
                    f"pulumi config rm --path '{PROJECT}:{top}.{key}'",
                )
                continue
            if top == "token" and key == "rotation":
                rotation_raw = _normalise_rotation(value)
                value = rotation_raw
            kwargs[fields_[key]] = value
        sections[attr] = section_type(**kwargs)
    settings = Settings(namespace=namespace, **sections)
    _validate(settings, c, rotation_raw)
    if c.issues:
        raise ConfigError(c.issues)
    return settings


def _decode(top: str, value: Any) -> Any:
    """Pulumi hands every config value over as a string; structured ones are JSON."""
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
            raw[top] = _decode(top, pulumi.runtime.get_config(full))
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
