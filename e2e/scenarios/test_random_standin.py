"""The random stand-in plugin, over its real gRPC interface, then under the real `pulumi` CLI.

Why both: the gRPC test pins what the stand-in answers for each RPC the engine uses (so a
failing stack run can be pinned on it or cleared of it); the CLI test shows the real engine
accepting those answers: a RandomBytes created with a secret hex, then replaced when a keeper
changes, then destroyed. The plugin is started as the engine starts it and stopped by pid.
"""

from __future__ import annotations

import base64
import importlib.metadata
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pulumi
import pulumi_random
import pytest
from google.protobuf import empty_pb2
from pulumi import automation as auto
from pulumi.runtime.proto import provider_pb2

from e2e.harness.standins import harness, values
from e2e.harness.standins.harness import BIN, FakeEngine, Plugin, fake_engine
from e2e.harness.standins.random import BYTES_TYPE, LABEL, provider
from e2e.harness.standins.values import from_struct, to_struct

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PARENT = "openclaw-cron-webhook:index:WebhookToken"
URN = f"urn:pulumi:e2e::openclaw-cron-webhook::{PARENT}${BYTES_TYPE}::tok"
INPUTS = {"length": 32, "keepers": {"rotation": "1"}}


@pytest.fixture(scope="module")
def engine() -> Iterator[tuple[FakeEngine, str]]:
    with fake_engine() as served:
        yield served


