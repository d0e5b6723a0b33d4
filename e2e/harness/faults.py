"""The faults the fault scenarios inject, and what they read back (issue 22).

Each fault is a context manager that removes itself on exit, whatever the test did in between,
because scenarios share one control plane and one world: a store left broken or a node left
tainted would fail every scenario after it. Each injects the fault where it happens in a real
cluster (the store's credentials Secret, the node, the API server's or AWS's process, a second
writer of the ConfigMap, the GitOps controller's sync policy), never inside the stack.

What a fault scenario asserts right after a failure is read here too: the user's view of the
failure (exit code, first error line) from the CLI's own output, and the Pulumi state from
`pulumi stack export` (resources, init errors, pending operations).
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import select
import signal
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from pulumi import automation as auto

from e2e.harness.argocd import SYNC_POLICY
from e2e.harness.control_plane import KWOK_NODE, ControlPlane, free_ports, get, request
from e2e.harness.stack_driver import StackDriver
from e2e.harness.world import (
    APPLICATION,
    CONFIGMAP,
    DEPLOYMENT,
    DOCUMENT_KEY,
    NAMESPACE,
    REPO_PATH,
    World,
)
from stages.kubernetes_meta import FIELD_MANAGER, LABELS
from stages.section.tracking import ignore_differences_stanza

STORE_SECRET = ("external-secrets", "aws-parameterstore-credentials")
STORE_SECRET_KEY = "secret-access-key"
# kube-apiserver drains its watches on SIGTERM for longer than the control plane's usual stop
# grace (10 s measured): an outage is a crash soon after, not a clean shutdown.
OUTAGE_STOP_GRACE = 2.0
FAULT_TAINT = {
    "key": "e2e.openclaw/fault",
    "value": "rollout-never-completes",
    "effect": "NoSchedule",
}
WRITER_MANAGER = "e2e-concurrent-writer"
WEBHOOK_NAME = "e2e-concurrent-writer"
# The second writer's edit: one more safe binary in the document's `tools` section, a change
# that is exactly reversible on the bytes (so destroy can be checked against the seeded text).
SAFE_BINS = '"safeBins": ["ls", "wc", "sort", "date", "jq"]'
SAFE_BINS_EDITED = '"safeBins": ["ls", "wc", "sort", "date", "jq", "grep"]'

# --- the Pulumi state -------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """What `pulumi stack export` says: resources by (type, name), and pending operations."""

    resources: dict[tuple[str, str], dict[str, Any]]
    pending: list[tuple[str, str]]  # (operation type, resource name)

    @classmethod
    def of(cls, stack: auto.Stack) -> State:
        deployment = stack.export_stack().deployment or {}
        resources = {
            (item["type"], item["urn"].rsplit("::", 1)[-1]): item
            for item in deployment.get("resources") or []
            if not item["type"].startswith(("pulumi:", "openclaw-cron-webhook:"))
        }
        pending = [
            (op["type"], op["resource"]["urn"].rsplit("::", 1)[-1])
            for op in deployment.get("pending_operations") or []
        ]
        return cls(resources, pending)

    @property
    def types(self) -> set[str]:
        return {kind for kind, _ in self.resources}

    def init_errors(self, kind: str) -> list[str]:
        return [
            error
            for (found, _), item in self.resources.items()
            if found == kind
            for error in item.get("initErrors") or []
        ]


def pulumi_cli(driver: StackDriver, *args: str) -> subprocess.CompletedProcess[str]:
    """The `pulumi` CLI itself on the driver's stack, for what the Automation API does not
    offer (`refresh --import-pending-creates`); the caller checks the exit code."""
    command = driver.stack.workspace.pulumi_command.command
    return subprocess.run(
        [command, "--non-interactive", *args, "--stack", driver.stack.name],
        cwd=driver.project,
        env={**os.environ, **driver.env},
        capture_output=True,
        text=True,
        check=False,
    )


def pending_urns(driver: StackDriver) -> list[str]:
    deployment = driver.stack.export_stack().deployment or {}
    return [op["resource"]["urn"] for op in deployment.get("pending_operations") or []]


# --- a `pulumi up` the test interrupts --------------------------------------------------------


@dataclass
class Background:
    """An operation running in a thread, so the test can act on the world meanwhile."""

    future: Future[Any]
    began: float = field(default_factory=time.monotonic)

    def done(self) -> bool:
        return self.future.done()

    def outcome(self, timeout: float) -> tuple[Any, auto.CommandError | None, float]:
        """(result, the CLI's failure or None, seconds) once it has ended."""
        try:
            result = self.future.result(timeout=timeout)
        except auto.CommandError as error:
            return None, error, time.monotonic() - self.began
        return result, None, time.monotonic() - self.began


@contextmanager
def in_background(run: Callable[[], Any]) -> Iterator[Background]:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pulumi") as pool:
        yield Background(pool.submit(run))


class Pid:
    """A process held by a pidfd: a signal reaches it or nobody.

    Why not `os.kill(number)`: once a process has exited, its number is free, and with three
    e2e workers starting processes and threads on one machine it is given again within seconds,
    to a process or to a *thread* (threads share the numbering; `kill` on a thread's id signals
    its whole process). A plugin stopped "by pid" after it had already gone took an e2e worker
    down with it, silently ("node down: Not properly terminated"). A pidfd names the process
    itself; the number is read once, when the process is found, and checked right after.
    """

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd

    @classmethod
    def held(cls, pid: int, started: int) -> Pid | None:
        """The process `pid` that started at `started` (its /proc stat field), or None if
        that one is gone (the number may be another's by now)."""
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            return None
        if _stat(pid).get("started") != started:
            os.close(fd)
            return None
        return cls(pid, fd)

    def alive(self) -> bool:
        """Still running (a pidfd becomes readable when its process exits)."""
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        return not poller.poll(0)

    def send(self, signum: int) -> bool:
        """Signal it; False if it has exited."""
        try:
            signal.pidfd_send_signal(self.fd, signum)
        except ProcessLookupError:
            return False
        return True

    def __del__(self) -> None:
        with suppress(OSError):
            os.close(self.fd)


def _stat(pid: int) -> dict[str, int]:
    """A process's parent and start time (in clock ticks since boot), from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return {"parent": int(fields[1]), "started": int(fields[19])}
    except (OSError, IndexError, ValueError):
        return {}


def _processes() -> dict[int, dict[str, int]]:
    """Every process (not thread) now running: /proc lists thread-group leaders only."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat:
                found[int(entry.name)] = stat
    return found


def pulumi_cli_pids(pulumi: Path) -> list[Pid]:
    """Children of this process running the `pulumi` binary (the Automation API's CLI)."""
    found = []
    for pid, stat in _processes().items():
        try:
            exe = Path(os.readlink(f"/proc/{pid}/exe"))
        except OSError:
            continue
        if stat["parent"] == os.getpid() and exe == pulumi.resolve():
            held = Pid.held(pid, stat["started"])
            if held is not None:
                found.append(held)
    return found


def descendants(root: Pid) -> list[Pid]:
    """Every live process below ``root`` (its plugins and their children), read from /proc."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, stat in processes.items():
        children.setdefault(stat["parent"], []).append(pid)
    found: list[Pid] = []
    todo = [root.pid] if root.alive() else []
    while todo:
        for child in children.get(todo.pop(), []):
            held = Pid.held(child, processes[child]["started"])
            if held is not None:
                found.append(held)
                todo.append(child)
    return found


def wait_for_cli(pulumi: Path, timeout: float = 30.0) -> Pid:
    """The CLI the Automation API started, once it runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = pulumi_cli_pids(pulumi)
        if len(pids) == 1:
            return pids[0]
        time.sleep(0.05)
    raise AssertionError(f"no single running {pulumi} child after {timeout:.0f} s")


def ctrl_c(cli: Pid, times: int, gap: float = 1.0) -> int:
    """What a terminal's Ctrl-C delivers to the CLI (its plugins run in process groups of
    their own, so the terminal's SIGINT reaches the CLI alone), up to ``times`` times; how
    many reached it (a CLI that ended after the first cannot get a second)."""
    for count in range(times):
        if count:
            time.sleep(gap)
        if not cli.send(signal.SIGINT):
            return count
    return times


def reap_orphans(processes: list[Pid], grace: float = 10.0) -> list[int]:
    """Stop plugin processes that outlived their CLI; the pids of the ones that had to be."""
    left = [process for process in processes if process.alive()]
    for process in left:
        process.send(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(process.alive() for process in left) and time.monotonic() < deadline:
        time.sleep(0.1)
    for process in left:
        process.send(signal.SIGKILL)
    return [process.pid for process in left]


# --- faults -----------------------------------------------------------------------------------


def put_application(world: World, api: client.ApiClient, *, stanza: bool, automated: bool) -> None:
    """The reference Application, with the printed ignoreDifferences stanza for the document
    (the way out the refusal prints, so the section sticks) and with or without automated
    sync (self-heal would re-create at once what a scenario deletes out of band)."""
    spec: dict[str, Any] = {}
    options = list(SYNC_POLICY["syncOptions"])
    if stanza:
        printed = yaml.safe_load(ignore_differences_stanza(NAMESPACE, CONFIGMAP, DOCUMENT_KEY))
        spec["ignoreDifferences"] = printed["spec"]["ignoreDifferences"]
        options += printed["spec"]["syncPolicy"]["syncOptions"]
    policy: dict[str, Any] = {"syncOptions": options}
    if automated:
        policy["automated"] = SYNC_POLICY["automated"]
    spec["syncPolicy"] = policy
    world.argocd.put_application(api, APPLICATION, world.repo.url, REPO_PATH, NAMESPACE, spec)


def _secret_path(namespace: str, name: str) -> str:
    return f"/api/v1/namespaces/{namespace}/secrets/{name}"


@contextmanager
def store_credentials_broken(api: client.ApiClient) -> Iterator[str]:
    """The store's auth wrong: its credentials Secret loses the secret access key the
    ClusterSecretStore names. Yields the key's name; puts the Secret's data back on exit."""
    path = _secret_path(*STORE_SECRET)
    data = get(api, path)["data"]
    patch = [{"op": "remove", "path": f"/data/{STORE_SECRET_KEY}"}]
    request(api, "PATCH", path, patch, content_type="application/json-patch+json")
    try:
        yield STORE_SECRET_KEY
    finally:
        request(
            api,
            "PATCH",
            path,
            {"data": data},
            content_type="application/merge-patch+json",
        )


def force_sync(api: client.ApiClient, namespace: str, name: str) -> None:
    """The runbook's nudge after a store fix: ESO reconciles an ExternalSecret at once when
    an annotation changes, instead of after its error back-off."""
    path = f"/apis/external-secrets.io/v1/namespaces/{namespace}/externalsecrets/{name}"
    patch = {"metadata": {"annotations": {"force-sync": str(time.time_ns())}}}
    request(api, "PATCH", path, patch, content_type="application/merge-patch+json")


def _taints(api: client.ApiClient) -> list[dict[str, Any]]:
    taints: list[dict[str, Any]] = get(api, f"/api/v1/nodes/{KWOK_NODE}")["spec"].get("taints")
    return list(taints or [])


def _set_taints(api: client.ApiClient, taints: list[dict[str, Any]]) -> None:
    request(
        api,
        "PATCH",
        f"/api/v1/nodes/{KWOK_NODE}",
        {"spec": {"taints": taints}},
        content_type="application/merge-patch+json",
    )


@contextmanager
def rollout_held(api: client.ApiClient) -> Iterator[Callable[[], None]]:
    """A rollout that cannot complete: the only node gets a NoSchedule taint the pods do not
    tolerate, so a new pod stays Pending (running pods stay). Yields ``release``, which
    removes the taint early; exit removes it in any case."""
    original = _taints(api)
    _set_taints(api, [*original, FAULT_TAINT])
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            _set_taints(api, original)
            released = True

    try:
        yield release
    finally:
        release()


@contextmanager
def process_stopped(
    plane: ControlPlane, name: str, grace: float = OUTAGE_STOP_GRACE
) -> Iterator[Callable[[], None]]:
    """``name`` stopped by pid (SIGTERM, SIGKILL after ``grace``); yields ``restart`` (same
    command line, ports, data); exit restarts it if the test did not."""
    plane.stop_one(name, grace)
    restarted = False

    def restart() -> None:
        nonlocal restarted
        if not restarted:
            plane.start_again(name)
            restarted = True

    try:
        yield restart
    finally:
        restart()


def reseed_parameters(plane: ControlPlane, world: World) -> None:
    """moto keeps its state in memory: after a restart, put the seeded parameters back."""
    ssm = plane.ssm_client()
    for name, value in world.parameters.items():
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


# --- a second writer of the ConfigMap, between the stack's read and write ---------------------


@dataclass
class ConcurrentWriter:
    """A validating admission webhook that, when the stack's guarded write of the ConfigMap
    arrives, first makes a write of its own to the same object and only then lets the stack's
    write through. The API server then finds the object changed since the stack read it and
    answers 409, exactly as when another writer wins the race in production.

    ``stack_writes`` counts the stack's writes the API server sent here (the first one is the
    one that conflicted); ``edits`` the second writer's own writes.
    """

    plane: ControlPlane
    field_manager: str
    stack_writes: int = 0
    edits: int = 0
    probes: int = 0
    errors: list[str] = field(default_factory=list)

    def handle(self, review: dict[str, Any]) -> None:
        req = review.get("request") or {}
        manager = (req.get("options") or {}).get("fieldManager")
        if req.get("dryRun"):
            return
        if manager == "e2e-webhook-probe":
            self.probes += 1
        elif manager == self.field_manager:
            self.stack_writes += 1
            if self.stack_writes == 1:
                try:
                    self._edit()
                except Exception as error:  # recorded; the test asserts there is none
                    self.errors.append(repr(error))

    def _edit(self) -> None:
        """The other writer's edit: one more safe binary, a guarded PUT as any client does."""
        path = f"/api/v1/namespaces/{NAMESPACE}/configmaps/{CONFIGMAP}"
        with self.plane.api_client() as api:
            live = get(api, path)
            text = live["data"]["openclaw.json"]
            if SAFE_BINS not in text:
                raise AssertionError("the document has no safeBins to edit")
            live["data"]["openclaw.json"] = text.replace(SAFE_BINS, SAFE_BINS_EDITED, 1)
            live["metadata"].pop("managedFields", None)
            request(api, "PUT", path, live, query=[("fieldManager", WRITER_MANAGER)])
        self.edits += 1


def _self_signed(directory: Path) -> tuple[Path, Path, bytes]:
    """A key and a self-signed certificate for 127.0.0.1 (its own CA, as the API server's
    caBundle needs)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "e2e-concurrent-writer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = directory / "webhook.crt", directory / "webhook.key"
    cert_file.write_bytes(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file, pem


@contextmanager
def concurrent_writer(plane: ControlPlane, field_manager: str) -> Iterator[ConcurrentWriter]:
    """Serve the webhook on a free loopback port and register it for updates of the app's
    ConfigMap only (failurePolicy Ignore: a dead webhook never blocks the cluster); both go
    away on exit."""
    writer = ConcurrentWriter(plane, field_manager)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            writer.handle(review)
            answer = {
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "response": {"uid": review["request"]["uid"], "allowed": True},
            }
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            return

    (port,) = free_ports(1)
    with tempfile.TemporaryDirectory(prefix="e2e-webhook-") as tmp:
        cert_file, key_file, pem = _self_signed(Path(tmp))
        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        path = (
            f"/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/{WEBHOOK_NAME}"
        )
        with plane.api_client() as api:
            request(
                api,
                "POST",
                "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
                _webhook_configuration(port, pem),
            )
            try:
                _await_webhook(api, writer)
                yield writer
            finally:
                request(api, "DELETE", path)
                server.shutdown()
                server.server_close()


def _webhook_configuration(port: int, ca: bytes) -> dict[str, Any]:
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": WEBHOOK_NAME},
        "webhooks": [
            {
                "name": "concurrent-writer.e2e.openclaw.invalid",
                "clientConfig": {
                    "url": f"https://127.0.0.1:{port}/validate",
                    "caBundle": base64.b64encode(ca).decode(),
                },
                "rules": [
                    {
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": ["UPDATE"],
                        "resources": ["configmaps"],
                        "scope": "Namespaced",
                    }
                ],
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": NAMESPACE}},
                "matchConditions": [
                    {
                        "name": "the-app-document",
                        "expression": f"object.metadata.name == '{CONFIGMAP}'",
                    }
                ],
                "failurePolicy": "Ignore",
                "sideEffects": "NoneOnDryRun",
                "admissionReviewVersions": ["v1"],
                "timeoutSeconds": 10,
            }
        ],
    }


def _await_webhook(api: client.ApiClient, writer: ConcurrentWriter, timeout: float = 30.0) -> None:
    """Until the API server calls the webhook (it loads new configurations asynchronously):
    empty patches of the ConfigMap by a probe manager, which change nothing."""
    path = f"/api/v1/namespaces/{NAMESPACE}/configmaps/{CONFIGMAP}"
    deadline = time.monotonic() + timeout
    while writer.probes == 0:
        if time.monotonic() > deadline:
            raise AssertionError(f"the API server did not call the webhook within {timeout:.0f} s")
        request(
            api,
            "PATCH",
            path,
            {},
            query=[("fieldManager", "e2e-webhook-probe")],
            content_type="application/merge-patch+json",
        )
        time.sleep(0.3)


def undo_concurrent_edit(api: client.ApiClient) -> None:
    """Take the second writer's edit back out (a guarded PUT again)."""
    path = f"/api/v1/namespaces/{NAMESPACE}/configmaps/{CONFIGMAP}"
    live = get(api, path)
    live["data"]["openclaw.json"] = live["data"]["openclaw.json"].replace(
        SAFE_BINS_EDITED, SAFE_BINS, 1
    )
    live["metadata"].pop("managedFields", None)
    request(api, "PUT", path, live, query=[("fieldManager", WRITER_MANAGER)])


def remove_leftovers(api: client.ApiClient, ssm: Any, parameter: str) -> list[str]:
    """What a failed scenario may leave outside the state, removed as the stack would: its env
    entry relinquished (an apply by its field manager with nothing in it), its ExternalSecrets
    deleted, the parameter deleted. Returns what was found, for the scenario's output."""
    found = []
    path = f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{DEPLOYMENT}"
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": DEPLOYMENT, "namespace": NAMESPACE},
    }
    managers = {m.get("manager") for m in get(api, path)["metadata"].get("managedFields") or []}
    # The legacy shared manager, and each stack's own (`<project>/<stack>`).
    ours = sorted(
        m for m in managers if m == FIELD_MANAGER or str(m).startswith(f"{FIELD_MANAGER}/")
    )
    for manager in ours:
        found.append(f"fields of {manager} in Deployment {DEPLOYMENT}")
        request(
            api,
            "PATCH",
            path,
            body,
            query=[("fieldManager", manager)],
            content_type="application/apply-patch+yaml",
        )
    for name in our_external_secrets(api):
        found.append(f"ExternalSecret {name}")
        request(
            api,
            "DELETE",
            f"/apis/external-secrets.io/v1/namespaces/{NAMESPACE}/externalsecrets/{name}",
        )
    try:
        ssm.delete_parameter(Name=parameter)
        found.append(f"parameter {parameter}")
    except ssm.exceptions.ParameterNotFound:
        pass
    return found


# --- reading the world ------------------------------------------------------------------------


def our_external_secrets(api: client.ApiClient) -> list[str]:
    """Names of the ExternalSecrets carrying this stack's labels, in any state."""
    selector = ",".join(f"{key}={value}" for key, value in LABELS.items())
    found = request(
        api,
        "GET",
        f"/apis/external-secrets.io/v1/namespaces/{NAMESPACE}/externalsecrets",
        query=[("labelSelector", selector)],
    )
    return sorted(item["metadata"]["name"] for item in found.get("items") or [])


def ready_condition(api: client.ApiClient, kind_path: str) -> dict[str, Any]:
    """An object's Ready condition ({} if it has none yet, or the object is gone)."""
    try:
        obj = get(api, kind_path)
    except ApiException as error:
        if error.status == 404:
            return {}
        raise
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            found: dict[str, Any] = condition
            return found
    return {}


def pod_uids(api: client.ApiClient) -> set[str]:
    pods = request(api, "GET", f"/api/v1/namespaces/{NAMESPACE}/pods")
    return {
        pod["metadata"]["uid"]
        for pod in pods.get("items") or []
        if not pod["metadata"].get("deletionTimestamp")
    }


def wait_until(what: str, check: Callable[[], bool], timeout: float, poll: float = 0.1) -> float:
    """Seconds until ``check`` held (polling fast: some faults have a short window)."""
    began = time.monotonic()
    while not check():
        if time.monotonic() - began > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)
    return time.monotonic() - began
