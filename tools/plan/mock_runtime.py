"""Runs the real `__main__.py` on Pulumi's mock runtime and records what it registers.

Why one harness for the offline plan and the tests: both must judge the very program that
`pulumi up` would run, with the same fake outputs. It records the raw RegisterResource
requests (not only what the mocks see) because two facts live only there: which values were
sent as secrets, and the dependencies Pulumi will order (and reverse on destroy) by.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import hashlib
import json
import runpy
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from stages.parameter import identity as parameter_identity
from stages.token import identity as token_identity

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "__main__.py"


def fake_token(keepers: Mapping[str, Any]) -> str:
    """The 64-hex token the fake RandomBytes "generates" for these keepers.

    Like the real provider, a change of keepers (a rotation) yields a new value and the same
    keepers the same value, so rotation and no-op runs can be told apart under mocks. Derived,
    never written out, so no token-shaped literal sits in the repository.
    """
    seed = "openclaw-cron-webhook offline plan, not a real token: " + json.dumps(
        dict(keepers), sort_keys=True
    )
    return hashlib.sha256(seed.encode()).hexdigest()


FAKE_ACCOUNT = "123456789012"
# Pulumi's wire marker for a secret value (sdk/go/common/resource/sig).
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SIG_KEY = "4dabf18193072939515e22adb298388d"


@dataclass
class Registration:
    """One RegisterResource call, as the engine would have received it.

    `property_dependencies` says which resources each input was computed from: when one of
    them is replaced, Pulumi sees that input change even if it is a secret nobody may read.
    """

    type: str
    name: str
    urn: str
    custom: bool
    parent: str
    inputs: dict[str, Any]
    wire_inputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    retain_on_delete: bool
    delete_before_replace: bool

    def secret_paths(self) -> list[str]:
        """Dotted paths of every input the program sent as a secret."""
        return sorted(_secret_paths(self.wire_inputs, ""))


@dataclass
class Recording:
    """Everything one program run registered, in registration order, plus stack outputs."""

    registrations: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)

    @property
    def resources(self) -> list[Registration]:
        """Custom resources only: the things a provider would create."""
        return [r for r in self.registrations if r.custom]

    def one(self, type_: str) -> Registration:
        found = [r for r in self.registrations if r.type == type_]
        if len(found) != 1:
            raise AssertionError(f"expected one {type_}, found {len(found)}")
        return found[0]

    def by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.registrations}

    def dependency_order(self) -> list[Registration]:
        """Custom resources, each after everything it depends on (creation order).

        Registration order breaks ties, so the result is stable run to run.
        """
        customs = self.resources
        position = {r.urn: i for i, r in enumerate(customs)}
        deps = {r.urn: {d for d in r.dependencies if d in position} for r in customs}
        ordered: list[Registration] = []
        placed: set[str] = set()
        while len(ordered) < len(customs):
            ready = [r for r in customs if r.urn not in placed and deps[r.urn] <= placed]
            if not ready:
                raise AssertionError("dependency cycle among registered resources")
            ordered.append(ready[0])
            placed.add(ready[0].urn)
        return ordered


class ProgramFailed(Exception):
    """The program raised; carries what it had registered by then (ideally nothing)."""

    def __init__(self, cause: BaseException, recording: Recording) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.recording = recording


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """{dotted path: leaf} for a nested input value: how plans show and tests compare inputs.

    An empty object or list is a leaf of its own, so clearing a field still shows up.
    """
    if isinstance(value, dict) and value:
        items = ((f"{path}.{key}" if path else key, item) for key, item in value.items())
    elif isinstance(value, list) and value:
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return {path: value}
    leaves: dict[str, Any] = {}
    for item_path, item in items:
        leaves.update(flatten(item, item_path))
    return leaves


def _secret_paths(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            yield path
            return
        for key, item in value.items():
            yield from _secret_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _secret_paths(item, f"{path}[{index}]")


class FakeOutputs(pulumi.runtime.Mocks):
    """Deterministic provider outputs: fixed ids, a fixed token, AWS-shaped ARNs."""

    def __init__(self, region: str) -> None:
        self.region = region

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        if args.typ == token_identity.TYPE:
            token = fake_token(args.inputs.get("keepers", {}))
            outputs["hex"] = token
            outputs["base64"] = base64.b64encode(bytes.fromhex(token)).decode()
        elif args.typ == parameter_identity.TYPE:
            name = args.inputs["name"]
            outputs["arn"] = f"arn:aws:ssm:{self.region}:{FAKE_ACCOUNT}:parameter{name}"
            outputs["version"] = 1
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The stock mock monitor, plus a record of each request it receives."""

    def __init__(self, mocks: pulumi.runtime.Mocks, recording: Recording) -> None:
        super().__init__(mocks)
        self.recording = recording

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            wire = json_format.MessageToDict(request.object)
            self.recording.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    custom=bool(request.custom),
                    parent=request.parent,
                    inputs=_unwrap_secrets(wire),
                    wire_inputs=wire,
                    # The SDK gathers both from sets of resources: their order is the memory
                    # layout's, not the program's (it varied between runs of one process).
                    dependencies=sorted(request.dependencies),
                    property_dependencies={
                        prop: sorted(deps.urns)
                        for prop, deps in request.propertyDependencies.items()
                    },
                    retain_on_delete=bool(request.retainOnDelete),
                    delete_before_replace=bool(request.deleteBeforeReplace),
                )
            )
        return response


