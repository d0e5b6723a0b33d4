"""PINNED: the env entry's dynamic provider class, where every stack's state expects it.

Why pinned: Pulumi pickles the provider object with dill into every resource's state BY
REFERENCE (module `components.deployment_env_provider`, class `EnvEntryProvider`), and later
runs import it by those names, skipping `__init__`. Never move or rename them
(tests/test_old_state_fixtures.py). So the class holds nothing but the way to the cluster: each
operation delegates into the stage (stages/env_entry/provider.py, which says what it does and
why), and its one attribute, `_client_factory`, has its class-level default in
`KubeResourceProvider`, so an instance pickled by any release still unpickles into a working one.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from stages.env_entry import provider
from stages.env_entry.deployment_api import DeploymentApi, KubernetesDeploymentApi
from stages.kube_connection import KubeResourceProvider


class EnvEntryProvider(KubeResourceProvider):
    """Apply, relinquish and refresh one env entry; every write waits for its rollout."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return provider.create(self._api(), props)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return provider.update(self._api(), olds, news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        provider.delete(self._api(), props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return provider.diff(olds, news)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return provider.read(self._api(), id_, props)

    def _api(self) -> DeploymentApi:
        return KubernetesDeploymentApi(self.api_client())
