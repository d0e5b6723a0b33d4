"""A frozen state of tests/fixtures/old_state/ (devtools/old_state_fixtures.py made it): the
provider as the engine unpickles it, the outputs create returned, and the world it left.

Why unpickled here as the engine does it: Pulumi's dynamic provider host turns the state's
`__provider` string into the provider with `dill.loads(base64.b64decode(...))` (skipping
__init__) and calls `configure` with the current stack config before any operation; so do
these tests, with a kubeconfig for the fake API server as the stack's `kubernetes:kubeconfig`.
"""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass
from typing import Any

import dill  # type: ignore[import-untyped]
from pulumi.dynamic import Config, ConfigureRequest, ResourceProvider

from devtools.old_state_fixtures import FIXTURES, PROVIDERS, REPO_URL, Provider, kubeconfig

# The two releases each provider has a fixture of: its first, and today's.
RELEASES = ("first", "head")


def provider_named(name: str) -> Provider:
    return next(p for p in PROVIDERS if p.name == name)


@dataclass(frozen=True)
class FrozenState:
    serialized: str  # the `__provider` the state holds
    id: str
    outputs: dict[str, Any]  # as create returned them (no `__provider`)
    inputs: dict[str, Any]
    world: dict[str, Any]

    @classmethod
    def load(cls, name: str, release: str, repo_url: str = REPO_URL) -> FrozenState:
        provider = provider_named(name)
        stem = FIXTURES / provider.stem(provider.first if release == "first" else release)
        text = stem.with_suffix(".json").read_text().replace(REPO_URL, repo_url)
        fixture = json.loads(text)
        serialized = stem.with_suffix(".b64").read_text().strip()
        return cls(
            serialized, fixture["id"], fixture["outputs"], fixture["inputs"], fixture["world"]
        )

    def props(self) -> dict[str, Any]:
        """The state's outputs as the engine hands them to read and delete (and as `olds`)."""
        return {**copy.deepcopy(self.outputs), "__provider": self.serialized}

    def provider(self, host: str) -> Any:
        """Unpickled and configured as the engine's provider host does it."""
        restored: ResourceProvider = dill.loads(base64.b64decode(self.serialized))  # noqa: S301
        config = {"kubernetes:kubeconfig": kubeconfig(host)}
        restored.configure(ConfigureRequest(Config(config, "openclaw-cron-webhook")))
        return restored


def news(name: str, repo_url: str = REPO_URL, **changed: Any) -> dict[str, Any]:
    """Today's program's inputs for the same stack (the head fixture's), with `changed`."""
    head = FrozenState.load(name, "head", repo_url)
    return {**copy.deepcopy(head.inputs), **changed, "__provider": head.serialized}
