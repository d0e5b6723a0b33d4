"""The stack under Pulumi mocks: exactly which resources it registers, with which inputs."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pulumi
import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import engine_pb2

from stack import delivery as delivery_stage
from stages.env_entry import identity as env_entry_identity
from stages.external_secret import identity as external_secret_identity
from stages.external_secret import resource as external_secret_resource
from stages.kube_connection import KubeTarget
from stages.parameter import identity as parameter_identity
from stages.section import identity as section_identity
from stages.token import identity as token_identity
from tools.plan.mock_runtime import (
    SECRET_SIG,
    SIG_KEY,
    FakeOutputs,
    Recording,
    RecordingMonitor,
    fake_token,
    run_program,
)

PROJECT = "openclaw-cron-webhook"
RANDOM = token_identity.TYPE
PARAMETER = parameter_identity.TYPE
EXTERNAL_SECRET = external_secret_identity.TYPE
ENV_ENTRY = env_entry_identity.TYPE
SECTION = section_identity.CLUSTER_TYPE
GIT_SECTION = section_identity.GIT_TYPE
GUARD = token_identity.GUARD_TYPE
PATH = [GUARD, RANDOM, PARAMETER, EXTERNAL_SECRET, ENV_ENTRY, SECTION]


def without_provider(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k != "__provider"}


def test_registers_exactly_the_phase2_resources(cluster_run: Recording) -> None:
    assert sorted(r.type for r in cluster_run.resources) == sorted(PATH)


def test_token_is_32_random_bytes_kept_by_rotation(cluster_run: Recording) -> None:
    assert cluster_run.one(RANDOM).inputs == {"length": 32, "keepers": {"rotation": "1"}}


def test_parameter_is_a_securestring_holding_the_token(cluster_run: Recording) -> None:
    parameter = cluster_run.one(PARAMETER)
    assert parameter.inputs == {
        "name": "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN",
        "type": "SecureString",
        "value": fake_token({"rotation": "1"}),
        "description": "Bearer token OpenClaw sends to cron webhook receivers (Pulumi-managed)",
        "tags": {"app": "openclaw", "component": "cron-webhook", "managed-by": "pulumi"},
    }
    assert parameter.retain_on_delete is False


def test_external_secret_is_dedicated_owner_and_awaited(cluster_run: Recording) -> None:
    assert cluster_run.one(EXTERNAL_SECRET).inputs == {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {
            "name": "openclaw-cron-webhook-r1",
            "namespace": "openclaw",
            "labels": {
                "app.kubernetes.io/name": "openclaw",
                "app.kubernetes.io/component": "cron-webhook",
                "app.kubernetes.io/managed-by": "pulumi",
            },
            "annotations": {
                "pulumi.com/waitFor": json.dumps(
                    [
                        "condition=Ready",
                        'jsonpath={.status.conditions[?(@.type=="Ready")].reason}=SecretSynced',
                    ]
                ),
                "pulumi.com/timeoutSeconds": "300",
            },
        },
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": {"name": "parameterstore", "kind": "ClusterSecretStore"},
            "target": {
                "name": "openclaw-cron-webhook-r1",
                "creationPolicy": "Owner",
                "deletionPolicy": "Retain",
            },
            "data": [
                {
                    "secretKey": "OPENCLAW_CRON_WEBHOOK_TOKEN",
                    "remoteRef": {
                        "key": "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN",
                        "conversionStrategy": "Default",
                        "decodingStrategy": "None",
                        "metadataPolicy": "None",
                    },
                }
            ],
        },
    }


def test_env_entry_is_one_secretkeyref_in_one_container(cluster_run: Recording) -> None:
    assert without_provider(cluster_run.one(ENV_ENTRY).inputs) == {
        "namespace": "openclaw",
        "deployment": "openclaw",
        "container": "openclaw",
        "envName": "OPENCLAW_CRON_WEBHOOK_TOKEN",
        "secretName": "openclaw-cron-webhook-r1",
        "secretKey": "OPENCLAW_CRON_WEBHOOK_TOKEN",
        "rolloutTimeoutSeconds": 600,
        "fieldManager": "openclaw-cron-webhook/dev",
    }


def test_section_writes_the_placeholder_never_the_token(cluster_run: Recording) -> None:
    assert without_provider(cluster_run.one(SECTION).inputs) == {
        "namespace": "openclaw",
        "configMap": "openclaw-config",
        "key": "openclaw.json",
        "section": "cron",
        "value": {
            "enabled": True,
            "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}",
            "sessionRetention": "7d",
        },
        "writeTrackedConfigMap": False,
    }


def test_nothing_targets_the_apps_own_secret_or_externalsecret(cluster_run: Recording) -> None:
    for registration in cluster_run.registrations:
        text = json.dumps(without_provider(registration.inputs))
        assert "openclaw-credentials" not in text, registration.type
        assert "openclaw-es" not in text, registration.type


def test_each_stage_is_a_component_under_the_delivery(cluster_run: Recording) -> None:
    by_urn = cluster_run.by_urn()
    delivery = cluster_run.one(delivery_stage.COMPONENT_TYPE)
    stages = {}
    for resource in cluster_run.resources:
        stage = by_urn[resource.parent]
        assert stage.parent == delivery.urn, resource.type
        stages[resource.type] = stage.type
    assert stages == {
        GUARD: token_identity.COMPONENT_TYPE,
        RANDOM: token_identity.COMPONENT_TYPE,
        PARAMETER: parameter_identity.COMPONENT_TYPE,
        EXTERNAL_SECRET: external_secret_identity.COMPONENT_TYPE,
        ENV_ENTRY: env_entry_identity.COMPONENT_TYPE,
        SECTION: section_identity.CLUSTER_COMPONENT_TYPE,
    }


def test_stage_order_is_explicit_in_each_resource(cluster_run: Recording) -> None:
    """Every resource depends directly on the previous stage's resource, not just by data."""
    urn_of = {r.type: r.urn for r in cluster_run.resources}
    for before, after in itertools.pairwise(PATH):
        assert urn_of[before] in cluster_run.one(after).dependencies, f"{after} after {before}"
    assert [r.type for r in cluster_run.dependency_order()] == PATH


