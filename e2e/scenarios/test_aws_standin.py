"""The AWS stand-in plugin, over its real gRPC interface, against a real moto server.

Why it is tested on its own, before any `pulumi up`: when a stack run goes wrong, this says
whether the stand-in is at fault. It starts the plugin exactly as the engine does (the script on
disk, from a foreign cwd, reading the port from stdout), drives each RPC the engine uses, and
asserts what moto holds afterwards (never only what the plugin answers). Both processes are
stopped by pid at the end.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from e2e.harness.standins import harness, values
from e2e.harness.standins.aws import LABEL, PARAMETER_TYPE, config, provider
from e2e.harness.standins.harness import START_TIMEOUT, FakeEngine, Plugin, fake_engine, stop
from e2e.harness.standins.values import from_struct, secret, to_struct

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
MOTO = ROOT / ".venv" / "bin" / "moto_server"
REGION = "ap-northeast-1"
ACCOUNT = "123456789012"  # moto's default account
URN = f"urn:pulumi:e2e::openclaw-cron-webhook::openclaw:index:TokenParameter${PARAMETER_TYPE}::tok"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[Any], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within {START_TIMEOUT}s")


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    process = subprocess.Popen(
        [str(MOTO), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
    )
    try:
        wait_for_port(port, process, "moto_server")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        log.close()


@pytest.fixture(scope="module")
def ssm(moto_endpoint: str) -> Any:
    """What the assertions read: moto itself, not the plugin."""
    return boto3.client(
        "ssm",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def engine() -> Iterator[tuple[FakeEngine, str]]:
    with fake_engine() as served:
        yield served


def start_plugin(env: dict[str, str], cwd: Path, engine_address: str) -> Plugin:
    return harness.start_plugin("aws", env, cwd, engine_address)


def stop_plugin(plugin: Plugin) -> list[str]:
    return harness.stop_plugin(plugin, LABEL)


def plugin_env(endpoint: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    if endpoint:
        env["AWS_ENDPOINT_URL_SSM"] = endpoint
    return env


@pytest.fixture(scope="module")
def plugin(
    moto_endpoint: str,
    engine: tuple[FakeEngine, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Plugin]:
    # A foreign cwd: the engine starts plugins in the project folder (maybe a temp copy).
    cwd = tmp_path_factory.mktemp("project")
    started = start_plugin(plugin_env(moto_endpoint), cwd, engine[1])
    try:
        started.stub.Configure(configure_request({"region": REGION, "version": "7.51.1"}))
        yield started
    finally:
        lines = stop_plugin(started)
        assert any("created SecureString parameter" in line for line in lines)


def configure_request(args: dict[str, Any]) -> provider_pb2.ConfigureRequest:
    return provider_pb2.ConfigureRequest(
        args=to_struct(args),
        acceptSecrets=True,
        acceptResources=True,
        sends_old_inputs=True,
        sends_old_inputs_to_delete=True,
        type="pulumi:providers:aws",
        name="default",
    )


def inputs(name: str, token: str, **extra: Any) -> dict[str, Any]:
    """What the pulumi_aws SDK sends for stages/parameter/resource.py's Parameter."""
    return {
        "name": name,
        "type": "SecureString",
        "value": secret(token),
        "description": "cron webhook token",
        "tags": {"app": "openclaw", "managed-by": "pulumi"},
    } | extra


def check(plugin: Plugin, news: dict[str, Any]) -> provider_pb2.CheckResponse:
    return plugin.stub.Check(
        provider_pb2.CheckRequest(
            urn=URN, name="tok", type=PARAMETER_TYPE, news=to_struct(news), randomSeed=b"seed"
        )
    )


def diff(
    plugin: Plugin, old_inputs: dict[str, Any], olds: Any, news: dict[str, Any]
) -> provider_pb2.DiffResponse:
    return plugin.stub.Diff(
        provider_pb2.DiffRequest(
            id=str(old_inputs["name"]),
            urn=URN,
            name="tok",
            type=PARAMETER_TYPE,
            old_inputs=to_struct(old_inputs),
            olds=olds,
            news=to_struct(news),
        )
    )


def stored(ssm: Any, name: str) -> dict[str, Any]:
    parameter: dict[str, Any] = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    return parameter


def stored_tags(ssm: Any, name: str) -> dict[str, str]:
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    return {tag["Key"]: tag["Value"] for tag in tags}


def absent(ssm: Any, name: str) -> bool:
    return not ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}]
    )["Parameters"]


# --- the lifecycle the engine drives: up, no-op preview, rotation, refresh, destroy -------------


def test_plugin_names_itself_and_reports_the_sdk_version(plugin: Plugin) -> None:
    info = plugin.stub.GetPluginInfo(empty_pb2.Empty())
    assert info.version == importlib.metadata.version("pulumi_aws")
    shake = plugin.stub.Handshake(provider_pb2.ProviderHandshakeRequest(engine_address="x"))
    assert shake.accept_secrets
    assert shake.accept_resources
    schema = plugin.stub.GetSchema(provider_pb2.GetSchemaRequest()).schema
    assert LABEL in schema
    assert PARAMETER_TYPE in schema


