"""The policy pack's rules: each one both ways, through its pure check and through pulumi_policy.

Why both: the pure checks say what a rule means; the `validate` path is what the analyzer
calls during `pulumi preview`, with props wrapped in proxies that raise on unknown values.
The last tests run every rule over everything the real stack registers, in each of its modes:
a guardrail that fires on the stack it guards would only teach people to turn it off, and a
resource type no policy inspects (the git-mode section was one) must be exempt for a reason.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from pulumi_policy import ResourceValidationArgs, ResourceValidationPolicy
from pulumi_policy.proxy import UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy
from stack_files import REFERENCE_STACK_FILE, ROOT

from policy import resource_types, rules
from stack import delivery
from stages.env_entry import identity as env_entry_identity
from stages.external_secret import identity as external_secret_identity
from stages.parameter import identity as parameter_identity
from stages.section import identity as section_identity
from stages.token import identity as token_identity
from tools.plan.mock_runtime import Recording, run_program
from tools.plan.stack_file import load_stack

# Token-shaped, derived so that no token-like literal sits in the repository.
TOKEN = hashlib.sha256(b"policy rule tests: not a real token").hexdigest()
PLACEHOLDER = "${OPENCLAW_CRON_WEBHOOK_TOKEN}"

PARAMETER = parameter_identity.TYPE
DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
EXTERNAL_SECRET = external_secret_identity.TYPE
SECTION = section_identity.CLUSTER_TYPE
ENV_ENTRY = env_entry_identity.TYPE

LITERAL_ENV = (
    'containers["openclaw"] env "OPENCLAW_CRON_WEBHOOK_TOKEN" has a literal value; '
    "use valueFrom.secretKeyRef"
)
HEX_IN_DOCUMENT = (
    'data["openclaw.json"] contains a 64-hex-character string (the token\'s shape); '
    "reference the token as a ${VAR} placeholder"
)


@dataclass
class FakeArgs:
    """Duck-typed ResourceValidationArgs: the attributes a rule may read."""

    resource_type: str
    props: Any
    urn: str = "urn:pulumi:dev::openclaw-cron-webhook::test::fake"
    name: str = "fake"


@dataclass
class Reports:
    """A report_violation callback that keeps what it is told."""

    messages: list[str] = field(default_factory=list)
    urns: list[str | None] = field(default_factory=list)

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.messages.append(message)
        self.urns.append(urn)


def run_policy(policy: ResourceValidationPolicy, resource_type: str, props: Any) -> list[str]:
    reports = Reports()
    args = cast(ResourceValidationArgs, FakeArgs(resource_type, props))
    assert policy.validate(args, reports) is None  # synchronous: nothing for Pulumi to await
    assert reports.urns == [None] * len(reports.messages)  # the resource's own URN applies
    return reports.messages


def container(*env: Any, name: str = "openclaw") -> dict[str, Any]:
    return {"name": name, "env": list(env)}


def pod_spec(*containers: dict[str, Any], init: tuple[dict[str, Any], ...] = ()) -> Any:
    spec: dict[str, Any] = {"containers": list(containers)}
    if init:
        spec["initContainers"] = list(init)
    return spec


def in_template(pod: Any) -> Any:
    """Where a Deployment, StatefulSet, DaemonSet or Job (and their patches) keep the pod spec."""
    return {"spec": {"template": {"spec": pod}}}


def deployment(*containers: dict[str, Any], init: tuple[dict[str, Any], ...] = ()) -> Any:
    return in_template(pod_spec(*containers, init=init))


def from_secret(name: str = "OPENCLAW_CRON_WEBHOOK_TOKEN") -> dict[str, Any]:
    return {
        "name": name,
        "valueFrom": {"secretKeyRef": {"name": "openclaw-cron-webhook", "key": name}},
    }


def document(**sections: Any) -> dict[str, str]:
    base: dict[str, Any] = {"plugins": {"entries": {"diagnostics-otel": {"enabled": True}}}}
    return {"openclaw.json": json.dumps(base | sections, indent=2)}


# ssm-token-securestring


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN", "SecureString"),
        ("/lolice/openclaw/LOG_LEVEL", "String"),  # not named like a secret
        ("/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN", None),  # type not given or unknown
    ],
)
def test_ssm_parameter_passes(name: str, kind: str | None) -> None:
    props = {"name": name, "type": kind, "value": TOKEN}
    assert rules.check_ssm_parameter(PARAMETER, props) == []
    assert run_policy(rules.SSM_TOKEN_SECURESTRING, PARAMETER, props) == []


@pytest.mark.parametrize("name", ["/app/api_token", "/app/ApiKey", "/app/db-Password", "/SECRET"])
def test_ssm_parameter_named_like_a_secret_must_be_securestring(name: str) -> None:
    props = {"name": name, "type": "String", "value": TOKEN}
    expected = [
        f'SSM parameter "{name}" is named like a secret but has type "String"; '
        'it must be "SecureString"'
    ]
    assert rules.check_ssm_parameter(PARAMETER, props) == expected
    assert run_policy(rules.SSM_TOKEN_SECURESTRING, PARAMETER, props) == expected
    assert TOKEN not in expected[0]


# env-secrets-from-secretkeyref


def test_env_from_secret_key_ref_passes() -> None:
    props = deployment(container(from_secret(), {"name": "LOG_LEVEL", "value": "debug"}))
    assert rules.check_workload_env(DEPLOYMENT_PATCH, props) == []
    assert run_policy(rules.ENV_SECRETS_FROM_SECRETKEYREF, DEPLOYMENT_PATCH, props) == []


def test_env_literal_value_is_refused() -> None:
    props = deployment(container({"name": "OPENCLAW_CRON_WEBHOOK_TOKEN", "value": TOKEN}))
    assert rules.check_workload_env(DEPLOYMENT_PATCH, props) == [LITERAL_ENV]
    assert run_policy(rules.ENV_SECRETS_FROM_SECRETKEYREF, DEPLOYMENT_PATCH, props) == [LITERAL_ENV]


def test_env_secret_from_a_config_map_is_refused() -> None:
    entry = {"name": "API_KEY", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}
    props = deployment(container(entry, name="app"))
    assert rules.check_workload_env("kubernetes:apps/v1:Deployment", props) == [
        'containers["app"] env "API_KEY" does not come from valueFrom.secretKeyRef'
    ]


def test_env_init_containers_are_checked_too() -> None:
    props = deployment(container(), init=(container({"name": "db_password", "value": "x"}),))
    assert rules.check_workload_env("kubernetes:apps/v1:StatefulSet", props) == [
        'initContainers["openclaw"] env "db_password" has a literal value; '
        "use valueFrom.secretKeyRef"
    ]


@pytest.mark.parametrize(
    ("resource_type", "wrap"),
    [
        ("kubernetes:batch/v1:CronJob", lambda pod: {"spec": {"jobTemplate": in_template(pod)}}),
        (
            "kubernetes:batch/v1:CronJobPatch",
            lambda pod: {"spec": {"jobTemplate": in_template(pod)}},
        ),
        ("kubernetes:batch/v1:Job", in_template),
        ("kubernetes:apps/v1:DaemonSetPatch", in_template),
        ("kubernetes:core/v1:Pod", lambda pod: {"spec": pod}),
        ("kubernetes:core/v1:PodPatch", lambda pod: {"spec": pod}),
    ],
)
def test_env_every_workload_kind_finds_its_pod_spec(resource_type: str, wrap: Any) -> None:
    bad = wrap(pod_spec(container({"name": "OPENCLAW_CRON_WEBHOOK_TOKEN", "value": TOKEN})))
    good = wrap(pod_spec(container(from_secret())))
    assert rules.check_workload_env(resource_type, bad) == [LITERAL_ENV]
    assert rules.check_workload_env(resource_type, good) == []


def test_env_missing_fields_are_nothing_to_check() -> None:
    for props in ({}, {"spec": None}, deployment(), deployment({"name": "openclaw"})):
        assert rules.check_workload_env(DEPLOYMENT_PATCH, props) == []


# configmap-no-literal-token


def test_config_map_with_placeholder_passes() -> None:
    props = {"data": document(cron={"enabled": True, "webhookToken": PLACEHOLDER})}
    assert rules.check_config_values(CONFIG_MAP, props) == []
    assert run_policy(rules.CONFIGMAP_NO_LITERAL_TOKEN, CONFIG_MAP, props) == []


def test_config_map_with_the_token_is_refused() -> None:
    props = {"data": document(cron={"enabled": True, "webhookToken": TOKEN})}
    expected = [
        HEX_IN_DOCUMENT,
        'data["openclaw.json"]: cron.webhookToken is not a ${VAR} placeholder '
        "(an upper-case env var name)",
    ]
    assert rules.check_config_values(CONFIG_MAP, props) == expected
    assert run_policy(rules.CONFIGMAP_NO_LITERAL_TOKEN, CONFIG_MAP, props) == expected


@pytest.mark.parametrize(
    "token",
    [
        "hunter2",
        "${openclaw_token}",  # OpenClaw leaves lower-case names literal
        "Bearer ${OPENCLAW_CRON_WEBHOOK_TOKEN}",
        "${OPENCLAW_CRON_WEBHOOK_TOKEN}\n",
        None,
        7,
    ],
)
def test_config_map_webhook_token_must_be_exactly_a_placeholder(token: object) -> None:
    props = {"data": document(hooks={"list": [{"webhookToken": token}]})}
    assert rules.check_config_values("kubernetes:core/v1:ConfigMapPatch", props) == [
        'data["openclaw.json"]: hooks.list[0].webhookToken is not a ${VAR} placeholder '
        "(an upper-case env var name)"
    ]


def test_config_map_token_shaped_string_outside_json_is_refused() -> None:
    props = {"data": {"receiver.env": f"TOKEN=sha256:{TOKEN}\n"}}
    assert rules.check_config_values(CONFIG_MAP, props) == [
        'data["receiver.env"] contains a 64-hex-character string (the token\'s shape); '
        "reference the token as a ${VAR} placeholder"
    ]


def test_config_map_longer_hex_runs_are_not_token_shaped() -> None:
    props = {"data": {"digests": f"{TOKEN}0 {TOKEN[:63]}"}}
    assert rules.check_config_values(CONFIG_MAP, props) == []


def test_json_section_with_placeholder_passes() -> None:
    props = {"value": {"enabled": True, "webhookToken": PLACEHOLDER, "sessionRetention": "7d"}}
    assert rules.check_config_values(SECTION, props) == []
    assert run_policy(rules.CONFIGMAP_NO_LITERAL_TOKEN, SECTION, props) == []


def test_json_section_with_the_token_is_refused() -> None:
    props = {"value": {"enabled": True, "webhookToken": TOKEN}}
    expected = [
        "value contains a 64-hex-character string (the token's shape); "
        "reference the token as a ${VAR} placeholder",
        "value: webhookToken is not a ${VAR} placeholder (an upper-case env var name)",
    ]
    assert rules.check_config_values(SECTION, props) == expected
    assert run_policy(rules.CONFIGMAP_NO_LITERAL_TOKEN, SECTION, props) == expected


# externalsecret-owns-its-secret


@pytest.mark.parametrize("target", [{"creationPolicy": "Owner"}, {}, None])
def test_external_secret_owner_or_default_passes(target: Any) -> None:
    props = {"spec": {"target": target}}
    assert rules.check_external_secret(EXTERNAL_SECRET, props) == []
    assert run_policy(rules.EXTERNALSECRET_OWNS_ITS_SECRET, EXTERNAL_SECRET, props) == []


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_external_secret_merge_is_refused(version: str) -> None:
    resource_type = f"kubernetes:external-secrets.io/{version}:ExternalSecret"
    props = {"spec": {"target": {"name": "openclaw-credentials", "creationPolicy": "Merge"}}}
    expected = ['spec.target.creationPolicy is "Merge"; it must be "Owner"']
    assert rules.check_external_secret(resource_type, props) == expected
    assert run_policy(rules.EXTERNALSECRET_OWNS_ITS_SECRET, resource_type, props) == expected


# the pack as Pulumi runs it


def test_pack_has_the_four_rules() -> None:
    assert [policy.name for policy in rules.POLICIES] == [
        "ssm-token-securestring",
        "env-secrets-from-secretkeyref",
        "configmap-no-literal-token",
        "externalsecret-owns-its-secret",
    ]


def test_unknown_values_in_preview_are_skipped_not_fatal() -> None:
    """The analyzer's proxies raise on unknowns; a rule checks what is known instead."""
    sidecar_env = {"name": "API_KEY", "valueFrom": UNKNOWN_OBJECT_VALUE}
    props = unknown_checking_proxy(
        deployment(container(UNKNOWN_OBJECT_VALUE), container(sidecar_env, name="sidecar"))
    )
    assert run_policy(rules.ENV_SECRETS_FROM_SECRETKEYREF, DEPLOYMENT_PATCH, props) == []
    section = unknown_checking_proxy({"value": {"webhookToken": UNKNOWN_STRING_VALUE}})
    assert run_policy(rules.CONFIGMAP_NO_LITERAL_TOKEN, SECTION, section) == []