ENV_ENTRY_STAGE = """
import pulumi

from stack.settings import Settings
from stages.env_entry.resource import EnvEntry

gate = pulumi.CustomResource("test:index:Gate", "external-secret-synced", {})
EnvEntry(
    "openclaw-cron-webhook-env",
    Settings(),
    "openclaw-cron-webhook-r1",
    "openclaw-cron-webhook/dev",
    pulumi.ResourceOptions(depends_on=[gate]),
)
"""


def test_the_env_entry_waits_for_its_stages_dependency_even_without_data_from_it(
    tmp_path: Path,
) -> None:
    """In the stack the entry's Secret name is the ExternalSecret's Output, so data alone would
    order it; the order must not hang on that: a pod must never name a Secret ESO has not
    written yet, so the stage's own `depends_on` reaches its resource whatever it is given."""
    main = tmp_path / "__main__.py"
    main.write_text(ENV_ENTRY_STAGE)

    run = run_program({}, main=main)

    gate = run.one("test:index:Gate")
    assert run.one(ENV_ENTRY).dependencies == [gate.urn]
    assert [r.type for r in run.dependency_order()] == ["test:index:Gate", ENV_ENTRY]


def test_outputs_name_each_hop(cluster_run: Recording) -> None:
    outputs = cluster_run.outputs
    assert outputs["parameterName"] == "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
    assert outputs["parameterArn"] == (
        "arn:aws:ssm:ap-northeast-1:123456789012:parameter/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
    )
    assert outputs["parameterVersion"] == 1
    assert outputs["externalSecretName"] == "openclaw-cron-webhook-r1"
    assert outputs["secretName"] == "openclaw-cron-webhook-r1"
    assert outputs["envName"] == "OPENCLAW_CRON_WEBHOOK_TOKEN"
    assert set(outputs["verify"]) == {"ssm", "externalSecret", "secret", "env", "config"}
    assert (
        "kubectl -n openclaw get externalsecret openclaw-cron-webhook-r1"
        in (outputs["verify"]["externalSecret"])
    )


def test_an_empty_stack_reproduces_the_reference_deployment(cluster_run: Recording) -> None:
    empty = run_program({"aws:region": "ap-northeast-1"})
    for type_ in PATH:
        assert empty.one(type_).inputs == cluster_run.one(type_).inputs, type_


