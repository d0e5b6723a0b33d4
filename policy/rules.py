"""Guardrails for the cron webhook token: where it may live, and in which shape.

Why a policy pack on top of the unit tests: the tests judge this program as written, the pack
judges what `pulumi preview`/`pulumi up` is about to send, after config, transformations and
later edits, and (enforced MANDATORY) stops the update before a token lands in plain text in
SSM, a pod spec or `openclaw.json`, or before an ExternalSecret starts fighting another one.

Each rule is a pure function of (resource type, inputs) returning violation messages, so it is
tested without the policy runtime; `_validation` adapts it to pulumi_policy. A message says
where the fault is (Pulumi prints the rule's description, the why, above it) and never quotes
a value that could be the token: violations end up in CI logs and pull-request comments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol

from pulumi_policy import Policy, ReportViolation, ResourceValidationPolicy
from pulumi_policy.proxy import UnknownValueError

# Two names for one module, as in __main__.py: the package's to mypy and the tests, the pack
# directory's top-level one when Pulumi runs the pack as a script.
if TYPE_CHECKING or __package__:
    from policy import resource_types
else:
    import resource_types

# A rule: (resource type, plain inputs) -> violation messages, empty when the resource passes.
Check = Callable[[str, Mapping[str, Any]], list[str]]


class _Unknown:
    """A value Pulumi cannot know yet (computed from another resource's output, in preview)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


# Stands in for an unknown value, so a rule can tell "not known yet" from "absent".
UNKNOWN: Final = _Unknown()

# Names that say "this is a credential"; matched case-insensitively anywhere in the name.
SECRET_NAME = re.compile("TOKEN|KEY|SECRET|PASSWORD", re.IGNORECASE)
# The token is 32 random bytes as hex; a 64-hex run that is not part of a longer one has its shape.
TOKEN_SHAPED = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")
# What a violation says after where a token-shaped string is.
_TOKEN_SHAPED_FOUND = (
    "contains a 64-hex-character string (the token's shape); "
    "reference the token as a ${VAR} placeholder"
)
# OpenClaw substitutes only names of this form; anything else stays literal in the config.
# Used with fullmatch: `$` alone would also accept a trailing newline.
PLACEHOLDER = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*\}$")