def test_literal_env_value_still_fires_while_its_content_is_unknown() -> None:
    """A literal computed from the token is unknown in preview; being literal is the fault."""
    entry = {"name": "OPENCLAW_CRON_WEBHOOK_TOKEN", "value": UNKNOWN_STRING_VALUE}
    props = unknown_checking_proxy(deployment(container(entry)))
    assert run_policy(rules.ENV_SECRETS_FROM_SECRETKEYREF, DEPLOYMENT_PATCH, props) == [LITERAL_ENV]


# the stack's own resources


@pytest.fixture(scope="module")
def stack() -> Recording:
    return run_program({"aws:region": "ap-northeast-1"})


def test_negative_control_an_env_entry_without_its_secret_fires(stack: Recording) -> None:
    """Proves the pass above is the rule accepting the stack, not missing its resources."""
    inputs = {**stack.one(ENV_ENTRY).inputs, "secretName": ""}
    violation = (
        'env "OPENCLAW_CRON_WEBHOOK_TOKEN" names no Secret (secretName empty): use a secretKeyRef'
    )
    assert rules.check_workload_env(ENV_ENTRY, inputs) == [violation]
    assert run_policy(rules.ENV_SECRETS_FROM_SECRETKEYREF, ENV_ENTRY, inputs) == [violation]


