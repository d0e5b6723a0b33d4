"""Layer 2 of the e2e harness: a real control plane as processes on loopback.

What runs, and why each piece is real: etcd and kube-apiserver (Server-Side Apply, field
ownership, resourceVersion conflicts, CRD defaulting — everything the stack's correctness
depends on and no fake API server reproduces), kube-controller-manager (Deployments roll out
through ReplicaSets, the garbage collector deletes a Secret owned by a deleted ExternalSecret),
kube-scheduler, the External Secrets controller (the ExternalSecret → Secret hop), and `moto` in
server mode as the AWS SSM/KMS API. Only kubelets are faked: kwok drives one fake Node and makes
its pods Ready, so a rollout completes without containers.

Everything binds 127.0.0.1 on ports picked free at start and lives in one run dir (a log per
process, certificates, etcd data, the kubeconfig). Every process leads its own process group and
is stopped by pid: SIGTERM, then SIGKILL after a grace period. Each child also gets
PR_SET_PDEATHSIG, so a test runner killed outright (SIGKILL, OOM) takes the control plane with
it, except with ``keep=True``, whose point is to outlive the runner for inspection.

Use ``started(bin_dir, run_dir)``; ``python -m e2e.harness.control_plane stop RUN_DIR`` stops what a
``keep=True`` run left behind.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import secrets
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import yaml
from botocore.exceptions import BotoCoreError, ClientError
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from e2e.harness import identities, parallel
from e2e.harness.identities import Identity

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# A real region name: ESO and the SDKs resolve endpoints and sign requests per region, and
# moto keeps one state per region, so every client must use this one.
REGION = "ap-northeast-1"
# moto files everything under its default account 123456789012, so every client (ESO through
# the store's Secret, boto3, the Pulumi stand-in) sees one state; each signs with its own user's
# keys, which moto checks (e2e.harness.identities).
ADMIN_USER = identities.ADMIN
SERVICE_CIDR = "10.96.0.0/16"
POD_CIDR = "10.244.0.0/24"
KWOK_NODE = "kwok-node-0"
# kwok manages only Nodes carrying this annotation (fixtures/kwok-node.yaml has it).
KWOK_MANAGED = "kwok.x-k8s.io/node=fake"
# kwok has no built-in lifecycle: these stage files (copied from its module by the toolchain)
# make the node Ready, keep its lease fresh, and take pods Pending → Ready and delete them.
KWOK_STAGES = (
    "node/fast/node-initialize.yaml",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    "pod/fast/pod-delete.yaml",
)

READY_TIMEOUT = 90.0  # seconds; a cold kube-apiserver on 2 cores takes well under this
STOP_GRACE = 10.0
RECORD = "control-plane.json"
PR_SET_PDEATHSIG = 1


class StartError(RuntimeError):
    """A piece of the control plane did not come up; the message carries its log's tail."""


# --- the public surface ---------------------------------------------------------------------


@dataclass
class Process:
    """One process we started. ``popen`` is absent when re-read from a run dir's record."""

    name: str
    pid: int
    argv0: str
    log: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)
    # How it was started, so a fault scenario can start it again exactly so (same ports, data
    # and log); absent when re-read from a record.
    argv: list[str] = field(default_factory=list, repr=False, compare=False)
    extra_env: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    survive_parent: bool = field(default=False, repr=False, compare=False)

    def alive(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        return _pid_runs(self.pid, self.argv0)

    def send(self, signum: int) -> None:
        """Signal the whole process group (the process leads it: start_new_session)."""
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signum)

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + max(timeout, 0.0)
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)


