"""The stages' read-only Kubernetes I/O for verify: each hop's objects, by `get` and one `list`.

Why a reader of its own rather than the providers' APIs: verify never writes, and each call
here knows the verb and resource it needs, so a 403 names exactly the permission that is
missing (tools.verify.permissions prints the whole Role). The connection is the stack's, as
stages.kube_connection resolves it (`kubernetes:kubeconfig` / `kubernetes:context`, else
KUBECONFIG). The Secret's value is hashed in memory and dropped: only the digest of the one key
leaves this module. Errors are rebuilt from the status code and the API server's `Status`
reason; the client library's exception text (headers, bodies) is never passed on.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from stages.external_secret.identity import GROUP, PLURAL, STORE_PLURALS, VERSION
from stages.hop import CannotRead
from stages.redaction import Redactor, digest_of


@dataclass(frozen=True)
class SecretFacts:
    """One Secret, without its values: its keys, the digest of one key, its controller."""

    keys: tuple[str, ...]
    digest: str | None  # SHA-256 of the key's decoded value; None when the key is absent
    length: int | None
    owner: str | None  # "ExternalSecret/<name>" of the controlling ownerReference


class ClusterReader:
    """Read-only calls for verify; each returns None for 404 and raises CannotRead otherwise."""

    def __init__(
        self,
        api_client: client.ApiClient,
        redactor: Redactor,
        permissions_fix: str,
        kubectl: str = "kubectl",
    ) -> None:
        self._client = api_client
        self._core = client.CoreV1Api(api_client)
        self._apps = client.AppsV1Api(api_client)
        self._custom = client.CustomObjectsApi(api_client)
        self._redactor = redactor
        self._permissions_fix = permissions_fix
        self._kubectl = kubectl

    @property
    def host(self) -> str:
        return str(self._client.configuration.host)

    def config_map(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self._dict(
            self._get(
                "get",
                "configmaps",
                namespace,
                name,
                lambda: self._core.read_namespaced_config_map(name, namespace),
            )
        )

    def external_secret(self, namespace: str, name: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._get(
            "get",
            f"{PLURAL}.{GROUP}",
            namespace,
            name,
            lambda: self._custom.get_namespaced_custom_object(
                GROUP, VERSION, namespace, PLURAL, name
            ),
        )
        return found

    def secret_store(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The store the ExternalSecret reads through (cluster-wide or the namespace's)."""
        if kind == "ClusterSecretStore":
            cluster_wide = STORE_PLURALS[kind]
            found: dict[str, Any] | None = self._get(
                "get",
                f"{cluster_wide}.{GROUP}",
                None,
                name,
                lambda: self._custom.get_cluster_custom_object(GROUP, VERSION, cluster_wide, name),
            )
            return found
        namespaced = STORE_PLURALS["SecretStore"]
        found = self._get(
            "get",
            f"{namespaced}.{GROUP}",
            namespace,
            name,
            lambda: self._custom.get_namespaced_custom_object(
                GROUP, VERSION, namespace, namespaced, name
            ),
        )
        return found

    def secret(self, namespace: str, name: str, key: str) -> SecretFacts | None:
        secret = self._get(
            "get",
            "secrets",
            namespace,
            name,
            lambda: self._core.read_namespaced_secret(name, namespace),
        )
        if secret is None:
            return None
        data: dict[str, str] = dict(secret.data or {})
        digest = length = None
        if key in data:
            encoded = data[key]
            try:
                value = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                value = encoded.encode()
            self._redactor.add(value)
            self._redactor.add(encoded)
            digest, length = digest_of(value), len(value)
            del value
        owners = secret.metadata.owner_references or []
        controller = next((o for o in owners if o.controller), None)
        return SecretFacts(
            keys=tuple(sorted(secret.data or {})),
            digest=digest,
            length=length,
            owner=f"{controller.kind}/{controller.name}" if controller else None,
        )

    def deployment(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self._dict(
            self._get(
                "get",
                "deployments.apps",
                namespace,
                name,
                lambda: self._apps.read_namespaced_deployment(name, namespace),
            )
        )

    def pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        found = self._get(
            "list",
            "pods",
            namespace,
            None,
            lambda: self._core.list_namespaced_pod(namespace, label_selector=selector),
        )
        return [self._dict(pod) or {} for pod in (found.items if found is not None else [])]

    def _dict(self, obj: Any) -> dict[str, Any] | None:
        """camelCase dicts, as the API server speaks and stages.env_entry.pod_spec reads."""
        if obj is None:
            return None
        converted: dict[str, Any] = self._client.sanitize_for_serialization(obj)
        return converted

    def _get(
        self,
        verb: str,
        resource: str,
        namespace: str | None,
        name: str | None,
        call: Callable[[], Any],
    ) -> Any:
        what = resource + (f' "{name}"' if name else "")
        where = f" in namespace {namespace}" if namespace else " (cluster-wide)"
        try:
            return call()
        except ApiException as error:
            if error.status == 404:
                return None
            # kubectl's read is `get` for a single object and a list alike (`kubectl list` is
            # no command); the RBAC verb stays in the summary.
            kubectl = f"{self._kubectl} get {resource} {name or ''}".rstrip()
            kubectl += f" -n {namespace}" if namespace else ""
            raise self._api_error(error, verb, what + where, kubectl) from None
        except (HTTPError, OSError) as error:
            raise CannotRead(
                f"cannot reach the Kubernetes API at {self.host} ({type(error).__name__})",
                "the cluster is unreachable: wrong kube context or kubeconfig, VPN, or the API "
                "server is down",
                "pulumi config get kubernetes:context   (the context verify uses; else "
                "KUBECONFIG's current one)",
            ) from None

    def _api_error(self, error: ApiException, verb: str, what: str, kubectl: str) -> CannotRead:
        reason = _status_reason(error)
        if error.status == 403:
            return CannotRead(
                f"Kubernetes denies `{verb}` on {what} (403 Forbidden)",
                f"verify's Kubernetes identity may not `{verb}` {what}",
                f"{self._permissions_fix}   (grant the Role it prints)",
            )
        if error.status == 401:
            return CannotRead(
                f"Kubernetes rejects the credentials (401 {reason})",
                "the kubeconfig's credentials are invalid or expired",
                "kubectl auth whoami   (then renew the credentials of that context)",
            )
        return CannotRead(
            f"`{verb}` {what} failed: {error.status} {reason}",
            f"the API server answered {error.status} {reason}",
            f"{kubectl}   (the same read with kubectl shows the API server's message)",
        )


def _status_reason(error: ApiException) -> str:
    """The `reason` of the API server's Status object (Forbidden, InternalError, ...); a proxy's
    body may be any JSON, or none, and then the HTTP reason phrase stands in."""
    try:
        status = json.loads(error.body or "{}")
    except (TypeError, ValueError):
        status = None
    reason = status.get("reason") if isinstance(status, dict) else None
    return str(reason or error.reason or "")