@pytest.fixture(scope="module")
def plugin(
    engine: tuple[FakeEngine, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Plugin]:
    cwd = tmp_path_factory.mktemp("project")  # the engine's cwd is the project, not the repo
    started = harness.start_plugin("random", dict(os.environ), cwd, engine[1])
    try:
        started.stub.Configure(
            provider_pb2.ConfigureRequest(
                args=to_struct({"version": "4.21.4"}), acceptSecrets=True, acceptResources=True
            )
        )
        yield started
    finally:
        lines = harness.stop_plugin(started, LABEL)
        assert any("generated 32 random bytes" in line for line in lines)


def diff(plugin: Plugin, olds: Any, news: dict[str, Any]) -> provider_pb2.DiffResponse:
    return plugin.stub.Diff(
        provider_pb2.DiffRequest(
            id="x",
            urn=URN,
            type=BYTES_TYPE,
            old_inputs=to_struct(INPUTS),
            olds=olds,
            news=to_struct(news),
        )
    )


def test_plugin_names_itself_and_reports_the_sdk_version(plugin: Plugin) -> None:
    info = plugin.stub.GetPluginInfo(empty_pb2.Empty())
    assert info.version == importlib.metadata.version("pulumi_random")
    schema = plugin.stub.GetSchema(provider_pb2.GetSchemaRequest()).schema
    assert LABEL in schema
    assert BYTES_TYPE in schema


def test_check_create_diff_delete(plugin: Plugin, engine: tuple[FakeEngine, str]) -> None:
    checked = plugin.stub.Check(
        provider_pb2.CheckRequest(urn=URN, type=BYTES_TYPE, news=to_struct(INPUTS))
    )
    assert not checked.failures
    assert from_struct(checked.inputs) == INPUTS

    preview = plugin.stub.Create(
        provider_pb2.CreateRequest(
            urn=URN, type=BYTES_TYPE, properties=checked.inputs, preview=True
        )
    )
    assert from_struct(preview.properties)["hex"] == values.secret(values.UNKNOWN)

    created = plugin.stub.Create(
        provider_pb2.CreateRequest(urn=URN, type=BYTES_TYPE, properties=checked.inputs)
    )
    outs = from_struct(created.properties)
    assert created.id
    assert values.is_secret(outs["hex"]), "hex is marked secret"
    assert values.is_secret(outs["base64"]), "base64 is marked secret"
    hexed, b64 = outs["hex"]["value"], outs["base64"]["value"]
    assert len(hexed) == 64
    assert bytes.fromhex(hexed) == base64.b64decode(b64)
    assert (outs["length"], outs["keepers"]) == (32, {"rotation": "1"})
    assert hexed not in str(engine[0].logs), "no report carries the bytes"
    assert any(log.urn == URN and log.message.startswith(LABEL) for log in engine[0].logs)

    assert diff(plugin, created.properties, INPUTS).changes == provider_pb2.DiffResponse.DIFF_NONE
    rotated = diff(plugin, created.properties, INPUTS | {"keepers": {"rotation": "2"}})
    assert rotated.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(rotated.replaces) == ["keepers"]
    assert rotated.detailedDiff["keepers"].kind == provider_pb2.PropertyDiff.UPDATE_REPLACE
    assert list(diff(plugin, created.properties, INPUTS | {"length": 16}).replaces) == ["length"]

    read = plugin.stub.Read(
        provider_pb2.ReadRequest(
            id=created.id,
            urn=URN,
            type=BYTES_TYPE,
            properties=created.properties,
            inputs=checked.inputs,
        )
    )
    assert (read.id, from_struct(read.properties)) == (created.id, outs), "state as it is"
    plugin.stub.Delete(
        provider_pb2.DeleteRequest(
            id=created.id, urn=URN, type=BYTES_TYPE, properties=created.properties
        )
    )


def test_other_types_and_bad_inputs_are_refused(plugin: Plugin) -> None:
    password = URN.replace(BYTES_TYPE, "random:index/randomPassword:RandomPassword")
    with pytest.raises(grpc.RpcError) as refused:
        plugin.stub.Check(provider_pb2.CheckRequest(urn=password, news=to_struct({})))
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"{LABEL} implements only {BYTES_TYPE}" in str(refused.value.details())
    bad = plugin.stub.Check(
        provider_pb2.CheckRequest(urn=URN, type=BYTES_TYPE, news=to_struct({"length": 0}))
    )
    assert [failure.property for failure in bad.failures] == ["length"]


def test_pure_diff_treats_no_keepers_as_empty() -> None:
    assert not provider.diff({"length": 32.0}, {}, {"length": 32.0, "keepers": {}}).changed
    assert provider.diff({}, {"length": 32.0}, {"length": 16.0}).replaces == ("length",)


# --- the real CLI ----------------------------------------------------------------------------


def token_program(rotation: str) -> auto.PulumiFn:
    """What stages/token/resource.py registers, inline (no language host can be built here)."""

    def program() -> None:
        generated = pulumi_random.RandomBytes("token", length=32, keepers={"rotation": rotation})
        pulumi.export("hex", pulumi.Output.secret(generated.hex))
        pulumi.export("id", generated.id)

    return program


def test_pulumi_up_replaces_on_a_new_keeper(go_bin_dir: Path, tmp_path: Path) -> None:
    env = {
        "PATH": os.pathsep.join([str(BIN), str(go_bin_dir), os.environ["PATH"]]),
        "PULUMI_HOME": str(tmp_path / "home"),
        "PULUMI_CONFIG_PASSPHRASE": "e2e-only-passphrase",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": str(ROOT / ".venv" / "bin" / "python"),
    }
    (tmp_path / "state").mkdir()
    settings = auto.ProjectSettings(
        name="random-standin",
        runtime="python",
        backend=auto.ProjectBackend(url=f"file://{tmp_path / 'state'}"),
    )
    command = auto.PulumiCommand(root=str(go_bin_dir.parent), skip_version_check=True)

    def stack(rotation: str) -> auto.Stack:
        return auto.create_or_select_stack(
            stack_name="e2e",
            project_name="random-standin",
            program=token_program(rotation),
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(tmp_path),
                project_settings=settings,
                env_vars=env,
                pulumi_command=command,
            ),
        )

    first = stack("1").up(on_output=print)
    assert first.outputs["hex"].secret
    hexed = first.outputs["hex"].value
    assert len(bytes.fromhex(hexed)) == 32
    assert first.summary.resource_changes == {"create": 2}

    second = stack("2").up(on_output=print)
    assert second.summary.resource_changes == {"replace": 1, "same": 1}
    assert second.outputs["hex"].value != hexed
    assert second.outputs["id"].value != first.outputs["id"].value

    same = stack("2").up(on_output=print)
    assert same.summary.resource_changes == {"same": 2}
    assert same.outputs["hex"].value == second.outputs["hex"].value

    gone = stack("2").destroy(on_output=print)
    assert gone.summary.resource_changes == {"delete": 2}