# the contract: every resource the program registers, in every mode, is inspected or exempt

GIT_SECTION = section_identity.GIT_TYPE
WITH_THE_TOKEN = {"value": {"enabled": True, "webhookToken": TOKEN}}
# Each type a policy inspects, with inputs it must refuse (proof that it does inspect them).
INSPECTED: dict[str, tuple[ResourceValidationPolicy, dict[str, Any]]] = {
    PARAMETER: (
        rules.SSM_TOKEN_SECURESTRING,
        {"name": "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN", "type": "String"},
    ),
    EXTERNAL_SECRET: (
        rules.EXTERNALSECRET_OWNS_ITS_SECRET,
        {"spec": {"target": {"creationPolicy": "Merge"}}},
    ),
    ENV_ENTRY: (
        rules.ENV_SECRETS_FROM_SECRETKEYREF,
        {"envName": "OPENCLAW_CRON_WEBHOOK_TOKEN", "secretName": "", "secretKey": "k"},
    ),
    SECTION: (rules.CONFIGMAP_NO_LITERAL_TOKEN, WITH_THE_TOKEN),
    GIT_SECTION: (rules.CONFIGMAP_NO_LITERAL_TOKEN, WITH_THE_TOKEN),
}
COMPONENT = "a component resource: it has no inputs a provider acts on; its children are checked"
# Each type no policy inspects, and why none needs to.
EXEMPT: dict[str, str] = {
    token_identity.TYPE: (
        "the token's source: its inputs are a length and the rotation label, no place a token "
        "could be written into"
    ),
    token_identity.GUARD_TYPE: (
        "the rotation guard: its inputs are the rotation labels, in the state only"
    ),
    **{
        component: COMPONENT
        for component in (
            delivery.COMPONENT_TYPE,
            token_identity.COMPONENT_TYPE,
            parameter_identity.COMPONENT_TYPE,
            external_secret_identity.COMPONENT_TYPE,
            env_entry_identity.COMPONENT_TYPE,
            section_identity.CLUSTER_COMPONENT_TYPE,
            section_identity.GIT_COMPONENT_TYPE,
        )
    },
}