def test_asking_for_one_resource_of_a_type_says_how_many_the_program_registered(
    cluster_run: Recording,
) -> None:
    """The tests above lean on `one`: when the program stops registering a type, or registers
    it twice, the failure must name the type and the count, not fail on an index."""
    with pytest.raises(AssertionError) as none:
        cluster_run.one("aws:ssm/parameter:Missing")
    assert str(none.value) == "expected one aws:ssm/parameter:Missing, found 0"

    twice = Recording(registrations=cluster_run.registrations * 2)
    with pytest.raises(AssertionError) as two:
        twice.one(PARAMETER)
    assert str(two.value) == f"expected one {PARAMETER}, found 2"


def test_non_default_values_reach_their_fields() -> None:
    run = run_program(
        {
            "aws:region": "eu-west-1",
            "namespace": "gateway",
            "token": {
                "parameterName": "/team/gw/HOOK_TOKEN",
                "rotation": 7,
                "kmsKeyId": "alias/gateway",
                "retainOnDestroy": True,
                "tags": {"team": "platform"},
            },
            "externalSecret": {
                "name": "hook",
                "secretName": "hook-secret",
                "secretKey": "HOOK",
                "storeName": "ssm",
                "storeKind": "SecretStore",
                "refreshInterval": "15m",
            },
            "deployment": {"name": "gw", "container": "app", "envName": "HOOK_TOKEN"},
            "config": {"configMap": "gw-config", "key": "config.json"},
            "cron": {"enabled": False, "sessionRetention": False},
            "timeouts": {"externalSecretSeconds": 120, "rolloutSeconds": 900},
        }
    )
    assert run.one(RANDOM).inputs["keepers"] == {"rotation": "7"}
    parameter = run.one(PARAMETER)
    assert parameter.inputs == {
        "name": "/team/gw/HOOK_TOKEN",
        "type": "SecureString",
        "value": fake_token({"rotation": "7"}),
        "keyId": "alias/gateway",
        "description": "Bearer token OpenClaw sends to cron webhook receivers (Pulumi-managed)",
        "tags": {"team": "platform"},
    }
    assert parameter.retain_on_delete is True
    assert run.one(EXTERNAL_SECRET).inputs == {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {
            "name": "hook-r7",
            "namespace": "gateway",
            "labels": {
                "app.kubernetes.io/name": "openclaw",
                "app.kubernetes.io/component": "cron-webhook",
                "app.kubernetes.io/managed-by": "pulumi",
            },
            "annotations": {
                "pulumi.com/waitFor": json.dumps(
                    [
                        "condition=Ready",
                        'jsonpath={.status.conditions[?(@.type=="Ready")].reason}=SecretSynced',
                    ]
                ),
                "pulumi.com/timeoutSeconds": "120",
            },
        },
        "spec": {
            "refreshInterval": "15m",
            "secretStoreRef": {"name": "ssm", "kind": "SecretStore"},
            "target": {
                "name": "hook-secret-r7",
                "creationPolicy": "Owner",
                "deletionPolicy": "Retain",
            },
            "data": [
                {
                    "secretKey": "HOOK",
                    "remoteRef": {
                        "key": "/team/gw/HOOK_TOKEN",
                        "conversionStrategy": "Default",
                        "decodingStrategy": "None",
                        "metadataPolicy": "None",
                    },
                }
            ],
        },
    }
    assert without_provider(run.one(ENV_ENTRY).inputs) == {
        "namespace": "gateway",
        "deployment": "gw",
        "container": "app",
        "envName": "HOOK_TOKEN",
        "secretName": "hook-secret-r7",
        "secretKey": "HOOK",
        "rolloutTimeoutSeconds": 900,
        "fieldManager": "openclaw-cron-webhook/dev",
    }
    section = run.one(SECTION).inputs
    assert (section["namespace"], section["configMap"], section["key"]) == (
        "gateway",
        "gw-config",
        "config.json",
    )
    assert section["value"] == {
        "enabled": False,
        "webhookToken": "${HOOK_TOKEN}",
        "sessionRetention": False,
    }
    assert run.outputs["parameterArn"].startswith("arn:aws:ssm:eu-west-1:")
    assert run.outputs["parameterVersion"] == 1


