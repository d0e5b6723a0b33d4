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

import json
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

from stack.yaml_input import YamlRefused, refuse_references


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
        path = _as_path(self.kubeconfig)
        if path is not None:
            return config.new_client_from_config(config_file=str(path), context=self.context)
        return _from_contents(self.kubeconfig, self.context)


# Longer than any path the kernel resolves (Linux's PATH_MAX): contents, whatever else.
_PATH_MAX = 4096
# Keys whose values name things (the fix needs them) or the format; every other string of a
# kubeconfig may be a credential (a token, a key, a password, an exec argument, a file's path).
_PLAIN_KEYS = frozenset(
    {"name", "cluster", "user", "namespace", "current-context", "apiVersion", "kind"}
)
_SET_IT = 'fix it with `pulumi config set --secret kubernetes:kubeconfig "$(cat FILE)"`'


def _as_path(value: str) -> Path | None:
    """`kubernetes:kubeconfig` as a file's path; None when it is the kubeconfig's contents.

    Several lines, or more than a path can hold, are contents and never go near `stat`: a
    one-line kubeconfig of 4 kB (JSON, say) made `stat` fail with "File name too long", and the
    error carried the whole kubeconfig, its credential included. Any other failure to stat
    means it is no readable file either.
    """
    if "\n" in value or len(value.encode()) >= _PATH_MAX:
        return None
    path = Path(os.path.expanduser(value))
    try:
        return path if path.is_file() else None
    except (OSError, ValueError):  # ValueError: a NUL byte
        return None


def _from_contents(contents: str, context: str | None) -> client.ApiClient:
    """A client from the kubeconfig's contents. No message quotes them: YAML's own errors show
    the line they stopped at, and the client's may show any value, so only positions, and the
    client's words with every value that could be a credential replaced by `***`, are said."""
    try:
        refuse_references(contents)
        loaded = yaml.safe_load(contents)
    except YamlRefused:
        raise ValueError(
            "kubernetes:kubeconfig (its contents) holds a YAML alias or merge key, which the "
            f"stack refuses; write the values out, or {_SET_IT}"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValueError(
            f"kubernetes:kubeconfig (its contents) is not valid YAML{where}; {_SET_IT}"
        ) from None
    if not isinstance(loaded, dict):
        raise ValueError(
            f"kubernetes:kubeconfig is neither a readable file nor kubeconfig contents; {_SET_IT}"
        )
    try:
        return config.new_client_from_config_dict(loaded, context=context)
    except Exception as error:  # the client's errors are of many kinds; each is said the same way
        said = str(error)
        for value in sorted(set(_credentials(loaded)), key=len, reverse=True):
            said = said.replace(value, "***")
        raise ValueError(f"kubernetes:kubeconfig (its contents) cannot be used: {said}") from None


def _credentials(value: Any, key: str = "") -> Iterator[str]:
    """Every string in a loaded kubeconfig that could be a credential (`_PLAIN_KEYS`); one of
    three characters or fewer is none, and masking it would mask parts of words."""
    if isinstance(value, dict):
        for child, item in value.items():
            yield from _credentials(item, str(child))
    elif isinstance(value, list):
        for item in value:
            yield from _credentials(item, key)
    elif isinstance(value, str) and len(value) > 3 and key not in _PLAIN_KEYS:
        yield value


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


class AccessDenied(ApiException):
    """The API server refused the identity that runs the step (401, 403), in its own words.

    Still an `ApiException` with its status and body: a refusal is a failure like any other
    status; only what it says is ours."""

    def __init__(self, error: ApiException) -> None:
        super().__init__(status=error.status, reason=error.reason)
        self.body, self.headers = error.body, error.headers
        self.said = _denied(error)

    def __str__(self) -> str:
        return self.said


@contextmanager
def api_errors(
    on_404: Translation | None = None, on_409: Translation | None = None
) -> Iterator[None]:
    """404 (gone) and 409 (someone else's write) become the caller's exceptions, because each
    provider decides what they mean (done on delete, redo the edit, refuse to force).

    401 and 403 become `AccessDenied` with the API server's message, unescaped: the user reads
    a provider's error from its last line, and the message says which verb on which object
    the identity lacks (the exception's own text is a dump of headers and a JSON body). Every
    other status is a failure nobody can decide away, so it passes unchanged."""
    try:
        yield
    except ApiException as error:
        if error.status in (401, 403):
            raise AccessDenied(error) from error
        translate = {404: on_404, 409: on_409}.get(error.status)
        if translate is None:
            raise
        raise translate(error) from error


def _denied(error: ApiException) -> str:
    try:
        said = json.loads(error.body or "").get("message")
    except (ValueError, AttributeError):
        said = None
    return (
        f"{said or f'{error.status} {error.reason}'} ({error.status}: the identity running this "
        "step lacks the permission; grant its role what the permissions command prints, "
        "docs/operations.md)"
    )