def test_the_pack_spells_each_type_of_the_stack_as_its_stage_does() -> None:
    """The pack cannot import the stages (Pulumi runs it as a script with its own
    requirements), so it spells the types it inspects itself; this holds the spellings equal
    (a hand-copied list is how the pack once missed the git-mode section)."""
    assert resource_types.SSM_PARAMETER == parameter_identity.TYPE
    assert resource_types.ENV_ENTRY == ENV_ENTRY
    assert (resource_types.JSON_SECTION, resource_types.GIT_JSON_SECTION) == section_identity.TYPES
    assert external_secret_identity.TYPE in resource_types.EXTERNAL_SECRET_TYPES


def with_token(config: dict[str, Any], **token: Any) -> dict[str, Any]:
    key = "openclaw-cron-webhook:token"
    return {**config, key: {**config.get(key, {}), **token}}


@pytest.fixture(scope="module")
def modes(cluster_config: dict[str, Any]) -> dict[str, Recording]:
    """The program in each mode that changes what it registers or with which inputs."""
    git = load_stack(ROOT, None, REFERENCE_STACK_FILE).config.values
    assert git["openclaw-cron-webhook:section"]["target"] == "git"
    return {
        "cluster": run_program(cluster_config),
        "git": run_program(git),
        "retainOnDestroy": run_program(with_token(cluster_config, retainOnDestroy=True)),
        "kmsKeyId": run_program(with_token(cluster_config, kmsKeyId="alias/openclaw")),
    }


