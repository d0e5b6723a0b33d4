"""The only code that talks to Kubernetes: read one ConfigMap key, write it back guarded.

The ConfigMap that holds `openclaw.json` is owned by someone else, so the write is a PUT of the
object exactly as it was read, with one data key changed and its `metadata.resourceVersion`
kept: if anyone wrote the object in between, Kubernetes answers 409 Conflict instead of letting
this stack overwrite their edit, and the caller re-reads and redoes its edit. A patch could not
do that: `data["openclaw.json"]` is one string, so any patch owns the whole document.

The provider needs only two calls, `read` and `replace`, behind the `ConfigMapApi` protocol.
The client comes from `stages.kube_connection`: the Kubernetes provider's own kubeconfig
and context, at call time, never stored in Pulumi state.
"""

from __future__ import annotations

import copy
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from kubernetes import client

from stages.kube_connection import api_errors
from stages.kubernetes_meta import FIELD_MANAGER


class ConfigMapNotFound(LookupError):
    """The ConfigMap, or the data key in it, does not exist."""


class ConflictError(RuntimeError):
    """Someone else wrote the ConfigMap between our read and our write."""


class ConfigMapApi(Protocol):
    """What the section provider needs from a cluster; tests may substitute it."""

    def read(self, namespace: str, name: str) -> client.V1ConfigMap:
        """Return the live object; raise ConfigMapNotFound if it does not exist."""
        ...

    def replace(
        self, namespace: str, name: str, config_map: client.V1ConfigMap, field_manager: str
    ) -> None:
        """PUT the object back as `field_manager`, guarded by its `metadata.resourceVersion`.

        Raise ConfigMapNotFound on 404 and ConflictError on 409.
        """
        ...


@dataclass(frozen=True)
class ConfigMapDocument:
    """One data key's text, with the object it came from, whose version guards the write."""

    namespace: str
    name: str
    key: str
    text: str
    source: client.V1ConfigMap = field(repr=False, compare=False)

    @property
    def context(self) -> str:
        """Where the text lives, in the words every error message uses."""
        return f"ConfigMap {self.namespace}/{self.name} key {self.key}"


def read_document(api: ConfigMapApi, namespace: str, name: str, key: str) -> ConfigMapDocument:
    """Read one data key, with errors that say which object and key are missing."""
    try:
        source = api.read(namespace, name)
    except ConfigMapNotFound as error:
        raise _absent(namespace, name, key) from error
    data = source.data or {}
    if key not in data:
        raise ConfigMapNotFound(
            f"ConfigMap {namespace}/{name} has no data key {key} (its keys: "
            f"{', '.join(sorted(data)) or 'none'}). Check the stack's key name, and that the "
            "application's configuration is deployed, then run `pulumi up` again."
        )
    return ConfigMapDocument(namespace, name, key, data[key], source)


def write_document(
    api: ConfigMapApi, document: ConfigMapDocument, text: str, *, manager: str = FIELD_MANAGER
) -> None:
    """Write `text` back unless the object changed since `document` was read (ConflictError).

    `manager` is the field manager the API server records for the key (the program's own,
    unless destroy gives back a section that was not: stages.section.cluster.authorship).

    Every other field goes back as it was read, `metadata.resourceVersion` included, except
    `managedFields`: leaving it out makes the API server keep its own record and add this field
    manager to it, instead of reading the copy we echo back as a request to rewrite ownership.
    """
    updated = copy.deepcopy(document.source)
    updated.data = {**(updated.data or {}), document.key: text}
    if updated.metadata is not None:
        updated.metadata.managed_fields = None
    try:
        api.replace(document.namespace, document.name, updated, manager)
    except ConfigMapNotFound as error:  # deleted since it was read
        raise _absent(document.namespace, document.name, document.key) from error


def _absent(namespace: str, name: str, key: str) -> ConfigMapNotFound:
    return ConfigMapNotFound(
        f"ConfigMap {namespace}/{name} does not exist, so its key {key} cannot be edited. "
        "Check the stack's namespace and ConfigMap name, and that the application is "
        "deployed, then run `pulumi up` again."
    )


class KubernetesConfigMapApi:
    """ConfigMapApi over the official Kubernetes client."""

    def __init__(self, api_client: client.ApiClient | None = None) -> None:
        self._core = client.CoreV1Api(api_client)

    def read(self, namespace: str, name: str) -> client.V1ConfigMap:
        with _errors(namespace, name):
            return self._core.read_namespaced_config_map(name, namespace)

    def replace(
        self, namespace: str, name: str, config_map: client.V1ConfigMap, field_manager: str
    ) -> None:
        with _errors(namespace, name):
            self._core.replace_namespaced_config_map(
                name, namespace, config_map, field_manager=field_manager
            )


def _errors(namespace: str, name: str) -> AbstractContextManager[None]:
    """The two statuses callers act on, in our words; others pass unchanged."""
    where = f"ConfigMap {namespace}/{name}"
    return api_errors(
        on_404=lambda _: ConfigMapNotFound(f"{where} not found"),
        on_409=lambda _: ConflictError(f"{where} was changed by someone else since it was read"),
    )