def test_create_update_refresh_delete_against_moto(
    plugin: Plugin, ssm: Any, engine: tuple[FakeEngine, str]
) -> None:
    name = "/e2e/standin/OPENCLAW_CRON_WEBHOOK_TOKEN"
    first = inputs(name, "a" * 64)
    checked = check(plugin, first)
    assert not checked.failures
    assert from_struct(checked.inputs) == first, "inputs come back as sent, secret kept"

    preview = plugin.stub.Create(
        provider_pb2.CreateRequest(
            urn=URN, type=PARAMETER_TYPE, properties=checked.inputs, preview=True
        )
    )
    assert from_struct(preview.properties)["arn"] == values.UNKNOWN
    assert absent(ssm, name), "a preview writes nothing"

    created = plugin.stub.Create(
        provider_pb2.CreateRequest(urn=URN, type=PARAMETER_TYPE, properties=checked.inputs)
    )
    outs = from_struct(created.properties)
    assert created.id == name
    assert values.is_secret(outs["value"]), "the value output is marked secret"
    assert outs["value"]["value"] == "a" * 64
    assert outs["arn"] == f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{name}"
    assert (outs["version"], outs["tier"], outs["dataType"]) == (1, "Standard", "text")
    assert outs["insecureValue"] is None
    live = stored(ssm, name)
    assert (live["Type"], live["Value"]) == ("SecureString", "a" * 64)
    reported = [log for log in engine[0].logs if log.urn == URN]
    assert reported, "the stand-in reports through the engine, so `pulumi up` shows it"
    assert reported[-1].message == f"{LABEL}: created SecureString parameter {name} in {REGION}"
    assert "a" * 64 not in str(engine[0].logs), "no report carries the value"
    assert stored_tags(ssm, name) == first["tags"]

    unchanged = diff(plugin, first, created.properties, inputs(name, "a" * 64))
    assert unchanged.changes == provider_pb2.DiffResponse.DIFF_NONE

    rotated = inputs(name, "b" * 64, tags={"app": "openclaw", "rotation": "2"})
    changes = diff(plugin, first, created.properties, rotated)
    assert changes.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert not changes.replaces
    assert set(changes.diffs) == {"value", "tags"}
    updated = plugin.stub.Update(
        provider_pb2.UpdateRequest(
            id=name,
            urn=URN,
            type=PARAMETER_TYPE,
            olds=created.properties,
            old_inputs=to_struct(first),
            news=to_struct(rotated),
        )
    )
    after = from_struct(updated.properties)
    assert values.is_secret(after["value"])
    assert after["version"] == 2
    assert stored(ssm, name)["Value"] == "b" * 64
    assert stored_tags(ssm, name) == {"app": "openclaw", "rotation": "2"}

    # A hand edit in SSM: refresh (Read) must report it as the inputs' drift.
    ssm.put_parameter(Name=name, Type="SecureString", Value="edited", Overwrite=True)
    read = plugin.stub.Read(
        provider_pb2.ReadRequest(
            id=name,
            urn=URN,
            type=PARAMETER_TYPE,
            properties=updated.properties,
            inputs=to_struct(rotated),
        )
    )
    assert read.id == name
    assert from_struct(read.inputs)["value"] == secret("edited")
    assert from_struct(read.properties)["version"] == 3

    plugin.stub.Delete(
        provider_pb2.DeleteRequest(
            id=name, urn=URN, type=PARAMETER_TYPE, properties=read.properties
        )
    )
    assert absent(ssm, name)
    # Gone already (a second destroy, or deleted by hand): fine for Delete, and Read says gone.
    plugin.stub.Delete(
        provider_pb2.DeleteRequest(
            id=name, urn=URN, type=PARAMETER_TYPE, properties=read.properties
        )
    )
    gone = plugin.stub.Read(
        provider_pb2.ReadRequest(id=name, urn=URN, type=PARAMETER_TYPE, properties=read.properties)
    )
    assert gone.id == ""


def test_key_id_reaches_ssm_and_name_change_replaces(plugin: Plugin, ssm: Any) -> None:
    name = "/e2e/standin/with-key"
    first = inputs(name, "c" * 64, keyId="alias/openclaw")
    created = plugin.stub.Create(
        provider_pb2.CreateRequest(urn=URN, type=PARAMETER_TYPE, properties=to_struct(first))
    )
    described = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}]
    )["Parameters"][0]
    assert described["KeyId"] == "alias/openclaw"
    assert described["Description"] == "cron webhook token"

    renamed = diff(plugin, first, created.properties, first | {"name": name + "-2"})
    assert list(renamed.replaces) == ["name"]
    assert not renamed.deleteBeforeReplace, "a new name can exist beside the old one"
    kind = renamed.detailedDiff["name"].kind
    assert kind == provider_pb2.PropertyDiff.UPDATE_REPLACE
    plugin.stub.Delete(
        provider_pb2.DeleteRequest(
            id=name, urn=URN, type=PARAMETER_TYPE, properties=created.properties
        )
    )
    assert absent(ssm, name)