def _unwrap_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return _unwrap_secrets(value.get("value"))
        return {k: _unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(v) for v in value]
    return value


def stack_config(project: str, values: Mapping[str, Any]) -> dict[str, str]:
    """Config as the Pulumi CLI hands it to a program: namespaced keys, JSON for objects.

    Short keys get the project's namespace, as in a stack file.
    """
    config: dict[str, str] = {}
    for key, value in values.items():
        full = key if ":" in key else f"{project}:{key}"
        config[full] = value if isinstance(value, str) else json.dumps(value)
    return config


def run_program(
    config: Mapping[str, Any],
    *,
    project: str = "openclaw-cron-webhook",
    stack: str = "dev",
    secret_keys: tuple[str, ...] = (),
    main: Path = MAIN,
) -> Recording:
    """Evaluates `main` once on the mock runtime and returns what it registered.

    Each run gets a brand-new `contextvars.Context`: Pulumi keeps its settings, config and
    root stack in context variables, so this is what makes runs independent of each other.
    """
    recording = Recording()
    region = str(config.get("aws:region", "us-east-1"))
    full_config = stack_config(project, config)

    def in_own_loop(run: Callable[[], None]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            run()
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    def evaluate() -> None:
        secrets = [k if ":" in k else f"{project}:{k}" for k in secret_keys]
        pulumi.runtime.set_all_config(full_config, secrets)
        monitor = RecordingMonitor(FakeOutputs(region), recording)
        pulumi.runtime.set_mocks(
            FakeOutputs(region), project=project, stack=stack, preview=False, monitor=monitor
        )

        async def program() -> None:
            runpy.run_path(str(main), run_name="__main__")

        _sync_await(run_pulumi_func(program))
        root = pulumi.runtime.get_root_resource()
        exported = getattr(root, "outputs", {})
        for name, value in exported.items():
            output = pulumi.Output.from_input(value)
            recording.outputs[name] = _sync_await(output.future())
            if _sync_await(output.is_secret()):
                recording.secret_outputs.add(name)

    # In a thread of its own, so on a short stack: Pulumi records the Python stack of every
    # resource registration (source positions, one URI per frame), and under a deep caller
    # (pytest: ~50 frames) that was a sixth of a run's time.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pulumi-mock-run") as thread:
        try:
            thread.submit(contextvars.Context().run, in_own_loop, evaluate).result()
        except Exception as exc:
            raise ProgramFailed(exc, recording) from exc
    return recording