@pytest.mark.parametrize("mode", ["cluster", "git", "retainOnDestroy", "kmsKeyId"])
def test_every_registered_type_is_inspected_or_exempt_and_passes_every_rule(
    modes: dict[str, Recording], mode: str
) -> None:
    registered = {registration.type for registration in modes[mode].registrations}

    assert registered - set(INSPECTED) - set(EXEMPT) == set()
    for resource in modes[mode].resources:
        for policy in rules.POLICIES:
            assert isinstance(policy, ResourceValidationPolicy)
            assert run_policy(policy, resource.type, resource.inputs) == [], resource.type


def test_the_tables_name_only_types_the_program_registers(modes: dict[str, Recording]) -> None:
    registered = {r.type for recording in modes.values() for r in recording.registrations}

    assert set(INSPECTED) | set(EXEMPT) == registered
    assert set(INSPECTED).isdisjoint(EXEMPT)


@pytest.mark.parametrize("resource_type", sorted(INSPECTED))
def test_each_inspected_type_is_refused_by_its_policy(resource_type: str) -> None:
    policy, bad = INSPECTED[resource_type]

    assert policy in rules.POLICIES
    assert run_policy(policy, resource_type, bad) != []


def test_in_git_mode_a_literal_token_in_the_section_is_a_mandatory_violation(
    modes: dict[str, Recording],
) -> None:
    section = modes["git"].one(GIT_SECTION).inputs
    props = {**section, "value": {**section["value"], "webhookToken": TOKEN}}
    expected = [
        "value contains a 64-hex-character string (the token's shape); "
        "reference the token as a ${VAR} placeholder",
        "value: webhookToken is not a ${VAR} placeholder (an upper-case env var name)",
    ]

    assert rules.check_config_values(GIT_SECTION, section) == []
    assert rules.check_config_values(GIT_SECTION, props) == expected
    assert run_policy(rules.CONFIGMAP_NO_LITERAL_TOKEN, GIT_SECTION, props) == expected
    assert rules.CONFIGMAP_NO_LITERAL_TOKEN.enforcement_level is None  # the pack's applies
    assert pack_enforcement_level() == "MANDATORY"


def pack_enforcement_level() -> str:
    """The level policy/__main__.py gives the pack (importing it would serve the pack)."""
    tree = ast.parse((ROOT / "policy" / "__main__.py").read_text())
    [call] = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "PolicyPack"
    ]
    [level] = [keyword.value for keyword in call.keywords if keyword.arg == "enforcement_level"]
    assert isinstance(level, ast.Attribute)
    return level.attr
