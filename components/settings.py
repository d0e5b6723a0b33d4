"""Stack configuration, parsed once into typed, validated settings.

Why a module of its own: every rule here guards a failure that would otherwise surface
minutes into a `pulumi up`, half-applied (an SSM name AWS rejects, an env var name OpenClaw
never substitutes, a `cron` section the gateway refuses to load). All problems are collected
and raised together, as one `pulumi.RunError`, before a single resource is registered, and
each names the config key, the bad value and the command that fixes it.

The `cron` section is OpenClaw's, not ours: its values are checked against OpenClaw's own JSON
Schema (vendored from the pinned version by `python -m e2e.vendor_cron_schema`), so the stack
accepts exactly what that OpenClaw accepts, and only our own decisions are coded here.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jsonschema
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
# OpenClaw's duration grammar (`parseDurationMs`): one number with an optional unit (a bare
# number is hours for `sessionRetention`), or number+unit parts written together (`1h30m`).
_DURATION_SINGLE = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)?")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_DURATION_MS = {"ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
# A config path segment Pulumi's `--path` syntax takes bare; anything else goes in ["..."].
_PATH_SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
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


# The `cron` section's JSON Schema from the pinned OpenClaw: the authority on what the section
# may hold. Regenerate with `python -m e2e.vendor_cron_schema` after changing
# openclaw_runtime/pins.toml.
CRON_SCHEMA_FILE = Path(__file__).with_name("openclaw_cron_schema.json")


@functools.cache
def cron_schema() -> dict[str, Any]:
    """The vendored schema, read once per process."""
    schema: dict[str, Any] = json.loads(CRON_SCHEMA_FILE.read_text())
    return schema


# The cron dataclasses below use OpenClaw's own camelCase names, in the schema's key order, so
# that a stack config key, a field and a key of the written section are one and the same name.
# None means "not set": the key is left out of the section and OpenClaw's default applies.
# tests/test_settings.py holds them equal to the vendored schema's keys.


@dataclass(frozen=True)
class CronTriggers:
    """`cron.triggers`."""

    enabled: bool | None = None


@dataclass(frozen=True)
class CronWebhookSsrfPolicy:
    """`cron.webhookSsrfPolicy`: OpenClaw refuses to POST to private, loopback or in-cluster
    addresses unless this allows them, so an in-cluster receiver needs `allowedHostnames`."""

    dangerouslyAllowPrivateNetwork: bool | None = None
    allowRfc2544BenchmarkRange: bool | None = None
    allowIpv6UniqueLocalRange: bool | None = None
    allowedHostnames: tuple[str, ...] | None = None
    blockedHostnames: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CronFailureAlert:
    """`cron.failureAlert`: where OpenClaw reports jobs that keep failing."""

    enabled: bool | None = None
    after: int | None = None
    cooldownMs: int | None = None
    includeSkipped: bool | None = None
    mode: Literal["announce", "webhook"] | None = None
    accountId: str | None = None
    channel: str | None = None
    to: str | None = None


@dataclass(frozen=True)
class CronSettings:
    """Every key of OpenClaw's `cron` section except `webhookToken`, which the stack always
    writes itself as the `${VAR}` placeholder of the env entry it injects."""

    # Decision: write `enabled` explicitly (OpenClaw also defaults to true), so that the
    # section says what runs and pausing the scheduler is a one-value change.
    enabled: bool = True
    skipMissedJobs: bool | None = None
    triggers: CronTriggers | None = None
    webhookSsrfPolicy: CronWebhookSsrfPolicy | None = None
    # Decision: keep finished run sessions for a week, the reference deployment's runbook
    # value (OpenClaw's own default is 24h).
    sessionRetention: str | Literal[False] = "7d"
    failureAlert: CronFailureAlert | None = None


# Nested objects of the `cron` section, by key.
_CRON_OBJECTS: dict[str, type] = {
    "triggers": CronTriggers,
    "webhookSsrfPolicy": CronWebhookSsrfPolicy,
    "failureAlert": CronFailureAlert,
}


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
        """The whole `cron` section written into openclaw.json: every key that is set, in the
        order of OpenClaw's schema, so the same settings always give the same bytes."""
        section: dict[str, Any] = {}
        for key in cron_schema()["properties"]:
            if key == "webhookToken":
                section[key] = "${" + self.deployment.env_name + "}"
            else:
                value = _plain(getattr(self.cron, key))
                if value is not None:
                    section[key] = value
        return section