def test_other_types_and_functions_are_refused_by_name(plugin: Plugin) -> None:
    bucket = URN.replace(PARAMETER_TYPE, "aws:s3/bucket:Bucket")
    with pytest.raises(grpc.RpcError) as refused:
        plugin.stub.Check(provider_pb2.CheckRequest(urn=bucket, news=to_struct({})))
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"{LABEL} implements only {PARAMETER_TYPE}" in str(refused.value.details())
    with pytest.raises(grpc.RpcError) as invoked:
        plugin.stub.Invoke(provider_pb2.InvokeRequest(tok="aws:index/getRegion:getRegion"))
    assert LABEL in str(invoked.value.details())


def test_check_reports_what_the_real_schema_rejects(plugin: Plugin) -> None:
    bad = {"name": "/e2e/bad", "type": "Secure", "valueWo": "x"}
    found = {failure.property for failure in check(plugin, bad).failures}
    assert found == {"type", "value", "valueWo"}


def test_without_an_endpoint_it_refuses_to_reach_aws(tmp_path: Path) -> None:
    started = start_plugin(plugin_env(None), tmp_path, "127.0.0.1:1")  # no engine: best effort
    try:
        with pytest.raises(grpc.RpcError) as refused:
            started.stub.Configure(configure_request({"region": REGION}))
        assert "refuses to reach real AWS" in str(refused.value.details())
    finally:
        stop_plugin(started)


# --- the pure parts (no processes) --------------------------------------------------------------


def test_wire_markers_match_the_sdk() -> None:
    sdk = (rpc.UNKNOWN, rpc._special_sig_key, rpc._special_secret_sig)
    assert sdk == (values.UNKNOWN, values.SIG_KEY, values.SECRET_SIG)


def test_diff_ignores_computed_outputs_and_follows_the_real_schema() -> None:
    old = inputs("/p", "v")
    outputs = old | {"keyId": "alias/aws/ssm", "tier": "Standard", "version": 1}
    assert not provider.diff(old, outputs, dict(old)).changed
    # Legacy state without old inputs: outputs stand in; computed ones the program omits skip.
    assert not provider.diff({}, outputs, dict(old)).changed
    # terraform-provider-aws: `type` and `keyId` update in place; `dataType` forces replacement.
    assert provider.diff(old, outputs, old | {"type": "String"}).updates == ("type",)
    assert provider.diff(old, outputs, old | {"keyId": "alias/k"}).updates == ("keyId",)
    same_name = provider.diff(old, outputs, old | {"dataType": "aws:ec2:image"})
    assert same_name.replaces == ("dataType",)
    assert same_name.delete_before_replace, "SSM names are unique: delete first"
    downgrade = provider.diff(old | {"tier": "Advanced"}, outputs, old | {"tier": "Standard"})
    assert downgrade.replaces == ("tier",)
    assert not provider.diff(old, outputs, old | {"description": None} | {"tags": {}}).replaces
    # A preview with a token not generated yet: an update, never a replacement.
    assert provider.diff(old, outputs, old | {"value": values.UNKNOWN}).updates == ("value",)
    assert not provider.failures(old | {"type": values.UNKNOWN, "value": values.UNKNOWN})


def test_config_takes_endpoints_from_config_or_environment() -> None:
    from_config = config.parse_config(
        {"region": REGION, "endpoints": '[{"ssm": "http://127.0.0.1:1"}]'}, {}
    )
    assert from_config.endpoint == "http://127.0.0.1:1"
    from_env = config.parse_config({}, {"AWS_ENDPOINT_URL": "http://h", "AWS_REGION": "r"})
    assert (from_env.endpoint, from_env.region) == ("http://h", "r")
    with pytest.raises(config.ConfigError, match="defaultTags"):
        config.parse_config({"defaultTags": '{"tags": {"a": "b"}}'}, {"AWS_ENDPOINT_URL": "x"})


def test_credentials_are_validated_first_as_pulumi_aws_does(moto_endpoint: str) -> None:
    """CheckConfig's STS call: fine against moto; an unreachable API fails naming the endpoint
    (in preview too); aws:skipCredentialsValidation skips it, as in the real provider."""
    env = {"AWS_ENDPOINT_URL": moto_endpoint, "AWS_ACCESS_KEY_ID": "testing"}
    assert (
        config.credentials_problem({"region": REGION}, env | {"AWS_SECRET_ACCESS_KEY": "x"}) is None
    )
    dead = f"http://127.0.0.1:{free_port()}"
    problem = config.credentials_problem({"region": REGION}, {"AWS_ENDPOINT_URL": dead})
    assert problem is not None
    assert problem.startswith(
        f"{LABEL}: unable to validate AWS credentials (STS GetCallerIdentity at {dead}"
    )
    assert f'Could not connect to the endpoint URL: "{dead}/"' in problem
    skipped = {"region": REGION, "skipCredentialsValidation": "true"}
    assert config.credentials_problem(skipped, {"AWS_ENDPOINT_URL": dead}) is None
