"""PINNED: the cluster-mode section's dynamic provider class, where every state looks for it.

Pulumi pickles the provider object with dill into every resource's state, and dill pickles this
class BY REFERENCE: the state names the module `components.configmap_section_provider` and the
class `JsonSectionProvider`, and later runs (`pulumi up`, `refresh`, `destroy`) import them by
those names. Never move or rename this module or its class; a stack whose state names a missing
class cannot even be destroyed (tests/test_old_state_fixtures.py). So this module holds the
class and nothing else: each method hands its work to the section stage
(stages/section/cluster/provider.py), and the resource that uses it is
stages/section/cluster/dynamic_resource.py.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from stages.kube_connection import KubeResourceProvider
from stages.section.cluster import provider
from stages.section.cluster.configmaps import ConfigMapApi, KubernetesConfigMapApi


class JsonSectionProvider(KubeResourceProvider):
    """Create, update and delete one section; refresh reports what the cluster holds.

    The cluster is the Kubernetes provider's, read from the current stack config at each
    operation (`KubeResourceProvider`), so refresh and destroy follow a changed context. It
    reads no attribute of its own: an instance unpickled from any older state has all it needs.
    """

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return provider.check(self._api, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return provider.create(self._api, props)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return provider.update(self._api, olds, news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        provider.delete(self._api, props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return provider.diff(olds, news)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return provider.read(self._api, id_, props)

    def _api(self) -> ConfigMapApi:
        return KubernetesConfigMapApi(self.api_client())
