"""What the scenarios look at: the cluster and moto, read directly, never through Pulumi.

Why not trust Pulumi's own output: the point of the e2e is that the stack does to the world
what it says. Every assertion reads the object itself (its spec, managedFields, status, the
bytes of a document, the value in SSM), and a background watcher records what the cluster
looked like at the moments that matter (a Secret's owner being deleted, a template switching).
"""

from __future__ import annotations

import base64
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubernetes import client

from stages.env_entry.pod_spec import pods_referencing, secret_ref
from stages.env_entry.rollout import rollout_status

ES_GROUP, ES_VERSION, ES_PLURAL = "external-secrets.io", "v1", "externalsecrets"
REVISION = "deployment.kubernetes.io/revision"


@dataclass
class ClusterView:
    """Plain-dict reads of the objects Phase 2 touches, through the official client."""

    api_client: client.ApiClient
    namespace: str = "openclaw"

    def _dict(self, obj: Any) -> dict[str, Any]:
        converted: dict[str, Any] = self.api_client.sanitize_for_serialization(obj)
        return converted

    def deployment(self, name: str = "openclaw") -> dict[str, Any]:
        apps = client.AppsV1Api(self.api_client)
        return self._dict(apps.read_namespaced_deployment(name, self.namespace))

    def revision(self, name: str = "openclaw") -> int:
        return int(self.deployment(name)["metadata"].get("annotations", {}).get(REVISION, "0"))

    def container_env(self, container: str = "openclaw") -> list[dict[str, Any]]:
        for item in self.deployment()["spec"]["template"]["spec"]["containers"]:
            if item["name"] == container:
                return list(item.get("env") or [])
        raise LookupError(container)

    def pods(self) -> list[dict[str, Any]]:
        core = client.CoreV1Api(self.api_client)
        return [self._dict(p) for p in core.list_namespaced_pod(self.namespace).items]

    def config_map(self, name: str = "openclaw-config") -> dict[str, Any]:
        core = client.CoreV1Api(self.api_client)
        return self._dict(core.read_namespaced_config_map(name, self.namespace))

    def document(self, name: str = "openclaw-config", key: str = "openclaw.json") -> str:
        text: str = self.config_map(name)["data"][key]
        return text

    def secret_data(self, name: str, namespace: str | None = None) -> dict[str, str] | None:
        core = client.CoreV1Api(self.api_client)
        try:
            secret = core.read_namespaced_secret(name, namespace or self.namespace)
        except client.exceptions.ApiException as error:
            if error.status == 404:
                return None
            raise
        return {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()}

    def external_secret(self, name: str) -> dict[str, Any] | None:
        custom = client.CustomObjectsApi(self.api_client)
        try:
            found = custom.get_namespaced_custom_object(
                ES_GROUP, ES_VERSION, self.namespace, ES_PLURAL, name
            )
        except client.exceptions.ApiException as error:
            if error.status == 404:
                return None
            raise
        assert isinstance(found, dict)
        return found

    def external_secret_ready(self, name: str) -> bool:
        found = self.external_secret(name)
        conditions = ((found or {}).get("status") or {}).get("conditions") or []
        return any(
            c.get("type") == "Ready"
            and c.get("status") == "True"
            and c.get("reason") == ("SecretSynced")
            for c in conditions
        )

    def rolled_out(self) -> bool:
        done, _ = rollout_status(self.deployment())
        return done

    def ready_pods_reading(self, secret: str) -> list[str]:
        ready = [
            pod
            for pod in self.pods()
            if not pod["metadata"].get("deletionTimestamp")
            and any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in (pod.get("status") or {}).get("conditions") or []
            )
        ]
        return pods_referencing(ready, secret)

    def env_secret(self, env_name: str, container: str = "openclaw") -> str | None:
        for item in self.container_env(container):
            if item.get("name") == env_name:
                name: str | None = secret_ref(item).get("name")
                return name
        return None


def ssm_parameter(ssm: Any, name: str) -> dict[str, Any] | None:
    try:
        parameter: dict[str, Any] = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    except ssm.exceptions.ParameterNotFound:
        return None
    return parameter


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60.0) -> float:
    """Seconds until `check` held; fails with `what` after `timeout`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.25)
    return time.monotonic() - started


@dataclass
class Moment:
    """What the watcher saw the first time something happened."""

    at: float
    detail: Any = None


@dataclass
class Watcher:
    """Polls the cluster in the background and records the first time each event happened.

    Events: `ready:<es>` (an ExternalSecret Ready/SecretSynced), `env:<secret>` (the template's
    entry points at that Secret), `gone:<es>` (an ExternalSecret deleted or deleting; the detail
    is the list of Ready pods still reading its Secret at that moment).
    """

    view: ClusterView
    env_name: str
    watch_secrets: tuple[str, ...]
    seen: dict[str, Moment] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Watcher:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _note(self, event: str, detail: Any = None) -> None:
        self.seen.setdefault(event, Moment(time.monotonic(), detail))

    def _run(self) -> None:
        while not self._stop.is_set():
            # A read that raced a delete is skipped; the next poll sees the settled state.
            with contextlib.suppress(client.exceptions.ApiException):
                self._poll()
            self._stop.wait(0.2)

    def _poll(self) -> None:
        for name in self.watch_secrets:
            found = self.view.external_secret(name)
            if found is not None and self.view.external_secret_ready(name):
                self._note(f"ready:{name}")
            if f"ready:{name}" in self.seen and (
                found is None or found["metadata"].get("deletionTimestamp")
            ):
                self._note(f"gone:{name}", self.view.ready_pods_reading(name))
        current = self.view.env_secret(self.env_name)
        if current is not None:
            self._note(f"env:{current}")
