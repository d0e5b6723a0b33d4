"""What the dynamic providers say in the operation's output (issue 22: a destroy after the app's
objects were deleted out of band completes, and says what it found).

The warning travels as every provider plugin's reports do: to the engine's Log service at the
address the engine passed as the process's argument. Here a real gRPC Engine service stands in
for the engine, and the provider process is recognised exactly as in production (its
`__main__` is `pulumi.dynamic.__main__`).
"""

from __future__ import annotations

import contextlib
import socket
import sys
import types
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from fake_kube_api import FakeKubeApi
from google.protobuf import empty_pb2
from kubernetes.client import ApiClient, Configuration
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc
from test_env_entry_over_http import PROPS as ENV_PROPS
from test_env_entry_over_http import THEIR_ENV, FakeTime, add_deployment, env_of, ours
from test_section_provider import PROPS as SECTION_PROPS
from test_section_provider import RESOURCE_ID

from components.configmap_section_provider import JsonSectionProvider
from components.deployment_env_provider import EnvEntryProvider
from stages import provider_log
from stages.env_entry import rollout
from stages.env_entry.rollout import RolloutFailed


class Engine(engine_pb2_grpc.EngineServicer):
    """The engine's Log service, keeping what it was told."""

    def __init__(self) -> None:
        self.logged: list[tuple[int, str]] = []

    def Log(self, request: engine_pb2.LogRequest, context: Any) -> empty_pb2.Empty:
        self.logged.append((request.severity, request.message))
        return empty_pb2.Empty()


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An engine on a free port, and this process looking like `python -m pulumi.dynamic ADDR`."""
    servicer = Engine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    main = types.ModuleType("__main__")
    main.__spec__ = types.SimpleNamespace(name="pulumi.dynamic.__main__")  # type: ignore[assignment]
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setattr(sys, "argv", ["/venv/lib/pulumi/dynamic/__main__.py", f"127.0.0.1:{port}"])
    yield servicer
    server.stop(0)


@pytest.fixture
def fake() -> Iterator[FakeKubeApi]:
    with FakeKubeApi() as server:
        yield server


def client_for(fake: FakeKubeApi) -> Any:
    api_client = ApiClient(Configuration(host=fake.host))
    return lambda _target: api_client


def test_destroy_after_the_deployment_was_deleted_says_so(
    engine: Engine, fake: FakeKubeApi
) -> None:
    EnvEntryProvider(client_for(fake)).delete("id", dict(ENV_PROPS))

    assert engine.logged == [
        (
            engine_pb2.WARNING,
            "Deployment openclaw/openclaw is already gone (deleted outside this stack): its env "
            "entry OPENCLAW_CRON_WEBHOOK_TOKEN went with it, nothing to relinquish.",
        )
    ]


def test_destroy_after_the_configmap_was_deleted_says_so(engine: Engine, fake: FakeKubeApi) -> None:
    JsonSectionProvider(client_for(fake)).delete(RESOURCE_ID, dict(SECTION_PROPS))

    assert engine.logged == [
        (
            engine_pb2.WARNING,
            "ConfigMap openclaw/openclaw-config key openclaw.json is already gone (deleted "
            "outside this stack): its cron section went with it, nothing to remove.",
        )
    ]


@pytest.mark.parametrize(
    ("argv", "main", "address"),
    [
        (
            ["/x/pulumi/dynamic/__main__.py", "127.0.0.1:40123"],
            "pulumi.dynamic.__main__",
            "127.0.0.1:40123",
        ),
        (
            ["/x/pulumi/dynamic/__main__.py", "[::1]:40123"],
            "pulumi.dynamic.__main__",
            "[::1]:40123",
        ),
        (["/x/pulumi/dynamic/__main__.py"], "pulumi.dynamic.__main__", None),
        (["pytest", "tests/test_x.py:12"], "pytest.__main__", None),
        (["/x/pulumi/dynamic/__main__.py", "--logtostderr"], "pulumi.dynamic.__main__", None),
    ],
)
def test_only_a_dynamic_provider_process_has_an_engine_to_tell(
    argv: list[str], main: str, address: str | None
) -> None:
    assert provider_log.engine_address(argv, main) == address


def test_outside_a_provider_process_nothing_is_sent(
    fake: FakeKubeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    channels: list[str] = []
    monkeypatch.setattr(provider_log.grpc, "insecure_channel", channels.append)

    EnvEntryProvider(client_for(fake)).delete("id", dict(ENV_PROPS))  # pytest's own argv

    assert channels == []


def test_an_engine_that_does_not_answer_never_fails_the_delete(
    engine: Engine, fake: FakeKubeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["/x/pulumi/dynamic/__main__.py", "127.0.0.1:1"])
    monkeypatch.setattr(provider_log, "TIMEOUT_SECONDS", 0.5)

    EnvEntryProvider(client_for(fake)).delete("id", dict(ENV_PROPS))

    assert engine.logged == []


def test_an_orphan_whose_engine_is_gone_leaves_the_entry_to_the_next_run(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI killed outright while the create waited: the next `up` may already be applying
    the same entry, so the orphan does not take it back out."""
    monkeypatch.setattr(rollout, "time", FakeTime())
    with closed_port() as port, FakeKubeApi() as fake:
        monkeypatch.setattr(sys, "argv", ["/x/pulumi/dynamic/__main__.py", f"127.0.0.1:{port}"])
        add_deployment(fake, THEIR_ENV)
        fake.deployments.stall_rollouts_at = 3

        with pytest.raises(RolloutFailed) as raised:
            EnvEntryProvider(client_for(fake)).create(dict(ENV_PROPS))

        assert str(raised.value).endswith("\n(The engine is gone: the entry is left as it is.)")
        assert env_of(fake) == [*THEIR_ENV, ours()]


