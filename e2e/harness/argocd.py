"""Layer 2b of the e2e harness: Argo CD, the reference cluster's GitOps controller, for real.

The reference deployment is owned by an Argo CD Application with self-heal and Server-Side
Apply. What Argo CD does to Phase 2's objects (revert the section, keep the env entry, ignore
the untracked ExternalSecret) is a property of its diff and sync code, so the e2e runs that
code: the application-controller and the repo-server of Argo CD v3.6.1 (one `argocd` binary
built from its Go module by the toolchain; the role comes from ``ARGOCD_BINARY_NAME``), a
Debian ``redis-server`` as its cache, and a bare Git repository on disk as the source
(``file://`` URLs work for the repo-server, as in Argo CD's own e2e). The API server, Dex,
ApplicationSets and notifications are not needed and not started.

``start(plane, bin_dir)`` brings it up on free loopback ports and appends its processes to the
control plane's, so the plane's stop (by pid, also on failure) stops them first.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes import client

from e2e.harness import debian
from e2e.harness.control_plane import (
    ControlPlane,
    Launcher,
    _http_ok,
    _write_record,
    apply,
    free_ports,
    get,
    install_crds,
    request,
    wait_until,
)

NAMESPACE = "argocd"
APPLICATIONS = f"/apis/argoproj.io/v1alpha1/namespaces/{NAMESPACE}/applications"
# What the reference's Application says (argoproj/openclaw/application.yaml in its repo).
SYNC_POLICY = {
    "automated": {"prune": True, "selfHeal": True},
    "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
}
IN_CLUSTER = "https://kubernetes.default.svc"
# The harness's own manager for Argo CD's objects (Applications, its ConfigMaps).
HARNESS_MANAGER = "e2e-harness"


@dataclass
class ArgoCD:
    """A running Argo CD: where its Applications live and how to read them."""

    version: str
    redis_port: int
    repo_server_port: int

    def application_path(self, name: str) -> str:
        return f"{APPLICATIONS}/{name}"

    def put_application(
        self,
        api: client.ApiClient,
        name: str,
        repo_url: str,
        path: str,
        destination_namespace: str,
        extra_spec: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create or replace an Application with the reference's sync policy (plus
        ``extra_spec``, e.g. ``ignoreDifferences``)."""
        body = {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {
                "project": "default",
                "source": {"repoURL": repo_url, "path": path, "targetRevision": "HEAD"},
                "destination": {"server": IN_CLUSTER, "namespace": destination_namespace},
                "syncPolicy": SYNC_POLICY,
                **(extra_spec or {}),
            },
        }
        return apply(api, self.application_path(name), body, HARNESS_MANAGER)

    def application(self, api: client.ApiClient, name: str) -> dict[str, Any]:
        return get(api, self.application_path(name))

    def refresh(self, api: client.ApiClient, name: str) -> None:
        """Ask for a comparison now instead of at the next poll (what `argocd app get
        --refresh` does): the annotation the controller acts on and then removes."""
        patch = {"metadata": {"annotations": {"argocd.argoproj.io/refresh": "normal"}}}
        request(
            api,
            "PATCH",
            self.application_path(name),
            patch,
            content_type="application/merge-patch+json",
        )

    def status(self, api: client.ApiClient, name: str) -> tuple[str, str, str]:
        """(sync status, health status, synced revision) as Argo CD reports them."""
        status = self.application(api, name).get("status", {})
        sync = status.get("sync", {})
        return (
            str(sync.get("status", "")),
            str(status.get("health", {}).get("status", "")),
            str(sync.get("revision", "")),
        )

    def wait_synced(
        self,
        api: client.ApiClient,
        name: str,
        revision: str | None = None,
        timeout: float = 120.0,
    ) -> tuple[str, str, str]:
        """Until the app is Synced and Healthy (at ``revision``, when given)."""

        def done() -> bool:
            sync, health, synced = self.status(api, name)
            at = revision is None or synced == revision
            return sync == "Synced" and health == "Healthy" and at

        try:
            wait_until(f"Application {name} Synced and Healthy", done, timeout)
        except TimeoutError as error:
            status = self.application(api, name).get("status", {})
            raise TimeoutError(f"{error}; last status: {status}") from None
        return self.status(api, name)


