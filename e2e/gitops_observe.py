"""What the GitOps controller does to Phase 2's objects, sampled while it happens.

A background thread reads, every ``interval`` seconds, Argo CD's own status of the Application
(sync, health, the last operation and whether self-heal started it) and the live objects Phase 2
touches (is the `cron` section in the document; is the env entry in the Deployment, and which
field managers own it), and records each change with its time since ``start``. The result is the
timeline a reader of the report needs: "section written at 0.0 s, app OutOfSync at 0.4 s,
self-heal sync at 2.1 s, section gone at 2.3 s, env entry kept throughout".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubernetes import client

from components.openclaw_document import read_section
from e2e.argocd import ArgoCD
from e2e.control_plane import get

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
    _thread: threading.Thread | None = field(default=None, init=False)
    _last: dict[str, Any] = field(default_factory=dict, init=False)

    def __enter__(self) -> Timeline:
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

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
            changed = {k: v for k, v in sample.items() if self._last.get(k) != v}
            if changed:
                self.events.append({"t": self.now(), **changed})
                self._last.update(changed)
            self._stop.wait(self.interval)

    def sample(self) -> dict[str, Any]:
        """One reading of Argo CD's status and of the two fields Phase 2 writes."""
        app = self.argocd.application(self.api, self.application).get("status", {})
        operation = app.get("operationState", {})
        initiated = operation.get("operation", {}).get("initiatedBy", {})
        document = get(self.api, CONFIGMAP_PATH).get("data", {}).get("openclaw.json", "")
        present, _ = read_section(document, "cron", context="live")
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
            "section_present": present,
            "env_entry_owners": env_entry_owners(deployment, self.env_name),
        }


def env_entry_owners(deployment: dict[str, Any], env_name: str) -> list[str]:
    """The field managers owning the env entry named ``env_name`` (empty: no such entry)."""
    key = f'k:{{"name":"{env_name}"}}'
    return sorted(
        entry["manager"]
        for entry in deployment["metadata"].get("managedFields", [])
        if key in str(entry.get("fieldsV1", {}))
    )
