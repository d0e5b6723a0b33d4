"""How the stack's dynamic providers reach the cluster: exactly as the Kubernetes provider does.

Why not store a context in the resource's state: Pulumi runs `refresh` and `destroy` with the
state's inputs, so a context recorded at creation would keep pointing at the old cluster
after the stack's `kubernetes:context` changed, while the Kubernetes provider (configured from
the current stack config) follows the change. And a kubeconfig given as *contents* in
`kubernetes:kubeconfig` (common in CI) was invisible to a provider that only read
`KUBECONFIG`. Since Pulumi 3.136 a dynamic provider's `configure` receives the whole current
stack config, so both providers read the same two keys at every operation, and nothing about
the connection — least of all a credential — is ever written to state.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from pulumi.dynamic import ConfigureRequest, ResourceProvider


@dataclass(frozen=True)
class KubeTarget:
    """The cluster the Kubernetes provider uses: `kubernetes:kubeconfig` and `:context`.

    `kubeconfig` is a path or the kubeconfig's contents, as pulumi-kubernetes accepts it;
    None means `KUBECONFIG` or ~/.kube/config. `context` None means the current context.
    """

    kubeconfig: str | None = None
    context: str | None = None

    @classmethod
    def from_stack_config(cls, get: Any) -> KubeTarget:
        """From a `get(key)` over the stack config (a dynamic provider's `req.config.get`)."""
        return cls(
            kubeconfig=get("kubernetes:kubeconfig") or None,
            context=get("kubernetes:context") or None,
        )

    def api_client(self) -> client.ApiClient:
        """A client for this target; built per operation, never pickled."""
        if self.kubeconfig is None:
            # Read at call time: the client library snapshots KUBECONFIG when it is imported.
            return config.new_client_from_config(
                config_file=os.environ.get("KUBECONFIG"), context=self.context
            )
        path = Path(os.path.expanduser(self.kubeconfig))
        if "\n" not in self.kubeconfig and path.is_file():
            return config.new_client_from_config(config_file=str(path), context=self.context)
        contents = yaml.safe_load(self.kubeconfig)
        if not isinstance(contents, dict):
            raise ValueError(
                "kubernetes:kubeconfig is neither a readable file nor kubeconfig contents; "
                'fix it with `pulumi config set --secret kubernetes:kubeconfig "$(cat FILE)"`'
            )
        return config.new_client_from_config_dict(contents, context=self.context)


ClientFactory = Callable[[KubeTarget], client.ApiClient]


class KubeResourceProvider(ResourceProvider):
    """A dynamic provider that reaches the cluster the Kubernetes provider reaches.

    `configure` runs in the provider process at every operation with the current stack config;
    the target lives only in that process. The instance pickled into state holds nothing but
    the optional client factory tests use (None in real use), so no connection detail — and no
    credential — is ever stored.
    """

    # A class default, not only set in __init__: unpickling skips __init__, and a provider
    # pickled into state before this attribute existed (a stack of the DeploymentPatch
    # version) must still reach the cluster, or that stack's section cannot even be destroyed.
    _client_factory: ClientFactory | None = None

    def __init__(self, client_factory: ClientFactory | None = None) -> None:
        super().__init__()
        self._client_factory = client_factory

    def configure(self, req: ConfigureRequest) -> None:
        self._target = KubeTarget.from_stack_config(req.config.get)

    def api_client(self) -> client.ApiClient:
        """A client for the configured target (the kubeconfig's current one if unconfigured)."""
        target: KubeTarget = getattr(self, "_target", KubeTarget())
        return (self._client_factory or KubeTarget.api_client)(target)


# Builds the caller's own exception from the API server's answer (whose body may name the cause).
Translation = Callable[[ApiException], Exception]


@contextmanager
def api_errors(
    on_404: Translation | None = None, on_409: Translation | None = None
) -> Iterator[None]:
    """404 (gone) and 409 (someone else's write) become the caller's exceptions, because each
    provider decides what they mean (done on delete, redo the edit, refuse to force); every
    other status is a failure nobody can decide away, so it passes unchanged."""
    try:
        yield
    except ApiException as error:
        translate = {404: on_404, 409: on_409}.get(error.status)
        if translate is None:
            raise
        raise translate(error) from error
