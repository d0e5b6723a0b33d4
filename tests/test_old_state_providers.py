"""A dynamic provider pickled into state by an older version of the program still works.

Pulumi unpickles the provider object stored with each dynamic resource to delete it (and to
read it on refresh); unpickling restores the old instance's attributes and skips __init__. The
e2e found a stack created before the env entry resource (its JsonSection pickled without
`_client_factory`) that could not be destroyed: AttributeError in `api_client`.
"""

from __future__ import annotations

import pickle

import pytest
from kubernetes import client

from components.configmap_section_provider import JsonSectionProvider
from components.deployment_env_provider import EnvEntryProvider
from stages.kube_connection import KubeResourceProvider, KubeTarget


@pytest.mark.parametrize("provider_class", [JsonSectionProvider, EnvEntryProvider])
def test_an_instance_pickled_before_the_client_factory_reaches_the_cluster(
    provider_class: type[KubeResourceProvider], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = provider_class.__new__(provider_class)  # as an older version pickled it: no attributes
    # Our own bytes, unpickled as Pulumi's dynamic provider host unpickles state.
    restored = pickle.loads(pickle.dumps(old))  # noqa: S301
    reached: list[KubeTarget] = []
    sentinel = client.ApiClient()

    def api_client(target: KubeTarget) -> client.ApiClient:
        reached.append(target)
        return sentinel

    monkeypatch.setattr(KubeTarget, "api_client", api_client)
    assert restored.api_client() is sentinel
    assert reached == [KubeTarget()]