@dataclass
class ControlPlane:
    """A running control plane: where it lives, how to reach it, what to stop."""

    run_dir: Path
    kubeconfig: Path
    server: str
    token: str
    moto_endpoint: str
    identities: dict[str, Identity]
    region: str = REGION
    processes: list[Process] = field(default_factory=list)

    @property
    def admin(self) -> Identity:
        return self.identities[ADMIN_USER]

    @property
    def pids(self) -> dict[str, int]:
        return {proc.name: proc.pid for proc in self.processes}

    def api_client(self) -> client.ApiClient:
        """A fresh client for the admin user (close it, or use it as a context manager)."""
        return config.new_client_from_config(config_file=str(self.kubeconfig))

    def ssm_client(self) -> Any:
        """A boto3 SSM client on moto (boto3 is untyped, hence Any)."""
        return _ssm_client(self.moto_endpoint, self.admin)

    def iam_client(self) -> Any:
        """A boto3 IAM client on moto, as the administrator (grants the roles' policies)."""
        return boto3.client(
            "iam", endpoint_url=self.moto_endpoint, region_name=self.region, **_keys(self.admin)
        )

    def aws_env(self) -> dict[str, str]:
        """Environment that points AWS clients at moto: the generic endpoint variable for
        boto3 and the AWS SDKs, ESO's own per-service variables, a region, fake keys."""
        return {
            "AWS_ENDPOINT_URL": self.moto_endpoint,
            "AWS_SSM_ENDPOINT": self.moto_endpoint,
            "AWS_STS_ENDPOINT": self.moto_endpoint,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            **self.admin.aws_env(),
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def env(self) -> dict[str, str]:
        """What a client process (kubectl, pulumi, boto3) needs to reach this control plane."""
        return {"KUBECONFIG": str(self.kubeconfig), **self.aws_env()}

    def export_lines(self) -> list[str]:
        """Shell lines to inspect a kept control plane, and the command that stops it."""
        lines = [f"export {key}={shlex.quote(value)}" for key, value in self.env().items()]
        stop = (
            f"{sys.executable} -m e2e.harness.control_plane stop {shlex.quote(str(self.run_dir))}"
        )
        return [*lines, f"# stop it: (cd {shlex.quote(str(REPO))} && {stop})"]

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop every process this control plane started (see ``stop_processes``)."""
        stop_processes(self.processes, grace)

    def process(self, name: str) -> Process:
        """The running (or stopped) process called ``name``; LookupError if none."""
        for proc in self.processes:
            if proc.name == name:
                return proc
        raise LookupError(f"no process {name!r} in this control plane")

    def stop_one(self, name: str, grace: float = STOP_GRACE) -> None:
        """Stop one process by pid (SIGTERM, then SIGKILL), as an outage a fault test injects;
        ``start_again`` brings it back."""
        stop_processes([self.process(name)], grace)

    def start_again(self, name: str) -> Process:
        """Start a stopped process with its own command line and environment (same ports,
        data dir and log, appended to), in its place in ``processes`` (the stop order), and
        wait until it answers. Only kube-apiserver and moto have a readiness probe here."""
        old = self.process(name)
        if old.alive():
            raise RuntimeError(f"{name} (pid {old.pid}) is still running")
        if not old.argv:
            raise RuntimeError(f"{name} was not started by this process: no command line")
        ready = {
            "kube-apiserver": lambda: _http_ok(
                f"{self.server}/readyz",
                self.run_dir / "pki" / "apiserver" / "apiserver.crt",
                self.token,
            ),
            "moto": lambda: _ssm_answers(self.moto_endpoint, self.admin),
        }[name]
        launcher = Launcher(run_dir=self.run_dir, survive_parent=old.survive_parent)
        new = launcher.launch(name, old.argv, old.extra_env)
        self.processes[self.processes.index(old)] = new
        launcher.await_ready(new, ready)
        _write_record(self)
        return new


def stop_processes(processes: list[Process], grace: float = STOP_GRACE) -> None:
    """Stop each process group in turn, last started first: SIGTERM, then SIGKILL if it is
    still running after ``grace`` seconds. Raise if anything survives that.

    One at a time, because a server must outlive its clients: kube-apiserver stops in about a
    second while etcd is up, but stalls past any grace period when etcd goes at the same time.
    """
    for proc in reversed(processes):
        if not proc.alive():
            continue
        proc.send(signal.SIGTERM)
        proc.wait(grace)
        if proc.alive():
            print(f"  {proc.name} (pid {proc.pid}) ignored SIGTERM for {grace:.0f} s: SIGKILL")
            proc.send(signal.SIGKILL)
            proc.wait(5.0)
    leftover = [f"{proc.name} (pid {proc.pid})" for proc in processes if proc.alive()]
    if leftover:
        raise RuntimeError(f"still running after SIGKILL: {', '.join(leftover)}")


@contextmanager
def started(bin_dir: Path, run_dir: Path, keep: bool = False) -> Iterator[ControlPlane]:
    """Start the control plane in ``run_dir``, yield it, stop it afterwards.

    A failure while starting stops whatever already runs. With ``keep=True`` the processes
    survive the block (and the test runner) and ``plane.export_lines()`` says how to use and
    stop them; otherwise they are stopped whether the block succeeds or raises.
    """
    plane = start(bin_dir, run_dir, keep=keep)
    try:
        yield plane
    finally:
        if not keep:
            plane.stop()


def start(bin_dir: Path, run_dir: Path, keep: bool = False) -> ControlPlane:
    """Start every process in dependency order, waiting for each to be ready (see module)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    launcher = Launcher(run_dir=run_dir, survive_parent=keep)
    print(f"control plane in {run_dir}", flush=True)
    try:
        plane = _bring_up(bin_dir, run_dir, launcher)
    except BaseException:
        print("  start failed: stopping what was started", flush=True)
        stop_processes(launcher.processes)
        raise
    _write_record(plane)
    print(f"control plane ready in {time.monotonic() - began:.1f} s", flush=True)
    return plane


def stop_recorded(run_dir: Path) -> None:
    """Stop what a ``keep=True`` run left, from the pids it recorded in ``run_dir``.

    A pid is signalled only while it still runs the recorded binary (guards against reuse).
    """
    record = json.loads((run_dir / RECORD).read_text())
    processes = [Process(p["name"], p["pid"], p["argv0"], Path(p["log"])) for p in record]
    stop_processes(processes)
    print(f"stopped {len(processes)} processes of {run_dir}")


# --- the order things come up in --------------------------------------------------------------


@dataclass(frozen=True)
class Ports:
    etcd_client: int
    etcd_peer: int
    apiserver: int
    controller_manager: int
    scheduler: int
    moto: int
    eso_metrics: int


def _bring_up(bin_dir: Path, run_dir: Path, launcher: Launcher) -> ControlPlane:
    ports = Ports(*free_ports(7))
    pki = run_dir / "pki"
    token = secrets.token_hex(24)
    users = identities.new(token)
    _write_credentials(pki, users)
    server = f"https://127.0.0.1:{ports.apiserver}"
    moto_endpoint = f"http://127.0.0.1:{ports.moto}"

    etcd = launcher.launch("etcd", _etcd_argv(bin_dir, run_dir, ports))
    launcher.await_ready(etcd, lambda: _http_ok(f"http://127.0.0.1:{ports.etcd_client}/health"))

    apiserver = launcher.launch("kube-apiserver", _apiserver_argv(bin_dir, run_dir, ports))
    # moto imports for ~1 s and builds its SSM backend on first use (~2 s): both happen while
    # the API server initialises.
    moto = launcher.launch("moto", _moto_argv(ports.moto), _moto_env(run_dir, users))
    launcher.await_ready(moto, lambda: _ssm_answers(moto_endpoint, users[ADMIN_USER]))
    serving_bundle = pki / "apiserver" / "apiserver.crt"
    launcher.await_ready(apiserver, lambda: _http_ok(f"{server}/readyz", serving_bundle, token))
    kubeconfig = _write_kubeconfig(run_dir, server, _extract_ca(serving_bundle), token)
    plane = ControlPlane(
        run_dir=run_dir,
        kubeconfig=kubeconfig,
        server=server,
        token=token,
        moto_endpoint=moto_endpoint,
        identities=users,
        processes=launcher.processes,
    )

    with plane.api_client() as api:
        # What the controllers need from the API first: ESO's CRDs (ESO exits when a kind it
        # watches is missing) and the Node kwok is to manage. Then all four start together.
        install_crds(api, bin_dir.parent / "eso-crds", "ESO")
        create(api, "/api/v1/nodes", _load_yaml(FIXTURES / "kwok-node.yaml"))
        kcm = launcher.launch("kube-controller-manager", _kcm_argv(bin_dir, run_dir, ports))
        scheduler = launcher.launch("kube-scheduler", _scheduler_argv(bin_dir, run_dir, ports))
        kwok = launcher.launch("kwok", _kwok_argv(bin_dir, run_dir))
        eso = launcher.launch("external-secrets", _eso_argv(bin_dir, ports), _eso_env(plane))
        kcm_health = f"https://127.0.0.1:{ports.controller_manager}/healthz"
        kcm_ca = run_dir / "kube-controller-manager" / "kube-controller-manager.crt"
        # healthz alone says little; the service-account controller creating `default` in
        # namespace default shows the controllers run (pods need that account, too).
        launcher.await_ready(
            kcm,
            lambda: (
                _http_ok(kcm_health, kcm_ca)
                and exists(api, "/api/v1/namespaces/default/serviceaccounts/default")
            ),
        )
        sched_health = f"https://127.0.0.1:{ports.scheduler}/healthz"
        sched_ca = run_dir / "kube-scheduler" / "kube-scheduler.crt"
        launcher.await_ready(scheduler, lambda: _http_ok(sched_health, sched_ca))
        launcher.await_ready(kwok, lambda: _node_ready(api, KWOK_NODE))
        launcher.await_ready(eso, lambda: _http_ok(f"http://127.0.0.1:{ports.eso_metrics}/metrics"))
    return plane


# --- each process's command line ------------------------------------------------------------


def _etcd_argv(bin_dir: Path, run_dir: Path, ports: Ports) -> list[str]:
    client_url = f"http://127.0.0.1:{ports.etcd_client}"
    peer_url = f"http://127.0.0.1:{ports.etcd_peer}"
    return [
        str(bin_dir / "etcd"),
        "--name=e2e",
        f"--data-dir={run_dir / 'etcd-data'}",
        f"--listen-client-urls={client_url}",
        f"--advertise-client-urls={client_url}",
        f"--listen-peer-urls={peer_url}",
        f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=e2e={peer_url}",
        # Throwaway data: skipping fsync makes every API write several ms faster.
        "--unsafe-no-fsync",
        "--log-level=warn",
    ]


def _apiserver_argv(bin_dir: Path, run_dir: Path, ports: Ports) -> list[str]:
    pki = run_dir / "pki"
    return [
        str(bin_dir / "kube-apiserver"),
        f"--etcd-servers=http://127.0.0.1:{ports.etcd_client}",
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        f"--secure-port={ports.apiserver}",
        # Self-signed serving cert for 127.0.0.1; the file is cert + its CA, our trust anchor.
        f"--cert-dir={pki / 'apiserver'}",
        f"--token-auth-file={pki / 'tokens.csv'}",
        "--authorization-mode=RBAC",
        f"--service-cluster-ip-range={SERVICE_CIDR}",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        f"--service-account-key-file={pki / 'sa.pub'}",
        f"--service-account-signing-key-file={pki / 'sa.key'}",
        # A loopback advertise address cannot be published as the `kubernetes` Service's
        # endpoint (Endpoints reject loopback IPs); nothing in the cluster needs it.
        "--endpoint-reconciler-type=none",
        "--profiling=false",
    ]


def _kcm_argv(bin_dir: Path, run_dir: Path, ports: Ports) -> list[str]:
    pki = run_dir / "pki"
    return [
        str(bin_dir / "kube-controller-manager"),
        f"--kubeconfig={run_dir / 'kubeconfig'}",
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        f"--secure-port={ports.controller_manager}",
        f"--cert-dir={run_dir / 'kube-controller-manager'}",
        f"--service-account-private-key-file={pki / 'sa.key'}",
        f"--root-ca-file={pki / 'ca.crt'}",
        "--profiling=false",
        # kwok renews the fake node's lease from a process that shares 2 cores with the whole
        # control plane, Argo CD and the engine; under that load a renewal can be late by more
        # than the default 40-50 s grace, and the node lifecycle controller then marks the pod
        # NotReady for good (kwok does not set Ready again). 10 min was not enough either: on
        # fresh clones, 13 and 21 min after the API-server outage scenario, a rolled-out pod
        # was found Ready=False with ContainersReady=True (the controller's mark) and a later
        # rollout or Argo CD's health never completed. A fake node never really dies.
        "--node-monitor-grace-period=24h",
    ]


def _scheduler_argv(bin_dir: Path, run_dir: Path, ports: Ports) -> list[str]:
    return [
        str(bin_dir / "kube-scheduler"),
        f"--kubeconfig={run_dir / 'kubeconfig'}",
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        f"--secure-port={ports.scheduler}",
        f"--cert-dir={run_dir / 'kube-scheduler'}",
        "--profiling=false",
    ]


def _kwok_argv(bin_dir: Path, run_dir: Path) -> list[str]:
    stages = bin_dir.parent / "kwok-stages"
    # -c replaces kwok's default config (~/.kwok/kwok.yaml); without stages it refuses to run.
    configs = [arg for stage in KWOK_STAGES for arg in ("-c", str(stages / stage))]
    return [
        str(bin_dir / "kwok"),
        f"--kubeconfig={run_dir / 'kubeconfig'}",
        f"--manage-nodes-with-annotation-selector={KWOK_MANAGED}",
        f"--cidr={POD_CIDR}",
        *configs,
    ]


def _moto_argv(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "e2e.harness.standins.moto_iam",
        "-H",
        "127.0.0.1",
        "-p",
        str(port),
    ]


def _moto_env(run_dir: Path, users: dict[str, Identity]) -> dict[str, str]:
    """The users moto creates (and re-creates at a restart: same file), and the harness on
    moto's import path."""
    path = run_dir / "pki" / "moto-users.json"
    path.write_text(identities.moto_users(users.values()))
    path.chmod(0o600)
    return {"PYTHONPATH": str(REPO), "MOTO_IAM_USERS": str(path)}


def _eso_argv(bin_dir: Path, ports: Ports) -> list[str]:
    return [
        str(bin_dir / "external-secrets"),
        "--enable-leader-election=false",
        # Default is ":8080" on every interface; loopback and free, and our readiness probe.
        f"--metrics-addr=127.0.0.1:{ports.eso_metrics}",
        "--loglevel=info",
        "--zap-time-encoding=iso8601",
    ]


def _eso_env(plane: ControlPlane) -> dict[str, str]:
    """ESO reads the kubeconfig from KUBECONFIG (controller-runtime) and routes its AWS SDK's
    SSM/STS calls to moto through its own ``AWS_*_ENDPOINT`` variables. No AWS keys here: the
    store's ``auth.secretRef`` must be what authenticates, as in the real deployment."""
    return {
        "KUBECONFIG": str(plane.kubeconfig),
        "AWS_SSM_ENDPOINT": plane.moto_endpoint,
        "AWS_STS_ENDPOINT": plane.moto_endpoint,
        "AWS_SECRETSMANAGER_ENDPOINT": plane.moto_endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


# --- starting and watching processes --------------------------------------------------------


@dataclass
class Launcher:
    """Starts processes into ``processes`` (so a failure can stop them all) and waits for
    each to be ready, printing how long it took."""

    run_dir: Path
    survive_parent: bool
    processes: list[Process] = field(default_factory=list)
    _launched_at: dict[str, float] = field(default_factory=dict)

    def launch(
        self, name: str, argv: list[str], extra_env: dict[str, str] | None = None
    ) -> Process:
        logs = self.run_dir / "logs"
        logs.mkdir(exist_ok=True)
        log = logs / f"{name}.log"
        home = self.run_dir / "home"  # no tool reads or writes the real ~/.kube, ~/.aws, ~/.kwok
        home.mkdir(exist_ok=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
        env.update(extra_env or {})
        with log.open("ab") as sink:
            popen = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                cwd=self.run_dir,
                env=env,
                start_new_session=True,
                preexec_fn=None if self.survive_parent else _die_with_parent,
            )
        proc = Process(
            name=name,
            pid=popen.pid,
            argv0=argv[0],
            log=log,
            popen=popen,
            argv=list(argv),
            extra_env=dict(extra_env or {}),
            survive_parent=self.survive_parent,
        )
        self.processes.append(proc)
        self._launched_at[name] = time.monotonic()
        print(f"  starting {name} (pid {popen.pid}) ...", flush=True)
        return proc

    def await_ready(self, proc: Process, ready: Callable[[], bool]) -> None:
        """Poll ``ready`` until true; fail fast with the log's tail if the process exits."""
        deadline = self._launched_at[proc.name] + READY_TIMEOUT
        while True:
            if not proc.alive():
                raise StartError(f"{proc.name} exited while starting:\n{_tail(proc.log)}")
            if ready():
                break
            if time.monotonic() > deadline:
                raise StartError(
                    f"{proc.name} not ready after {READY_TIMEOUT:.0f} s:\n{_tail(proc.log)}"
                )
            time.sleep(0.2)
        seconds = time.monotonic() - self._launched_at[proc.name]
        print(f"  {proc.name} ready in {seconds:.1f} s", flush=True)


def _die_with_parent() -> None:
    """In the child between fork and exec: get SIGKILL when the parent thread dies, so a
    runner killed without cleanup leaves no control plane behind (Linux only)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _pid_runs(pid: int, argv0: str) -> bool:
    """True while ``pid`` is a live (non-zombie) process still running ``argv0``."""
    proc = Path(f"/proc/{pid}")
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes().split(b"\0")[0].decode()
    except (OSError, IndexError):
        return False
    return state != "Z" and cmdline == argv0


def _tail(log: Path, lines: int = 25) -> str:
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports below the kernel's ephemeral range.

    A port from ``bind(0)`` lies inside that range, where any outgoing connection (the API
    server opens dozens to etcd while starting) may take it before our process binds it.
    """
    ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    low, high = parallel.port_range(10000, ephemeral)
    ports: list[int] = []
    while len(ports) < count:
        port = low + secrets.randbelow(high - low)
        if port in ports:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
    return ports


# --- files: credentials, kubeconfig, the record of what runs ---------------------------------


def _write_credentials(pki: Path, users: dict[str, Identity]) -> None:
    """The users' tokens (the admin in group system:masters: every controller here acts as
    cluster admin; one user per role, e2e.harness.identities) and the service-account signing
    key pair the API server insists on."""
    pki.mkdir(parents=True, exist_ok=True)
    (pki / "tokens.csv").write_text(
        identities.token_file(u for u in users.values() if u.kube_groups)
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (pki / "sa.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    (pki / "sa.pub").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    for name in ("tokens.csv", "sa.key"):
        (pki / name).chmod(0o600)


def _extract_ca(serving_bundle: Path) -> Path:
    """The CA certificate alone, from the API server's self-signed bundle (serving cert +
    CA). Trusting the bundle works for TLS, but kube-controller-manager publishes its
    ``--root-ca-file`` as a ClusterTrustBundle, which must hold CA certificates only."""
    for cert in x509.load_pem_x509_certificates(serving_bundle.read_bytes()):
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        if constraints.ca:
            ca_file = serving_bundle.parent.parent / "ca.crt"
            ca_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            return ca_file
    raise StartError(f"no CA certificate in {serving_bundle}")


def _write_kubeconfig(run_dir: Path, server: str, ca_file: Path, token: str) -> Path:
    """Self-contained (CA inline) so it can be copied or handed to Pulumi as-is."""
    ca_data = base64.b64encode(ca_file.read_bytes()).decode()
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "e2e", "cluster": {"server": server, "certificate-authority-data": ca_data}}
        ],
        "users": [{"name": ADMIN_USER, "user": {"token": token}}],
        "contexts": [{"name": "e2e", "context": {"cluster": "e2e", "user": ADMIN_USER}}],
        "current-context": "e2e",
    }
    path = run_dir / "kubeconfig"
    path.write_text(yaml.safe_dump(kubeconfig, sort_keys=False))
    path.chmod(0o600)
    return path


def _write_record(plane: ControlPlane) -> None:
    """Pids for ``stop_recorded`` and the export lines, for whoever inspects a kept run."""
    record = [
        {"name": p.name, "pid": p.pid, "argv0": p.argv0, "log": str(p.log)} for p in plane.processes
    ]
    (plane.run_dir / RECORD).write_text(json.dumps(record, indent=2) + "\n")
    (plane.run_dir / "env.sh").write_text("\n".join(plane.export_lines()) + "\n")


def _load_yaml(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


# --- readiness probes -------------------------------------------------------------------------


def _http_ok(url: str, ca_file: Path | None = None, token: str | None = None) -> bool:
    """GET ``url``: 200 means ready, anything else (refused, TLS not up yet, 5xx) not yet.

    HTTPS is verified against the component's own self-signed bundle, which appears in its
    cert dir once it has generated it: a bundle still being written (empty, or cut short; seen
    with three e2e workers on two cores) is not ready yet either.
    """
    context = None
    if url.startswith("https://"):
        if ca_file is None or not ca_file.exists():
            return False
        try:
            context = ssl.create_default_context(cafile=str(ca_file))
        except ssl.SSLError:
            return False
    request = urllib.request.Request(url)  # noqa: S310 (http/https to loopback only)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=2, context=context) as response:  # noqa: S310
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


def _ssm_client(endpoint: str, user: Identity) -> Any:
    return boto3.client("ssm", endpoint_url=endpoint, region_name=REGION, **_keys(user))


def _keys(user: Identity) -> dict[str, str]:
    return {
        "aws_access_key_id": user.access_key_id,
        "aws_secret_access_key": user.secret_access_key,
    }


def _ssm_answers(endpoint: str, user: Identity) -> bool:
    """A real SSM call, not just moto's HTTP port: moto builds its SSM backend for a region
    on first use (~2 s), and this way that happens while the API server starts."""
    try:
        _ssm_client(endpoint, user).describe_parameters(MaxResults=1)
    except (BotoCoreError, ClientError):
        return False
    return True


def _node_ready(api: client.ApiClient, name: str) -> bool:
    try:
        node = get(api, f"/api/v1/nodes/{name}")
    except ApiException:
        return False
    conditions = node.get("status", {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def install_crds(api: client.ApiClient, crd_dir: Path, what: str) -> None:
    """Create (POST, not client-side apply: the store CRDs are ~500 KB, past the 256 KB
    last-applied annotation limit) every CRD in ``crd_dir``, then wait until each is
    Established."""
    began = time.monotonic()
    names = []
    for path in sorted(crd_dir.glob("*.yaml")):
        # libyaml's loader: ~7x faster than pure Python on the two 500 KB store CRDs.
        for crd in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
            if crd and crd.get("kind") == "CustomResourceDefinition":
                create(api, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
                names.append(crd["metadata"]["name"])
    if not names:
        raise StartError(f"no CRDs in {crd_dir} (is the toolchain built?)")
    for name in names:
        wait_until(f"CRD {name} Established", partial(_crd_established, api, name), READY_TIMEOUT)
    print(f"  {len(names)} {what} CRDs established in {time.monotonic() - began:.1f} s", flush=True)


def _crd_established(api: client.ApiClient, name: str) -> bool:
    crd = get(api, f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}")
    conditions = crd.get("status", {}).get("conditions") or []
    return any(c["type"] == "Established" and c["status"] == "True" for c in conditions)


def wait_until(what: str, check: Callable[[], bool], timeout: float) -> None:
    """Poll ``check`` every 0.2 s until true; TimeoutError naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


# --- raw JSON REST calls ----------------------------------------------------------------------
# The typed client round-trips objects through its models, which can drop or reshape fields;
# the e2e compares objects "exactly as seeded", so it reads and writes the server's JSON as is.


def request(
    api: client.ApiClient,
    method: str,
    path: str,
    body: Any = None,
    query: list[tuple[str, str]] | None = None,
    content_type: str = "application/json",
) -> dict[str, Any]:
    """One API call with the client's auth and TLS; the decoded JSON reply, or ApiException."""
    _, url, headers, data, _ = api.param_serialize(
        method,
        path,
        query_params=query,
        header_params={"Content-Type": content_type, "Accept": "application/json"},
        body=body,
        auth_settings=["BearerToken"],
    )
    response = api.call_api(method, url, header_params=headers, body=data, _request_timeout=30)
    raw = response.read()
    if not 200 <= response.status < 300:
        raise ApiException(status=response.status, reason=response.reason, body=raw.decode())
    decoded: dict[str, Any] = json.loads(raw)
    return decoded


def get(api: client.ApiClient, path: str) -> dict[str, Any]:
    return request(api, "GET", path)


def exists(api: client.ApiClient, path: str) -> bool:
    try:
        get(api, path)
    except ApiException as error:
        if error.status == 404:
            return False
        raise
    return True


def create(api: client.ApiClient, collection: str, body: dict[str, Any]) -> dict[str, Any]:
    return request(api, "POST", collection, body)


def apply(
    api: client.ApiClient, path: str, body: dict[str, Any], field_manager: str
) -> dict[str, Any]:
    """Server-Side Apply ``body`` to the object at ``path`` as ``field_manager``."""
    query = [("fieldManager", field_manager), ("force", "true")]
    return request(api, "PATCH", path, body, query, "application/apply-patch+yaml")


def main(argv: list[str]) -> int:
    """``python -m e2e.harness.control_plane stop RUN_DIR``: stop what a kept run left behind."""
    if len(argv) != 2 or argv[0] != "stop":
        print("usage: python -m e2e.harness.control_plane stop RUN_DIR")
        return 2
    stop_recorded(Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