def test_with_its_engine_there_a_failed_create_takes_the_entry_back(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollout, "time", FakeTime())
    with FakeKubeApi() as fake:
        add_deployment(fake, THEIR_ENV)
        fake.deployments.stall_rollouts_at = 3

        with pytest.raises(RolloutFailed, match="was taken back out"):
            EnvEntryProvider(client_for(fake)).create(dict(ENV_PROPS))

        assert env_of(fake) == THEIR_ENV


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port where no engine answers, held for the test.

    Bound but not listening: a connection is refused, and no other test's server (xdist runs
    them side by side) can take the port meanwhile, as it could a port merely found free.
    """
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])


@pytest.mark.parametrize(
    ("argv", "main_module", "address"),
    [
        (
            ["/x/pulumi/dynamic/__main__.py", "127.0.0.1:4100"],
            "pulumi.dynamic.__main__",
            "127.0.0.1:4100",
        ),
        (["/x/__main__.py", "--flag", "[::1]:4100"], "pulumi.dynamic.__main__", "[::1]:4100"),
        (["/x/__main__.py", "127.0.0.1:4100", "not-an-address"], "pulumi.dynamic.__main__", None),
        (["127.0.0.1:4100"], "pulumi.dynamic.__main__", None),
        (["/x/pytest", "127.0.0.1:4100"], "pytest.__main__", None),
        (["/x/plan", "127.0.0.1:4100"], None, None),
    ],
)
def test_only_a_dynamic_providers_last_argument_is_its_engine(
    argv: list[str], main_module: str | None, address: str | None
) -> None:
    assert provider_log.engine_address(argv, main_module) == address


@pytest.mark.parametrize(
    ("family", "host", "shown"),
    [(socket.AF_INET, "127.0.0.1", "127.0.0.1"), (socket.AF_INET6, "::1", "[::1]")],
)
def test_an_engine_that_listens_is_there_and_a_closed_port_is_gone(
    monkeypatch: pytest.MonkeyPatch, family: socket.AddressFamily, host: str, shown: str
) -> None:
    """By a TCP connect to the engine's address, IPv6 brackets and all."""
    main = types.ModuleType("__main__")
    main.__spec__ = types.SimpleNamespace(name="pulumi.dynamic.__main__")  # type: ignore[assignment]
    monkeypatch.setitem(sys.modules, "__main__", main)
    with socket.socket(family) as listening:
        listening.bind((host, 0))
        listening.listen()
        port = listening.getsockname()[1]
        monkeypatch.setattr(sys, "argv", ["/x/__main__.py", f"{shown}:{port}"])
        assert provider_log.engine_gone() is False
    assert provider_log.engine_gone() is True