def requests_to(monkeypatch: pytest.MonkeyPatch, method: str) -> list[Any]:
    """Every request the mock engine's `method` receives from now on in this test (the
    recording keeps only what most tests compare)."""
    requests: list[Any] = []
    received = getattr(RecordingMonitor, method)

    def recording(monitor: RecordingMonitor, request: Any) -> Any:
        requests.append(request)
        return received(monitor, request)

    monkeypatch.setattr(RecordingMonitor, method, recording)
    return requests


def test_a_parameter_the_runbook_imported_is_adopted_not_created_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/operations.md: when the runbook created the parameter by hand, `pulumi import
    aws:ssm/parameter:Parameter cron-webhook-token <name>` puts it at the stack's top level. The
    parameter must name that place (its own name, no parent) as an alias, or the next `pulumi up`
    creates a second one (ParameterAlreadyExists) and deletes the import."""
    registered = requests_to(monkeypatch, "RegisterResource")
    run = run_program({"aws:region": "ap-northeast-1"})

    assert run.one(PARAMETER).name == "cron-webhook-token"
    [parameter] = [request for request in registered if request.type == PARAMETER]
    assert [json_format.MessageToDict(alias) for alias in parameter.aliases] == [
        {"spec": {"noParent": True}}
    ]


def test_a_failed_sync_wait_is_explained_by_the_external_secrets_error_hook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the ExternalSecret's wait fails, `pulumi up` must say why (ESO's conditions, the
    store's, its last warning) instead of only "timed out": the ExternalSecret binds the error
    hook that reads them, named after the object it explains."""
    registered = requests_to(monkeypatch, "RegisterResource")
    run_program({"aws:region": "ap-northeast-1"})

    [external_secret] = [r for r in registered if r.type == EXTERNAL_SECRET]
    assert json_format.MessageToDict(external_secret.hooks) == {
        "onError": ["explain-external-secret-openclaw-openclaw-cron-webhook-r1"]
    }


