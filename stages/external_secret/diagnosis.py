"""Why the token's ExternalSecret did not sync, in the words the user needs to act on.

Why: when the ExternalSecret's wait fails, pulumi-kubernetes says only that the resource (by
URN) "failed to fully initialize or become live: timed out waiting for the condition". What
tells the user what to fix is in the cluster: ESO's Ready condition on the ExternalSecret, the
store's own Ready condition, and the last warning ESO recorded about it (the Warning event
carries the provider's actual error, e.g. a missing key in the store's credentials Secret). An
error hook on the ExternalSecret (`stages.external_secret.resource`) reads them when its create or
update fails and reports this message as the resource's error.

`explain` is pure (objects in, text out); `read_and_explain` does the reads, and never raises:
a diagnosis that fails must not hide the failure it was called for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from stages.external_secret.identity import GROUP, PLURAL, STORE_PLURALS, VERSION
from stages.external_secret.ready import ready_condition
from stages.kube_connection import KubeTarget


def _ready(obj: dict[str, Any] | None) -> str:
    """`Ready=<status>, <reason>: <message>` of an object's Ready condition, in one line."""
    ready = ready_condition(obj)
    if not ready:
        return "no Ready condition yet (ESO has not reconciled it)"
    reason = f", {ready['reason']}" if ready.get("reason") else ""
    message = f": {ready['message']}" if ready.get("message") else ""
    return f"Ready={ready.get('status')}{reason}{message}"


def _latest_warning(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    warnings = [e for e in events if e.get("type") == "Warning"]

    def when(event: dict[str, Any]) -> str:
        return str(event.get("lastTimestamp") or event.get("eventTime") or "")

    return max(warnings, key=when) if warnings else None


def explain(
    namespace: str,
    name: str,
    store_kind: str,
    store_name: str,
    external_secret: dict[str, Any] | None,
    store: dict[str, Any] | None,
    events: list[dict[str, Any]],
    timeout_seconds: int,
    failure: str = "",
) -> str:
    """The diagnosis: the ExternalSecret's state, its store's, ESO's last warning, the fix.

    `failure` is the provider's error: a wait cut short (Ctrl-C) is said as such, not as a
    timeout.
    """
    where = f"ExternalSecret {namespace}/{name}"
    if external_secret is None:
        return f"{where} does not exist: the API server did not accept it (see the error below)."
    if "context canceled" in failure:
        when = "when its wait was interrupted"
    else:
        when = f"within {timeout_seconds} s (timeouts.externalSecretSeconds)"
    lines = [f"{where} was not synced {when}: {_ready(external_secret)}."]
    store_where = f"{store_kind} {store_name}"
    if store is None:
        lines.append(
            f"Its store, {store_where}, does not exist: check externalSecret.storeName and "
            "externalSecret.storeKind."
        )
    else:
        lines.append(f"Its store, {store_where}: {_ready(store)}.")
    warning = _latest_warning(events)
    if warning is not None:
        lines.append(
            f"ESO's last warning about it ({warning.get('reason')}): {warning.get('message')}"
        )
    lines.append(
        "Nothing after this stage was changed (no env entry, no section, no pod restarted). Fix "
        f"the store or the parameter (`kubectl -n {namespace} describe externalsecret {name}`), "
        "then run `pulumi up` again."
    )
    return "\n".join(lines)


def read_and_explain(
    target: KubeTarget,
    namespace: str,
    name: str,
    store_kind: str,
    store_name: str,
    timeout_seconds: int,
    failure: str = "",
    client_for: Callable[[KubeTarget], client.ApiClient] | None = None,
) -> str:
    """Read the ExternalSecret, its store and their events, and explain; on any failure to
    read, say so in the message instead of raising."""
    try:
        api_client = (client_for or KubeTarget.api_client)(target)
        custom = client.CustomObjectsApi(api_client)
        core = client.CoreV1Api(api_client)
        external_secret = _get(
            lambda: custom.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name)
        )
        plural = STORE_PLURALS.get(store_kind, STORE_PLURALS["ClusterSecretStore"])
        store = _get(
            lambda: (
                custom.get_namespaced_custom_object(GROUP, VERSION, namespace, plural, store_name)
                if store_kind == "SecretStore"
                else custom.get_cluster_custom_object(GROUP, VERSION, plural, store_name)
            )
        )
        events: list[dict[str, Any]] = []
        if external_secret is not None:
            uid = external_secret["metadata"]["uid"]
            found = core.list_namespaced_event(
                namespace, field_selector=f"involvedObject.uid={uid}"
            )
            events = [api_client.sanitize_for_serialization(item) for item in found.items]
    except Exception as error:  # a diagnosis must never hide the failure it explains
        return f"ExternalSecret {namespace}/{name} did not sync; reading why failed too: {error}"
    return explain(
        namespace,
        name,
        store_kind,
        store_name,
        external_secret,
        store,
        events,
        timeout_seconds,
        failure,
    )


def _get(read: Callable[[], Any]) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = read()
    except ApiException as error:
        if error.status == 404:
            return None
        raise
    return found
