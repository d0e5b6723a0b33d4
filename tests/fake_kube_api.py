"""An in-process Kubernetes API server: GET and PUT of ConfigMaps, and (for the env entry)
GET and Server-Side Apply of Deployments, their rollouts, and the list of their pods.

The section provider's safety rests on how the real API server answers: a PUT carrying a stale
`metadata.resourceVersion` gets 409 Conflict, a missing object 404, both as `Status` JSON. The
tests drive the real `KubernetesConfigMapApi` and the official client over HTTP against this
server, so paths, query parameters and error mapping are exercised for real and only storage is
faked. Hooks let a test play the other writer (a GitOps sync, a human with `kubectl edit`) at
the worst moment: between the provider's read and its write.

Deployments behave as far as the env entry relies on them (`_Deployments` says how): apply is
judged per field manager and env entry, with conflicts and relinquishing; a template change
starts a rollout that passes through the statuses `kubectl rollout status` waits on, one per
read, with zero counts left out of the status as the API server leaves them out; and old pods
can outlive the rollout for a few listings, as terminating pods do.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fake_managed_fields import config_map_update, managed_fields

_CONFIG_MAP_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/configmaps/([^/]+)$")
_DEPLOYMENT_PATH = re.compile(r"^/apis/apps/v1/namespaces/([^/]+)/deployments/([^/]+)$")
_PODS_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/pods$")
APPLY_PATCH = "application/apply-patch+yaml"


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any] | None
    content_type: str | None = None


class FakeKubeApi:
    """The server, its ConfigMaps, and the hooks; use it as a context manager.

    `inject_conflicts` answers that many upcoming PUTs with 409 without looking at them, and
    `before_next_put` runs once, just before the next PUT is judged, so that a change it makes
    through `edit_data` turns that PUT's resourceVersion stale, as a real concurrent writer would.
    `fail_next(method, status)` answers the next request of that method with an error Status
    (403 Forbidden, 500 InternalError, ...) without touching storage, as RBAC or a broken API
    server would.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._objects: dict[tuple[str, str], dict[str, Any]] = {}
        self._last_version = 1000
        self.requests: list[LoggedRequest] = []
        self.inject_conflicts = 0
        self.before_next_put: Callable[[], None] | None = None
        self._failures: list[tuple[str, int]] = []
        self.deployments = _Deployments()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.002}, daemon=True
        )

    def __enter__(self) -> FakeKubeApi:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "fake API server did not stop"

    @property
    def host(self) -> str:
        address, port = self._server.server_address[:2]
        return f"http://{address!s}:{port}"

    def add_config_map(
        self,
        namespace: str,
        name: str,
        data: dict[str, str],
        *,
        labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None,
    ) -> None:
        metadata: dict[str, Any] = {
            "name": name,
            "namespace": namespace,
            "uid": f"uid-{namespace}-{name}",
            "creationTimestamp": "2026-02-01T00:00:00Z",
            "labels": labels or {},
            "annotations": annotations or {},
            "managedFields": [
                {
                    "manager": "argocd-controller",
                    "operation": "Apply",
                    "apiVersion": "v1",
                    "time": "2026-02-01T00:00:00Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:data": {"f:" + key: {} for key in data}},
                }
            ],
        }
        with self._lock:
            metadata["resourceVersion"] = self._next_version()
            self._objects[namespace, name] = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": metadata,
                "data": dict(data),
            }

    def get(self, namespace: str, name: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._objects[namespace, name])

    def edit_data(
        self,
        namespace: str,
        name: str,
        key: str,
        change: Callable[[str], str],
        *,
        manager: str | None = None,
    ) -> None:
        """Another writer's successful update of one data key; with a `manager` (as
        `kubectl edit` is `kubectl-edit`), managedFields record it as the API server does."""
        with self._lock:
            stored = self._objects[namespace, name]
            old = dict(stored["data"])
            stored["data"][key] = change(stored["data"][key])
            stored["metadata"]["resourceVersion"] = self._next_version()
            if manager is not None:
                managed = stored["metadata"].get("managedFields") or []
                updated = config_map_update(managed, manager, old, stored["data"])
                stored["metadata"]["managedFields"] = updated

    def delete_config_map(self, namespace: str, name: str) -> None:
        with self._lock:
            del self._objects[namespace, name]

    def fail_next(self, method: str, status: int) -> None:
        """Answer the next `method` request with `status`; calls queue up in order."""
        with self._lock:
            self._failures.append((method, status))

    def puts(self) -> list[LoggedRequest]:
        return [request for request in self.requests if request.method == "PUT"]

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: dict[str, Any] | None,
        content_type: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(LoggedRequest(method, path, query, body, content_type))
            failure = next((f for f in self._failures if f[0] == method), None)
            if failure is not None:
                self._failures.remove(failure)
        if failure is not None:
            reason, message = _FAILURES[failure[1]]
            return failure[1], _status(failure[1], reason, message.format(path=path))
        if deployment := _DEPLOYMENT_PATH.match(path):
            namespace, name = deployment.groups()
            with self._lock:
                return self.deployments.handle(method, namespace, name, query, body, content_type)
        if (pods := _PODS_PATH.match(path)) and method == "GET":
            with self._lock:
                return self.deployments.list_pods(pods.group(1), query)
        match = _CONFIG_MAP_PATH.match(path)
        if match is None or method not in ("GET", "PUT"):
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        namespace, name = match.groups()
        if method == "PUT":
            assert body is not None
            hook, self.before_next_put = self.before_next_put, None
            if hook is not None:
                hook()
        with self._lock:
            stored = self._objects.get((namespace, name))
            if stored is None:
                return 404, _status(404, "NotFound", f'configmaps "{name}" not found', name)
            if method == "GET":
                return 200, copy.deepcopy(stored)
            assert body is not None
            return self._put(stored, body, name, query.get("fieldManager", [""])[0])

    def _put(
        self, stored: dict[str, Any], body: dict[str, Any], name: str, manager: str
    ) -> tuple[int, dict[str, Any]]:
        sent_version = body.get("metadata", {}).get("resourceVersion")
        if self.inject_conflicts > 0:
            self.inject_conflicts -= 1
            return 409, _conflict(name)
        # Like the real server: no resourceVersion means an unconditional update.
        if sent_version and sent_version != stored["metadata"]["resourceVersion"]:
            return 409, _conflict(name)
        updated = copy.deepcopy(body)
        for server_owned in ("uid", "creationTimestamp"):
            updated["metadata"][server_owned] = stored["metadata"][server_owned]
        # A PUT without managedFields keeps the server's record, with this Update in it.
        if "managedFields" not in updated["metadata"]:
            managed = stored["metadata"].get("managedFields") or []
            updated["metadata"]["managedFields"] = config_map_update(
                managed, manager, stored.get("data") or {}, updated.get("data") or {}
            )
        updated["metadata"]["resourceVersion"] = self._next_version()
        stored.clear()
        stored.update(updated)
        return 200, copy.deepcopy(stored)

    def _next_version(self) -> str:
        self._last_version += 1
        return str(self._last_version)