def test_the_error_hook_logs_why_the_sync_failed_on_the_external_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hook reads the ExternalSecret the stack names, through the cluster the stack's
    kube config names, with the newest error Pulumi saw, and logs the explanation as an error
    on that resource; it never asks Pulumi to retry."""
    hooks: list[Any] = []
    make = external_secret_resource._explainer

    def kept(settings: Any) -> Any:
        hooks.append(make(settings))
        return hooks[-1]

    monkeypatch.setattr(external_secret_resource, "_explainer", kept)
    run_program({"aws:region": "ap-northeast-1", "externalSecret": {"storeName": "ssm"}})
    reads: list[tuple[Any, ...]] = []
    logged: list[Any] = []

    def read_and_explain(*args: Any) -> str:
        reads.append(args)
        return "ESO says: parameter not found"

    monkeypatch.setattr(external_secret_resource, "read_and_explain", read_and_explain)
    config = {"kubernetes:context": "lolice", "kubernetes:kubeconfig": None}
    monkeypatch.setattr(external_secret_resource.runtime_config, "get_config", config.get)
    engine = SimpleNamespace(Log=logged.append)
    monkeypatch.setattr(external_secret_resource.runtime_settings, "get_engine", lambda: engine)
    urn = "urn:pulumi:dev::p::kubernetes:external-secrets.io/v1:ExternalSecret::cron-webhook"
    failed = pulumi.ErrorHookArgs(
        urn, "id", "cron-webhook", EXTERNAL_SECRET, errors=["timed out", "an older error"]
    )

    [hook] = hooks
    assert asyncio.run(hook.callback(failed)) is False
    assert reads == [
        (
            KubeTarget(kubeconfig=None, context="lolice"),
            "openclaw",
            "openclaw-cron-webhook-r1",
            "ClusterSecretStore",
            "ssm",
            300,
            "timed out",
        )
    ]
    assert [(log.severity, log.message, log.urn) for log in logged] == [
        (engine_pb2.ERROR, "ESO says: parameter not found", urn)
    ]
    # Without an error from Pulumi, the diagnosis is given no failure to account for.
    asyncio.run(hook.callback(pulumi.ErrorHookArgs(urn, "id", "cron-webhook", EXTERNAL_SECRET)))
    assert reads[-1][-1] == ""


def test_every_resource_keeps_the_urn_deployed_stacks_hold() -> None:
    """A URN is a resource's identity in the state: one that changes (a new name, type or
    parent) is deleted and created again by the next `pulumi up`. For the token that is a new
    token no receiver was given, so every URN, each component's included, stays as deployed."""
    prefix = f"urn:pulumi:dev::{PROJECT}::"
    delivery = f"{PROJECT}:index:CronWebhookDelivery"
    token, parameter = f"{PROJECT}:index:WebhookToken", f"{PROJECT}:index:TokenParameter"
    external_secret, env = f"{PROJECT}:index:TokenExternalSecret", f"{PROJECT}:index:TokenEnvPatch"
    section = f"{PROJECT}:index:CronConfigSection"
    run = run_program({"aws:region": "ap-northeast-1"})

    assert [registration.urn for registration in run.registrations] == [
        f"{prefix}pulumi:pulumi:Stack${delivery}::openclaw-cron-webhook",
        f"{prefix}{delivery}${token}::cron-webhook-token",
        f"{prefix}{token}$pulumi-python:dynamic/openclaw:RotationGuard::cron-webhook-token-rotation",
        f"{prefix}{token}$random:index/randomBytes:RandomBytes::cron-webhook-token",
        f"{prefix}{delivery}${parameter}::cron-webhook-token",
        f"{prefix}{parameter}$aws:ssm/parameter:Parameter::cron-webhook-token",
        f"{prefix}{delivery}${external_secret}::cron-webhook",
        f"{prefix}{external_secret}$kubernetes:external-secrets.io/v1:ExternalSecret::cron-webhook",
        f"{prefix}{delivery}${env}::openclaw-cron-webhook-env",
        f"{prefix}{env}$pulumi-python:dynamic/openclaw:EnvEntry::openclaw-cron-webhook-env",
        f"{prefix}{delivery}${section}::openclaw-cron-section",
        f"{prefix}{section}$pulumi-python:dynamic/openclaw:JsonSection::openclaw-cron-section",
    ]


