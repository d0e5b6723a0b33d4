"""What the GitOps controller does to Phase 2's objects, sampled while it happens.

A background thread reads, every ``interval`` seconds, Argo CD's own status of the Application
(sync, health, the last operation and whether self-heal started it) and the env entry in the
Deployment (which field managers own it); a second one watches the ConfigMap, so that every
version of the document is seen (is the `cron` section in it): self-heal reverts an in-cluster
section within about a quarter of a second, which a poll can miss entirely. Each change is
recorded with its time since ``start``. The result is the
timeline a reader of the report needs: "section written at 0.0 s, app OutOfSync at 0.4 s,
self-heal sync at 2.1 s, section gone at 2.3 s, env entry kept throughout".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubernetes import client, watch

from e2e.harness.argocd import ArgoCD
from e2e.harness.control_plane import get
from stages.section.document import read_section

NAMESPACE = "openclaw"
CONFIGMAP_PATH = f"/api/v1/namespaces/{NAMESPACE}/configmaps/openclaw-config"
DEPLOYMENT_PATH = f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/openclaw"


@dataclass
class Timeline:
    """Samples until stopped; ``events`` holds one entry per observed change."""

    api: client.ApiClient
    argocd: ArgoCD
    application: str
    env_name: str
    interval: float = 0.25
    # More readings on the same clock (e.g. the GitOps repository's head commit).
    extra: Callable[[], dict[str, Any]] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    _started: float = field(default=0.0, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _threads: list[threading.Thread] = field(default_factory=list, init=False)
    _last: dict[str, Any] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __enter__(self) -> Timeline:
        self._started = time.monotonic()
        self._threads = [
            threading.Thread(target=self._run, daemon=True),
            threading.Thread(target=self._watch_section, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def mark(self, what: str) -> None:
        """A harness event (e.g. "pulumi up finished") on the same clock."""
        self.events.append({"t": self.now(), "event": what})

    def now(self) -> float:
        return round(time.monotonic() - self._started, 2)

    def first(self, key: str, value: Any, after: float = 0.0) -> float | None:
        """When ``key`` first took ``value`` at or after ``after`` seconds (None: never)."""
        for event in self.events:
            if event["t"] >= after and event.get(key) == value:
                return float(event["t"])
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sample = self.sample()
            except Exception as error:  # a failed read is an event, not a crash
                sample = {"read_error": str(error)[:200]}
            self._record(sample)
            self._stop.wait(self.interval)

    def _record(self, sample: dict[str, Any]) -> None:
        with self._lock:
            changed = {k: v for k, v in sample.items() if self._last.get(k) != v}
            if changed:
                self.events.append({"t": self.now(), **changed})
                self._last.update(changed)

    def _watch_section(self) -> None:
        """Every version of the ConfigMap, from the one read first: is the section in it."""
        core = client.CoreV1Api(self.api)
        selector = f"metadata.name={CONFIGMAP_PATH.rsplit('/', 1)[1]}"
        version: str | None = None
        while not self._stop.is_set():
            try:
                if not version:
                    listed = core.list_namespaced_config_map(NAMESPACE, field_selector=selector)
                    version = listed.metadata.resource_version  # type: ignore[union-attr]
                    for item in listed.items:
                        self._record({"section_present": _has_section(item.data)})
                for event in watch.Watch().stream(
                    core.list_namespaced_config_map,
                    NAMESPACE,
                    field_selector=selector,
                    resource_version=version,
                    timeout_seconds=1,
                ):
                    version = event["object"].metadata.resource_version
                    self._record({"section_present": _has_section(event["object"].data)})
            except Exception as error:  # a failed read is an event; list again after it
                self._record({"read_error": str(error)[:200]})
                version = None
                self._stop.wait(self.interval)

    def sample(self) -> dict[str, Any]:
        """One reading of Argo CD's status and of the two fields Phase 2 writes."""
        app = self.argocd.application(self.api, self.application).get("status", {})
        operation = app.get("operationState", {})
        initiated = operation.get("operation", {}).get("initiatedBy", {})
        deployment = get(self.api, DEPLOYMENT_PATH)
        extra = self.extra() if self.extra else {}
        return {
            **extra,
            "sync": app.get("sync", {}).get("status"),
            "health": app.get("health", {}).get("status"),
            "operation": operation.get("phase"),
            "operation_started": operation.get("startedAt"),
            "self_heal": bool(initiated.get("automated")),
            "syncs": len(app.get("history") or []),
            "env_entry_owners": env_entry_owners(deployment, self.env_name),
        }


def _has_section(data: dict[str, str] | None) -> bool:
    present, _ = read_section((data or {}).get("openclaw.json", ""), "cron", context="live")
    return present


def env_entry_owners(deployment: dict[str, Any], env_name: str) -> list[str]:
    """The field managers owning the env entry named ``env_name`` (empty: no such entry)."""
    key = f'k:{{"name":"{env_name}"}}'
    return sorted(
        entry["manager"]
        for entry in deployment["metadata"].get("managedFields", [])
        if key in str(entry.get("fieldsV1", {}))
    )