_FAILURES = {
    401: ("Unauthorized", "Unauthorized"),
    403: (
        "Forbidden",
        'the server does not allow user "ci" to access {path} (RBAC: no rule grants it)',
    ),
    422: ("Invalid", "the object at {path} is invalid"),
    500: ("InternalError", "Internal error occurred: etcdserver: request timed out ({path})"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
}


def _conflict(name: str) -> dict[str, Any]:
    message = (
        f'Operation cannot be fulfilled on configmaps "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    return _status(409, "Conflict", message, name)


def _status(
    code: int, reason: str, message: str, name: str | None = None, kind: str = "configmaps"
) -> dict[str, Any]:
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if name is not None:
        status["details"] = {"name": name, "kind": kind}
    return status


class _Deployments:
    """Deployments and their pods, for `FakeKubeApi` (which holds the lock while calling in).

    Apply is judged per field manager and env entry, the only fields the env entry writes: an
    entry another manager owns with a different value is a 409 conflict unless forced; entries
    a manager applied before and leaves out now are relinquished, and removed once nobody owns
    them. A change of the pod template starts a rollout: each read of the Deployment advances it
    one status (stale, observed, surged, unavailable, done), each with the `Available` and
    `Progressing` conditions a real controller keeps; `stall_rollouts_at` (a step's index) makes
    rollouts stop there for good. When done, the pods are replaced, but the old ones stay
    listed for `old_pods_linger` more listings. A Deployment scaled to zero rolls out at once.
    """

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.owners: dict[tuple[str, str, str, str], set[str]] = {}
        self.pods: dict[str, list[dict[str, Any]]] = {}
        self.stall_rollouts_at: int | None = None
        self._steps_taken: dict[tuple[str, str], int] = {}
        self.old_pods_linger = 0
        self._rollouts: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._terminating: dict[str, tuple[list[dict[str, Any]], int]] = {}

    def add(
        self,
        namespace: str,
        name: str,
        containers: list[dict[str, Any]],
        *,
        labels: dict[str, str],
        replicas: int = 1,
        manager: str = "argocd-controller",
    ) -> None:
        """A rolled-out Deployment whose containers' env entries all belong to `manager`."""
        self.objects[namespace, name] = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "generation": 1},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": dict(labels)},
                "template": {
                    "metadata": {"labels": dict(labels)},
                    "spec": {"containers": copy.deepcopy(containers)},
                },
            },
            "status": _rolled_out(1, replicas),
        }
        for container in containers:
            for item in container.get("env") or []:
                self.owners[namespace, name, container["name"], item["name"]] = {manager}
        self._record_managers(namespace, name)
        self.pods[namespace] = [
            pod for pod in self.pods.get(namespace, []) if not _selected(pod, labels)
        ] + self._pods_of(self.objects[namespace, name])

    def handle(
        self,
        method: str,
        namespace: str,
        name: str,
        query: dict[str, list[str]],
        body: dict[str, Any] | None,
        content_type: str | None,
    ) -> tuple[int, dict[str, Any]]:
        stored = self.objects.get((namespace, name))
        if method == "GET":
            if stored is None:
                return 404, _status(
                    404, "NotFound", f'deployments.apps "{name}" not found', name, "deployments"
                )
            shown = _omit_zero_counts(stored)
            self._advance(namespace, name)  # time passes between two reads
            return 200, shown
        if method != "PATCH" or body is None:
            return 405, _status(405, "MethodNotAllowed", f"{method} is not supported here")
        if content_type != APPLY_PATCH:
            return 415, _status(415, "UnsupportedMediaType", f"{content_type} is not apply")
        manager = (query.get("fieldManager") or [""])[0]
        if not manager:
            return 400, _status(400, "BadRequest", "fieldManager is required for apply requests")
        if (body.get("apiVersion"), body.get("kind")) != ("apps/v1", "Deployment"):
            return 400, _status(400, "BadRequest", "apiVersion and kind must be apps/v1 Deployment")
        meta = body.get("metadata") or {}
        if meta.get("name") != name or meta.get("namespace", namespace) != namespace:
            return 400, _status(400, "BadRequest", "the object does not match the URL")
        if stored is None:  # apply would create it; without a selector it is invalid
            return 422, _status(
                422, "Invalid", "spec.selector: Required value", name, "deployments"
            )
        return self._apply(stored, manager, body, force=query.get("force") == ["true"])

    def _apply(
        self, stored: dict[str, Any], manager: str, body: dict[str, Any], *, force: bool
    ) -> tuple[int, dict[str, Any]]:
        namespace, name = stored["metadata"]["namespace"], stored["metadata"]["name"]
        live = {c["name"]: c for c in stored["spec"]["template"]["spec"]["containers"]}
        wanted: dict[tuple[str, str], dict[str, Any]] = {}
        body_spec = body.get("spec", {}).get("template", {}).get("spec", {})
        for index, container in enumerate(body_spec.get("containers") or []):
            if container.get("name") not in live:
                message = f"spec.template.spec.containers[{index}].image: Required value"
                return 422, _status(422, "Invalid", message, name, "deployments")
            for item in container.get("env") or []:
                wanted[container["name"], item["name"]] = item
        conflicts = [
            f'conflict with "{sorted(others)[0]}": .spec.template.spec.containers[name="'
            f'{container}"].env[name="{env}"]'
            for (container, env), item in wanted.items()
            if (others := self.owners.get((namespace, name, container, env), set()) - {manager})
            and _env(live[container]).get(env, item) != item
        ]
        if conflicts and not force:
            message = f"Apply failed with {len(conflicts)} conflict: " + "; ".join(conflicts)
            return 409, _status(409, "Conflict", message, name, "deployments")
        template_before = copy.deepcopy(stored["spec"]["template"])
        for key, owners in list(self.owners.items()):
            ns, dep, container, env = key
            if (ns, dep) != (namespace, name) or manager not in owners:
                continue
            if (container, env) in wanted:
                continue
            owners.discard(manager)
            if not owners:  # nobody declares it any more: the API server removes it
                del self.owners[key]
                entries = live[container]["env"]
                entries[:] = [e for e in entries if e["name"] != env]
        for (container, env), item in wanted.items():
            entries = live[container].setdefault("env", [])
            index = next((i for i, e in enumerate(entries) if e["name"] == env), len(entries))
            entries[index : index + 1] = [copy.deepcopy(item)]
            owners = self.owners.setdefault((namespace, name, container, env), set())
            if force:
                owners.clear()
            owners.add(manager)
        if stored["spec"]["template"] != template_before:
            self._start_rollout(stored)
        self._record_managers(namespace, name)
        return 200, _omit_zero_counts(stored)

    def _record_managers(self, namespace: str, name: str) -> None:
        metadata = self.objects[namespace, name]["metadata"]
        metadata["managedFields"] = managed_fields(self.owners, namespace, name)

    def _start_rollout(self, stored: dict[str, Any]) -> None:
        meta, replicas = stored["metadata"], stored["spec"]["replicas"]
        old = meta["generation"]
        meta["generation"] = new = old + 1
        steps = [_rolled_out(old, replicas)]  # the controller has not seen the change yet
        if replicas:
            steps += [
                _progressing(
                    {"observedGeneration": new, "replicas": replicas, "availableReplicas": replicas}
                ),
                _progressing(
                    {
                        "observedGeneration": new,
                        "replicas": replicas + 1,
                        "updatedReplicas": 1,
                        "availableReplicas": replicas,
                    }
                ),
                _progressing(
                    {"observedGeneration": new, "replicas": replicas, "updatedReplicas": replicas}
                ),
            ]
        key = meta["namespace"], meta["name"]
        stored["status"] = steps.pop(0)
        self._rollouts[key] = steps
        self._steps_taken[key] = 0

    def _advance(self, namespace: str, name: str) -> None:
        steps = self._rollouts.get((namespace, name))
        if steps is None or self._steps_taken[namespace, name] == self.stall_rollouts_at:
            return
        self._steps_taken[namespace, name] += 1
        stored = self.objects[namespace, name]
        if steps:
            stored["status"] = steps.pop(0)
            return
        del self._rollouts[namespace, name]
        stored["status"] = _rolled_out(stored["metadata"]["generation"], stored["spec"]["replicas"])
        labels = stored["spec"]["selector"]["matchLabels"]
        old = [pod for pod in self.pods.get(namespace, []) if _selected(pod, labels)]
        rest = [pod for pod in self.pods.get(namespace, []) if not _selected(pod, labels)]
        self.pods[namespace] = rest + self._pods_of(stored)
        if self.old_pods_linger:
            self._terminating[namespace] = (old, self.old_pods_linger)

    def list_pods(self, namespace: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        selector = (query.get("labelSelector") or [""])[0]
        try:
            wanted = dict(term.split("=", 1) for term in selector.split(",") if term)
        except ValueError:
            return 400, _status(400, "BadRequest", f"unable to parse requirement: {selector}")
        pods = list(self.pods.get(namespace, []))
        terminating, left = self._terminating.pop(namespace, ([], 0))
        if left:
            pods += terminating
            if left > 1:
                self._terminating[namespace] = (terminating, left - 1)
        items = [copy.deepcopy(pod) for pod in pods if _selected(pod, wanted)]
        return 200, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items}

    @staticmethod
    def _pods_of(deployment: dict[str, Any]) -> list[dict[str, Any]]:
        meta, spec = deployment["metadata"], deployment["spec"]
        template = json.dumps(spec["template"], sort_keys=True).encode()
        template_hash = hashlib.sha256(template).hexdigest()[:10]
        labels = {**spec["selector"]["matchLabels"], "pod-template-hash": template_hash}
        return [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"{meta['name']}-{template_hash}-{index}",
                    "namespace": meta["namespace"],
                    "labels": labels,
                },
                "spec": copy.deepcopy(spec["template"]["spec"]),
            }
            for index in range(spec["replicas"])
        ]