def test_each_component_records_what_its_stage_made_the_token_as_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The state keeps each component's outputs (`pulumi stack export` shows them): where the
    token went (the parameter's name, ARN and version, the ExternalSecret and its Secret) and
    the section written. The token itself is there only as a secret, which the state encrypts."""
    recorded = requests_to(monkeypatch, "RegisterResourceOutputs")
    run = run_program({"aws:region": "ap-northeast-1"})

    types = {registration.urn: registration.type for registration in run.registrations}
    outputs = {
        types.get(request.urn, "stack"): json_format.MessageToDict(request.outputs)
        for request in recorded
    }
    name = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
    arn = f"arn:aws:ssm:ap-northeast-1:123456789012:parameter{name}"
    token = {SIG_KEY: SECRET_SIG, "value": fake_token({"rotation": "1"})}
    assert outputs == {
        "stack": {},
        delivery_stage.COMPONENT_TYPE: {
            "token": token,
            "parameter_name": name,
            "parameter_arn": arn,
            "parameter_version": 1,
            "external_secret_name": "openclaw-cron-webhook-r1",
            "secret_name": "openclaw-cron-webhook-r1",
        },
        token_identity.COMPONENT_TYPE: {"value": token},
        parameter_identity.COMPONENT_TYPE: {"name": name, "arn": arn, "version": 1},
        external_secret_identity.COMPONENT_TYPE: {
            "name": "openclaw-cron-webhook-r1",
            "secret_name": "openclaw-cron-webhook-r1",
        },
        env_entry_identity.COMPONENT_TYPE: {},
        section_identity.CLUSTER_COMPONENT_TYPE: {
            "value": {
                "enabled": True,
                "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}",
                "sessionRetention": "7d",
            }
        },
    }


def test_in_git_mode_the_section_component_records_the_commit_that_carries_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In git mode the state records, beside the section, the commit the provider reports as
    carrying it, so `pulumi stack export` says which commit of the GitOps repository to look
    for."""
    commit = "c0ffee" * 7
    provide = FakeOutputs.new_resource

    def with_commit(mocks: FakeOutputs, args: Any) -> tuple[str, dict[str, Any]]:
        resource_id, outputs = provide(mocks, args)
        return resource_id, {**outputs, "commit": commit} if args.typ == GIT_SECTION else outputs

    monkeypatch.setattr(FakeOutputs, "new_resource", with_commit)
    recorded = requests_to(monkeypatch, "RegisterResourceOutputs")
    run = run_program(
        {
            "aws:region": "ap-northeast-1",
            f"{PROJECT}:section": {
                "target": "git",
                "git": {"repo": "file:///srv/gitops.git", "path": "a/cm.yaml", "application": "a"},
            },
        }
    )

    [component] = [
        r.urn for r in run.registrations if r.type == section_identity.GIT_COMPONENT_TYPE
    ]
    assert [json_format.MessageToDict(r.outputs) for r in recorded if r.urn == component] == [
        {
            "value": {
                "enabled": True,
                "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}",
                "sessionRetention": "7d",
            },
            "commit": commit,
        }
    ]


def test_the_verify_output_is_one_read_only_command_per_hop_for_this_stacks_names() -> None:
    """`pulumi stack output verify` is what an operator pastes into a shell: each command must
    name this stack's objects (the rotation's, the dotted data key escaped for jsonpath) and
    print no token, only its type, version, length or reason."""
    run = run_program(
        {
            "namespace": "gateway",
            "token": {"parameterName": "/team/gw/HOOK_TOKEN", "rotation": 7},
            "externalSecret": {"name": "hook", "secretName": "hook-secret", "secretKey": "HOOK"},
            "deployment": {"name": "gw", "container": "app", "envName": "HOOK_TOKEN"},
            "config": {"configMap": "gw-config", "key": "gw.config.json"},
        }
    )

    assert run.outputs["verify"] == {
        "ssm": (
            "aws ssm get-parameter --name /team/gw/HOOK_TOKEN "
            "--query 'Parameter.[Type,Version]' --output text"
        ),
        "externalSecret": (
            "kubectl -n gateway get externalsecret hook-r7 "
            "-o jsonpath='{.status.conditions[?(@.type==\"Ready\")].reason}'"
        ),
        "secret": "kubectl -n gateway describe secret hook-secret-r7",
        "env": (
            "kubectl -n gateway exec deploy/gw -c app -- sh -c 'printf %s \"$HOOK_TOKEN\" | wc -c'"
        ),
        "config": (
            "kubectl -n gateway get configmap gw-config "
            "-o jsonpath='{.data.gw\\.config\\.json}' | jq .cron"
        ),
    }


def test_no_connection_detail_enters_the_dynamic_resources_inputs() -> None:
    """The providers read the kube context and kubeconfig from config at each operation."""
    run = run_program(
        {"kubernetes:context": "lolice-admin", "kubernetes:kubeconfig": "apiVersion: v1"}
    )
    for resource in (run.one(SECTION), run.one(ENV_ENTRY)):
        shown = json.dumps(without_provider(resource.inputs))
        assert "lolice-admin" not in shown
        assert "apiVersion: v1" not in shown


def test_git_target_sends_the_same_section_through_the_repository_last(
    cluster_config: dict[str, Any],
) -> None:
    config = {
        **cluster_config,
        f"{PROJECT}:section": {
            "target": "git",
            "git": {
                "repo": "git@github.com:example/gitops.git",
                "path": "argoproj/openclaw/configmap-openclaw.yaml",
                "application": "openclaw",
            },
        },
    }
    run = run_program(config)

    assert [r.type for r in run.resources if r.type in (SECTION, GIT_SECTION)] == [GIT_SECTION]
    assert without_provider(run.one(GIT_SECTION).inputs) == {
        "repo": "git@github.com:example/gitops.git",
        "branch": "main",
        "path": "argoproj/openclaw/configmap-openclaw.yaml",
        "author": "openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>",
        "namespace": "openclaw",
        "configMap": "openclaw-config",
        "key": "openclaw.json",
        "section": "cron",
        "value": {
            "enabled": True,
            "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}",
            "sessionRetention": "7d",
        },
        "stack": "openclaw-cron-webhook/dev",
        "deliveryTimeoutSeconds": 600,
        "application": "openclaw",
        "applicationNamespace": "argocd",
    }
    git_path = [*PATH[:-1], GIT_SECTION]
    assert [r.type for r in run.dependency_order()] == git_path
    urn_of = {r.type: r.urn for r in run.resources}
    assert urn_of[ENV_ENTRY] in run.one(GIT_SECTION).dependencies
    stage = run.by_urn()[run.one(GIT_SECTION).parent]
    assert stage.type == section_identity.GIT_COMPONENT_TYPE
    # The reference stack runs in git mode: a new name is a new URN, and the next `up` would
    # take the section out of the repository and commit it again.
    assert (stage.urn, run.one(GIT_SECTION).urn) == (
        f"urn:pulumi:dev::{PROJECT}::{delivery_stage.COMPONENT_TYPE}"
        f"${section_identity.GIT_COMPONENT_TYPE}::openclaw-cron-section",
        f"urn:pulumi:dev::{PROJECT}::{section_identity.GIT_COMPONENT_TYPE}"
        f"${GIT_SECTION}::openclaw-cron-section",
    )


def test_the_reference_stack_runs_in_git_mode_under_argo_cd_with_its_context_pinned() -> None:
    """Pulumi.dev.yaml is the reference deployment as it must run there: Argo CD self-heals
    the ConfigMap, so the section goes through the GitOps repository, and the kube context is
    pinned so that an `up` from a laptop never writes to whatever context is current. The
    cluster-mode example differs from it in exactly the section's target and the context."""
    from stack_files import CLUSTER_STACK_FILE, REFERENCE_STACK_FILE, ROOT

    from tools.plan.stack_file import load_stack

    reference = load_stack(ROOT, None, REFERENCE_STACK_FILE).config.values
    cluster = load_stack(ROOT, None, CLUSTER_STACK_FILE).config.values
    run = run_program(reference)
    [section] = [r for r in run.resources if r.type.endswith(":GitJsonSection")]
    assert {k: section.inputs[k] for k in ("repo", "path", "branch", "application")} == {
        "repo": "git@github.com:boxp/lolice.git",
        "path": "argoproj/openclaw/configmap-openclaw.yaml",
        "branch": "main",
        "application": "openclaw",
    }
    assert not [r for r in run.resources if r.type.endswith(":JsonSection")]
    assert reference["kubernetes:context"] == "lolice"
    differing = {k for k in reference.keys() | cluster.keys() if reference.get(k) != cluster.get(k)}
    assert differing == {f"{PROJECT}:section", "kubernetes:context"}


def test_the_token_depends_on_the_rotation_guard_holding_the_rotation() -> None:
    run = run_program({f"{PROJECT}:token": json.dumps({"rotation": "3"})})
    guard = run.one(GUARD)
    assert (guard.name, without_provider(guard.inputs)) == (
        "cron-webhook-token-rotation",
        {"rotation": "3"},
    )
    assert run.one(RANDOM).dependencies == [guard.urn]


def test_enabled_false_registers_nothing_and_exports_only_that() -> None:
    """Phase 2 switched off: the next `up` deletes every resource the state holds."""
    run = run_program({f"{PROJECT}:enabled": "false"})
    assert run.registrations == []
    assert run.outputs == {"enabled": False}


def test_section_present_false_leaves_out_only_the_section() -> None:
    run = run_program({f"{PROJECT}:section": json.dumps({"present": False})})
    assert [r.type for r in run.dependency_order()] == PATH[:-1]
    assert run.outputs["cronSection"] is None
    assert run.outputs["secretName"] == "openclaw-cron-webhook-r1"


def test_retain_on_destroy_is_the_parameters_option_the_state_records() -> None:
    """Removal by omission (`enabled: false`) deletes with the options the state recorded at
    the last `up`: the engine skips the provider's delete of a resource whose state says
    retainOnDelete. Under mocks, what can be held is that option on the registration."""
    kept = run_program({f"{PROJECT}:token": json.dumps({"retainOnDestroy": True})})
    assert {r.type: r.retain_on_delete for r in kept.resources}[PARAMETER] is True
    assert [r.type for r in kept.resources if r.retain_on_delete] == [PARAMETER]