def start(plane: ControlPlane, bin_dir: Path, keep: bool = False) -> ArgoCD:
    """Start redis, the repo-server and the application-controller; create what the
    controller needs in the cluster (CRDs, namespace, argocd-cm/-secret, AppProject default)."""
    began = time.monotonic()
    redis = debian.redis_server()
    redis_port, repo_port, repo_metrics, controller_metrics = free_ports(4)
    with plane.api_client() as api:
        install_crds(api, bin_dir.parent / "argocd", "Argo CD")
        _seed_argocd_objects(api)
    launcher = Launcher(run_dir=plane.run_dir, survive_parent=keep)
    # Before anything can fail, so the plane's stop (and a failed start) covers these too.
    launcher.processes = plane.processes
    _launch_ready(
        launcher,
        "redis",
        [
            redis,
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        {},
        lambda: _redis_answers(redis_port),
    )
    env = _argocd_env(plane, bin_dir)
    _launch_ready(
        launcher,
        "argocd-repo-server",
        [
            str(bin_dir / "argocd"),
            "--address=127.0.0.1",
            f"--port={repo_port}",
            "--metrics-address=127.0.0.1",
            f"--metrics-port={repo_metrics}",
            f"--redis=127.0.0.1:{redis_port}",
            "--disable-tls",
            # Its default CA path conflicts with --disable-tls (the repo-server refuses both).
            "--client-ca-path=",
            "--loglevel=info",
        ],
        {**env, "ARGOCD_BINARY_NAME": "argocd-repo-server", "ARGOCD_GPG_ENABLED": "false"},
        lambda: _http_ok(f"http://127.0.0.1:{repo_metrics}/metrics"),
    )
    _launch_ready(
        launcher,
        "argocd-application-controller",
        [
            str(bin_dir / "argocd"),
            f"--namespace={NAMESPACE}",
            f"--redis=127.0.0.1:{redis_port}",
            f"--repo-server=127.0.0.1:{repo_port}",
            "--repo-server-plaintext",
            f"--metrics-port={controller_metrics}",
            "--loglevel=info",
        ],
        {**env, "ARGOCD_BINARY_NAME": "argocd-application-controller"},
        lambda: _http_ok(f"http://127.0.0.1:{controller_metrics}/metrics"),
    )
    _write_record(plane)
    version = _version(bin_dir, plane.run_dir / "home")
    print(f"Argo CD {version} ready in {time.monotonic() - began:.1f} s", flush=True)
    return ArgoCD(version=version, redis_port=redis_port, repo_server_port=repo_port)


def _launch_ready(
    launcher: Launcher,
    name: str,
    argv: list[str],
    env: dict[str, str],
    ready: Callable[[], bool],
) -> None:
    launcher.await_ready(launcher.launch(name, argv, env), ready)


def _argocd_env(plane: ControlPlane, bin_dir: Path) -> dict[str, str]:
    """``ARGOCD_FAKE_IN_CLUSTER`` maps the in-cluster destination to KUBECONFIG; the git
    wrapper the repo-server calls by name is beside the binary; its data dirs stay in the run
    dir."""
    data = plane.run_dir / "argocd-data"
    for sub in ("tls", "ssh", "gpg", "gnupg"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    return {
        "KUBECONFIG": str(plane.kubeconfig),
        "ARGOCD_FAKE_IN_CLUSTER": "true",
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "ARGOCD_TLS_DATA_PATH": str(data / "tls"),
        "ARGOCD_SSH_DATA_PATH": str(data / "ssh"),
        "ARGOCD_GPG_DATA_PATH": str(data / "gpg"),
        "ARGOCD_GNUPGHOME": str(data / "gnupg"),
    }


def _seed_argocd_objects(api: client.ApiClient) -> None:
    """What argocd-server and the install manifests would have created."""
    part_of = {"app.kubernetes.io/part-of": "argocd"}
    objects: list[tuple[str, dict[str, Any]]] = [
        (f"/api/v1/namespaces/{NAMESPACE}", {"apiVersion": "v1", "kind": "Namespace"}),
        (
            f"/api/v1/namespaces/{NAMESPACE}/configmaps/argocd-cm",
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"labels": part_of}},
        ),
        (
            f"/api/v1/namespaces/{NAMESPACE}/secrets/argocd-secret",
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"labels": part_of},
                "stringData": {"server.secretkey": "e2e-only-not-a-secret"},
            },
        ),
        (
            f"/apis/argoproj.io/v1alpha1/namespaces/{NAMESPACE}/appprojects/default",
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "AppProject",
                "spec": {
                    "sourceRepos": ["*"],
                    "destinations": [{"server": "*", "namespace": "*"}],
                    "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
                },
            },
        ),
    ]
    for path, body in objects:
        name = path.rsplit("/", 1)[1]
        metadata = {**body.get("metadata", {}), "name": name}
        if "/namespaces/" in path and body["kind"] != "Namespace":
            metadata["namespace"] = NAMESPACE
        apply(api, path, {**body, "metadata": metadata}, HARNESS_MANAGER)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _version(bin_dir: Path, home: Path) -> str:
    """What the binary says it is (the toolchain stamps the pinned version into it)."""
    done = subprocess.run(
        [str(bin_dir / "argocd"), "version", "--client", "--short"],
        capture_output=True,
        text=True,
        check=False,
        env={"ARGOCD_BINARY_NAME": "argocd", "HOME": str(home)},
    )
    lines = done.stdout.strip().splitlines()
    return lines[0] if lines else f"unknown ({done.stderr.strip()[:200]})"