def _plain(value: Any) -> Any:
    """A settings value as JSON: dataclasses as objects (unset keys left out), tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


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
}
# `cron` is not in _SECTIONS: OpenClaw's schema, not a field table, says what it may hold.
_TOP_LEVEL = ("namespace", *_SECTIONS, "cron")


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
    if not isinstance(value, Mapping):
        fix = f"pulumi config rm --path '{PROJECT}:{key}' && " + _set_cmd(f"{key}.team", "platform")
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
                # Quoted: a tag name may hold '.' or ':', which a bare path would split.
                f"pulumi config rm --path '{PROJECT}:{key}[{json.dumps(str(tag))}]'",
            )
        elif not isinstance(text, str) or len(text) > 256 or not _TAG_TEXT.fullmatch(text):
            c.fail(
                f"{key}.{tag}",
                text,
                "tag values are strings of at most 256 letters, digits, spaces or _.:/=+-@",
                _set_cmd(f"{key}.{tag}", "value"),
            )


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
        given = _section_object(c, raw, top)
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
    cron = _parse_cron(c, _section_object(c, raw, "cron"), settings.deployment.env_name)
    if c.issues:
        raise ConfigError(c.issues)
    return dataclasses.replace(settings, cron=cron)


def _section_object(c: _Checker, raw: Mapping[str, Any], top: str) -> Mapping[str, Any]:
    """A top-level section's value; absent or null is empty, anything but an object an error."""
    given = raw.get(top)
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        c.fail(top, given, "must be an object", f"pulumi config rm '{PROJECT}:{top}'")
        return {}
    return given


def _parse_cron(c: _Checker, given: Mapping[str, Any], env_name: str) -> CronSettings:
    """Checks `cron` against OpenClaw's schema and our own decisions; every problem is
    recorded (sorted by config path), and the defaults stand in when there is one."""
    values = dict(given)
    found: list[_CronIssue] = []
    if "webhookToken" in values:
        # Decision: the token lives only in SSM and the dedicated Secret; the section carries
        # the placeholder of the env entry the stack injects, never a value of its own.
        found.append(
            _CronIssue(
                ("webhookToken",),
                values.pop("webhookToken"),
                "is set by the stack itself: it always writes "
                f'"${{{env_name}}}", the env var it injects from the token\'s Secret, so the '
                "token never appears in the ConfigMap (rename the variable with "
                "deployment.envName)",
                f"pulumi config rm --path '{PROJECT}:cron.webhookToken'",
            )
        )
    schema = cron_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    for error in validator.iter_errors(values):
        found.extend(_schema_issues(error))
    retention = values.get("sessionRetention")
    if isinstance(retention, str) and not _is_openclaw_duration(retention):
        # Decision: fail here, before any resource, rather than at the gateway's next config
        # reload. OpenClaw's schema types `sessionRetention` only as a string; its loader
        # refines it with its duration parser, which tests/real_openclaw cross-checks.
        found.append(
            _CronIssue(
                ("sessionRetention",),
                retention,
                "is not an OpenClaw duration: a number with a unit (ms, s, m, h, d), or "
                "several written together such as 1h30m; a bare number means hours",
                _set_cmd("cron.sessionRetention", "7d")
                + "   (or `false` to keep sessions forever)",
            )
        )
    if found:
        c.issues.extend(issue.config_issue() for issue in sorted(found, key=_CronIssue.order))
        return CronSettings()
    return CronSettings(**{key: _cron_value(key, value) for key, value in values.items()})


@dataclass(frozen=True)
class _CronIssue:
    """A problem at a path inside `cron` (keys and list indexes), before it is rendered."""

    parts: tuple[str | int, ...]
    value: Any
    problem: str
    fix: str

    def order(self) -> tuple[tuple[bool, str | int], ...]:
        # Keys and indexes never share a level under one parent, so the pairs always compare.
        return tuple((isinstance(part, int), part) for part in self.parts)

    def config_issue(self) -> ConfigIssue:
        return ConfigIssue(_config_path(self.parts), self.value, self.problem, self.fix)