def _get(value: Any, *path: str) -> Any:
    """The value at `path`; None when a step is absent, UNKNOWN when a step is not known yet."""
    for key in path:
        if value is UNKNOWN:
            return UNKNOWN
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _objects(value: Any) -> Iterator[Mapping[str, Any]]:
    """The objects of a list; an absent or unknown list has none to check."""
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, Mapping))


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON-like value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _webhook_tokens(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every `webhookToken` key, at any depth."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            item_path = f"{path}.{key}" if path else str(key)
            if key == "webhookToken":
                yield item_path, item
            else:
                yield from _webhook_tokens(item, item_path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _webhook_tokens(item, f"{path}[{index}]")


def check_ssm_parameter(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """`ssm-token-securestring`: a parameter named like a credential is a SecureString."""
    if resource_type != resource_types.SSM_PARAMETER:
        return []
    name, kind = props.get("name"), props.get("type")
    if not isinstance(name, str) or not isinstance(kind, str):
        return []
    if SECRET_NAME.search(name) and kind != "SecureString":
        return [
            f'SSM parameter "{name}" is named like a secret but has type "{kind}"; '
            'it must be "SecureString"'
        ]
    return []


def check_workload_env(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """`env-secrets-from-secretkeyref`: a credential env var comes from a Secret, by reference."""
    if resource_type == resource_types.ENV_ENTRY:
        return _env_entry_violations(props)
    path = resource_types.POD_SPEC_PATHS.get(resource_type)
    if path is None:
        return []
    pod_spec = _get(props, *path)
    violations: list[str] = []
    for field in ("initContainers", "containers"):
        for index, container in enumerate(_objects(_get(pod_spec, field))):
            label = container.get("name")
            where = f'{field}["{label}"]' if isinstance(label, str) else f"{field}[{index}]"
            for entry in _objects(container.get("env")):
                env_name = entry.get("name")
                if not isinstance(env_name, str) or not SECRET_NAME.search(env_name):
                    continue
                if entry.get("value") is not None:
                    violations.append(
                        f'{where} env "{env_name}" has a literal value; use valueFrom.secretKeyRef'
                    )
                elif _get(entry, "valueFrom", "secretKeyRef") is None:
                    violations.append(
                        f'{where} env "{env_name}" does not come from valueFrom.secretKeyRef'
                    )
    return violations


def _env_entry_violations(props: Mapping[str, Any]) -> list[str]:
    env_name = props.get("envName")
    missing = [
        name
        for name in ("secretName", "secretKey")
        if props.get(name) is not UNKNOWN and not (isinstance(props.get(name), str) and props[name])
    ]
    if not missing:
        return []
    return [f'env "{env_name}" names no Secret ({", ".join(missing)} empty): use a secretKeyRef']


def _token_violations(where: str, document: Any) -> list[str]:
    """`webhookToken` values in `document` that are not exactly a `${VAR}` placeholder."""
    return [
        f"{where}: {path} is not a ${{VAR}} placeholder (an upper-case env var name)"
        for path, token in _webhook_tokens(document, "")
        if token is not UNKNOWN and not (isinstance(token, str) and PLACEHOLDER.fullmatch(token))
    ]


def check_config_values(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """`configmap-no-literal-token`: config holds the token's placeholder, never the token."""
    violations: list[str] = []
    if resource_type in resource_types.CONFIG_MAP_TYPES:
        data = props.get("data")
        if not isinstance(data, Mapping):
            return []
        for key, text in data.items():
            if not isinstance(text, str):
                continue
            where = f'data["{key}"]'
            if TOKEN_SHAPED.search(text):
                violations.append(f"{where} {_TOKEN_SHAPED_FOUND}")
            try:
                document = json.loads(text)
            except ValueError:
                continue  # not JSON: no structure to find a webhookToken in
            violations.extend(_token_violations(where, document))
    elif resource_type in (resource_types.JSON_SECTION, resource_types.GIT_JSON_SECTION):
        section = props.get("value")
        if any(TOKEN_SHAPED.search(text) for text in _strings(section)):
            violations.append(f"value {_TOKEN_SHAPED_FOUND}")
        violations.extend(_token_violations("value", section))
    return violations


def check_external_secret(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """`externalsecret-owns-its-secret`: the ExternalSecret creates and owns its own Secret.

    An absent creationPolicy is ESO's default, Owner, so only an explicit other value fails.
    """
    if resource_type not in resource_types.EXTERNAL_SECRET_TYPES:
        return []
    policy = _get(props, "spec", "target", "creationPolicy")
    if isinstance(policy, str) and policy != "Owner":
        return [f'spec.target.creationPolicy is "{policy}"; it must be "Owner"']
    return []


def _plain(value: Any) -> Any:
    """Plain dicts and lists from pulumi_policy's props, with UNKNOWN for unknown values.

    Why: the analyzer hands props as proxies that raise on reading an unknown value, which
    would abort a whole rule in preview; here an unknown becomes a value a rule can skip.
    """
    if isinstance(value, Mapping):
        items: dict[Any, Any] = {}
        for key in value:
            try:
                items[key] = _plain(value[key])
            except UnknownValueError:
                items[key] = UNKNOWN
        return items
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        elements: list[Any] = []
        for index in range(len(value)):
            try:
                elements.append(_plain(value[index]))
            except UnknownValueError:
                elements.append(UNKNOWN)
        return elements
    return value


class _Args(Protocol):
    """What a rule reads from pulumi_policy's ResourceValidationArgs."""

    @property
    def resource_type(self) -> str: ...

    @property
    def props(self) -> Mapping[str, Any]: ...


def _validation(check: Check) -> Callable[[_Args, ReportViolation], None]:
    def validate(args: _Args, report_violation: ReportViolation) -> None:
        for message in check(args.resource_type, _plain(args.props)):
            report_violation(message, None)

    return validate


SSM_TOKEN_SECURESTRING = ResourceValidationPolicy(
    name="ssm-token-securestring",
    description=(
        "An SSM parameter named like a credential (TOKEN, KEY, SECRET, PASSWORD) must be a "
        "SecureString: a String or StringList is stored and shown in plain text."
    ),
    validate=_validation(check_ssm_parameter),
)
ENV_SECRETS_FROM_SECRETKEYREF = ResourceValidationPolicy(
    name="env-secrets-from-secretkeyref",
    description=(
        "A container env var named like a credential must come from valueFrom.secretKeyRef: a "
        "literal value is readable by anyone who can read the workload, and sits in the state."
    ),
    validate=_validation(check_workload_env),
)
CONFIGMAP_NO_LITERAL_TOKEN = ResourceValidationPolicy(
    name="configmap-no-literal-token",
    description=(
        "ConfigMaps and the openclaw.json section hold no token-shaped (64-hex) string, and "
        "webhookToken is a ${VAR} placeholder: a ConfigMap is not a Secret."
    ),
    validate=_validation(check_config_values),
)
EXTERNALSECRET_OWNS_ITS_SECRET = ResourceValidationPolicy(
    name="externalsecret-owns-its-secret",
    description=(
        "An ExternalSecret must create and own its Secret (creationPolicy Owner): ESO refuses "
        "a Merge into a Secret another ExternalSecret owns, and the two flap."
    ),
    validate=_validation(check_external_secret),
)

POLICIES: list[Policy] = [
    SSM_TOKEN_SECURESTRING,
    ENV_SECRETS_FROM_SECRETKEYREF,
    CONFIGMAP_NO_LITERAL_TOKEN,
    EXTERNALSECRET_OWNS_ITS_SECRET,
]