def _rolled_out(generation: int, replicas: int) -> dict[str, Any]:
    return {
        "observedGeneration": generation,
        "replicas": replicas,
        "updatedReplicas": replicas,
        "availableReplicas": replicas,
        "conditions": [
            _condition("Available", "MinimumReplicasAvailable"),
            _condition("Progressing", "NewReplicaSetAvailable"),
        ],
    }


def _progressing(status: dict[str, Any]) -> dict[str, Any]:
    """A status in mid-rollout, with the conditions the controller sets meanwhile."""
    conditions = [
        _condition("Available", "MinimumReplicasAvailable"),
        _condition("Progressing", "ReplicaSetUpdated"),
    ]
    return {**status, "conditions": conditions}


def _condition(type_: str, reason: str) -> dict[str, Any]:
    return {"type": type_, "status": "True", "reason": reason, "message": f"{type_}: {reason}"}


def _omit_zero_counts(deployment: dict[str, Any]) -> dict[str, Any]:
    """As the API server serialises status (`omitempty`): a count of zero is not there at all."""
    shown = copy.deepcopy(deployment)
    shown["status"] = {k: v for k, v in shown["status"].items() if v != 0}
    return shown


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container.get("env") or []}


def _selected(pod: dict[str, Any], labels: dict[str, str]) -> bool:
    pod_labels = pod["metadata"].get("labels") or {}
    return all(pod_labels.get(key) == value for key, value in labels.items())


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeKubeApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5  # a stuck client cannot hold a handler thread for longer

    def do_GET(self) -> None:
        self._respond("GET", None)

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self._respond("PUT", json.loads(self.rfile.read(length)))

    def do_PATCH(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self._respond("PATCH", json.loads(self.rfile.read(length)))

    def _respond(self, method: str, body: dict[str, Any] | None) -> None:
        url = urlsplit(self.path)
        content_type = self.headers.get("Content-Type")
        status, payload = self.server.fake.handle(
            method, url.path, parse_qs(url.query), body, content_type
        )
        encoded = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean; `FakeKubeApi.requests` is the log."""