def _config_path(parts: tuple[str | int, ...]) -> str:
    """`cron.webhookSsrfPolicy.allowedHostnames[0]`: the path `pulumi config --path` takes."""
    path = "cron"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PATH_SEGMENT.fullmatch(part):
            path += f".{part}"
        else:
            path += f"[{json.dumps(part)}]"
    return path


# Example values for fix commands where the schema's type alone says too little.
_EXAMPLES = {
    "sessionRetention": "7d",
    "allowedHostnames": "receiver.monitoring.svc",
    "blockedHostnames": "'*.example.com'",
}


def _example(parts: tuple[str | int, ...], schema: Mapping[str, Any]) -> str:
    """A value that satisfies `schema`, written as `pulumi config set --path` wants it."""
    named = next((p for p in reversed(parts) if isinstance(p, str)), "")
    if named in _EXAMPLES:
        return _EXAMPLES[named]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("anyOf"):
        return _example(parts, schema["anyOf"][0])
    kind = schema.get("type")
    if kind == "boolean":
        return "true"
    if kind == "integer":
        return str(schema.get("minimum", 1))
    return "'<text>'"


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


def _schema_issues(error: jsonschema.ValidationError) -> Iterator[_CronIssue]:
    """One OpenClaw schema violation in plain words, with the command that fixes it."""
    parts = tuple(error.absolute_path)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties":
        known = [k for k in schema.get("properties", {}) if parts or k != "webhookToken"]
        for extra in sorted(set(error.instance) - set(schema.get("properties", {}))):
            where = "`" + _config_path(parts) + "`"
            yield _CronIssue(
                (*parts, extra),
                error.instance[extra],
                f"is not a key of {where} in OpenClaw's schema (known: " + ", ".join(known) + ")",
                f"pulumi config rm --path '{PROJECT}:{_config_path((*parts, extra))}'",
            )
        return
    if error.validator in ("type", "anyOf", "oneOf", "const", "enum"):
        problem = "must be " + _expected(schema)
    elif error.validator == "minimum":
        problem = f"must be at least {error.validator_value}"
    elif error.validator == "maximum":
        problem = f"must be at most {error.validator_value}"
    else:
        problem = f"is refused by OpenClaw's schema: {error.message}"
    member, member_schema = _leaf(parts, schema)
    fix = _set_cmd(_config_path(member), _example(member, member_schema))
    if member != parts:
        # A list or an object is set one member at a time, once the wrong value is gone.
        fix = f"pulumi config rm --path '{PROJECT}:{_config_path(parts)}' && {fix}"
    yield _CronIssue(parts, error.instance, problem, fix)


def _leaf(
    parts: tuple[str | int, ...], schema: Mapping[str, Any]
) -> tuple[tuple[str | int, ...], Mapping[str, Any]]:
    """The first scalar inside a list or object schema (`allowedHostnames[0]`), preferring a
    member we have an example for; a scalar schema is its own leaf."""
    if schema.get("type") == "array":
        return _leaf((*parts, 0), schema.get("items", {}))
    members: dict[str, Any] = schema.get("properties", {})
    if schema.get("type") == "object" and members:
        name = next((key for key in members if key in _EXAMPLES), next(iter(members)))
        return _leaf((*parts, name), members[name])
    return parts, schema


def _cron_value(key: str, value: Any) -> Any:
    """A schema-valid config value as the settings type: objects as their dataclass."""
    nested = _CRON_OBJECTS.get(key)
    if nested is None:
        return value
    return nested(**{k: tuple(v) if isinstance(v, list) else v for k, v in value.items()})


def _is_openclaw_duration(value: str) -> bool:
    """Mirrors OpenClaw's `parseDurationMs`: trimmed, case-insensitive, non-negative, at most
    2**53 - 1 ms."""
    text = value.strip().lower()
    single = _DURATION_SINGLE.fullmatch(text)
    if single:
        parts = [(single.group(1), single.group(2) or "h")]
    elif text and re.fullmatch(f"(?:{_DURATION_PART.pattern})+", text):
        parts = [(m.group(1), m.group(2)) for m in _DURATION_PART.finditer(text)]
    else:
        return False
    total = sum(float(number) * _DURATION_MS[unit] for number, unit in parts)
    return round(total) <= 2**53 - 1


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
